"""People read a verdict by its label on the project's scale, not by its stored name.

A desk that calls ``disputed`` "False" and ``verified`` "True" reads those words on the
Review page (the decision line, the message, the history, the other reviewers), in the
queue's table and filter, and on the Adjudication page; what is stored (and exported) is
the name.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.test_adjudicate_page import disputed, open_page, plain, texts  # noqa: F401
from tests.app.test_project_app import log_in
from workbench.app import actions
from workbench.audit import describe_change
from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.projects.scale import parse_scale
from workbench.projects.service import set_scale
from workbench.review.adjudicate import final_verdict
from workbench.review.history import visible_claim_history
from workbench.schemas import Actor, Role, Verdict

App = Callable[[], AppTest]
LABELLED = parse_scale(
    '[{"name": "verified", "label": "True", "key": "1"},'
    ' {"name": "unsupported", "label": "Unproven", "key": "2"},'
    ' {"name": "disputed", "label": "False", "key": "3"}]'
)


@pytest.fixture
def labelled(seeded: Engine) -> Engine:
    set_scale(seeded, SYSTEM, "default", LABELLED)
    return seeded


def test_the_scale_labels_a_name_and_a_name_it_no_longer_has() -> None:
    assert [LABELLED.label(n) for n in ("verified", "disputed")] == ["True", "False"]
    assert LABELLED.label("not_on_it") == "Not on it"


def test_the_review_page_shows_the_label_of_the_verdict_given(labelled: Engine, app: App) -> None:
    user = add_user(labelled, SYSTEM, "Ana", Role.reviewer, "correct horse battery staple")
    at = log_in(app(), "Ana")
    first = int(str(at.subheader[0].value).removeprefix("Claim #"))
    at.button(key="verdict_disputed").click()
    at = at.run(timeout=30)
    assert not at.exception
    assert f"Saved “False” for claim #{first}." in plain(at.success)
    at.button(key="previous").click()
    at = at.run(timeout=30)
    assert at.subheader[0].value == f"Claim #{first}"
    decision = [str(m.value) for m in at.markdown if "Your verdict" in str(m.value)]
    assert decision == ["Your verdict: **False**"]
    history = next(d for d in at.dataframe if "change" in d.value.columns).value
    assert "verdict: False" in " ".join(history["change"])
    # The entry keeps the name: only the page shows the label.
    ana = Actor(id=user.id, name=user.name, role=user.role)
    stored = visible_claim_history(labelled, ana, first)
    assert any("verdict: disputed" in describe_change(e) for e in stored)


def test_the_queue_shows_labels_in_its_table_and_filter(labelled: Engine, app: App) -> None:
    add_user(labelled, SYSTEM, "Ana", Role.reviewer, "correct horse battery staple")
    at = log_in(app(), "Ana")
    at.button(key="verdict_verified").click()
    at = at.run(timeout=30)
    at.switch_page("views/queue.py")
    at = at.run(timeout=30)
    assert not at.exception
    at.selectbox(key="qf_state").set_value("reviewed")
    at = at.run(timeout=30)
    table = at.dataframe[0].value
    assert list(table["your verdict"]) == ["True"]
    verdict_filter = at.selectbox(key="qf_verdict")
    assert list(verdict_filter.options) == ["Any", "True", "Unproven", "False"]


def test_the_adjudication_page_shows_labels_and_stores_names(
    labelled: Engine,
    disputed: int,  # noqa: F811 (the Adjudication page's fixture, imported)
    app: App,
) -> None:
    at = open_page(app)
    assert not at.exception
    shown = texts(at)
    assert "Verdict: True" in shown and "Verdict: False" in shown
    assert "Verdict: verified" not in shown
    radio = at.radio(key=actions.final_verdict_key(disputed))
    assert list(radio.options) == ["True", "Unproven", "False"]
    radio.set_value("disputed")
    at.text_area(key=actions.final_reason_key(disputed)).input("The primary source.")
    next(b for b in at.button if b.label == "Save final verdict").click()
    at = at.run(timeout=30)
    assert "“False” (adjudicated)" in plain(at.success)
    final = final_verdict(labelled, disputed)
    assert final is not None and final.verdict == Verdict.disputed
