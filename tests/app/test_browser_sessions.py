"""The app's side of browser sessions, through AppTest: a new AppTest is a reload or a new
tab, and the cookie it would carry is handed to ``access.cookie`` (AppTest has no cookies).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import sidebar_text, sign_in
from tests.app.test_login import log_in, on_login_page, plain
from tests.app.test_login import team as team  # the fixture
from workbench.app import access
from workbench.app.session_routes import COOKIE
from workbench.auth import accounts, sessions
from workbench.auth.policy import SYSTEM

App = Callable[[], AppTest]
TICKET = re.compile(r"/_wb/session\?ticket=([A-Za-z0-9_-]+)")


def with_cookie(monkeypatch: pytest.MonkeyPatch, token: str | None) -> None:
    """The session cookie the next AppTests' browser would send."""
    monkeypatch.setattr(access, "cookie", lambda name: token if name == COOKIE else None)


def cookie_of(at: AppTest, engine: Engine) -> str:
    """What the sign-in route would set: the ticket the page's script fetches the route
    with, traded for the cookie's token."""
    bodies = "\n".join(str(h.proto.body) for h in at.html)
    assert "/_wb/session?ticket=" in bodies, "no sign-in navigation on the page"
    match = TICKET.search(bodies)
    assert match is not None
    token = sessions.redeem(engine, match.group(1))
    assert token is not None
    return token


def test_team_sign_in_survives_a_reload(
    team: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = cookie_of(log_in(app(), "Rui"), team)
    with_cookie(monkeypatch, token)
    again = app().run(timeout=30)  # a reload: a new session, no form filled in
    assert not on_login_page(again)
    assert "Signed in as Rui (reviewer)" in sidebar_text(again)


def test_the_ticket_is_shown_once(team: Engine, app: App) -> None:
    at = log_in(app(), "Rui")
    assert "/_wb/session?ticket=" in "\n".join(str(h.proto.body) for h in at.html)
    at.run(timeout=30)
    assert "/_wb/session?ticket=" not in "\n".join(str(h.proto.body) for h in at.html)


@pytest.mark.parametrize("forged", ["garbage", "A" * 43, "x" * 5000])
def test_a_forged_cookie_shows_the_login_page(
    team: Engine, app: App, monkeypatch: pytest.MonkeyPatch, forged: str
) -> None:
    with_cookie(monkeypatch, forged)
    at = app().run(timeout=30)
    assert not at.exception
    assert on_login_page(at)


def test_a_logout_in_one_tab_signs_the_other_out(
    team: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_cookie(monkeypatch, cookie_of(log_in(app(), "Rui"), team))
    one = app().run(timeout=30)
    two = app().run(timeout=30)
    assert "Signed in as Rui" in sidebar_text(two)
    one.button(key="log_out").click()
    one.run(timeout=30)
    assert on_login_page(one)
    # The logout asks the browser to clear the cookie through the route.
    assert "/_wb/logout" in "\n".join(str(h.proto.body) for h in one.html)
    two.run(timeout=30)  # the other tab's next click
    assert on_login_page(two)
    assert "Your sign-in has ended" in plain(two.warning)
    assert on_login_page(app().run(timeout=30))  # and a reload with the old cookie


def test_a_disabled_accounts_cookie_opens_nothing(
    team: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_cookie(monkeypatch, cookie_of(log_in(app(), "Rui"), team))
    accounts.set_disabled(team, SYSTEM, "Rui")
    assert on_login_page(app().run(timeout=30))


def test_a_new_password_signs_every_tab_out(
    team: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_cookie(monkeypatch, cookie_of(log_in(app(), "Rui"), team))
    tab = app().run(timeout=30)
    accounts.set_password(team, SYSTEM, "Rui", "an admin's reset of it")
    tab.run(timeout=30)
    assert on_login_page(tab)


def test_an_expired_session_shows_the_login_page(
    team: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_cookie(monkeypatch, cookie_of(log_in(app(), "Rui"), team))
    # Idle past the timeout (the service tests cover both limits with a clock).
    monkeypatch.setattr(sessions, "idle_timeout", lambda: timedelta(0))
    assert on_login_page(app().run(timeout=30))


def test_single_user_mode_remembers_the_name_across_reloads(
    seeded: Engine, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = cookie_of(sign_in(app(), "Ana"), seeded)
    with_cookie(monkeypatch, token)
    again = app().run(timeout=30)
    assert "Reviewer: Ana" in sidebar_text(again)
    assert again.subheader[0].value.startswith("Claim #")
