"""`workbench import` into one project (issue 14): its scale, its claims, nothing else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from tests.transfer.support import row_counts
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.models import Claim, Document, Membership, User
from workbench.db.session import unit_of_work
from workbench.errors import InputFileError, InvalidInput
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.scale import parse_scale
from workbench.projects.service import add_project
from workbench.schemas import DocumentIn
from workbench.transfer import import_reviews

ARTICLE = (
    "The minister said unemployment fell to 4.1 percent in March. "
    "Critics said the figure was 5 percent according to the statistics office."
)


def _claims(engine: Engine, project_id: int) -> list[Claim]:
    with unit_of_work(engine) as session:
        rows = session.scalars(
            select(Claim)
            .join(Document, Document.id == Claim.document_id)
            .where(Document.project_id == project_id)
            .order_by(Claim.id)
        ).all()
        session.expunge_all()
        return list(rows)


def _sha(engine: Engine, project_id: int) -> str:
    with unit_of_work(engine) as session:
        sha = session.scalar(select(Document.sha256).where(Document.project_id == project_id))
        assert sha is not None
        return sha


def _write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


@pytest.fixture
def desks(engine: Engine) -> Engine:
    """``default`` and ``health`` (scale verified, disputed), the same article in each."""
    add_project(engine, SYSTEM, "health", scale=parse_scale("verified,disputed"))
    article = DocumentIn(title="A", text=ARTICLE, source="a.txt")
    for project in ("default", "health"):
        ingest_documents(engine, [article], default_extractor(), project=project)
    return engine


def test_an_import_names_its_project_when_there_are_several(desks: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "r.jsonl", [])
    with pytest.raises(InvalidInput, match="several projects"):
        import_reviews(desks, path, actor=SYSTEM)


def test_a_verdict_off_the_projects_scale_is_refused_and_nothing_written(
    desks: Engine, tmp_path: Path
) -> None:
    claims = _claims(desks, 2)
    lines = [
        {"claim_id": claims[0].id, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]},
        {"claim_id": claims[1].id, "reviews": [{"reviewer": "Ana", "verdict": "unsupported"}]},
    ]
    path = _write(tmp_path / "r.jsonl", lines)
    counts = row_counts(desks)
    with pytest.raises(InputFileError) as caught:
        import_reviews(desks, path, actor=SYSTEM, project="health")
    assert str(caught.value) == (
        f"{path}:2: field 'reviews[0].verdict': must be verified, disputed or null, "
        "not 'unsupported'"
    )
    assert row_counts(desks) == counts
    # The default project's scale has it.
    report = import_reviews(
        desks,
        _write(tmp_path / "d.jsonl", [{**lines[1], "claim_id": _claims(desks, 1)[0].id}]),
        actor=SYSTEM,
        project="default",
    )
    assert report.reviews_added == 1


def test_a_claim_of_another_project_is_refused_and_nothing_written(
    desks: Engine, tmp_path: Path
) -> None:
    mine, theirs = _claims(desks, 1), _claims(desks, 2)
    lines = [
        {"claim_id": mine[0].id, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]},
        {"claim_id": 10**6, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]},
        {"claim_id": theirs[0].id, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]},
    ]
    path = _write(tmp_path / "r.jsonl", lines)
    counts = row_counts(desks)
    with pytest.raises(InputFileError) as caught:
        import_reviews(desks, path, actor=SYSTEM, project="default")
    assert str(caught.value) == (
        f"{path}:3: field 'claim_id': claim {theirs[0].id} is a claim of project health, "
        "not of default, which this import goes into; nothing was imported"
    )
    assert row_counts(desks) == counts


def test_offsets_match_within_the_project_and_new_reviewers_join_it(
    desks: Engine, tmp_path: Path
) -> None:
    health = _claims(desks, 2)
    line = {
        "document": {"sha256": _sha(desks, 2)},
        "char_start": health[0].char_start,
        "char_end": health[0].char_end,
        "reviews": [{"reviewer": "Zoe", "verdict": "disputed"}],
    }
    report = import_reviews(
        desks, _write(tmp_path / "r.jsonl", [line]), actor=SYSTEM, project="health"
    )
    assert (report.reviews_added, report.new_reviewers) == (1, ["Zoe"])
    with unit_of_work(desks) as session:
        zoe = session.scalar(select(User.id).where(User.name == "Zoe"))
        memberships = session.execute(
            select(Membership.project_id, Membership.role).where(Membership.user_id == zoe)
        ).all()
    assert memberships == [(2, "reviewer")]
    assert [c.id for c in _claims(desks, 2)] == [c.id for c in health]
    from workbench.db.models import Review

    with unit_of_work(desks) as session:
        assert session.scalar(select(Review.claim_id)) == health[0].id


def test_the_command_line_names_the_line_and_value(
    desks: Engine, db_url: str, tmp_path: Path
) -> None:
    claim = _claims(desks, 2)[0]
    line = {"claim_id": claim.id, "reviews": [{"reviewer": "Ana", "verdict": "mostly_true"}]}
    path = _write(tmp_path / "r.jsonl", [line])
    result = CliRunner().invoke(app, ["import", str(path), "--db", db_url, "--project", "health"])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        f"{path}:1: field 'reviews[0].verdict': must be verified, disputed or null, "
        "not 'mostly_true'"
    )
