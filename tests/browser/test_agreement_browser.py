"""The Agreement page in a real browser: the admin reads α and follows a disputed claim's link.

The same set-up as test_team_browser.py (whose helpers this reuses): `workbench serve` on a
free port against the test's own database, Debian's chromium driven by Playwright, and only
waits for a condition with a deadline. The verdicts are seeded through the service layer, and
the figure the page must show is computed by the report service on the same database.
"""

from __future__ import annotations

import re
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
from tests.browser.test_team_browser import PASSWORD, _claim_heading, _log_in
from tests.live_server import serving
from workbench.auth.policy import SYSTEM

pytestmark = pytest.mark.browser

CLAIMS = 30
SPLIT_AT = 7
AGREEMENT_SCREENSHOT = Path("/tmp/agreement.png")
FAILURE_SCREENSHOT = Path("/tmp/agreement-failure.png")


@dataclass(frozen=True)
class Audit:
    base: str  # the app's address
    alpha: str  # as the page must show it
    split: int  # the claim whose three reviewers gave three verdicts


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
def audit_server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[Audit]:
    """`workbench serve` in team mode: 30 claims each reviewed by three reviewers, one split."""
    from importlib.resources import as_file, files

    from workbench.agreement.report import agreement_report
    from workbench.auth.accounts import add_user
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all, unit_of_work
    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths
    from workbench.project import set_project_setting
    from workbench.review import queue
    from workbench.review.decisions import record_verdict
    from workbench.schemas import Actor, Role, Verdict

    engine = open_database(db_url)
    with as_file(files("workbench") / "sample_data") as samples:
        report = ingest_paths(engine, [Path(samples)], default_extractor(), max_bytes=10**7)
    assert report.added == 5
    made = [
        add_user(engine, SYSTEM, name, role, PASSWORD)
        for name, role in [
            ("ann", Role.reviewer),
            ("bob", Role.reviewer),
            ("cy", Role.reviewer),
            ("ada", Role.admin),
        ]
    ]
    ann, bob, cy, _ = (Actor(id=u.id, name=u.name, role=u.role) for u in made)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 3)
    items = queue.list_claims(
        engine, queue.ClaimFilter(state="all"), page_size=500, actor=SYSTEM
    ).items
    ids = [c.id for c in items[:CLAIMS]]
    labels = (Verdict.verified, Verdict.disputed, Verdict.unsupported)
    with unit_of_work(engine) as session:
        for i, claim_id in enumerate(ids):
            usual = labels[i % 3]
            plan = {ann: usual, bob: usual, cy: labels[(i + 1) % 3] if i % 5 == 0 else usual}
            if i == SPLIT_AT:
                plan = dict(zip((ann, bob, cy), labels, strict=True))
            for who, verdict in plan.items():
                record_verdict(session, claim_id, who, verdict)
    alpha = agreement_report(engine, samples=0, actor=SYSTEM).overall.alpha
    assert alpha is not None
    dispose_all()

    with serving(db_url, tmp_path) as base:
        yield Audit(base=base, alpha=f"{alpha:.3f}", split=ids[SPLIT_AT])


def test_the_admin_reads_alpha_and_opens_a_disputed_claim(
    audit_server: Audit, playwright_api: Any
) -> None:
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    split = audit_server.split
    page: Any = None
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = _log_in(browser, expect, audit_server.base, "ada", "admin")
            page.get_by_test_id("stSidebar").get_by_role("link", name="Agreement").click()
            expect(page.get_by_role("heading", name="Agreement", exact=True)).to_be_visible()
            _wait_for_app_run(page)

            alpha = page.get_by_test_id("stMetric").filter(has_text="Krippendorff's α")
            expect(alpha.get_by_test_id("stMetricValue")).to_have_text(audit_server.alpha)
            main = page.get_by_test_id("stMainBlockContainer")
            expect(
                main.get_by_text(f"Rests on {CLAIMS} claims reviewed by two or more")
            ).to_be_visible()
            page.screenshot(path=str(AGREEMENT_SCREENSHOT), full_page=True)

            # The most disputed claim comes first; its link opens it on Adjudication.
            link = main.get_by_test_id("stPageLink").filter(has_text=f"#{split} — ").first
            link.scroll_into_view_if_needed()
            link.get_by_role("link").click()
            expect(page.get_by_role("heading", name="Adjudication", exact=True)).to_be_visible()
            expect(page).to_have_url(re.compile(rf"[?&]claim={split}(&|$)"))
            _wait_for_app_run(page)
            expect(_claim_heading(page)).to_have_text(f"Claim #{split}")
            expect(
                main.get_by_text(f"Opened from a link: claim #{split} is listed first")
            ).to_be_visible()
            for line in ("Verdict: verified", "Verdict: disputed", "Verdict: unsupported"):
                expect(main.get_by_text(line, exact=True)).to_be_visible()
        except Exception:
            if page is not None:
                page.screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()
