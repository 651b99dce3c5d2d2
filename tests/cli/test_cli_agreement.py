"""`workbench agreement`: the same figures as the service, as text or one JSON object."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, queue
from workbench.schemas import Actor, Role, Verdict

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def reviewed(seeded: Engine) -> Engine:
    """Two reviewers on 30 claims, parting on every fifth one."""
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    ana, ben = (add_user(seeded, SYSTEM, name, Role.reviewer) for name in ("Ana", "Ben"))
    people = [Actor(id=u.id, name=u.name, role=u.role) for u in (ana, ben)]
    labels = [Verdict.verified, Verdict.disputed, Verdict.unsupported]
    for i, claim in enumerate(
        queue.list_claims(seeded, queue.ClaimFilter(), page_size=30, actor=SYSTEM).items
    ):
        decisions.set_verdict(seeded, claim.id, people[0], labels[i % 3])
        other = labels[(i + 1) % 3] if i % 5 == 0 else labels[i % 3]
        decisions.set_verdict(seeded, claim.id, people[1], other)
    return seeded


def test_json_is_one_object_with_every_part(reviewed: Engine, db_url: str) -> None:
    code, out, _ = run("agreement", "--json", "--samples", "100", "--db", db_url)
    assert code == 0
    report = json.loads(out)
    assert report["overall"]["claims"] == 30 and report["overall"]["reviews"] == 60
    assert report["reviewers"] == ["Ana", "Ben"]
    assert {"pairs", "by_label", "by_document", "by_reviewer", "over_time", "notes"} <= set(report)
    assert report["pairs"][0]["claims"] == 30
    assert len(report["most_disputed"]) == 6  # every fifth of 30


def test_text_names_the_figures_the_scale_and_the_breakdown(reviewed: Engine, db_url: str) -> None:
    code, out, _ = run("agreement", "--by", "reviewer", "--samples", "100", "--db", db_url)
    assert code == 0
    assert "Krippendorff α" in out and "95% CI" in out and "Fleiss κ" in out
    assert "Gwet AC1" in out and "rests on       30 claims" in out
    assert "Krippendorff's scale" in out
    assert "Per reviewer:" in out and "Ana: 30 reviews" in out
    code, out, _ = run("agreement", "--by", "document", "--samples", "0", "--db", db_url)
    assert code == 0 and "Per document" in out


def test_the_raw_table_is_written_as_csv(reviewed: Engine, db_url: str, tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    code, _, err = run("agreement", "--csv", str(target), "--samples", "0", "--db", db_url)
    assert code == 0 and "wrote 60 verdicts" in err
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60
    assert set(rows[0]) == {"claim_id", "document_id", "reviewer", "verdict", "final_verdict"}


def test_a_bad_breakdown_is_refused_by_name(db_url: str) -> None:
    code, _, err = run("agreement", "--by", "speaker", "--db", db_url)
    assert code == 2 and "speaker" in err


def test_an_empty_database_says_the_figures_are_withheld(engine: Engine, db_url: str) -> None:
    code, out, _ = run("agreement", "--db", db_url)
    assert code == 0
    assert "withheld" in out and "at least 10" in out
