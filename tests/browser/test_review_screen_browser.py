"""One screen at 1280×800: the claim and its decision on the first screen, for every claim of
the sample corpus and for a document stored as older ingests stored it; the whole document
opens at the claim; no tooltip covers a control.

Real Chromium (Playwright), against `workbench serve` on the test's own database, with the
waits of tests/browser/test_review_browser.py (health, app mounted, script not running).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.browser.helpers import (
    LAPTOP,
    chromium_page,
    claim_heading,
    enter_name,
    wait_for_app_run,
)
from tests.live_server import serving

pytestmark = [pytest.mark.browser, pytest.mark.backends("sqlite")]

SCREEN = LAPTOP
FAILURE_SCREENSHOT = Path("/tmp/review-screen-failure.png")
SAMPLE_003 = "003_ebb6b6b0f14d11f9.txt"
# As sample 003 was stored before titles were headlines and sources kept as given.
OLD_TITLE_CHARS = 300
OLD_SOURCE = "/home/newsroom/workbench/sample_data/" + SAMPLE_003
# A document of one 4,400-character line: its paragraph is all of it, whatever the rules.
ONE_LINE = " ".join(
    f"The council said on Monday that it spent {i}.5 million euros on {i + 10} roads in 20{i:02d}."
    for i in range(1, 50)
)
SCREENSHOT = Path("/tmp/review-screen.png")
# The project's guidelines, long enough to fill the screen if they were above the claim.
GUIDELINES = "# How we check\n\n" + "\n".join(f"- Rule {i}: check the source." for i in range(40))


@pytest.fixture
def corpus(
    db_url: str,
    tmp_path: Path,
    playwright_api: Any,
) -> Iterator[tuple[str, dict[int, str]]]:
    """The served app's base URL, and every claim's id with its document's file name."""
    from workbench.auth.policy import SYSTEM
    from workbench.db.models import Claim, Document
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all, unit_of_work
    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths
    from workbench.ingest.store import store_document
    from workbench.projects.service import set_guidelines
    from workbench.schemas import DocumentIn

    engine = open_database(db_url)
    with as_file(files("workbench") / "sample_data") as samples:
        report = ingest_paths(engine, [Path(samples)], default_extractor(), max_bytes=10**7)
        first_line = (Path(samples) / SAMPLE_003).read_text("utf-8").split("\n")[0]
    assert report.added == 5
    one_line = DocumentIn(text=ONE_LINE, title=ONE_LINE[:300], source="/srv/one_line.txt")
    assert store_document(engine, one_line, default_extractor())
    with unit_of_work(engine) as session:
        session.execute(
            update(Document)
            .where(Document.source == f"sample_data/{SAMPLE_003}")
            .values(title=first_line[:OLD_TITLE_CHARS], source=OLD_SOURCE)
        )
        rows = session.execute(select(Claim.id, Document.source).join(Document)).all()
    claims = {claim_id: Path(source).name for claim_id, source in rows}
    set_guidelines(engine, SYSTEM, "default", GUIDELINES)
    dispose_all()
    with serving(db_url, tmp_path) as base:
        yield base, claims


def _open(page: Any, base: str, claim_id: int, expect: Any) -> None:
    """Open ``/review?claim=ID`` (a new session: the name comes first, the link kept; once
    given, the sign-in cookie remembers the name, and the claim opens at once)."""
    page.goto(f"{base}/review?claim={claim_id}")
    wait_for_app_run(page)
    heading = claim_heading(page)
    name = page.locator('[data-testid="stSidebar"]').get_by_label("Your name", exact=True)
    expect(heading.or_(name)).to_be_visible()
    if name.is_visible():
        enter_name(page)
    expect(heading).to_have_text(f"Claim #{claim_id}")
    wait_for_app_run(page)
    # The guidelines, new to this reviewer, are open beside the decision: the verdict
    # buttons are on the first screen all the same. Read, they fold, and stay folded.
    read = page.get_by_role("button", name="I have read them")
    if read.is_visible():
        assert _bottom(page, "verdict_verified") < SCREEN["height"]
        read.click()
        wait_for_app_run(page)
    expect(page.get_by_text("Guidelines of default", exact=True)).to_be_visible()


def _bottom(page: Any, key: str) -> float:
    box = page.locator(f".st-key-{key} button:visible").bounding_box()
    assert box is not None
    return float(box["y"] + box["height"])


def test_every_claim_and_its_decision_fit_the_first_screen(
    corpus: tuple[str, dict[int, str]],
    playwright_api: Any,
) -> None:
    base, claims = corpus
    expect = playwright_api.expect
    with chromium_page(playwright_api, FAILURE_SCREENSHOT, SCREEN) as page:
        # Every claim, in queue order: opened by its link, then Skip to each next one
        # (one session: a link opens a new one, which asks the name first).
        order = sorted(claims)
        _open(page, base, order[0], expect)
        heading = claim_heading(page)
        lowest: dict[int, float] = {}
        for index, claim_id in enumerate(order):
            expect(heading).to_have_text(f"Claim #{claim_id}")
            wait_for_app_run(page)
            lowest[claim_id] = max(_bottom(page, "verdict_verified"), _bottom(page, "not_a_claim"))
            assert lowest[claim_id] < SCREEN["height"], (claim_id, claims[claim_id])
            meta = page.locator(".wb-meta").inner_text()
            assert "/home/newsroom" not in meta and "/srv/" not in meta, meta
            if index + 1 < len(order):
                page.locator(".st-key-skip button:visible").click()
        # Sample 003 (once one 4,085-character paragraph, Verified at y = 1,643) and the
        # one-line document, by their links, in their larger views too.
        for name in (SAMPLE_003, "one_line.txt"):
            claim_id = max((c for c in claims if claims[c] == name), key=lowest.__getitem__)
            _open(page, base, claim_id, expect)
            assert _bottom(page, "verdict_verified") < SCREEN["height"], claim_id
            for view in ("Whole paragraph", "Whole document"):
                option = page.get_by_role("radio", name=view, exact=True)
                if option.count() == 0:  # offered only when there is more to show
                    assert (name, view) == (SAMPLE_003, "Whole paragraph")
                    continue
                option.click()
                # The view's own box, not the one before the rerun.
                shown = ".wb-whole" if view == "Whole paragraph" else ".wb-document"
                expect(page.locator(f"{shown} mark.wb-claim")).to_be_visible()
                wait_for_app_run(page)
                assert _bottom(page, "verdict_verified") < SCREEN["height"], (claim_id, view)
        page.screenshot(path=str(SCREENSHOT))


def test_the_whole_document_opens_at_the_claim(
    corpus: tuple[str, dict[int, str]],
    playwright_api: Any,
) -> None:
    base, claims = corpus
    expect = playwright_api.expect
    late = max(c for c in claims if claims[c] == SAMPLE_003)  # near the end of the article
    with chromium_page(playwright_api, FAILURE_SCREENSHOT, SCREEN) as page:
        _open(page, base, late, expect)
        page.get_by_role("radio", name="Whole document", exact=True).click()
        wait_for_app_run(page)
        document = page.locator(".wb-document")
        mark = document.locator("mark.wb-claim")
        expect(mark).to_be_visible()
        # The claim is inside the box's visible part without any scrolling, and so is
        # the fold that holds what came before it.
        box, marked = document.bounding_box(), mark.bounding_box()
        assert document.evaluate("e => e.scrollTop") == 0
        assert (
            box["y"] <= marked["y"] and marked["y"] + marked["height"] <= box["y"] + box["height"]
        )
        fold = document.locator("details.wb-earlier")
        expect(fold.locator("summary")).to_be_in_viewport()
        fold.locator("summary").click()  # the earlier text unfolds where it was
        expect(fold).to_have_attribute("open", "")


def test_no_tooltip_covers_the_verdict_row(
    corpus: tuple[str, dict[int, str]],
    playwright_api: Any,
) -> None:
    base, claims = corpus
    expect = playwright_api.expect
    first = min(claims)
    with chromium_page(playwright_api, FAILURE_SCREENSHOT, SCREEN) as page:
        _open(page, base, first, expect)
        main = page.get_by_test_id("stMainBlockContainer")
        # No control of the decision carries a tooltip at all ...
        for key in ("verdict_verified", "verdict_disputed", "not_a_claim", "skip"):
            assert main.locator(f".st-key-{key} [data-testid='stTooltipHoverTarget']").count() == 0
        # ... so a pointer resting on "Not a check-worthy claim" leaves the row above it
        # free: every verdict button is what the pointer would hit at its centre.
        page.locator(".st-key-not_a_claim button:visible").hover()
        page.wait_for_timeout(1000)  # longer than a tooltip's delay: one would be open now
        expect(page.get_by_test_id("stTooltipContent")).to_have_count(0)
        hit = """key => {
            const b = document.querySelector(`.st-key-${key} button`);
            const r = b.getBoundingClientRect();
            const x = r.x + r.width / 2, y = r.y + r.height / 2;
            return b.contains(document.elementFromPoint(x, y));
        }"""
        for key in ("verdict_verified", "verdict_disputed", "verdict_unsupported"):
            assert page.evaluate(hit, key), key
        # A click on Verified goes through at once (a tooltip once held it for 30 s).
        began = time.monotonic()
        page.locator(".st-key-verdict_verified button:visible").click(timeout=3000)
        expect(claim_heading(page)).not_to_have_text(f"Claim #{first}", timeout=10_000)
        assert time.monotonic() - began < 10
