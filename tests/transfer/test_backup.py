"""Backup (`export --format jsonl --all`) and restore (`import BACKUP`): every table, row by row."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, update
from typer.testing import CliRunner

from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.models import Claim, Document, Review, User
from workbench.db.open import open_database
from workbench.db.session import dispose_all
from workbench.errors import InputFileError
from workbench.files.manifest import manifest_path, verify
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, discussion
from workbench.review.adjudicate import adjudicate
from workbench.schemas import Verdict
from workbench.synth import synthesize
from workbench.transfer.backup import _iter_rows, export_backup, restore_backup
from workbench.transfer.backup_file import TABLES, dump_row, table_of

runner = CliRunner()


def tables_of(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every backed-up table, row by row in primary key order, as the backup writes them."""
    with engine.connect() as connection:
        return {
            name: [dump_row(table_of(name), row) for row in _iter_rows(connection, table_of(name))]
            for name in TABLES
        }


def fill(engine: Engine) -> None:
    """A small synthetic corpus, then a few changes through the service layer (history)."""
    synthesize(engine, documents=20, reviewers=4, reviews_per_claim=2, seed=3)
    ana = local_actor(engine, "Ana")
    with engine.connect() as connection:
        claims = connection.scalars(
            select(Review.claim_id).group_by(Review.claim_id).order_by(Review.claim_id).limit(3)
        ).all()
    decisions.set_verdict(engine, claims[0], ana, Verdict.disputed)
    decisions.add_url(engine, claims[0], ana, "https://example.org/source")
    decisions.set_note(engine, claims[0], ana, "the figures differ")
    adjudicate(engine, ana, claims[1], Verdict.unsupported, "no source found")
    set_project_setting(engine, SYSTEM, "lease_minutes", 45)
    # The discussion: a reviewer's comment, a question sent back and answered, one still open.
    with engine.connect() as connection:
        names = connection.scalars(
            select(User.name)
            .join(Review, Review.reviewer_id == User.id)
            .where(Review.claim_id == claims[2])
            .order_by(User.id)
        ).all()
    first, second = (local_actor(engine, name) for name in names[:2])
    discussion.comment(engine, first, claims[2], "The <b>ministry</b> corrected it later.")
    asked = discussion.send_back(engine, ana, claims[2], first.name, "Which correction?")
    discussion.answer(engine, first, asked.id, "The one of 3 May.")
    discussion.send_back(engine, ana, claims[2], second.name, "Did you see it?")


@pytest.fixture
def backup(engine: Engine, tmp_path: Path) -> Path:
    fill(engine)
    path = tmp_path / "backup.jsonl"
    result = export_backup(engine, path, actor=SYSTEM)
    assert verify(path) and result.tables["documents"] == 20
    return path


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    postgres = request.getfixturevalue("postgres")
    schema = postgres.migrated_schema()
    label = postgres.label()
    try:
        yield postgres.url(schema, label)
    finally:
        dispose_all()
        postgres.release(schema, label)


def check_restored(source: Engine, target: Engine) -> None:
    before = tables_of(source)
    after = tables_of(target)
    for name in TABLES:
        assert after[name] == before[name], name
    assert before["history"] and before["final_verdicts"] and before["evidence"]
    # Comments come back as they were: the answer still names its question, the open one open.
    kinds = [(row["kind"], row["resolved_at"] is None) for row in after["comments"]]
    assert kinds == [("comment", True), ("question", False), ("answer", True), ("question", True)]
    assert after["comments"][2]["reply_to_id"] == after["comments"][1]["id"]
    # The restored database works, and its new ids do not collide with the restored ones.
    with target.connect() as connection:
        top = connection.scalar(select(func.max(Review.id)))
    ben = local_actor(target, "Ben-new")
    unreviewed = _unreviewed_claim(target, ben.id)
    review = decisions.set_verdict(target, unreviewed, ben, Verdict.verified)
    assert top is not None and review.id > top


def _unreviewed_claim(engine: Engine, user_id: int) -> int:
    with engine.connect() as connection:
        claim_id = connection.scalar(
            select(Claim.id)
            .where(~Claim.id.in_(select(Review.claim_id).where(Review.reviewer_id == user_id)))
            .order_by(Claim.id)
            .limit(1)
        )
    assert claim_id is not None
    return int(claim_id)


def test_a_backup_is_readable_by_its_owner_only(engine: Engine, tmp_path: Path) -> None:
    # It holds every password hash: 0600 from its first byte, whatever the umask, and also
    # when it replaces an older, world-readable file.
    fill(engine)
    path = tmp_path / "backup.jsonl"
    path.write_text("an older file\n", encoding="utf-8")
    path.chmod(0o644)
    previous = os.umask(0o022)
    try:
        export_backup(engine, path, actor=SYSTEM)
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o600
    # The manifest holds counts and a checksum, nothing secret: anyone may verify a copy.
    assert manifest_path(path).stat().st_mode & 0o777 == 0o644


def test_a_backup_restores_every_row_into_an_empty_database(
    engine: Engine, backup: Path, other_url: str
) -> None:
    target = open_database(other_url)
    report = restore_backup(target, backup, actor=SYSTEM)
    assert report.empty_target and report.written and report.conflict_count == 0
    check_restored(engine, target)


@pytest.mark.backends("sqlite")
def test_a_sqlite_backup_restores_into_postgresql(
    engine: Engine, backup: Path, postgres_url: str
) -> None:
    target = open_database(postgres_url)
    report = restore_backup(target, backup, actor=SYSTEM)
    assert report.written and report.conflict_count == 0
    check_restored(engine, target)


def test_restoring_twice_adds_nothing(engine: Engine, backup: Path, other_url: str) -> None:
    target = open_database(other_url)
    restore_backup(target, backup, actor=SYSTEM)
    again = restore_backup(target, backup, actor=SYSTEM)
    assert not again.written and again.conflict_count == 0 and not any(again.missing.values())
    assert tables_of(target) == tables_of(engine)


def test_a_database_holding_part_of_it_gets_a_report_and_no_change(
    engine: Engine, backup: Path, other_url: str
) -> None:
    target = open_database(other_url)
    restore_backup(target, backup, actor=SYSTEM)
    with target.begin() as connection:
        first = connection.scalar(select(func.min(Document.id)))
        connection.execute(update(Document).where(Document.id == first).values(title="Changed"))
        last = connection.scalar(select(func.max(Review.id)))
        connection.execute(delete(Review).where(Review.id == last))
    held = tables_of(target)

    report = restore_backup(target, backup, actor=SYSTEM)
    assert not report.written
    assert report.missing.get("reviews") == 1
    assert report.conflict_count >= 1
    assert any("documents" in c and "different content" in c for c in report.conflicts)
    assert tables_of(target) == held

    added = restore_backup(target, backup, add_missing=True, actor=SYSTEM)
    assert added.written and added.inserted.get("reviews") == 1
    assert tables_of(target)["reviews"] == tables_of(engine)["reviews"]
    assert tables_of(target)["documents"] == held["documents"]  # the conflict is left as it is


def test_a_unique_key_under_another_id_is_a_conflict(
    engine: Engine, backup: Path, other_url: str
) -> None:
    target = open_database(other_url)
    restore_backup(target, backup, actor=SYSTEM)
    with target.begin() as connection:
        connection.execute(delete(Document).where(Document.id == 1))
    lines = backup.read_text(encoding="utf-8").splitlines()
    renumbered = ""
    moved = []
    for line in lines:
        record = json.loads(line)
        if record.get("table") == "documents" and record["row"]["id"] == 2:
            record["row"]["id"] = 1000
            renumbered = json.dumps(record)
            continue
        if record.get("table") == "claims" and renumbered:  # after the last document: key order
            moved.append(renumbered)
            renumbered = ""
        moved.append(line)
    other = backup.with_name("moved.jsonl")
    other.write_text("\n".join(moved) + "\n", encoding="utf-8")
    report = restore_backup(target, other, add_missing=True, actor=SYSTEM)
    assert any("documents 1000" in c and "another id" in c for c in report.conflicts)
    with target.connect() as connection:  # document 1 is back, 1000 was refused
        ids = connection.scalars(select(Document.id).order_by(Document.id)).all()
    assert ids == list(range(1, 21))


def test_a_malformed_line_is_named_and_nothing_is_written(
    engine: Engine, backup: Path, other_url: str
) -> None:
    lines = backup.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if '"table":"reviews"' in line) + 1
    record = json.loads(lines[number - 1])
    record["row"]["verdict"] = 7
    lines[number - 1] = json.dumps(record)
    bad = backup.with_name("bad.jsonl")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = open_database(other_url)
    new = tables_of(target)  # a new database: its empty project `default` only
    assert [name for name, rows in new.items() if rows] == ["projects"]
    with pytest.raises(InputFileError, match=rf"bad.jsonl:{number}: field 'row.verdict'"):
        restore_backup(target, bad, actor=SYSTEM)
    assert tables_of(target) == new


def test_backup_and_restore_from_the_command_line(
    engine: Engine, db_url: str, other_url: str, tmp_path: Path
) -> None:
    fill(engine)
    out = tmp_path / "all.jsonl"
    result = runner.invoke(
        app, ["export", "--format", "jsonl", "--all", "--out", str(out), "--db", db_url]
    )
    assert result.exit_code == 0, result.stderr
    assert "20 documents" in result.stdout and verify(out)

    refused = runner.invoke(app, ["export", "--all", "--verdict", "verified", "--db", db_url])
    assert refused.exit_code == 1 and "no filters" in refused.stderr

    assert runner.invoke(app, ["init", "--db", other_url]).exit_code == 0
    restored = runner.invoke(app, ["import", str(out), "--db", other_url])
    assert restored.exit_code == 0, restored.stderr
    assert "restored" in restored.stdout
    again = runner.invoke(app, ["import", str(out), "--db", other_url])
    assert again.exit_code == 0 and "nothing changed: 0 rows missing" in again.stdout
    assert tables_of(open_database(other_url)) == tables_of(engine)


def test_a_backup_keeps_blind_verdicts_and_changes_after_the_reveal(
    engine: Engine, tmp_path: Path, other_url: str
) -> None:
    from workbench.review.adjudicate import adjudication_queue

    fill(engine)
    # A synthetic claim's reviewer changes their verdict after seeing the other's.
    with engine.connect() as connection:
        claim_id, reviewer = connection.execute(
            select(Review.claim_id, Review.reviewer_id).order_by(Review.id.desc()).limit(1)
        ).one()
        name = connection.scalar(select(User.name).where(User.id == reviewer))
        verdict = connection.scalar(
            select(Review.verdict).where(
                Review.claim_id == claim_id, Review.reviewer_id == reviewer
            )
        )
    assert name is not None
    other = next(v for v in Verdict if v.value != verdict)
    decisions.set_verdict(engine, claim_id, local_actor(engine, name), other)
    path = tmp_path / "backup.jsonl"
    export_backup(engine, path, actor=SYSTEM)

    target = open_database(other_url)
    restore_backup(target, path, actor=SYSTEM)

    row = tables_of(target)["reviews"]
    changed = [r for r in row if r["changed_after_reveal"]]
    assert [(r["claim_id"], r["verdict"], r["blind_verdict"]) for r in changed] == [
        (claim_id, other.value, verdict)
    ]
    assert tables_of(target)["reviews"] == tables_of(engine)["reviews"]
    ada = local_actor(target, "Ada-admin")
    waiting = {i.claim.id for i in adjudication_queue(target, ada, page_size=1000).items}
    assert claim_id in waiting
