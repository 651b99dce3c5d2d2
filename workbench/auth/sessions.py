"""Browser sessions: a sign-in that survives reloads, new tabs and a second server process.

A sign-in (a password in team mode, a name in single-user mode) makes a row in
``browser_sessions`` holding a one-time **ticket** (:func:`start`). The app sends the browser
to a route with the ticket; the route exchanges it, once and within :data:`TICKET_LIFETIME`,
for the **token** the session cookie carries (:func:`redeem`). Every run of the app resolves
the session again (:func:`resume` from the cookie, :func:`current` by the row id a Streamlit
session already holds): one short transaction, so a logout in another tab, a disabled account
or a changed password ends the session at its next click, in every process that shares the
database. Nothing is kept in memory.

Secrets are stored only as SHA-256 hashes: 32 random bytes need no salt or slow hash (nobody
can guess them), and whoever reads the table cannot present a cookie. A session ends when it
has been idle for ``session_idle_minutes``, ``session_lifetime_hours`` after the sign-in
whatever happens, at logout (:func:`end`), and when its account is disabled or its password
set (:func:`end_all`, called by the account services in their own transaction).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Engine, delete, or_, select, update
from sqlalchemy.orm import Session

from workbench.auth.policy import actor_of
from workbench.auth.team import in_team_mode, may_sign_in
from workbench.config import current_settings
from workbench.db.models import BrowserSession, User
from workbench.db.session import unit_of_work
from workbench.schemas import Actor

TICKET_LIFETIME = timedelta(seconds=60)
# last_seen_at is written at most this often: a write per click would make every click on
# SQLite wait for the write lock. The idle timeout is then exact to within this much.
TOUCH_EVERY = timedelta(seconds=60)
SECRET_BYTES = 32
MAX_SECRET_CHARS = 100  # token_urlsafe(32) is 43 characters; longer input is not ours


@dataclass(frozen=True)
class Ticket:
    session_id: int
    ticket: str  # the one-time secret for the sign-in route (never stored)


@dataclass(frozen=True)
class Resolved:
    """What one run of the app learns: the mode, and the session's account if it is valid."""

    team: bool
    session_id: int | None
    actor: Actor | None


def digest(secret: str) -> str:
    """The stored form of a ticket or token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def idle_timeout() -> timedelta:
    return timedelta(minutes=current_settings().session_idle_minutes)


def lifetime() -> timedelta:
    return timedelta(hours=current_settings().session_lifetime_hours)


def start(engine: Engine, actor: Actor, *, now: datetime | None = None) -> Ticket:
    """A new session for ``actor`` (signed in a moment ago), with its one-time ticket.

    Expired rows of every account are deleted on the way (one indexed delete), so the table
    holds the live sessions plus at most the idle ones.
    """
    now = now or datetime.now(UTC)
    ticket = secrets.token_urlsafe(SECRET_BYTES)
    with unit_of_work(engine) as session:
        _purge(session, now)
        row = BrowserSession(
            token_hash=None,
            ticket_hash=digest(ticket),
            ticket_expires_at=now + TICKET_LIFETIME,
            user_id=actor.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime(),
        )
        session.add(row)
        session.flush()
        return Ticket(session_id=row.id, ticket=ticket)


def redeem(engine: Engine, ticket: str, *, now: datetime | None = None) -> str | None:
    """The cookie's token for a valid ticket, which this uses up; None for any other.

    One conditional UPDATE: of two requests with the same ticket, only one matches.
    """
    if not _plausible(ticket):
        return None
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(SECRET_BYTES)
    with unit_of_work(engine) as session:
        redeemed = session.scalar(
            update(BrowserSession)
            .where(
                BrowserSession.ticket_hash == digest(ticket),
                BrowserSession.ticket_expires_at > now,
                BrowserSession.expires_at > now,
            )
            .values(token_hash=digest(token), ticket_hash=None, ticket_expires_at=None)
            .returning(BrowserSession.id)
            .execution_options(synchronize_session=False)
        )
    return token if redeemed is not None else None


def resume(engine: Engine, token: str | None, *, now: datetime | None = None) -> Resolved:
    """The session the cookie's ``token`` names, if it is still valid."""
    if token is None or not _plausible(token):
        return Resolved(team=_team(engine), session_id=None, actor=None)
    return _resolve(engine, BrowserSession.token_hash == digest(token), now)


def current(engine: Engine, session_id: int, *, now: datetime | None = None) -> Resolved:
    """The session a Streamlit session holds by id (signed in there), if still valid."""
    return _resolve(engine, BrowserSession.id == session_id, now)


def end(engine: Engine, session_id: int) -> None:
    """Log out: the session is deleted, so its cookie opens nothing anywhere from now on."""
    with unit_of_work(engine) as session:
        session.execute(delete(BrowserSession).where(BrowserSession.id == session_id))


def end_token(engine: Engine, token: str) -> None:
    """Log out the session a cookie names (the logout route's part)."""
    if not _plausible(token):
        return
    with unit_of_work(engine) as session:
        session.execute(delete(BrowserSession).where(BrowserSession.token_hash == digest(token)))


def end_all(session: Session, user_id: int) -> None:
    """End every session of an account, inside the caller's transaction (a disable, a new
    password): the change and the sign-outs commit together."""
    session.execute(delete(BrowserSession).where(BrowserSession.user_id == user_id))


def live_sessions(engine: Engine, user_id: int) -> int:
    """How many sessions (signed in or waiting for their ticket) an account has."""
    with unit_of_work(engine) as session:
        return len(
            session.scalars(
                select(BrowserSession.id).where(BrowserSession.user_id == user_id)
            ).all()
        )


def _plausible(secret: str) -> bool:
    # A garbage cookie costs no hashing of megabytes and no query for what cannot be ours.
    return 0 < len(secret) <= MAX_SECRET_CHARS and secret.isascii()


def _team(engine: Engine) -> bool:
    with unit_of_work(engine) as session:
        return _team_mode(session)


def _team_mode(session: Session) -> bool:
    return in_team_mode(session)


def _resolve(engine: Engine, which: ColumnElement[bool], now: datetime | None) -> Resolved:
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        team = _team_mode(session)
        found = session.execute(select(BrowserSession, User).join(User).where(which)).first()
        if found is None:
            return Resolved(team=team, session_id=None, actor=None)
        row, user = found
        idle_end = row.last_seen_at + idle_timeout()
        # In team mode only an account with a password or an e-mail may be signed in: a
        # name's session from single-user days opens nothing once accounts exist.
        if (
            row.expires_at <= now
            or idle_end <= now
            or user.disabled
            or (team and not may_sign_in(user))
        ):
            session.delete(row)
            return Resolved(team=team, session_id=None, actor=None)
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        return Resolved(team=team, session_id=row.id, actor=actor_of(user))


def _purge(session: Session, now: datetime) -> None:
    session.execute(
        delete(BrowserSession).where(
            or_(
                BrowserSession.expires_at <= now,
                BrowserSession.last_seen_at <= now - idle_timeout(),
            )
        )
    )
