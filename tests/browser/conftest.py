"""The browser tests' fixtures: Playwright, and a team of three on a live server (the
helpers they use are in tests/browser/helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import CHROMIUM, TIMEOUT_MS, Team, serve_team, unavailable
from workbench.schemas import Role


@pytest.fixture(scope="module")
def playwright_api() -> Any:
    """Playwright's sync API; skipped without it or chromium, failed instead when
    WORKBENCH_REQUIRE_BROWSER=1 (CI, where a skip would hide that nothing ran)."""
    try:
        import playwright.sync_api as api
    except ImportError:
        unavailable("the playwright package is not installed")
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is not installed")
    api.expect.set_options(timeout=TIMEOUT_MS)  # Playwright's default of 5 s is for fast pages
    return api


@pytest.fixture
def team_server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[Team]:
    """`workbench serve` in team mode: the sample corpus, two reviewers (ann, bob) and an
    admin (ada), k = 2."""
    people = [("ann", Role.reviewer), ("bob", Role.reviewer), ("ada", Role.admin)]
    with serve_team(db_url, tmp_path, people, settings={"reviews_per_claim": 2}) as team:
        yield team
