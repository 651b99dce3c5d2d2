"""The review page's "N similar claims": listed escaped, opened, decided in one step."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import html_bodies, sign_in
from tests.similarity.test_similar import QUOTE, QUOTE_SHORT, UNRELATED, store
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.review import queue

App = Callable[[], AppTest]

HOSTILE_AGAIN = (
    "“We are well aware that decisions on such actions and such terrorist attacks are not "
    "made in Kiev, but in Washington,” <img src=x onerror=alert(1)> Peskov told **CNN**."
)


@pytest.fixture
def group(engine: Engine) -> tuple[int, int, int, int]:
    """(the quote, the next claim in the queue, its two restatements elsewhere)."""
    quote, unrelated = store(engine, "tass", QUOTE, UNRELATED)
    (again,) = store(engine, "<i>cnn</i>", HOSTILE_AGAIN)
    (short,) = store(engine, "wire", QUOTE_SHORT)
    return quote, unrelated, again, short


def verdicts(engine: Engine, claim_id: int) -> list[tuple[str, str | None]]:
    return [
        (r.reviewer, r.verdict) for r in queue.get_claim(engine, claim_id, actor=SYSTEM).reviews
    ]


def test_similar_claims_are_listed_as_text(group: tuple[int, int, int, int], app: App) -> None:
    quote, _, again, short = group
    at = sign_in(app())
    assert at.subheader[0].value == f"Claim #{quote}"
    assert [e.label for e in at.main.expander] == [
        "Discussion",
        "Correct extraction",
        "2 similar claims in other documents",
        "History (0)",
    ]
    apply = at.button(key="apply_similar")
    assert apply.disabled and apply.label == "Apply your verdict to all 2"
    bodies = html_bodies(at)
    assert "&lt;img src=x onerror=alert(1)&gt;" in bodies and "<img" not in bodies
    assert "**CNN**" in bodies  # no Markdown either
    assert "&lt;i&gt;cnn&lt;/i&gt;" in bodies  # the document title, escaped
    assert f"#{again}" in bodies and f"#{short}" in bodies


def test_a_verdict_is_offered_to_the_group_after_the_page_moves_on(
    engine: Engine, group: tuple[int, int, int, int], app: App
) -> None:
    _, unrelated, again, short = group
    at = sign_in(app())
    at.button(key="verdict_disputed").click()
    at.run(timeout=30)
    assert at.subheader[0].value == f"Claim #{unrelated}"
    assert any("has 2 similar claims" in t.value for t in at.text)

    at.button(key="apply_offer").click()
    at.run(timeout=30)
    assert verdicts(engine, again) == [("Ana", "disputed")]
    assert verdicts(engine, short) == [("Ana", "disputed")]
    assert "“Disputed” saved for 2 claims" in at.success[0].value
    assert not [b for b in at.button if b.key == "apply_offer"]  # the offer is gone


def test_apply_to_all_from_the_claim_itself(
    engine: Engine, group: tuple[int, int, int, int], app: App
) -> None:
    quote, _, again, short = group
    # Another reviewer's verdict is shown, and left alone.
    from workbench.review import decisions
    from workbench.schemas import Verdict

    decisions.set_verdict(engine, again, local_actor(engine, "Ben"), Verdict.verified)
    at = sign_in(app())
    at.button(key="verdict_unsupported").click()
    at.run(timeout=30)
    at.button(key="previous").click()
    at.run(timeout=30)
    assert at.subheader[0].value == f"Claim #{quote}"
    assert "Ben: Verified" in html_bodies(at)
    apply = at.button(key="apply_similar")
    assert not apply.disabled and apply.label == "Apply “Unsupported” to all 2"
    apply.click()
    at.run(timeout=30)
    assert verdicts(engine, again) == [("Ben", "verified"), ("Ana", "unsupported")]
    assert verdicts(engine, short) == [("Ana", "unsupported")]
    assert "Ana: Unsupported" in html_bodies(at)


def test_a_similar_claim_opens_and_previous_comes_back(
    group: tuple[int, int, int, int], app: App
) -> None:
    quote, _, again, _ = group
    at = sign_in(app())
    at.button(key=f"open_similar_{again}").click()
    at.run(timeout=30)
    assert at.subheader[0].value == f"Claim #{again}"
    assert "1 similar claim" not in [e.label for e in at.main.expander]  # it has two: quote, short
    assert "2 similar claims in other documents" in [e.label for e in at.main.expander]
    at.button(key="previous").click()
    at.run(timeout=30)
    assert at.subheader[0].value == f"Claim #{quote}"


def test_no_expander_without_similar_claims(engine: Engine, app: App) -> None:
    store(engine, "alone", UNRELATED)
    at = sign_in(app())
    assert [e.label for e in at.main.expander] == [
        "Discussion",
        "Correct extraction",
        "History (0)",
    ]
    assert not at.exception
