"""The sign-in survives a reload, a new tab, a link from elsewhere and a second server process.

Two real `workbench serve` processes on one database (a cookie names a host, not a port, so
one browser context carries it to both), Debian's chromium driven by Playwright, and the same
waits as the other browser tests. Before browser sessions, a reload landed on the login form.
"""

from __future__ import annotations

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
from tests.live_server import serving
from workbench.auth.policy import SYSTEM

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
FAILURE_SCREENSHOT = Path("/tmp/session-failure.png")
LOGIN_TEXT = "Team mode: sign in with the account"


@dataclass(frozen=True)
class Servers:
    one: str
    two: str
    db_url: str
    ann_id: int


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
def two_servers(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[Servers]:
    from importlib.resources import as_file, files

    from workbench.auth.accounts import add_user
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths
    from workbench.schemas import Role

    engine = open_database(db_url)
    with as_file(files("workbench") / "sample_data") as samples:
        ingest_paths(engine, [Path(samples)], default_extractor(), max_bytes=10**7)
    ann = add_user(engine, SYSTEM, "ann", Role.reviewer, PASSWORD)
    dispose_all()
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with serving(db_url, tmp_path / "one") as one, serving(db_url, tmp_path / "two") as two:
        yield Servers(one=one, two=two, db_url=db_url, ann_id=ann.id)


def _signed_in(page: Any, expect: Any) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Signed in as ann (reviewer)", exact=True)).to_be_visible()
    _wait_for_app_run(page)


def _wait_for_cookie(page: Any, context: Any, *, present: bool) -> Any:
    """The session cookie once the page's background request has set (or cleared) it."""
    for _ in range(100):  # a bounded poll of the browser's cookie jar (no event tells it)
        found = [c for c in context.cookies() if c["name"] == "workbench_session"]
        if bool(found) == present:
            return found[0] if found else None
        page.wait_for_timeout(100)
    raise AssertionError(f"the session cookie was {'never set' if present else 'not cleared'}")


def _on_login_page(page: Any, expect: Any) -> None:
    expect(page.get_by_text(LOGIN_TEXT)).to_be_visible()
    _wait_for_app_run(page)


@pytest.mark.backends("sqlite")  # the cookie and the routes; the service tests cover both
def test_sign_in_survives_reload_new_tab_link_and_second_server(
    two_servers: Servers, playwright_api: Any
) -> None:
    from workbench.auth import sessions
    from workbench.db.open import open_database
    from workbench.review import queue

    engine = open_database(two_servers.db_url)
    claims = queue.list_claims(engine, queue.ClaimFilter(), page_size=5, actor=SYSTEM).items
    linked = claims[-1].id
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            # Signed in from a claim link: the sign-in round trip comes back to it.
            page.goto(f"{two_servers.one}/review?claim={linked}")
            _on_login_page(page, expect)
            page.get_by_label("Name", exact=True).fill("ann")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Log in", exact=True).click()
            _signed_in(page, expect)
            expect(page.locator("h3").filter(has_text="Claim #")).to_have_text(f"Claim #{linked}")
            # The page fetched the sign-in route in the background: the tab did not move.
            assert page.url == f"{two_servers.one}/review?claim={linked}"
            cookie = _wait_for_cookie(page, context, present=True)
            assert cookie["httpOnly"] is True
            assert cookie["sameSite"] == "Strict"
            assert cookie["path"] == "/"
            assert cookie["secure"] is False  # plain http here; https sets it

            page.reload()
            _signed_in(page, expect)

            tab = context.new_page()  # a new tab at a typed address
            tab.goto(f"{two_servers.one}/review")
            _signed_in(tab, expect)

            # A link clicked on another site's page (here a blank page of no origin): the
            # app's page connects its WebSocket from its own origin, so SameSite=Strict
            # still sends the cookie.
            elsewhere = context.new_page()
            elsewhere.set_content(f'<a id="go" href="{two_servers.two}/review">the claim</a>')
            elsewhere.click("#go")
            elsewhere.wait_for_url(f"{two_servers.two}/review*")
            # ...and it was the *other* server process: the session is in the database.
            _signed_in(elsewhere, expect)
            elsewhere.close()

            # Log out in the first tab: the session is deleted and the cookie cleared.
            tab.get_by_role("button", name="Log out").click()
            _on_login_page(tab, expect)
            _wait_for_cookie(tab, context, present=False)  # the logout route cleared it
            tab.reload()
            _on_login_page(tab, expect)
            # The other tab is signed out at its next click: its session is gone.
            page.reload()
            _on_login_page(page, expect)
            assert sessions.live_sessions(engine, two_servers.ann_id) == 0
        except Exception:
            page.screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()


@pytest.fixture
def based_server(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[Servers]:
    """One `workbench serve` with server.baseUrlPath "team" (the app at /team/)."""
    from importlib.resources import as_file, files

    from workbench.auth.accounts import add_user
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.extract import default_extractor
    from workbench.ingest.service import ingest_paths
    from workbench.schemas import Role

    engine = open_database(db_url)
    with as_file(files("workbench") / "sample_data") as samples:
        ingest_paths(engine, [Path(samples)], default_extractor(), max_bytes=10**7)
    ann = add_user(engine, SYSTEM, "ann", Role.reviewer, PASSWORD)
    dispose_all()
    with serving(db_url, tmp_path, base_path="team") as base:
        yield Servers(one=base, two=base, db_url=db_url, ann_id=ann.id)


@pytest.mark.backends("sqlite")
def test_sign_in_and_logout_under_a_base_path(based_server: Servers, playwright_api: Any) -> None:
    """The page asks the cookie's routes under the base path. Behind a proxy that forwards
    only /team/ to the app, /_wb/session from the site's root never reaches it: before, the
    sign-in set no cookie there, a reload landed on the login form, and logout left the
    cookie."""
    expect = playwright_api.expect
    expect.set_options(timeout=TIMEOUT_MS)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        # The proxy: only what is under the base path reaches the app.
        origin = based_server.one.removesuffix("/team")
        context.route(
            lambda url: url.startswith(origin) and not url.startswith(f"{origin}/team/"),
            lambda route: route.abort(),
        )
        page = context.new_page()
        try:
            page.goto(f"{based_server.one}/review")
            _on_login_page(page, expect)
            page.get_by_label("Name", exact=True).fill("ann")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Log in", exact=True).click()
            _signed_in(page, expect)
            _wait_for_cookie(page, context, present=True)
            page.reload()
            _signed_in(page, expect)
            page.get_by_role("button", name="Log out").click()
            _on_login_page(page, expect)
            _wait_for_cookie(page, context, present=False)
        except Exception:
            page.screenshot(path=str(FAILURE_SCREENSHOT), full_page=True)
            raise
        finally:
            browser.close()
