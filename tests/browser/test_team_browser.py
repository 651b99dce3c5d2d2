"""Team mode in a real browser: two reviewers share a claim with k = 2, an admin adjudicates.

The server (the ``team_server`` fixture) and the waits are tests/browser/helpers.py's. Each
person has a browser context of their own, so three Streamlit sessions with separate cookies
run side by side.
The database is seeded, and the outcome checked, through the service layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import (
    Team,
    chromium_pages,
    claim_heading,
    log_in,
    open_page,
    top_claim,
    wait_for_app_run,
)

pytestmark = pytest.mark.browser

REASON = "The ministry's own figures contradict the claim; the second review's sources hold."
FAILURE_SCREENSHOT = Path("/tmp/team-failure.png")
ADJUDICATION_SCREENSHOT = Path("/tmp/team-adjudication.png")


def _decide(page: Any, expect: Any, verdict: str, claim_id: int) -> None:
    """Click a verdict button and wait for the next claim, which the decision opens."""
    page.locator(f".st-key-verdict_{verdict} button:visible").click()
    expect(claim_heading(page)).not_to_have_text(f"Claim #{claim_id}")
    wait_for_app_run(page)


def test_two_reviewers_share_a_claim_and_the_admin_adjudicates(
    team_server: Team, playwright_api: Any
) -> None:
    from workbench.db.open import open_database
    from workbench.review import assign
    from workbench.review.adjudicate import adjudication_queue, final_verdict
    from workbench.schemas import FinalSource, Verdict

    engine = open_database(team_server.db_url)
    people = team_server.people
    best = top_claim(engine)

    expect = playwright_api.expect
    with chromium_pages(playwright_api, FAILURE_SCREENSHOT) as (browser, pages):
        # Two reviewers sign in, each in a context of their own: with k = 2 both are
        # handed the top claim, each holding one of its two slots.
        ann = log_in(browser, expect, team_server.base, "ann", "reviewer")
        pages.append(ann)
        expect(claim_heading(ann)).to_have_text(f"Claim #{best}")
        bob = log_in(browser, expect, team_server.base, "bob", "reviewer")
        pages.append(bob)
        expect(claim_heading(bob)).to_have_text(f"Claim #{best}")
        assert assign.lease_of(engine, people["ann"], best) is not None
        assert assign.lease_of(engine, people["bob"], best) is not None

        # They disagree: each click saves and opens that reviewer's next claim.
        _decide(ann, expect, "verified", best)
        _decide(bob, expect, "disputed", best)

        disputed = adjudication_queue(engine, people["ada"]).items
        assert [item.claim.id for item in disputed] == [best]
        verdicts = {s.review.reviewer: s.review.verdict for s in disputed[0].reviews}
        assert verdicts == {"ann": Verdict.verified, "bob": Verdict.disputed}
        assert final_verdict(engine, best) is None

        # The admin opens Adjudication, sees both reviews, and records the final verdict.
        ada = log_in(browser, expect, team_server.base, "ada", "admin")
        pages.append(ada)
        open_page(ada, expect, "Adjudication")
        expect(ada.get_by_text("1 claim waiting", exact=False)).to_be_visible()
        expect(claim_heading(ada)).to_have_text(f"Claim #{best}")
        main = ada.get_by_test_id("stMainBlockContainer")
        for line in ("ann", "bob", "Verdict: Verified", "Verdict: Disputed"):
            expect(main.get_by_text(line, exact=True)).to_be_visible()

        # (The page's other form sends the claim back to a reviewer: take the verdict's.)
        form = ada.get_by_test_id("stForm").filter(has_text="Save final verdict")
        form.get_by_text("Disputed", exact=True).click()
        form.get_by_label("Reason", exact=True).fill(REASON)
        form.get_by_role("button", name="Save final verdict", exact=True).click()
        expect(
            ada.get_by_text(f"Final verdict for claim #{best}: “Disputed” (adjudicated).")
        ).to_be_visible()
        # Decided, the claim leaves the queue.
        expect(ada.get_by_text("No disputed claim is waiting for a final verdict.")).to_be_visible()
        ada.screenshot(path=str(ADJUDICATION_SCREENSHOT), full_page=True)

    final = final_verdict(engine, best)
    assert final is not None
    assert final.verdict == Verdict.disputed
    assert final.source == FinalSource.adjudicated
    assert final.reason == REASON
    assert final.decided_by == "ada"
    assert adjudication_queue(engine, people["ada"]).total == 0
