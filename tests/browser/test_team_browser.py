"""Team mode in a real browser: two reviewers share a claim with k = 2, an admin adjudicates.

The same approach as test_review_browser.py (whose helpers this reuses): `workbench serve`
on a free port against the test's own database, Debian's chromium driven by Playwright,
and no sleeps, only waits for a condition with a deadline. Each person has a browser
context of their own, so three Streamlit sessions with separate cookies run side by side.
The database is seeded, and the outcome checked, through the service layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_review_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    _unavailable,
    _wait_for_app_run,
)
from tests.live_server import serving
from workbench.auth.policy import SYSTEM

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
REASON = "The ministry's own figures contradict the claim; the second review's sources hold."
FAILURE_SCREENSHOT = Path("/tmp/team-failure.png")
ADJUDICATION_SCREENSHOT = Path("/tmp/team-adjudication.png")


@dataclass(frozen=True)
class Team:
    base: str  # the app's address
    db_url: str
    people: dict[str, Any]  # name -> Actor


@pytest.fixture(scope="module")
def playwright_api() -> Any:
    try:
        import playwright.sync_api as api
    except ImportError:
        _unavailable("the playwright package is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed")
    return api


@pytest.fixture
def team_server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[Team]:
    """`workbench serve` in team mode: the sample corpus, two reviewers and an admin, k = 2."""
    from importlib.resources import as_file, files

    from workbench.auth.accounts import add_user
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths
    from workbench.project import set_project_setting
    from workbench.schemas import Actor, Role

    engine = open_database(db_url)
    with as_file(files("workbench") / "sample_data") as samples:
        report = ingest_paths(engine, [Path(samples)], default_extractor(), max_bytes=10**7)
    assert report.added == 5
    made = [
        add_user(engine, SYSTEM, name, role, PASSWORD)
        for name, role in [("ann", Role.reviewer), ("bob", Role.reviewer), ("ada", Role.admin)]
    ]
    people = {u.name: Actor(id=u.id, name=u.name, role=u.role) for u in made}
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 2)
    dispose_all()

    with serving(db_url, tmp_path) as base:
        yield Team(base=base, db_url=db_url, people=people)


def _log_in(browser: Any, expect: Any, base: str, name: str, role: str) -> Any:
    """A new browser context signed in as ``name``: its page, on the first page of the role."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(base)
    _wait_for_app_run(page)
    # Team mode: the login page comes before anything else.
    expect(page.get_by_text("Team mode: sign in with the account")).to_be_visible()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"Signed in as {name} ({role})", exact=True)).to_be_visible()
    _wait_for_app_run(page)
    return page


def _claim_heading(page: Any) -> Any:
    return page.locator("h3").filter(has_text="Claim #")


def _decide(page: Any, expect: Any, verdict: str, claim_id: int) -> None:
    """Click a verdict button and wait for the next claim, which the decision opens."""
    page.locator(f".st-key-verdict_{verdict} button:visible").click()
    expect(_claim_heading(page)).not_to_have_text(f"Claim #{claim_id}")
    _wait_for_app_run(page)


def test_two_reviewers_share_a_claim_and_the_admin_adjudicates(
    team_server: Team, playwright_api: Any
) -> None:
    from workbench.db.open import open_database
    from workbench.review import assign, queue
    from workbench.review.adjudicate import adjudication_queue, final_verdict
    from workbench.schemas import FinalSource, Verdict

    engine = open_database(team_server.db_url)
    people = team_server.people
    claims = queue.list_claims(engine, queue.ClaimFilter(), page_size=1000, actor=SYSTEM).items
    best = max(claims, key=lambda c: (c.score, -c.id)).id  # next_claim orders by score

    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    pages: list[Any] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # Two reviewers sign in, each in a context of their own: with k = 2 both are
            # handed the top claim, each holding one of its two slots.
            ann = _log_in(browser, expect, team_server.base, "ann", "reviewer")
            pages.append(ann)
            expect(_claim_heading(ann)).to_have_text(f"Claim #{best}")
            bob = _log_in(browser, expect, team_server.base, "bob", "reviewer")
            pages.append(bob)
            expect(_claim_heading(bob)).to_have_text(f"Claim #{best}")
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
            ada = _log_in(browser, expect, team_server.base, "ada", "admin")
            pages.append(ada)
            ada.get_by_test_id("stSidebar").get_by_role("link", name="Adjudication").click()
            expect(ada.get_by_role("heading", name="Adjudication", exact=True)).to_be_visible()
            _wait_for_app_run(ada)
            expect(ada.get_by_text("1 claim waiting", exact=False)).to_be_visible()
            expect(_claim_heading(ada)).to_have_text(f"Claim #{best}")
            main = ada.get_by_test_id("stMainBlockContainer")
            for line in ("ann", "bob", "Verdict: verified", "Verdict: disputed"):
                expect(main.get_by_text(line, exact=True)).to_be_visible()

            # (The page's other form sends the claim back to a reviewer: take the verdict's.)
            form = ada.get_by_test_id("stForm").filter(has_text="Save final verdict")
            form.get_by_text("disputed", exact=True).click()
            form.get_by_label("Reason", exact=True).fill(REASON)
            form.get_by_role("button", name="Save final verdict", exact=True).click()
            expect(
                ada.get_by_text(f"Final verdict for claim #{best}: “disputed” (adjudicated).")
            ).to_be_visible()
            # Decided, the claim leaves the queue.
            expect(
                ada.get_by_text("No disputed claim is waiting for a final verdict.")
            ).to_be_visible()
            ada.screenshot(path=str(ADJUDICATION_SCREENSHOT), full_page=True)
        except Exception:
            if pages:
                pages[-1].screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()

    final = final_verdict(engine, best)
    assert final is not None
    assert final.verdict == Verdict.disputed
    assert final.source == FinalSource.adjudicated
    assert final.reason == REASON
    assert final.decided_by == "ada"
    assert adjudication_queue(engine, people["ada"]).total == 0
