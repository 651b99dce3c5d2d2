"""What the browser tests share: chromium, Streamlit's e2e waits, a seeded `workbench serve`,
and signing in through the page.

Each test starts `workbench serve` on a free port against its own database (SQLite file or
PostgreSQL schema, the same URL handed to the server) and drives Debian's chromium with
Playwright, using Streamlit's own e2e waits: `/_stcore/health` answers `ok` (tests/
live_server.py), then `[data-testid="stApp"]`, then the script is no longer running. No
sleeps: every wait polls for a condition, with a deadline. The ``playwright_api`` fixture
(tests/browser/conftest.py) fails instead of skipping when WORKBENCH_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from sqlalchemy import Engine

from tests.live_server import serving
from workbench.auth.policy import SYSTEM
from workbench.schemas import Actor, Role

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1400, "height": 1000}
LAPTOP = {"width": 1280, "height": 800}  # the screen the Review page must fit
PASSWORD = "correct horse battery staple"
LOGIN_TEXT = "Team mode: sign in with the account"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser test required but {reason}")
    pytest.skip(reason)


def wait_for_app_run(page: Any) -> None:
    """Streamlit's e2e wait: the app is mounted and its script has stopped running."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=TIMEOUT_MS)
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT_MS
    )
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT_MS)


@contextmanager
def chromium(api: Any) -> Iterator[Any]:
    """A headless chromium for the block (Playwright's ``Browser``), closed after it."""
    with api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def screenshot_on_failure(pages: Sequence[Any], path: Path) -> Iterator[None]:
    """If the block fails, a full-page screenshot of the last page in ``pages`` (a list the
    block may still append to) to ``path``, to see what the browser showed."""
    try:
        yield
    except Exception:
        if pages:
            pages[-1].screenshot(path=str(path), full_page=True)
        raise


def seed_samples(engine: Engine) -> None:
    """The five documents of the sample corpus, ingested."""
    from importlib.resources import as_file, files

    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths

    with as_file(files("workbench") / "sample_data") as samples:
        report = ingest_paths(engine, [Path(samples)], default_extractor(), max_bytes=10**7)
    assert report.added == 5


def add_people(engine: Engine, people: Sequence[tuple[str, Role]]) -> dict[str, Actor]:
    """Accounts with :data:`PASSWORD` (team mode), by name."""
    from workbench.auth.accounts import add_user

    made = [add_user(engine, SYSTEM, name, role, PASSWORD) for name, role in people]
    return {u.name: Actor(id=u.id, name=u.name, role=u.role) for u in made}


@dataclass(frozen=True)
class Team:
    base: str  # the app's address
    db_url: str
    people: dict[str, Actor]  # name -> Actor


def seed_team(
    db_url: str,
    people: Sequence[tuple[str, Role]],
    *,
    settings: Mapping[str, int] | None = None,
) -> dict[str, Actor]:
    """A team-mode database: the sample corpus, ``people`` (password :data:`PASSWORD`) and
    project ``settings`` (``reviews_per_claim``, ...); the accounts by name."""
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.projects.settings import set_project_setting

    engine = open_database(db_url)
    seed_samples(engine)
    actors = add_people(engine, people)
    for key, value in (settings or {}).items():
        set_project_setting(engine, SYSTEM, key, value)
    dispose_all()  # the server is another process: nothing of this one's pool stays open
    return actors


@contextmanager
def serve_team(
    db_url: str,
    log_dir: Path,
    people: Sequence[tuple[str, Role]],
    *,
    settings: Mapping[str, int] | None = None,
    base_path: str = "",
) -> Iterator[Team]:
    """`workbench serve` on a :func:`seed_team` database, for the block."""
    actors = seed_team(db_url, people, settings=settings)
    with serving(db_url, log_dir, base_path=base_path) as base:
        yield Team(base=base, db_url=db_url, people=actors)


def expect_signed_in(page: Any, expect: Any, name: str, role: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text(f"Signed in as {name} ({role})", exact=True)).to_be_visible()
    wait_for_app_run(page)


def expect_login_page(page: Any, expect: Any) -> None:
    expect(page.get_by_text(LOGIN_TEXT)).to_be_visible()
    wait_for_app_run(page)


def sign_in(page: Any, expect: Any, name: str, role: str) -> None:
    """On the login page: ``name`` and :data:`PASSWORD`, Log in, and signed in."""
    expect_login_page(page, expect)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect_signed_in(page, expect, name, role)


def log_in(browser: Any, expect: Any, url: str, name: str, role: str) -> Any:
    """A new browser context signed in as ``name`` from ``url`` (the login page comes first
    in team mode): its page, on the page ``url`` names (the role's first page for the root)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(url)
    wait_for_app_run(page)
    sign_in(page, expect, name, role)
    return page


# While a run replaces the page, Streamlit keeps the last run's elements on screen, marked
# ``data-stale``, until the run has finished; the heading of the claim before can sit beside
# the new one for that moment (where the new one lands at another place in the page). The
# claim on screen is the current run's heading; a stale one left once the run has finished
# still counts, and makes a strict locator fail.
CURRENT = '[data-testid="stElementContainer"]:not([data-stale="true"])'


def claim_heading(page: Any) -> Any:
    """The open claim's heading ("Claim #ID"), the current run's only."""
    return page.locator(f"{CURRENT} h3").filter(has_text="Claim #")


def top_claim(engine: Engine) -> int:
    """The claim the Review page hands out first (next_claim orders by score, then id)."""
    from workbench.review import queue

    claims = queue.list_claims(engine, queue.ClaimFilter(), page_size=1000, actor=SYSTEM).items
    return max(claims, key=lambda c: (c.score, -c.id)).id


@contextmanager
def chromium_page(api: Any, failure: Path, viewport: Mapping[str, int] = VIEWPORT) -> Iterator[Any]:
    """One page in a new chromium for the block; a screenshot to ``failure`` if it fails.

    The page has a browser context of its own (``page.context``), in which the block may
    open more tabs (``browser.new_page`` would make one that refuses them)."""
    with chromium(api) as browser:
        page = browser.new_context(viewport=dict(viewport)).new_page()
        with screenshot_on_failure([page], failure):
            yield page


def linked_claim(engine: Engine) -> int:
    """A claim for a link: the fifth in queue order, not the one the Review page opens first."""
    from workbench.review import queue

    return queue.list_claims(engine, queue.ClaimFilter(), page_size=5, actor=SYSTEM).items[-1].id


def enter_name(page: Any, name: str = "Ana") -> None:
    """Single-user mode: the reviewer's name in the sidebar, and Start reviewing."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_label("Your name", exact=True).fill(name)
    sidebar.get_by_role("button", name="Start reviewing").click()


@contextmanager
def chromium_pages(api: Any, failure: Path) -> Iterator[tuple[Any, list[Any]]]:
    """A chromium and a list for the pages the block opens in it (one browser context a
    person); if the block fails, a screenshot of the last page to ``failure``."""
    pages: list[Any] = []
    with chromium(api) as browser, screenshot_on_failure(pages, failure):
        yield browser, pages


def open_page(page: Any, expect: Any, title: str) -> None:
    """Click ``title`` in the sidebar's navigation, and wait for that page."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    wait_for_app_run(page)
