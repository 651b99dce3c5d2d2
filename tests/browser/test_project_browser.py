"""Projects in the browser: a ``?project=NAME&claim=ID`` link kept through the login, the
sidebar's switcher changing the address, and a project the user is not in refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import (
    Team,
    chromium_pages,
    claim_heading,
    log_in,
    seed_team,
    wait_for_app_run,
)
from tests.live_server import serving
from workbench.schemas import Role

pytestmark = [pytest.mark.browser, pytest.mark.backends("sqlite")]

FAILURE_SCREENSHOT = Path("/tmp/project-browser-failure.png")
HEALTH_TEXT = (
    "The ministry said on Tuesday that 4,200 patients waited more than a year for surgery "
    "in 2023, twice as many as in 2019.\n\nHospitals reported 120 new beds in March."
)


@pytest.fixture
def two_desks(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[tuple[Team, int]]:
    """The sample corpus in default; health with one document; ann in both, bob in default."""
    from workbench.auth.policy import SYSTEM
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.extract import default_extractor
    from workbench.ingest.store import store_document
    from workbench.projects.membership import grant
    from workbench.projects.service import add_project
    from workbench.review import queue
    from workbench.schemas import DocumentIn

    people = seed_team(db_url, [("ann", Role.reviewer), ("bob", Role.reviewer)])
    engine = open_database(db_url)
    health = add_project(engine, SYSTEM, "health")
    grant(engine, SYSTEM, "ann", "health", Role.reviewer)
    store_document(
        engine,
        DocumentIn(text=HEALTH_TEXT, title="Waits", source="waits.txt"),
        default_extractor(),
        project="health",
    )
    # Two projects: the queue is one project's (health's only document, its claims).
    flt = queue.ClaimFilter(project_id=health.id)
    health_claim = min(
        c.id for c in queue.list_claims(engine, flt, page_size=1000, actor=SYSTEM).items
    )
    dispose_all()
    with serving(db_url, tmp_path) as base:
        yield Team(base=base, db_url=db_url, people=people), health_claim


def test_a_project_link_survives_the_login_and_the_switcher_changes_it(
    two_desks: tuple[Team, int], playwright_api: Any
) -> None:
    team, claim = two_desks
    expect = playwright_api.expect
    with chromium_pages(playwright_api, FAILURE_SCREENSHOT) as (browser, pages):
        page = log_in(
            browser, expect, f"{team.base}/review?project=health&claim={claim}", "ann", "reviewer"
        )
        pages.append(page)
        expect(claim_heading(page)).to_have_text(f"Claim #{claim}")
        expect(page).to_have_url(re.compile(r"project=health"))
        expect(page).to_have_url(re.compile(rf"claim={claim}(&|$)"))

        # The switcher: to default, named in the address, the claim on screen forgotten.
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_test_id("stSelectbox").click()
        page.get_by_role("option", name="default (reviewer)").click()
        wait_for_app_run(page)
        expect(page).to_have_url(re.compile(r"project=default"))
        expect(claim_heading(page)).to_be_visible()
        # (Which claim opens is assign.next_claim's choice: until it takes the project, ann's
        # lease on the health claim comes first, whatever the project.)
        # A page change keeps the project in the address.
        sidebar.get_by_role("link", name="Queue").click()
        wait_for_app_run(page)
        expect(page).to_have_url(re.compile(r"/queue\?project=default$"))

        # bob is not in health: refused, nothing of it shown.
        other = log_in(browser, expect, f"{team.base}/review?project=health", "bob", "reviewer")
        pages.append(other)
        expect(other.get_by_text("You cannot open the project “health”")).to_be_visible()
        expect(claim_heading(other)).to_have_count(0)
