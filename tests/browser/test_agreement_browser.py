"""The Agreement page in a real browser: the admin reads α and follows a disputed claim's link.

The set-up and waits of tests/browser/helpers.py: `workbench serve` on a free port against the
test's own database, in team mode. The verdicts are seeded through the service layer, and
the figure the page must show is computed by the report service on the same database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import (
    chromium_pages,
    claim_heading,
    log_in,
    open_page,
    seed_team,
    wait_for_app_run,
)
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


@pytest.fixture
def audit_server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[Audit]:
    """`workbench serve` in team mode: 30 claims each reviewed by three reviewers, one split."""
    from workbench.agreement.report import agreement_report
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all, unit_of_work
    from workbench.review import queue
    from workbench.review.decisions import record_verdict
    from workbench.schemas import Role, Verdict

    people = seed_team(
        db_url,
        [
            ("ann", Role.reviewer),
            ("bob", Role.reviewer),
            ("cy", Role.reviewer),
            ("ada", Role.admin),
        ],
        settings={"reviews_per_claim": 3},
    )
    ann, bob, cy = people["ann"], people["bob"], people["cy"]
    engine = open_database(db_url)
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
    split = audit_server.split
    with chromium_pages(playwright_api, FAILURE_SCREENSHOT) as (browser, pages):
        page = log_in(browser, expect, audit_server.base, "ada", "admin")
        pages.append(page)
        open_page(page, expect, "Agreement")

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
        wait_for_app_run(page)
        expect(claim_heading(page)).to_have_text(f"Claim #{split}")
        expect(
            main.get_by_text(f"Opened from a link: claim #{split} is listed first")
        ).to_be_visible()
        for line in ("Verdict: Verified", "Verdict: Disputed", "Verdict: Unsupported"):
            expect(main.get_by_text(line, exact=True)).to_be_visible()
