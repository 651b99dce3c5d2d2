"""The discussion in a real browser: an admin sends a claim back, the reviewer answers.

What a browser adds over AppTest: the question is in front of the reviewer on the first
screen (the expander open, at 1280×800), and markup a reviewer typed in a comment reaches the
DOM as text, never as an element. The ``team_server`` fixture and the
helpers of tests/browser/helpers.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.browser.helpers import Team, chromium_pages, claim_heading, log_in, open_page

pytestmark = pytest.mark.browser

MARKUP = '<img src=x id="planted" onerror="window.__planted=1"> <b id="bold">the 2019 release</b>'
# The question is shown in an HTML box of its own (it scrolls when long): markup in it is text.
QUESTION = 'Which source gives the figure? <img src=x id="asked" onerror="window.__planted=2">'
ANSWER = "The ministry's release of 3 May."
FAILURE_SCREENSHOT = Path("/tmp/discussion-failure.png")
SCREENSHOT = Path("/tmp/discussion.png")


def _longest_context(engine: Engine) -> int:
    """The queue's claim shown with the most of its document around it."""
    from workbench.app.context import claim_context
    from workbench.auth.policy import SYSTEM
    from workbench.review import queue

    def shown(claim_id: int) -> int:
        detail = queue.get_claim(engine, claim_id, SYSTEM)
        claim, paragraph = detail.claim, (detail.paragraph_start, detail.paragraph_end)
        span = claim_context(detail.document_text, claim.char_start, claim.char_end, paragraph)
        return span.end - span.start

    listed = queue.list_claims(engine, queue.ClaimFilter(), page_size=1000, actor=SYSTEM).items
    return max((c.id for c in listed), key=shown)


def test_a_claim_sent_back_is_answered_in_the_browser(
    team_server: Team, playwright_api: Any
) -> None:
    from workbench.db.open import open_database
    from workbench.review import decisions, discussion
    from workbench.schemas import Verdict

    engine = open_database(team_server.db_url)
    people = team_server.people
    # The claim whose context is the longest: the question must be on the first screen
    # whatever the claim above it.
    best = _longest_context(engine)
    decisions.set_verdict(engine, best, people["ann"], Verdict.verified)
    decisions.set_verdict(engine, best, people["bob"], Verdict.disputed)
    discussion.comment(engine, people["bob"], best, MARKUP)

    expect = playwright_api.expect
    with chromium_pages(playwright_api, FAILURE_SCREENSHOT) as (browser, pages):
        ada = log_in(browser, expect, team_server.base, "ada", "admin")
        pages.append(ada)
        open_page(ada, expect, "Adjudication")
        expect(claim_heading(ada)).to_have_text(f"Claim #{best}")
        form = ada.get_by_test_id("stForm").filter(has_text="Send back to ann")
        form.get_by_label("Question", exact=True).fill(QUESTION)
        form.get_by_role("button", name="Send back to ann with a question").click()
        expect(ada.get_by_text(f"Claim #{best} sent back to ann")).to_be_visible()

        ann = log_in(browser, expect, team_server.base, "ann", "reviewer")
        pages.append(ann)
        ann.set_viewport_size({"width": 1280, "height": 800})
        expect(claim_heading(ann)).to_have_text(f"Claim #{best}")
        # Open, the question on the first screen, and bob's comment, as text.
        expect(ann.get_by_text(QUESTION, exact=True)).to_be_in_viewport()
        ann.screenshot(path=str(SCREENSHOT))
        expect(ann.get_by_text(MARKUP, exact=True)).to_be_attached()
        assert ann.locator("#planted, #bold, #asked").count() == 0
        assert ann.evaluate("window.__planted === undefined")

        ann.get_by_label("Your answer", exact=True).fill(ANSWER)
        ann.get_by_role("button", name="Send answer", exact=True).click()
        expect(ann.get_by_text("Answer sent: the question is resolved.")).to_be_visible()
        expect(ann.get_by_text(ANSWER, exact=True)).to_be_visible()

    assert discussion.open_questions(engine, people["ann"]) == []
