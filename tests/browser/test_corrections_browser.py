"""One real-browser path for correcting the extractor: the expander stays out of the way of the
verdict buttons at 1280x800, opens, and a split opens the corrected claim.

The server and waits of tests/browser/helpers.py: `workbench serve` on a free
port against the test's seeded database, Debian's chromium through Playwright, Streamlit's own
e2e waits, no sleeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import (
    LAPTOP,
    chromium_page,
    claim_heading,
    enter_name,
    seed_samples,
    wait_for_app_run,
)
from tests.live_server import serving
from workbench.auth.policy import SYSTEM

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/corrections.png")
FAILURE_SCREENSHOT = Path("/tmp/corrections-failure.png")


@pytest.fixture
def server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[tuple[str, str]]:
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all

    seed_samples(open_database(db_url))
    dispose_all()
    with serving(db_url, tmp_path) as base:
        yield base, db_url


def test_a_split_in_a_real_browser(server: tuple[str, str], playwright_api: Any) -> None:
    from workbench.db.open import open_database
    from workbench.review import queue

    base, db_url = server
    expect = playwright_api.expect
    with chromium_page(playwright_api, FAILURE_SCREENSHOT, LAPTOP) as page:
        page.goto(base)
        wait_for_app_run(page)
        enter_name(page)
        heading = claim_heading(page)
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
        expect(page.get_by_text(re.compile(rf"Claim #{first} corrected \(split\)"))).to_be_visible()
        expect(heading).not_to_have_text(f"Claim #{first}")
        page.screenshot(path=str(SCREENSHOT), full_page=True)

    engine = open_database(db_url)
    shown = queue.get_claim(engine, first, SYSTEM).claim
    assert shown.status.value == "superseded"
