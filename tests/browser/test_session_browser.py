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

from tests.browser.helpers import (
    chromium_page,
    claim_heading,
    expect_login_page,
    expect_signed_in,
    linked_claim,
    seed_team,
    serve_team,
    sign_in,
)
from tests.live_server import serving
from workbench.schemas import Role

pytestmark = pytest.mark.browser

FAILURE_SCREENSHOT = Path("/tmp/session-failure.png")
ANN = [("ann", Role.reviewer)]


@dataclass(frozen=True)
class Servers:
    one: str
    two: str
    db_url: str
    ann_id: int


@pytest.fixture
def two_servers(db_url: str, tmp_path: Path, playwright_api: Any) -> Iterator[Servers]:
    ann = seed_team(db_url, ANN)["ann"]
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with serving(db_url, tmp_path / "one") as one, serving(db_url, tmp_path / "two") as two:
        yield Servers(one=one, two=two, db_url=db_url, ann_id=ann.id)


def _signed_in(page: Any, expect: Any) -> None:
    expect_signed_in(page, expect, "ann", "reviewer")


def _wait_for_cookie(page: Any, context: Any, *, present: bool) -> Any:
    """The session cookie once the page's background request has set (or cleared) it."""
    for _ in range(100):  # a bounded poll of the browser's cookie jar (no event tells it)
        found = [c for c in context.cookies() if c["name"] == "workbench_session"]
        if bool(found) == present:
            return found[0] if found else None
        page.wait_for_timeout(100)
    raise AssertionError(f"the session cookie was {'never set' if present else 'not cleared'}")


@pytest.mark.backends("sqlite")  # the cookie and the routes; the service tests cover both
def test_sign_in_survives_reload_new_tab_link_and_second_server(
    two_servers: Servers, playwright_api: Any
) -> None:
    from workbench.auth import sessions
    from workbench.db.open import open_database

    engine = open_database(two_servers.db_url)
    linked = linked_claim(engine)
    expect = playwright_api.expect
    with chromium_page(playwright_api, FAILURE_SCREENSHOT) as page:
        context = page.context
        # Signed in from a claim link: the sign-in round trip comes back to it.
        page.goto(f"{two_servers.one}/review?claim={linked}")
        sign_in(page, expect, "ann", "reviewer")
        expect(claim_heading(page)).to_have_text(f"Claim #{linked}")
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
        expect_login_page(tab, expect)
        _wait_for_cookie(tab, context, present=False)  # the logout route cleared it
        tab.reload()
        expect_login_page(tab, expect)
        # The other tab is signed out at its next click: its session is gone.
        page.reload()
        expect_login_page(page, expect)
        assert sessions.live_sessions(engine, two_servers.ann_id) == 0


@pytest.mark.backends("sqlite")
def test_sign_in_and_logout_under_a_base_path(
    db_url: str, tmp_path: Path, playwright_api: Any
) -> None:
    """The page asks the cookie's routes under the base path. Behind a proxy that forwards
    only /team/ to the app, /_wb/session from the site's root never reaches it: before, the
    sign-in set no cookie there, a reload landed on the login form, and logout left the
    cookie."""
    expect = playwright_api.expect
    with (
        serve_team(db_url, tmp_path, ANN, base_path="team") as team,
        chromium_page(playwright_api, FAILURE_SCREENSHOT) as page,
    ):
        # The proxy: only what is under the base path reaches the app.
        origin = team.base.removesuffix("/team")
        page.context.route(
            lambda url: url.startswith(origin) and not url.startswith(f"{origin}/team/"),
            lambda route: route.abort(),
        )
        page.goto(f"{team.base}/review")
        sign_in(page, expect, "ann", "reviewer")
        _wait_for_cookie(page, page.context, present=True)
        page.reload()
        _signed_in(page, expect)
        page.get_by_role("button", name="Log out").click()
        expect_login_page(page, expect)
        _wait_for_cookie(page, page.context, present=False)
