"""The Queue page's filters by what the reviews say, in team mode with k = 2: the admin's
filters and columns, and what a blind reviewer is (not) offered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.test_team_review import accounts, log_in
from workbench.auth.policy import SYSTEM
from workbench.projects.settings import set_project_setting
from workbench.review import adjudicate, decisions, queue
from workbench.schemas import Actor, Verdict

App = Callable[[], AppTest]


def open_queue(app: App, name: str) -> AppTest:
    at = log_in(app(), name)
    at.switch_page("views/queue.py")
    return at.run(timeout=30)


def table(at: AppTest) -> dict[str, list[object]]:
    frame = at.dataframe[0].value
    return {column: list(frame[column]) for column in frame.columns}


def expected(engine: Engine, actor: Actor, **terms: object) -> list[int]:
    flt = queue.ClaimFilter.model_validate(terms)
    return [c.id for c in queue.list_claims(engine, flt, actor=actor).items]


@pytest.fixture
def reviewed(seeded: Engine) -> tuple[dict[str, Actor], list[int]]:
    """k = 2: claim 0 agreed, claim 1 split then adjudicated, claim 2 split, claim 3 half."""
    people = accounts(seeded)
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    first = queue.list_claims(seeded, queue.ClaimFilter(), page_size=4, actor=SYSTEM).items
    c = [claim.id for claim in first]
    ana, ben = people["Ana"], people["Ben"]
    for claim_id, (a, b) in zip(
        c,
        [
            (Verdict.verified, Verdict.verified),
            (Verdict.verified, Verdict.disputed),
            (Verdict.unsupported, Verdict.disputed),
            (Verdict.disputed, None),
        ],
        strict=True,
    ):
        decisions.set_verdict(seeded, claim_id, ana, a)
        if b is not None:
            decisions.set_verdict(seeded, claim_id, ben, b)
    adjudicate.adjudicate(seeded, people["Ada"], c[1], Verdict.disputed, "checked the source")
    return people, c


def test_the_admin_filters_by_state_verdict_final_reviewer_and_split(
    seeded: Engine, app: App, reviewed: tuple[dict[str, Actor], list[int]]
) -> None:
    people, c = reviewed
    ada = people["Ada"]
    at = open_queue(app, "Ada")
    assert not at.exception
    at.selectbox(key="qf_state").set_value("needs_more")
    at.run(timeout=30)
    assert table(at)["id"] == [c[3]] == expected(seeded, ada, state="needs_more")
    assert table(at)["state"] == ["1 of 2"]
    assert table(at)["verdicts"] == ["Disputed"]

    at.selectbox(key="qf_state").set_value("complete")
    at.run(timeout=30)
    shown = table(at)
    assert shown["id"] == c[:3]
    assert shown["state"] == ["fully reviewed"] * 3
    assert shown["final"] == ["Verified (agreed)", "Disputed (adjudicated)", ""]
    assert shown["verdicts"][1] == "Verified, Disputed"

    at.selectbox(key="qf_final_from").set_value("adjudicated")
    at.run(timeout=30)
    assert table(at)["id"] == [c[1]]
    at.selectbox(key="qf_final_from").set_value("any")
    at.selectbox(key="qf_final").set_value("none")
    at.run(timeout=30)
    assert table(at)["id"] == [c[2]]
    at.selectbox(key="qf_final").set_value("any")
    at.selectbox(key="qf_verdict").set_value(Verdict.unsupported)
    at.run(timeout=30)
    assert table(at)["id"] == [c[2]]
    at.selectbox(key="qf_verdict").select_index(0)  # Any
    at.selectbox(key="qf_reviewer").set_value("Ben")
    at.run(timeout=30)
    assert table(at)["id"] == c[:3] == expected(seeded, ada, state="complete", reviewer="Ben")
    at.selectbox(key="qf_reviewer").select_index(0)  # Anyone
    at.checkbox(key="qf_split").check()
    at.run(timeout=30)
    assert table(at)["id"] == [c[1], c[2]]

    # Most disagreement first: the figure it sorts by is a column, next to the claim.
    at.checkbox(key="qf_split").uncheck()
    at.selectbox(key="qf_state").set_value("reviewed")
    at.selectbox(key="qf_sort").set_value("disagreement")
    at.run(timeout=30)
    shown = table(at)
    assert list(shown)[:3] == ["id", "claim", "disagreement"]
    figures = [float(str(f)) for f in shown["disagreement"] if f == f]  # NaN: under two
    assert figures == sorted(figures, reverse=True) and figures[0] == 1.0
    assert shown["id"][:2] == [c[1], c[2]]


def test_a_reviewer_filters_by_their_own_verdict_and_sees_no_others(
    seeded: Engine, app: App, reviewed: tuple[dict[str, Actor], list[int]]
) -> None:
    people, c = reviewed
    at = open_queue(app, "Ben")
    assert not at.exception
    keys = {w.key for w in at.selectbox} | {w.key for w in at.checkbox}
    assert "qf_verdict" in keys
    assert not keys & {"qf_final", "qf_final_from", "qf_reviewer", "qf_split", "qf_sort"}
    assert at.selectbox(key="qf_verdict").label == "Your verdict"
    at.selectbox(key="qf_state").set_value("all")
    at.selectbox(key="qf_verdict").set_value(Verdict.disputed)
    at.run(timeout=30)
    shown = table(at)
    # His own disputed verdicts: claims 1 and 2, not claim 3 (Ana's, which he has not decided).
    assert shown["id"] == [c[1], c[2]]
    assert shown["your verdict"] == ["Disputed", "Disputed"]
    assert "verdicts" not in shown and "final" not in shown and "disagreement" not in shown
    assert expected(seeded, people["Ben"], state="all", verdict="disputed") == [c[1], c[2]]
