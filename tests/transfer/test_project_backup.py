"""Backups with projects (issue 14): one project's backup restored into another database as a
new project, and a backup of the release before projects restored into this one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from tests.transfer.support import review_three
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.models import (
    Claim,
    Comment,
    Document,
    HistoryEntry,
    Membership,
    Project,
    Review,
    User,
)
from workbench.db.open import open_database
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput
from workbench.export.service import ExportFormat, render_export
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.scale import ScaleVerdict, VerdictScale
from workbench.projects.service import add_project, list_projects
from workbench.review import decisions
from workbench.review.adjudicate import adjudicate
from workbench.schemas import DocumentIn, Verdict
from workbench.transfer.backup import export_backup, restore_backup

ARTICLES = (
    "The minister said unemployment fell to 4.1 percent in March. "
    "Critics said the figure was 5 percent according to the statistics office.",
    "The hospital reported 120 new cases last week. The mayor said 40 beds were added.",
)
HEALTH_SCALE = VerdictScale(
    verdicts=(
        ScaleVerdict(name="verified", label="True", rating=5),
        ScaleVerdict(name="unsupported", rating=3),
        ScaleVerdict(name="disputed", label="False", rating=1),
    )
)
FORMATS = (ExportFormat.jsonl, ExportFormat.csv, ExportFormat.claimreview)


def _exports(engine: Engine, project: str) -> dict[str, bytes]:
    return {f.value: render_export(engine, f, actor=SYSTEM, project=project) for f in FORMATS}


def _claims(engine: Engine, project: str) -> list[int]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(
                select(Claim.id)
                .join(Document, Document.id == Claim.document_id)
                .join(Project, Project.id == Document.project_id)
                .where(Project.name == project)
                .order_by(Claim.id)
            )
        )


def _id_free(jsonl: bytes) -> list[dict[str, Any]]:
    """The JSONL export without the ids a restore into a database with data renumbers."""
    records = []
    for line in jsonl.splitlines():
        record = json.loads(line)
        record.pop("claim_id")
        record["document"].pop("id")
        record["corrected_from"] = len(record["corrected_from"])
        for review in record["reviews"]:
            review.pop("id")
        records.append(record)
    return records


@pytest.fixture
def two_desks(seeded: Engine) -> Engine:
    """Database A: the sample articles reviewed in ``default``; ``health``, its own scale, two
    articles, reviews by Ana and Ben (one adjudicated), a comment."""
    review_three(seeded)
    add_project(seeded, SYSTEM, "health", scale=HEALTH_SCALE)
    articles = [
        DocumentIn(title=f"Health {n}", text=text, source=f"https://health.example/{n}")
        for n, text in enumerate(ARTICLES)
    ]
    ingest_documents(seeded, articles, default_extractor(), project="health")
    claims = _claims(seeded, "health")
    ana, ben = local_actor(seeded, "Ana"), local_actor(seeded, "Hal")
    decisions.set_verdict(seeded, claims[0], ana, Verdict.verified)
    decisions.add_url(seeded, claims[0], ana, "https://health.example/source")
    decisions.set_verdict(seeded, claims[1], ana, Verdict.verified)
    decisions.set_verdict(seeded, claims[1], ben, Verdict.disputed)
    adjudicate(seeded, ana, claims[1], Verdict.disputed, "the figures say otherwise")
    decisions.set_note(seeded, claims[2], ben, "still looking")
    return seeded


def test_a_project_backup_holds_that_project_only(two_desks: Engine, tmp_path: Path) -> None:
    path = tmp_path / "health.jsonl"
    result = export_backup(two_desks, path, actor=SYSTEM, project="health")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["project"] == "health" and result.project == "health"
    rows: dict[str, list[dict[str, Any]]] = {}
    for line in lines[1:]:
        rows.setdefault(line["table"], []).append(line["row"])
    assert [p["name"] for p in rows["projects"]] == ["health"]
    assert sorted(c["id"] for c in rows["claims"]) == _claims(two_desks, "health")
    assert {u["name"] for u in rows["users"]} == {"Ana", "Hal"}
    claims = set(_claims(two_desks, "health"))
    assert {h["claim_id"] for h in rows["history"]} - {None} <= claims
    assert {r["claim_id"] for r in rows["reviews"]} <= claims


def test_a_project_restores_into_a_database_with_data_as_a_new_project(
    two_desks: Engine, other: Engine, tmp_path: Path
) -> None:
    """Database B holds the sample articles with a review: its ids overlap A's throughout."""
    decisions.set_verdict(
        other, _claims(other, "default")[0], local_actor(other, "Bo"), Verdict.verified
    )
    before_a = _exports(two_desks, "health")
    before_b = _exports(other, "default")
    path = tmp_path / "health.jsonl"
    export_backup(two_desks, path, actor=SYSTEM, project="health")

    report = restore_backup(other, path, actor=SYSTEM)

    assert report.written and report.project == "health" and not report.empty_target
    assert _exports(other, "default") == before_b  # B's own project untouched
    after = _exports(other, "health")
    assert _id_free(after["jsonl"]) == _id_free(before_a["jsonl"])
    graph = [dict(i, url=None) for i in json.loads(after["claimreview"])["@graph"]]
    assert graph == [dict(i, url=None) for i in json.loads(before_a["claimreview"])["@graph"]]
    assert [p.name for p in list_projects(other, SYSTEM)] == ["default", "health"]
    # The history came along, its entries naming B's rows.
    with unit_of_work(other) as session:
        health = set(_claims(other, "health"))
        entries = session.scalars(
            select(HistoryEntry).where(HistoryEntry.claim_id.in_(health))
        ).all()
        reviews = {
            str(r) for r in session.scalars(select(Review.id).where(Review.claim_id.in_(health)))
        }
        assert entries
        assert {e.entity_id for e in entries if e.entity == "review"} == reviews
        hal = session.scalar(select(User).where(User.name == "Hal"))
        assert hal is not None and hal.role == "viewer"  # never a site admin from a file
        members = session.execute(
            select(User.name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.project_id == 2)
        ).all()
    assert {name for name, _ in members} <= {"Ana", "Hal"}
    # Twice: the name is taken now.
    with pytest.raises(InvalidInput, match="a project named 'health' already exists here"):
        restore_backup(other, path, actor=SYSTEM)
    again = restore_backup(other, path, actor=SYSTEM, as_name="health-2")
    assert again.written
    assert _id_free(_exports(other, "health-2")["jsonl"]) == _id_free(before_a["jsonl"])


def test_into_an_empty_database_the_ids_stay(
    two_desks: Engine, other_url: str, tmp_path: Path
) -> None:
    before = _exports(two_desks, "health")
    path = tmp_path / "health.jsonl"
    export_backup(two_desks, path, actor=SYSTEM, project="health")
    target = open_database(other_url)
    assert restore_backup(target, path, actor=SYSTEM).empty_target
    assert _exports(target, "health") == before


def test_a_whole_backup_of_two_projects_restores_whole(
    two_desks: Engine, other_url: str, tmp_path: Path
) -> None:
    before = {p: _exports(two_desks, p) for p in ("default", "health")}
    path = tmp_path / "all.jsonl"
    export_backup(two_desks, path, actor=SYSTEM)
    target = open_database(other_url)
    report = restore_backup(target, path, actor=SYSTEM)
    assert report.written and report.conflict_count == 0
    assert {p: _exports(target, p) for p in ("default", "health")} == before


def _as_0014(backup: Path, old: Path) -> None:
    """``backup`` as the release before projects wrote it: no projects, no memberships, no
    project_id in documents and settings, its header at revision 0014."""
    out = []
    for number, line in enumerate(backup.read_text().splitlines()):
        record = json.loads(line)
        if number == 0:
            record["alembic_revision"] = "0014"
        elif record["table"] in ("projects", "memberships"):
            continue
        elif record["table"] in ("documents", "project_settings", "claims"):
            record["row"].pop("project_id")
        out.append(json.dumps(record))
    old.write_text("\n".join(out) + "\n")


def _as_0015(backup: Path, old: Path) -> None:
    """``backup`` as the release with projects but before claims.project_id (0016) wrote it."""
    out = []
    for number, line in enumerate(backup.read_text().splitlines()):
        record = json.loads(line)
        if number == 0:
            record["alembic_revision"] = "0015"
        elif record["table"] == "claims":
            record["row"].pop("project_id")
        out.append(json.dumps(record))
    old.write_text("\n".join(out) + "\n")


def test_a_backup_from_before_claims_knew_their_project_restores(
    two_desks: Engine, other_url: str, tmp_path: Path
) -> None:
    before = {p: _exports(two_desks, p) for p in ("default", "health")}
    backup, old = tmp_path / "all.jsonl", tmp_path / "old.jsonl"
    export_backup(two_desks, backup, actor=SYSTEM)
    _as_0015(backup, old)
    target = open_database(other_url)
    report = restore_backup(target, old, actor=SYSTEM)
    assert report.written and report.conflict_count == 0, report.summary()
    assert {p: _exports(target, p) for p in ("default", "health")} == before


def test_a_backup_from_before_projects_restores_as_project_default(
    seeded: Engine, other_url: str, tmp_path: Path
) -> None:
    review_three(seeded)
    before = _exports(seeded, "default")
    backup, old = tmp_path / "all.jsonl", tmp_path / "old.jsonl"
    export_backup(seeded, backup, actor=SYSTEM)
    _as_0014(backup, old)
    target = open_database(other_url)
    report = restore_backup(target, old, actor=SYSTEM)
    assert report.written and report.conflict_count == 0, report.summary()
    assert [p.name for p in list_projects(target, SYSTEM)] == ["default"]
    assert _exports(target, "default") == before
    with unit_of_work(target) as session:
        roles = dict(session.execute(select(User.id, User.role)).all())
        members = dict(session.execute(select(Membership.user_id, Membership.role)).all())
    assert members == roles and roles


def test_a_project_backup_from_the_command_line(
    two_desks: Engine, db_url: str, other: Engine, other_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    path = tmp_path / "health.jsonl"
    result = runner.invoke(
        app, ["export", "--all", "--project", "health", "--out", str(path), "--db", db_url]
    )
    assert result.exit_code == 0, result.stderr
    assert "(project health)" in result.stdout
    result = runner.invoke(app, ["import", str(path), "--db", other_url, "--as", "default"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") <= 2 and "a project named 'default' already exists" in (
        result.stderr
    )
    result = runner.invoke(app, ["import", str(path), "--db", other_url, "--as", "sante"])
    assert result.exit_code == 0, result.stderr
    assert "into the new project sante" in result.stdout


def test_a_restored_projects_history_names_the_rows_here_and_keeps_its_settings(
    two_desks: Engine, other: Engine, tmp_path: Path
) -> None:
    """Ids inside history values (a URL's review, a correction's claims, an answer's question)
    follow the rows as entity_id and claim_id do; the project's settings entries come along."""
    from workbench.projects.settings import set_project_setting
    from workbench.review import corrections, discussion

    decisions.set_verdict(
        other, _claims(other, "default")[0], local_actor(other, "Bo"), Verdict.verified
    )
    claims = _claims(two_desks, "health")
    ana, hal = local_actor(two_desks, "Ana"), local_actor(two_desks, "Hal")
    question = discussion.send_back(two_desks, ana, claims[1], "Hal", "Which release?")
    discussion.answer(two_desks, hal, question.id, "The March one.")
    with unit_of_work(two_desks) as session:
        last = session.get_one(Claim, claims[-1])
        start, end = last.char_start, last.char_end - 1  # its final full stop left out
    corrections.adjust_claim(two_desks, last.id, ana, start, end, confirm=True)
    set_project_setting(two_desks, SYSTEM, "reviews_per_claim", 2, "health")
    set_project_setting(two_desks, SYSTEM, "lease_minutes", 20, "default")
    # The project's history export holds its settings' entries too, never another's.
    from workbench.export.service import iter_history_of

    for project, key in ((2, "2:reviews_per_claim"), (1, "lease_minutes")):
        found = {e.entity_id for e in iter_history_of(two_desks, project) if e.entity == "setting"}
        assert found == {key}
    path = tmp_path / "health.jsonl"
    export_backup(two_desks, path, actor=SYSTEM, project="health")

    restore_backup(other, path, actor=SYSTEM, as_name="health")

    ids = set(_claims(other, "health"))
    with unit_of_work(other) as session:
        health = session.scalar(select(Project.id).where(Project.name == "health"))
        reviews = set(session.scalars(select(Review.id).where(Review.claim_id.in_(ids))))
        comments = set(session.scalars(select(Comment.id).where(Comment.claim_id.in_(ids))))
        entries = session.scalars(select(HistoryEntry).where(HistoryEntry.claim_id.in_(ids)))
        values = [(e.entity, e.before or {}, e.after or {}) for e in entries]
        settings = session.scalars(
            select(HistoryEntry.entity_id).where(HistoryEntry.entity == "setting")
        ).all()
    named: dict[str, set[int]] = {"reviews": set(), "claims": set(), "comments": set()}
    for entity, before, after in values:
        for value in (before, after):
            if entity == "url" and "review_id" in value:
                named["reviews"].add(value["review_id"])
            for key in ("replaced_by", "replaces", "corrected_from"):
                named["claims"].update(value.get(key, []))
            if "reply_to" in value:
                named["comments"].add(value["reply_to"])
            if str(value.get("resolved_by", "")).startswith("answer "):
                named["comments"].add(int(value["resolved_by"].removeprefix("answer ")))
    assert named["claims"] and named["comments"] and named["reviews"]
    assert named["reviews"] <= reviews
    assert named["claims"] <= ids
    assert named["comments"] <= comments
    assert f"{health}:reviews_per_claim" in settings  # the restored project's, its id here
