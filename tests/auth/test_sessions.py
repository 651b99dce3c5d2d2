"""Browser sessions through the service layer, on SQLite and PostgreSQL: tickets, tokens,
timeouts, logout, and what ends every session of an account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from tests.auth.test_accounts import every_stored_value
from workbench.auth import sessions
from workbench.auth.accounts import add_user, local_actor, set_disabled, set_password, set_role
from workbench.auth.policy import SYSTEM
from workbench.db.models import BrowserSession
from workbench.db.session import unit_of_work
from workbench.schemas import Actor, Role

PASSWORD = "correct horse battery"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def rui(engine: Engine) -> Actor:
    user = add_user(engine, SYSTEM, "Rui", Role.reviewer, PASSWORD)
    return Actor(id=user.id, name=user.name, role=user.role)


def signed_in(engine: Engine, actor: Actor, now: datetime = T0) -> str:
    """The cookie's token of a new session of ``actor``."""
    ticket = sessions.start(engine, actor, now=now)
    token = sessions.redeem(engine, ticket.ticket, now=now + timedelta(seconds=1))
    assert token is not None
    return token


def last_seen(engine: Engine) -> list[datetime]:
    with unit_of_work(engine) as session:
        return list(session.scalars(select(BrowserSession.last_seen_at)))


def test_a_ticket_becomes_a_token_that_names_the_account(engine: Engine, rui: Actor) -> None:
    ticket = sessions.start(engine, rui, now=T0)
    token = sessions.redeem(engine, ticket.ticket, now=T0 + timedelta(seconds=5))
    assert token is not None and token != ticket.ticket
    found = sessions.resume(engine, token, now=T0 + timedelta(seconds=6))
    assert found.team is True
    assert found.actor == rui
    assert found.session_id == ticket.session_id
    # By id too: what a Streamlit session that signed in holds.
    assert sessions.current(engine, ticket.session_id, now=T0).actor == rui


def test_secrets_are_stored_only_as_hashes(engine: Engine, rui: Actor) -> None:
    ticket = sessions.start(engine, rui, now=T0)
    assert ticket.ticket not in every_stored_value(engine)
    assert sessions.digest(ticket.ticket) in every_stored_value(engine)
    token = sessions.redeem(engine, ticket.ticket, now=T0)
    assert token is not None
    stored = every_stored_value(engine)
    assert token not in stored and ticket.ticket not in stored
    assert sessions.digest(token) in stored


def test_a_ticket_works_once(engine: Engine, rui: Actor) -> None:
    ticket = sessions.start(engine, rui, now=T0)
    assert sessions.redeem(engine, ticket.ticket, now=T0) is not None
    assert sessions.redeem(engine, ticket.ticket, now=T0) is None


def test_a_ticket_expires_after_a_minute(engine: Engine, rui: Actor) -> None:
    ticket = sessions.start(engine, rui, now=T0)
    late = T0 + sessions.TICKET_LIFETIME + timedelta(seconds=1)
    assert sessions.redeem(engine, ticket.ticket, now=late) is None


@pytest.mark.parametrize("garbage", ["", "x", "A" * 43, "é" * 10, "x" * 10_000, None])
def test_garbage_opens_nothing(engine: Engine, rui: Actor, garbage: str | None) -> None:
    signed_in(engine, rui)
    assert sessions.resume(engine, garbage, now=T0).actor is None
    if garbage is not None:
        assert sessions.redeem(engine, garbage, now=T0) is None


def test_logout_ends_the_session(engine: Engine, rui: Actor) -> None:
    token = signed_in(engine, rui)
    found = sessions.resume(engine, token, now=T0)
    assert found.session_id is not None
    sessions.end(engine, found.session_id)
    assert sessions.resume(engine, token, now=T0).actor is None


def test_the_logout_route_ends_the_session_by_its_token(engine: Engine, rui: Actor) -> None:
    token = signed_in(engine, rui)
    sessions.end_token(engine, token)
    assert sessions.resume(engine, token, now=T0).actor is None


def test_an_idle_session_ends_and_is_deleted(engine: Engine, rui: Actor) -> None:
    token = signed_in(engine, rui)
    idle = sessions.idle_timeout()
    assert sessions.resume(engine, token, now=T0 + idle - timedelta(minutes=1)).actor == rui
    # Used a moment before the timeout: the clock starts again from that use.
    later = T0 + 2 * idle - timedelta(minutes=2)
    assert sessions.resume(engine, token, now=later).actor == rui
    assert sessions.resume(engine, token, now=later + idle).actor is None
    assert sessions.live_sessions(engine, rui.id) == 0


def test_the_idle_timeout_is_a_setting(
    engine: Engine, rui: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_SESSION_IDLE_MINUTES", "5")
    token = signed_in(engine, rui)
    assert sessions.resume(engine, token, now=T0 + timedelta(minutes=4)).actor == rui
    assert sessions.resume(engine, token, now=T0 + timedelta(minutes=10)).actor is None


def test_an_active_session_still_ends_at_its_lifetime(
    engine: Engine, rui: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_SESSION_LIFETIME_HOURS", "2")
    token = signed_in(engine, rui)
    at = T0
    while at < T0 + timedelta(hours=2) - timedelta(minutes=30):
        at += timedelta(minutes=30)
        assert sessions.resume(engine, token, now=at).actor == rui
    assert sessions.resume(engine, token, now=T0 + timedelta(hours=2, seconds=1)).actor is None


def test_last_seen_is_written_at_most_once_a_minute(engine: Engine, rui: Actor) -> None:
    token = signed_in(engine, rui)
    sessions.resume(engine, token, now=T0 + timedelta(seconds=30))
    assert last_seen(engine) == [T0]
    sessions.resume(engine, token, now=T0 + timedelta(seconds=61))
    assert last_seen(engine) == [T0 + timedelta(seconds=61)]


def test_disabling_an_account_ends_all_its_sessions(engine: Engine, rui: Actor) -> None:
    tokens = [signed_in(engine, rui), signed_in(engine, rui)]
    set_disabled(engine, SYSTEM, "Rui")
    assert sessions.live_sessions(engine, rui.id) == 0
    assert all(sessions.resume(engine, t, now=T0).actor is None for t in tokens)


def test_a_new_password_ends_all_its_sessions(engine: Engine, rui: Actor) -> None:
    own = signed_in(engine, rui)
    set_password(engine, rui, "Rui", "another long password")  # their own change
    assert sessions.resume(engine, own, now=T0).actor is None
    again = signed_in(engine, rui)
    set_password(engine, SYSTEM, "Rui", "an admin's reset of it")  # an admin's reset
    assert sessions.resume(engine, again, now=T0).actor is None


def test_a_role_change_keeps_the_session_and_follows(engine: Engine, rui: Actor) -> None:
    token = signed_in(engine, rui)
    set_role(engine, SYSTEM, "Rui", Role.viewer)
    found = sessions.resume(engine, token, now=T0)
    assert found.actor is not None and found.actor.role == Role.viewer


def test_a_single_user_name_session_opens_nothing_once_accounts_exist(engine: Engine) -> None:
    ana = local_actor(engine, "Ana")
    token = signed_in(engine, ana)
    found = sessions.resume(engine, token, now=T0)
    assert found.team is False and found.actor == ana
    add_user(engine, SYSTEM, "Ada", Role.admin, PASSWORD)  # team mode from now on
    assert sessions.resume(engine, token, now=T0).actor is None


def test_a_name_made_an_account_loses_its_old_sessions(engine: Engine) -> None:
    ana = local_actor(engine, "Ana")
    token = signed_in(engine, ana)
    add_user(engine, SYSTEM, "Ana", Role.admin, PASSWORD)
    assert sessions.live_sessions(engine, ana.id) == 0
    assert sessions.resume(engine, token, now=T0).actor is None


def test_expired_sessions_are_purged_at_the_next_sign_in(engine: Engine, rui: Actor) -> None:
    signed_in(engine, rui)
    signed_in(engine, rui, now=T0 + sessions.lifetime() + timedelta(minutes=1))
    assert sessions.live_sessions(engine, rui.id) == 1
