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

from datetime import UTC, datetime, timedelta

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
            raise LoginFailed("wrong name or password")
        if user.locked_until is not None and user.locked_until > now:
            wait = int((user.locked_until - now).total_seconds()) + 1
            raise LoginFailed(f"too many failed logins for {user.name}: try again in {wait} s")
        if not verify_password(user.password_hash, password):
            user.failed_logins += 1
            extra = user.failed_logins - FREE_ATTEMPTS
            if extra >= 0:
                user.locked_until = now + min(FIRST_LOCK * 2**extra, MAX_LOCK)
            # The failure count must be stored even though the login fails: commit, then say so.
            failed = True
        else:
            failed = False
            user.failed_logins = 0
            user.locked_until = None
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            actor = actor_of(user)
    if failed:
        raise LoginFailed("wrong name or password")
    return actor


def add_user(
    engine: Engine,
    actor: Actor | None,
    name: str,
    role: Role,
    password: str | None = None,
) -> UserOut:
    """Create an account; without a password it exists (for history, imports) but can't log in."""
    _may_manage(actor)
    clean = user_name(name)
    hashed = hash_password(password) if password is not None else None
    with unit_of_work(engine) as session:
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
        record(
            session,
            actor_id=actor.id if actor else None,
            entity=Entity.user,
            entity_id=user.id,
            action=Change.create if before is None else Change.update,
            before=before,
            after=_snapshot(user),
        )
        return user_out(user)


def list_users(engine: Engine, actor: Actor | None) -> list[UserOut]:
    _may_manage(actor)
    with unit_of_work(engine) as session:
        return [user_out(u) for u in session.scalars(select(User).order_by(User.name))]


def set_role(engine: Engine, actor: Actor | None, name: str, role: Role) -> UserOut:
    _may_manage(actor)
    with unit_of_work(engine) as session:
        user = _by_name(session, name)
        before = _snapshot(user)
        if user.role == Role.admin.value and role != Role.admin:
            _keep_an_admin(session, user)
        user.role = role.value
        session.flush()
        record(
            session,
            actor_id=actor.id if actor else None,
            entity=Entity.user,
            entity_id=user.id,
            action=Change.update,
            before=before,
            after=_snapshot(user),
        )
        return user_out(user)


def set_disabled(engine: Engine, actor: Actor | None, name: str, disabled: bool = True) -> UserOut:
    _may_manage(actor)
    with unit_of_work(engine) as session:
        user = _by_name(session, name)
        before = _snapshot(user)
        if disabled and user.role == Role.admin.value:
            _keep_an_admin(session, user)
        user.disabled = disabled
        session.flush()
        record(
            session,
            actor_id=actor.id if actor else None,
            entity=Entity.user,
            entity_id=user.id,
            action=Change.update,
            before=before,
            after=_snapshot(user),
        )
        return user_out(user)


def set_password(engine: Engine, actor: Actor | None, name: str, password: str) -> UserOut:
    """Set a password: admins for anyone, everyone else only for themselves."""
    hashed = hash_password(password)
    with unit_of_work(engine) as session:
        user = _by_name(session, name)
        if actor is not None and actor.id != user.id:
            require(actor, Action.manage_users)
        before = _snapshot(user)
        user.password_hash = hashed
        user.failed_logins = 0
        user.locked_until = None
        session.flush()
        record(
            session,
            actor_id=actor.id if actor else None,
            entity=Entity.user,
            entity_id=user.id,
            action=Change.update,
            before=before,
            after=_snapshot(user),
        )
        return user_out(user)


def _may_manage(actor: Actor | None) -> None:
    if actor is not None:
        require(actor, Action.manage_users)


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
