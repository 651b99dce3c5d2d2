"""One real-browser path for correcting the extractor: the expander stays out of the way of the
verdict buttons at 1280x800, opens, and a split opens the corrected claim.

The same server and waits as tests/browser/test_review_browser.py: `workbench serve` on a free
port against the test's seeded database, Debian's chromium through Playwright, Streamlit's own
e2e waits, no sleeps.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import serving
from workbench.auth.policy import SYSTEM

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SCREENSHOT = Path("/tmp/corrections.png")
FAILURE_SCREENSHOT = Path("/tmp/corrections-failure.png")
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def playwright_api() -> Any:
    reason = None
    try:
        import playwright.sync_api as api
    except ImportError:
        reason = "the playwright package is not installed"
    if reason is None and not CHROMIUM.exists():
        reason = f"{CHROMIUM} is not installed"
    if reason is not None:
        if os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required but {reason}")
        pytest.skip(reason)
    return api


@pytest.fixture
def server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[tuple[str, str]]:
    from importlib.resources import as_file, files

    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths

    engine = open_database(db_url)
    with as_file(files("workbench") / "sample_data") as samples:
        report = ingest_paths(engine, [Path(samples)], default_extractor(), max_bytes=10**7)
    assert report.added == 5
    dispose_all()
    with serving(db_url, tmp_path) as base:
        yield base, db_url


def _wait_for_app_run(page: Any) -> None:
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT_MS
    )
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT_MS)


def test_a_split_in_a_real_browser(server: tuple[str, str], playwright_api: Any) -> None:
    from workbench.db.open import open_database
    from workbench.review import queue

    base, db_url = server
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(base)
            _wait_for_app_run(page)
            sidebar = page.locator('[data-testid="stSidebar"]')
            sidebar.get_by_label("Your name", exact=True).fill("Ana")
            sidebar.get_by_role("button", name="Start reviewing").click()
            heading = page.locator("h3").filter(has_text="Claim #")
            expect(heading).to_be_visible()
            first = int(heading.inner_text().split("#")[1])

            # Collapsed, and below the decision controls: it moves no verdict button.
            header = page.get_by_text("Correct extraction", exact=True)
            expect(header).to_be_visible()
            verdict = page.locator(".st-key-verdict_verified button:visible").bounding_box()
            below = header.bounding_box()
            assert verdict is not None and below is not None
            assert below["y"] > verdict["y"]
            expect(page.locator(f".st-key-correct_split_{first}")).to_have_count(0)  # lazy

            header.click()
            split = page.locator(f".st-key-correct_split_{first} button")
            expect(split).to_be_visible()
            split.click()
            expect(
                page.get_by_text(re.compile(rf"Claim #{first} corrected \(split\)"))
            ).to_be_visible()
            expect(heading).not_to_have_text(f"Claim #{first}")
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        except Exception:
            page.screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()

    engine = open_database(db_url)
    shown = queue.get_claim(engine, first, SYSTEM).claim
    assert shown.status.value == "superseded"
