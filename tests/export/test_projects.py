"""Exports per project (issue 14): a project's claims, its history, its verdict scale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from tests.export.conftest import Reviewed
from workbench.auth.accounts import add_user, local_actor
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.db.models import Claim, Document
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, PermissionDenied
from workbench.export import ExportFormat, export_to_file, render_export
from workbench.export.claimreview_format import ClaimReviewOptions, item
from workbench.export.filters import ExportFilter
from workbench.export.service import export_history_to_file
from workbench.extract import default_extractor
from workbench.files.manifest import read_manifest
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant
from workbench.projects.scale import ScaleVerdict, VerdictScale
from workbench.projects.service import add_project
from workbench.review import decisions
from workbench.schemas import Actor, DocumentIn, Role, Verdict

ARTICLE = (
    "The minister said unemployment fell to 4.1 percent in March. "
    "Critics said the figure was 5 percent according to the statistics office."
)
# The health desk rates on its own scale: the same names, other ratings and labels.
HEALTH_SCALE = VerdictScale(
    verdicts=(
        ScaleVerdict(name="verified", label="True", rating=5),
        ScaleVerdict(name="unsupported", rating=3),
        ScaleVerdict(name="disputed", label="False", rating=1),
    )
)
FORMATS = list(ExportFormat)


def _exports(engine: Engine, project: str | None = None) -> dict[str, bytes]:
    return {f.value: render_export(engine, f, actor=SYSTEM, project=project) for f in FORMATS}


def _health_claims(engine: Engine) -> list[int]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(
                select(Claim.id)
                .join(Document, Document.id == Claim.document_id)
                .where(Document.project_id != 1)
                .order_by(Claim.id)
            )
        )


@pytest.fixture
def two(reviewed: Reviewed) -> tuple[Reviewed, dict[str, bytes]]:
    """``reviewed`` as project ``default``, its exports from before ``health`` was added, and
    a ``health`` project with one article, one claim verified by Ana."""
    engine = reviewed.engine
    before = _exports(engine)
    add_project(engine, SYSTEM, "health", scale=HEALTH_SCALE)
    article = DocumentIn(title="Health", text=ARTICLE, source="https://health.example/a")
    ingest_documents(engine, [article], default_extractor(), project="health")
    claims = _health_claims(engine)
    assert claims
    decisions.set_verdict(engine, claims[0], local_actor(engine, "Ana"), Verdict.verified)
    return reviewed, before


def test_with_several_projects_an_export_names_one(two: tuple[Reviewed, dict[str, bytes]]) -> None:
    engine = two[0].engine
    with pytest.raises(InvalidInput, match=r"several projects \(default, health\)"):
        render_export(engine, ExportFormat.csv, actor=SYSTEM)


def test_a_project_exports_its_own_claims_only(two: tuple[Reviewed, dict[str, bytes]]) -> None:
    reviewed, before = two
    engine = reviewed.engine
    # default's export is byte for byte what it was before health came (ClaimReview too).
    assert _exports(engine, "default") == before
    lines = render_export(engine, ExportFormat.jsonl, actor=SYSTEM, project="health")
    ids = [json.loads(line)["claim_id"] for line in lines.splitlines()]
    assert ids == _health_claims(engine)
    default_ids = {json.loads(line)["claim_id"] for line in before["jsonl"].splitlines()}
    assert not default_ids & set(ids)


def test_claimreview_rates_on_the_projects_scale(two: tuple[Reviewed, dict[str, bytes]]) -> None:
    engine = two[0].engine
    data = json.loads(
        render_export(engine, ExportFormat.claimreview, actor=SYSTEM, project="health")
    )
    (review,) = data["@graph"]
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "True",
    }
    default = json.loads(
        render_export(engine, ExportFormat.claimreview, actor=SYSTEM, project="default")
    )
    assert {r["reviewRating"]["alternateName"] for r in default["@graph"]} <= {
        "Verified",
        "Disputed",
        "Unsupported",
    }
    assert {r["reviewRating"]["bestRating"] for r in default["@graph"]} == {3}


def test_a_scale_of_other_names_is_looked_up_by_name() -> None:
    scale = VerdictScale(
        verdicts=(
            ScaleVerdict(name="true", rating=6),
            ScaleVerdict(name="mostly_true", rating=5),
            ScaleVerdict(name="pants_on_fire", label="Pants on fire!", rating=1),
        )
    )
    record = {
        "claim_id": 7,
        "text": "x",
        "speaker": None,
        "document": {"url": None, "source": "a.txt", "title": "A", "published": None},
        "final_verdict": "mostly_true",
        "final_decided_at": "2024-03-01T00:00:00+00:00",
    }
    rating = item(record, ClaimReviewOptions(), scale)["reviewRating"]
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (5, 6, 1)
    assert rating["alternateName"] == "Mostly true"
    with pytest.raises(InvalidInput, match="'verified' is not on the project's verdict scale"):
        item({**record, "final_verdict": "verified"}, ClaimReviewOptions(), scale)


def test_the_manifest_names_the_project(
    two: tuple[Reviewed, dict[str, bytes]], tmp_path: Path
) -> None:
    engine = two[0].engine
    out = tmp_path / "health.csv"
    result = export_to_file(engine, ExportFormat.csv, out, actor=SYSTEM, project="health")
    assert read_manifest(out).filters["project"] == "health"
    assert result.claims == len(_health_claims(engine))


def test_a_document_of_another_project_matches_nothing(
    two: tuple[Reviewed, dict[str, bytes]],
) -> None:
    engine = two[0].engine
    with unit_of_work(engine) as session:
        health_document = session.scalar(select(Document.id).where(Document.project_id != 1))
    flt = ExportFilter(document_id=[health_document])
    with pytest.raises(InvalidInput, match=f"no document with id {health_document}"):
        render_export(engine, ExportFormat.csv, actor=SYSTEM, flt=flt, project="default")
    assert render_export(engine, ExportFormat.csv, actor=SYSTEM, flt=flt, project="health")


def test_the_history_of_a_project_is_its_claims_history(
    two: tuple[Reviewed, dict[str, bytes]], tmp_path: Path
) -> None:
    engine = two[0].engine
    health = set(_health_claims(engine))
    export_history_to_file(engine, tmp_path / "h.jsonl", actor=SYSTEM, project="health")
    export_history_to_file(engine, tmp_path / "d.jsonl", actor=SYSTEM, project="default")
    mine = [json.loads(line) for line in (tmp_path / "h.jsonl").read_text().splitlines()]
    theirs = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert {e["claim_id"] for e in mine if e["claim_id"]} <= health
    assert any(e["entity"] == "review" for e in mine)
    assert any(e["entity"] == "project" for e in mine)  # its creation
    assert not {e["claim_id"] for e in theirs} & health
    assert read_manifest(tmp_path / "h.jsonl").filters == {"project": "health"}


def test_a_member_of_one_project_cannot_export_another(
    two: tuple[Reviewed, dict[str, bytes]],
) -> None:
    engine = two[0].engine
    add_user(engine, SYSTEM, "Root", Role.admin, "correct horse battery")
    made = add_user(engine, SYSTEM, "Eve", Role.viewer, "correct horse battery")
    eve = Actor(id=made.id, name=made.name, role=made.role)
    grant(engine, SYSTEM, "Eve", "health", Role.admin)
    assert render_export(engine, ExportFormat.csv, actor=eve, project="health")
    with pytest.raises(PermissionDenied, match="not a member of this project"):
        render_export(engine, ExportFormat.csv, actor=eve, project="default")


def test_export_project_from_the_command_line(
    two: tuple[Reviewed, dict[str, bytes]], db_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "h.jsonl"
    result = runner.invoke(app, ["export", "--db", db_url, "--out", str(out)])
    assert result.exit_code == 1
    assert "several projects (default, health)" in result.stderr
    result = runner.invoke(
        app, ["export", "--db", db_url, "--out", str(out)], env={"WORKBENCH_PROJECT": "health"}
    )
    assert result.exit_code == 0, result.stderr
    assert len(out.read_text().splitlines()) == len(_health_claims(two[0].engine))
    result = runner.invoke(
        app, ["export", "--db", db_url, "--project", "default", "--out", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes() == two[1]["jsonl"]
