"""Accounts: creating them, logging in, and who the actor is in single-user mode.

Two modes, decided by the data, not by a flag:

* **single-user mode** while no account has a password (``workbench demo``, a laptop): the app
  asks for a name, and that name acts as an admin of its own file;
* **team mode** once any account has a password: the app asks everyone to log in, and each
  role may do only what :mod:`workbench.auth.permissions` allows.

Functions that manage accounts take ``actor=None`` for the command line: whoever can run
``workbench`` against the database already holds the database itself.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.auth.passwords import hash_password, needs_rehash, verify_password
from workbench.auth.permissions import Action, require
from workbench.db.models import User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, LoginFailed, NotFound, PermissionDenied
from workbench.schemas import Actor, Role, UserOut

MAX_NAME_CHARS = 100
# Failed logins in a row before an account is locked, and for how long (doubling each time).
FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)


def user_name(raw: str) -> str:
    """A name as stored: trimmed, inner whitespace collapsed, non-empty, printable."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput("enter your name: every review is stored with its reviewer")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"a name is at most {MAX_NAME_CHARS} characters")
    if not name.isprintable():
        raise InvalidInput("a name cannot contain control characters")
    return name


def actor_of(user: User) -> Actor:
    return Actor(id=user.id, name=user.name, role=Role(user.role))


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        name=user.name,
        role=Role(user.role),
        disabled=user.disabled,
        can_log_in=user.password_hash is not None and not user.disabled,
        created_at=user.created_at,
    )


def team_mode(engine: Engine) -> bool:
    """True once any account has a password: from then on everyone logs in."""
    with unit_of_work(engine) as session:
        return _team_mode(session)


def _team_mode(session: Session) -> bool:
    return (
        session.scalar(select(User.id).where(User.password_hash.is_not(None)).limit(1)) is not None
    )


def local_actor(engine: Engine, name: str) -> Actor:
    """The actor for ``name`` in single-user mode (created on first use, acting as admin)."""
    clean = user_name(name)
    with unit_of_work(engine) as session:
        if _team_mode(session):
            raise PermissionDenied("this workbench has accounts: log in with your password")
        user = session.scalar(select(User).where(User.name == clean))
        if user is None:
            user = User(name=clean, role=Role.admin.value)
            session.add(user)
            session.flush()
        return Actor(id=user.id, name=user.name, role=Role.admin)


def login(engine: Engine, name: str, password: str, *, now: datetime | None = None) -> Actor:
    """The actor for a correct name and password; :class:`LoginFailed` otherwise.

    The message does not say whether the name exists. After ``FREE_ATTEMPTS`` failures in a
    row the account is locked for 30 s, doubling with each further failure up to 15 min, so
    guessing a password online is slow even though the hash itself is fast enough to log in.
    """
    now = now or datetime.now(UTC)
    clean = " ".join(name.split())
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.name == clean))
        if user is None or user.password_hash is None or user.disabled:
            stored_hash = None
        else:
            if user.locked_until is not None and user.locked_until > now:
                wait = int((user.locked_until - now).total_seconds()) + 1
                raise LoginFailed(f"too many failed logins for {user.name}: try again in {wait} s")
            user_id, stored_hash = user.id, user.password_hash
    # Verified between two transactions: argon2 is slow by design, and on SQLite every
    # transaction holds the write lock, so one login would stall every reviewer's save.
    if stored_hash is None:
        # The same work as for a real account, so timing does not tell which names exist.
        verify_password(_decoy_hash(), password)
        raise LoginFailed("wrong name or password")
    correct = verify_password(stored_hash, password)
    rehashed = hash_password(password) if correct and needs_rehash(stored_hash) else None
    with unit_of_work(engine) as session:
        user = session.get(User, user_id)
        if user is None or user.disabled or user.password_hash != stored_hash:
            correct = False  # disabled or given a new password meanwhile: the old one is void
        elif not correct:
            user.failed_logins += 1
            extra = user.failed_logins - FREE_ATTEMPTS
            if extra >= 0:
                user.locked_until = now + min(FIRST_LOCK * 2**extra, MAX_LOCK)
            # The failure count must be stored even though the login fails: commit, then say so.
        else:
            user.failed_logins = 0
            user.locked_until = None
            if rehashed is not None:
                user.password_hash = rehashed
            actor = actor_of(user)
    if not correct:
        raise LoginFailed("wrong name or password")
    return actor


@cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def current_actor(engine: Engine, actor: Actor | None) -> tuple[bool, Actor | None]:
    """(team mode?, ``actor`` as stored now) — None once it is disabled or deleted.

    One short transaction of two indexed reads: cheap enough for the app to call on every
    rerun, so a role change applies at once and a disabled account is signed out at its
    next click rather than when its browser session ends.
    """
    with unit_of_work(engine) as session:
        team = _team_mode(session)
        if actor is None:
            return team, None
        user = session.get(User, actor.id)
        if user is None or user.disabled:
            return team, None
        return team, actor_of(user)


def authorize(engine: Engine, actor: Actor, action: Action) -> Actor:
    """The stored actor if its current role allows ``action``; :class:`PermissionDenied` if not.

    For service functions that do not otherwise open a transaction on the actor's account
    (exports): the role is re-read, not taken from the caller.
    """
    with unit_of_work(engine) as session:
        stored = stored_actor(session, actor)
    require(stored, action)
    return stored


def add_user(
    engine: Engine,
    actor: Actor | None,
    name: str,
    role: Role,
    password: str | None = None,
) -> UserOut:
    """Create an account; without a password it exists (for history, imports) but can't log in."""
    clean = user_name(name)
    # Hashed before the transaction, which on SQLite holds the write lock: hashing is slow.
    hashed = hash_password(password) if password is not None else None
    with unit_of_work(engine) as session:
        _may_manage(session, actor)
        user = session.scalar(select(User).where(User.name == clean))
        if user is not None and (user.password_hash is not None or hashed is None):
            raise InvalidInput(f"a user named {clean!r} already exists")
        if user is None:
            user = User(name=clean, role=role.value, password_hash=hashed)
            session.add(user)
            session.flush()
            before = None
        else:
            # A name known from single-user reviews or an import becomes a real account.
            before = _snapshot(user)
            user.role = role.value
            user.password_hash = hashed
            session.flush()
        log_user(session, actor, user, before)
        return user_out(user)


def list_users(engine: Engine, actor: Actor | None) -> list[UserOut]:
    with unit_of_work(engine) as session:
        _may_manage(session, actor)
        return [user_out(u) for u in session.scalars(select(User).order_by(User.name))]


def set_role(engine: Engine, actor: Actor | None, name: str, role: Role) -> UserOut:
    with unit_of_work(engine) as session:
        _may_manage(session, actor)
        user = _by_name(session, name)
        before = _snapshot(user)
        if user.role == Role.admin.value and role != Role.admin:
            _keep_an_admin(session, user)
        user.role = role.value
        session.flush()
        log_user(session, actor, user, before)
        return user_out(user)


def set_disabled(engine: Engine, actor: Actor | None, name: str, disabled: bool = True) -> UserOut:
    with unit_of_work(engine) as session:
        _may_manage(session, actor)
        user = _by_name(session, name)
        before = _snapshot(user)
        if disabled and user.role == Role.admin.value:
            _keep_an_admin(session, user)
        user.disabled = disabled
        session.flush()
        log_user(session, actor, user, before)
        return user_out(user)


def set_password(engine: Engine, actor: Actor | None, name: str, password: str) -> UserOut:
    """Set a password: admins for anyone, everyone else only for themselves."""
    hashed = hash_password(password)  # before the transaction, as in add_user
    with unit_of_work(engine) as session:
        if actor is not None:
            stored = stored_actor(session, actor)
            # Refused before the lookup: a reviewer learns nothing about other names.
            if " ".join(name.split()) != stored.name:
                require(stored, Action.manage_users)
        user = _by_name(session, name)
        before = _snapshot(user)
        user.password_hash = hashed
        user.failed_logins = 0
        user.locked_until = None
        session.flush()
        # A reset leaves the snapshot as it was (a password before and after): say it changed,
        # or the history would not show it at all. Never the hash itself.
        log_user(session, actor, user, before, after=_snapshot(user) | {"password_changed": True})
        return user_out(user)


def _may_manage(session: Session, actor: Actor | None) -> None:
    if actor is not None:
        require(stored_actor(session, actor), Action.manage_users)


def stored_actor(session: Session, actor: Actor) -> Actor:
    """``actor`` as the database has it now: a session may outlive a demotion or a disable."""
    user = session.get(User, actor.id)
    if user is None or user.disabled:
        raise PermissionDenied(f"the account {actor.name!r} is disabled or no longer exists")
    return actor_of(user)


def _by_name(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == " ".join(name.split())))
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def _keep_an_admin(session: Session, leaving: User) -> None:
    others = session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.admin.value,
            User.disabled.is_(False),
            User.password_hash.is_not(None),
            User.id != leaving.id,
        )
    )
    if leaving.password_hash is not None and not others:
        raise InvalidInput(f"{leaving.name} is the last admin who can log in; add another first")


def _snapshot(user: User) -> dict[str, object]:
    # What the history keeps of an account: never the hash, only whether one is set.
    return {
        "name": user.name,
        "role": user.role,
        "disabled": user.disabled,
        "has_password": user.password_hash is not None,
    }


def log_user(
    session: Session,
    actor: Actor | None,
    user: User,
    before: dict[str, object] | None,
    *,
    after: dict[str, object] | None = None,
) -> None:
    """One history entry for an account change (a create when there was no ``before``)."""
    record(
        session,
        actor_id=actor.id if actor else None,
        entity=Entity.user,
        entity_id=user.id,
        action=Change.create if before is None else Change.update,
        before=before,
        after=after if after is not None else _snapshot(user),
    )
