"""Agreement is measured on the blind verdicts unless asked for the current ones."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from workbench.agreement.report import agreement_report
from workbench.agreement.table import load_table
from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, queue
from workbench.schemas import Actor, Role, Verdict

runner = CliRunner()
CLAIMS = 12
CONVERTED = 4  # claims where Ben came round to Ana's verdict after seeing it


@pytest.fixture
def converted(seeded: Engine) -> Engine:
    """Ana and Ben on 12 claims; on the first 4 Ben disagreed blind, then changed to Ana's."""
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    ana, ben = (
        Actor(id=u.id, name=u.name, role=u.role)
        for u in (add_user(seeded, SYSTEM, n, Role.reviewer) for n in ("Ana", "Ben"))
    )
    labels = [Verdict.verified, Verdict.disputed, Verdict.unsupported]
    items = queue.list_claims(seeded, queue.ClaimFilter(), page_size=CLAIMS, actor=SYSTEM).items
    for i, claim in enumerate(items):
        mine = labels[i % 3]
        decisions.set_verdict(seeded, claim.id, ana, mine)
        if i < CONVERTED:
            decisions.set_verdict(seeded, claim.id, ben, labels[(i + 1) % 3])
        decisions.set_verdict(seeded, claim.id, ben, mine)
    return seeded


def test_the_blind_verdicts_are_the_default(converted: Engine) -> None:
    blind = agreement_report(converted, samples=0, actor=SYSTEM)
    current = agreement_report(converted, samples=0, use="current", actor=SYSTEM)
    assert (blind.verdicts, current.verdicts) == ("blind", "current")
    assert blind.changed_after_reveal == current.changed_after_reveal == CONVERTED
    assert current.overall.observed == 1.0  # they agree now on every claim
    assert blind.overall.observed == pytest.approx(1 - CONVERTED / CLAIMS, abs=5e-4)
    assert blind.overall.alpha is not None and current.overall.alpha is not None
    assert blind.overall.alpha < current.overall.alpha
    # The most-disputed claims are the ones whose agreement came after the reveal.
    assert len(blind.most_disputed) == CONVERTED and current.most_disputed == []
    assert load_table(converted).changed_after_reveal == CONVERTED


def test_the_command_says_which_verdicts_and_takes_use_current(
    converted: Engine, db_url: str
) -> None:
    result = runner.invoke(app, ["agreement", "--json", "--samples", "0", "--db", db_url])
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["verdicts"] == "blind" and report["changed_after_reveal"] == CONVERTED
    result = runner.invoke(
        app, ["agreement", "--json", "--use", "current", "--samples", "0", "--db", db_url]
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdicts"] == "current"
    assert json.loads(result.stdout)["overall"]["observed"] == 1.0

    text = runner.invoke(app, ["agreement", "--samples", "0", "--db", db_url]).stdout
    assert "Verdicts: blind, as given before each reviewer saw anyone else's" in text
    assert f"{CONVERTED} reviews were changed after the reveal" in text
    result = runner.invoke(app, ["agreement", "--use", "later", "--db", db_url])
    assert result.exit_code == 2 and "later" in result.stderr
