"""One real-browser path: sign in, decide, and see hostile source text shown as text.

Starts `workbench serve` on a free port against a seeded database (the test's own SQLite file
or PostgreSQL schema, the same URL handed to the server) and drives Debian's
chromium with Playwright, using Streamlit's own e2e waits: `/_stcore/health` answers `ok`,
then `[data-testid="stApp"]`, then the script is no longer running. No sleeps: every wait
polls for a condition, with a deadline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.support import XSS_CLAIM, store_xss_document
from tests.browser.helpers import (
    chromium_page,
    claim_heading,
    enter_name,
    seed_samples,
    wait_for_app_run,
)
from tests.live_server import serving

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/review.png")
DOCUMENT_SCREENSHOT = Path("/tmp/review-document.png")
QUEUE_SCREENSHOT = Path("/tmp/queue.png")
FAILURE_SCREENSHOT = Path("/tmp/review-failure.png")


@pytest.fixture
def server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[str]:
    """`workbench serve` on a free port, its database holding the samples and the XSS text."""
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all

    engine = open_database(db_url)
    seed_samples(engine)
    store_xss_document(engine)
    dispose_all()

    with serving(db_url, tmp_path) as base:
        yield base


def test_review_flow_and_hostile_text_in_a_real_browser(server: str, playwright_api: Any) -> None:
    expect = playwright_api.expect
    dialogs: list[str] = []
    with chromium_page(playwright_api, FAILURE_SCREENSHOT) as page:

        def dismiss(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        page.goto(server)
        wait_for_app_run(page)
        sidebar = page.locator('[data-testid="stSidebar"]')

        # A user's app, not a developer's: no Deploy button, even opened as localhost.
        expect(page.locator('[data-testid="stAppDeployButton"]')).to_have_count(0)

        # The name comes first.
        expect(page.get_by_text("Enter your name in the sidebar")).to_be_visible()
        enter_name(page)
        expect(sidebar).to_contain_text("Reviewer: Ana")
        expect(sidebar).to_contain_text("0 reviewed today")
        first = claim_heading(page).inner_text()

        # A click decides and opens the next claim; the count follows.
        page.locator(".st-key-verdict_verified button:visible").click()
        expect(sidebar).to_contain_text("1 reviewed today")
        expect(claim_heading(page)).not_to_have_text(first)
        wait_for_app_run(page)

        # Typing a digit in the note is text, not a shortcut; leaving the box saves it.
        note = page.get_by_label("Note", exact=True)
        note.click()
        page.keyboard.type("2 sources disagree")
        claim_heading(page).click()
        expect(page.get_by_text("Note saved.")).to_be_visible()
        expect(sidebar).to_contain_text("1 reviewed today")

        # An evidence URL: told what it became, shown as a link to a new tab that learns
        # nothing of the workbench, and "Remove" beside it keeps its whole word.
        wait_for_app_run(page)
        shown = claim_heading(page).inner_text()
        url_box = page.locator(f".st-key-url_input_{shown.split('#')[1].strip()} input")
        url_box.fill("example.com")
        url_box.press("Enter")
        expect(page.get_by_text("URL added as https://example.com/")).to_be_visible()
        link = page.locator('[data-testid="stHtml"] a[href="https://example.com/"]')
        expect(link).to_have_attribute("target", "_blank")
        expect(link).to_have_attribute("rel", "noopener noreferrer")
        remove = page.locator('[class*="st-key-remove_url_"] button')
        expect(remove).to_have_text("Remove")
        assert remove.evaluate("b => b.scrollWidth <= b.clientWidth")
        page.set_viewport_size({"width": 1280, "height": 800})  # a laptop's screen too
        wait_for_app_run(page)
        whole = "b => [b, ...b.querySelectorAll('*')].every(e => e.scrollWidth <= e.clientWidth)"
        assert remove.evaluate(whole)
        page.set_viewport_size({"width": 1400, "height": 1000})
        claim_heading(page).click()

        # The keyboard shortcut "2" records "disputed".
        page.keyboard.press("2")
        expect(sidebar).to_contain_text("2 reviewed today")
        wait_for_app_run(page)

        # Find the hostile claim through the queue and open it.
        sidebar.get_by_role("link", name="Queue").click()
        wait_for_app_run(page)
        search = page.get_by_label("Search claim text and speaker", exact=True)
        search.fill("Peskov troops")
        search.press("Enter")
        expect(page.get_by_text("1 claim · page 1 of 1")).to_be_visible()
        page.screenshot(path=str(QUEUE_SCREENSHOT), full_page=True)
        page.get_by_role("button", name="Open in Review").click()
        expect(claim_heading(page)).to_be_visible()
        wait_for_app_run(page)

        # The markup is on the page as text ...
        marked = page.locator("mark.wb-claim").first
        expect(marked).to_contain_text("<script>alert(1)</script>")
        expect(marked).to_contain_text("<img src=x onerror=alert(1)>")
        assert XSS_CLAIM in marked.inner_text()
        # ... and nowhere in the DOM as an element, st.html containers included.
        counts = page.evaluate(
            """() => ({
                scripts: [...document.querySelectorAll('script')]
                    .filter(s => (s.textContent || '').includes('alert(1)')).length,
                onerror: document.querySelectorAll('img[onerror], [onerror]').length,
                htmlBlocks: document.querySelectorAll('[data-testid="stHtml"]').length,
                escaped: [...document.querySelectorAll('[data-testid="stHtml"]')]
                    .some(e => e.innerHTML.includes('&lt;script&gt;alert(1)')),
            })"""
        )
        assert counts["scripts"] == 0
        assert counts["onerror"] == 0
        assert counts["htmlBlocks"] >= 2 and counts["escaped"]
        page.get_by_role("radio", name="Whole document", exact=True).click()
        whole = page.locator(".wb-document mark.wb-claim")
        expect(whole).to_be_visible()
        expect(whole).to_contain_text("<script>alert(1)")
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        page.locator(".wb-document").screenshot(path=str(DOCUMENT_SCREENSHOT))
        assert dialogs == []


def _queue_start(db_url: str, n: int) -> list[int]:
    """The first ``n`` claims in queue order, read through the service."""
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.review.queue import ClaimFilter, next_claim_id

    engine = open_database(db_url)
    ids: list[int] = []
    after: int | None = None
    try:
        while len(ids) < n:
            following = next_claim_id(engine, ClaimFilter(), after=after)
            assert following is not None
            ids.append(following)
            after = following
    finally:
        dispose_all()
    return ids


def test_a_claim_link_opens_it_and_the_address_follows_the_claim(
    server: str, db_url: str, playwright_api: Any
) -> None:
    expect = playwright_api.expect
    _, second, third = _queue_start(db_url, 3)
    with chromium_page(playwright_api, FAILURE_SCREENSHOT) as page:
        page.goto(f"{server}/review?claim={second}")
        wait_for_app_run(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        heading = claim_heading(page)

        # The name form comes first; the link is kept through it.
        enter_name(page)
        expect(heading).to_have_text(f"Claim #{second}")
        wait_for_app_run(page)
        expect(page).to_have_url(re.compile(rf"/review\?claim={second}$"))

        # A verdict opens the next claim, and the address bar names it.
        page.locator(".st-key-verdict_verified button:visible").click()
        expect(heading).to_have_text(f"Claim #{third}")
        expect(page).to_have_url(re.compile(rf"/review\?claim={third}$"))
        wait_for_app_run(page)

        # A reload opens the claim the address names, and the name is remembered (the
        # session cookie: single-user mode keeps the name across reloads and tabs).
        page.reload()
        wait_for_app_run(page)
        expect(sidebar.get_by_text("Reviewer: Ana", exact=True)).to_be_visible()
        expect(heading).to_have_text(f"Claim #{third}")
        expect(page).to_have_url(re.compile(rf"/review\?claim={third}$"))
        wait_for_app_run(page)

        # Another page of the navigation has an address of its own, without the claim.
        sidebar.get_by_role("link", name="Queue").click()
        expect(page).to_have_url(re.compile(r"/queue$"))
