"""The discussion in a real browser: an admin sends a claim back, the reviewer answers.

What a browser adds over AppTest: the question is in front of the reviewer on the first
screen (the expander open, at 1280×800), and markup a reviewer typed in a comment reaches the
DOM as text, never as an element. Same server and waits as test_team_browser.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_review_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _wait_for_app_run
from tests.browser.test_team_browser import (  # noqa: F401 (fixtures)
    Team,
    _claim_heading,
    _log_in,
    playwright_api,
    team_server,
)
from workbench.auth.policy import SYSTEM

pytestmark = pytest.mark.browser

MARKUP = '<img src=x id="planted" onerror="window.__planted=1"> <b id="bold">the 2019 release</b>'
QUESTION = "Which source gives the figure?"
ANSWER = "The ministry's release of 3 May."
FAILURE_SCREENSHOT = Path("/tmp/discussion-failure.png")


def test_a_claim_sent_back_is_answered_in_the_browser(
    team_server: Team,  # noqa: F811 (the fixture imported above)
    playwright_api: Any,  # noqa: F811
) -> None:
    from workbench.db.open import open_database
    from workbench.review import decisions, discussion, queue
    from workbench.schemas import Verdict

    engine = open_database(team_server.db_url)
    people = team_server.people
    claims = queue.list_claims(engine, queue.ClaimFilter(), page_size=1000, actor=SYSTEM).items
    best = max(claims, key=lambda c: (c.score, -c.id)).id
    decisions.set_verdict(engine, best, people["ann"], Verdict.verified)
    decisions.set_verdict(engine, best, people["bob"], Verdict.disputed)
    discussion.comment(engine, people["bob"], best, MARKUP)

    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    pages: list[Any] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            ada = _log_in(browser, expect, team_server.base, "ada", "admin")
            pages.append(ada)
            ada.get_by_test_id("stSidebar").get_by_role("link", name="Adjudication").click()
            _wait_for_app_run(ada)
            expect(_claim_heading(ada)).to_have_text(f"Claim #{best}")
            form = ada.get_by_test_id("stForm").filter(has_text="Send back to ann")
            form.get_by_label("Question", exact=True).fill(QUESTION)
            form.get_by_role("button", name="Send back to ann with a question").click()
            expect(ada.get_by_text(f"Claim #{best} sent back to ann")).to_be_visible()

            ann = _log_in(browser, expect, team_server.base, "ann", "reviewer")
            pages.append(ann)
            ann.set_viewport_size({"width": 1280, "height": 800})
            expect(_claim_heading(ann)).to_have_text(f"Claim #{best}")
            # Open, the question on the first screen, and bob's comment, as text.
            expect(ann.get_by_text(QUESTION, exact=True)).to_be_in_viewport()
            expect(ann.get_by_text(MARKUP, exact=True)).to_be_attached()
            assert ann.locator("#planted, #bold").count() == 0
            assert ann.evaluate("window.__planted === undefined")

            ann.get_by_label("Your answer", exact=True).fill(ANSWER)
            ann.get_by_role("button", name="Send answer", exact=True).click()
            expect(ann.get_by_text("Answer sent: the question is resolved.")).to_be_visible()
            expect(ann.get_by_text(ANSWER, exact=True)).to_be_visible()
        except Exception:
            if pages:
                pages[-1].screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()

    assert discussion.open_questions(engine, people["ann"]) == []
