"""A project's guidelines on the Review page, in Chromium: Markdown renders (a heading, a
list), raw HTML does not (no script, no ``onerror`` handler, no ``javascript:`` link reaches
the page, and no dialog opens), and the verdict buttons stay on the first screen at 1280×800,
guidelines open or folded."""

from __future__ import annotations

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

pytestmark = [pytest.mark.browser, pytest.mark.backends("sqlite")]

FAILURE_SCREENSHOT = Path("/tmp/guidelines-failure.png")
SCREENSHOT = Path("/tmp/guidelines.png")
GUIDELINES = """\
# How we check

- Quote the **source**
- Name the date

<img src=x onerror=alert(1)>

<script>alert(2)</script>

<a href="javascript:alert(3)">a raw link</a>

[a Markdown link](javascript:alert(4))

<div onmouseover="alert(5)">hover</div>
"""


@pytest.fixture
def served(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[str]:
    from workbench.auth.policy import SYSTEM
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.projects.service import set_guidelines

    engine = open_database(db_url)
    seed_samples(engine)
    set_guidelines(engine, SYSTEM, "default", GUIDELINES)
    dispose_all()
    with serving(db_url, tmp_path) as base:
        yield base


def _bottom(page: Any, key: str) -> float:
    box = page.locator(f".st-key-{key} button:visible").bounding_box()
    assert box is not None
    return float(box["y"] + box["height"])


def test_guidelines_render_markdown_and_no_raw_html(served: str, playwright_api: Any) -> None:
    expect = playwright_api.expect
    dialogs: list[str] = []
    with chromium_page(playwright_api, FAILURE_SCREENSHOT, LAPTOP) as page:

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(f"{served}/review")
        wait_for_app_run(page)
        enter_name(page)
        heading = claim_heading(page)
        expect(heading).to_be_visible()
        wait_for_app_run(page)
        panel = page.locator(".st-key-guidelines_1_1")
        # New guidelines are open, with their Markdown rendered.
        expect(panel.get_by_role("heading", name="How we check")).to_be_visible()
        expect(panel.locator("li")).to_have_count(2)
        expect(panel.locator("strong")).to_have_text("source")
        # The verdict buttons stay on the first screen with the guidelines open ...
        assert _bottom(page, "verdict_verified") < LAPTOP["height"]
        # ... and none of the raw HTML made it into the page.
        assert page.locator("img[src='x'], img[onerror], [onerror]").count() == 0
        assert page.locator("[onmouseover]").count() == 0
        assert panel.locator("script").count() == 0
        assert page.locator("a[href^='javascript' i]").count() == 0
        assert page.locator("script:text('alert(2)')").count() == 0
        panel.hover()
        page.wait_for_timeout(500)
        assert not dialogs
        page.screenshot(path=str(SCREENSHOT))

        # Read: folded, and the page keeps its first screen.
        page.get_by_role("button", name="I have read them").click()
        wait_for_app_run(page)
        expect(panel.get_by_role("heading", name="How we check")).not_to_be_visible()
        assert _bottom(page, "verdict_verified") < LAPTOP["height"]
        # A reload: still folded (the version read is remembered).
        page.reload()
        wait_for_app_run(page)
        expect(heading).to_be_visible()
        wait_for_app_run(page)
        expect(page.locator(".st-key-guidelines_1_1")).to_be_visible()
        expect(
            page.locator(".st-key-guidelines_1_1").get_by_role("heading", name="How we check")
        ).not_to_be_visible()
        assert not dialogs
