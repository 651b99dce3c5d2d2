"""Accounts: creating them, logging in, and who the actor is in single-user mode.

Two modes, decided by the data, not by a flag:

* **single-user mode** while no account has a password (``workbench demo``, a laptop): the app
  asks for a name, and that name acts as an admin of its own file;
* **team mode** once any account has a password or an e-mail for single sign-on: the app
  asks everyone to log in, and each role may do only what :mod:`workbench.auth.policy` allows.
  (An e-mail counts: a workbench whose accounts sign in only through the organisation's
  identity provider must not fall back to "type any name and act as an admin".)

Functions that manage accounts take the command line as :data:`~workbench.auth.policy.SYSTEM`:
whoever can run ``workbench`` against the database already holds the database itself.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Engine, case, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.auth.memberships import join_sole_project
from workbench.auth.passwords import hash_password, needs_rehash, verify_password
from workbench.auth.policy import Action, Caller, actor_of, authorize
from workbench.auth.sessions import end_all
from workbench.auth.team import in_team_mode, may_sign_in
from workbench.auth.throttle import (
    CLIENTS,
    FREE_ATTEMPTS,
    MAX_PAUSE,
    ClientThrottle,
    pause_after,
)
from workbench.db.models import User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, LoginFailed, NotFound, PermissionDenied
from workbench.schemas import Actor, Role, UserOut

MAX_NAME_CHARS = 100
MAX_EMAIL_CHARS = 254  # the longest address SMTP can carry (RFC 5321 with its errata)
# Every failed sign-in gets these words, whatever failed: see login().
SIGN_IN_FAILED = "wrong name or password, or too many attempts: wait a minute and try again"


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


def email_address(raw: str) -> str:
    """An e-mail address as stored and compared: trimmed, lower case, one ``@`` between a
    non-empty local part and a domain with a dot, no spaces or control characters.

    Lower case because identity providers differ in how they spell an address the admin typed
    (``Ana@Example.org``, ``ana@example.org``); no one hands out mailboxes that differ only
    in case. Not a full RFC 5322 check: the provider vouches that the address is its user's,
    this only stops a typo from being stored.
    """
    address = raw.strip().lower()
    local, at, domain = address.partition("@")
    if (
        not at
        or not local
        or "@" in domain
        or "." not in domain.strip(".")
        or len(address) > MAX_EMAIL_CHARS
        or not address.isprintable()
        or any(c.isspace() for c in address)
    ):
        raise InvalidInput(f"not an e-mail address: {raw!r}")
    return address


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        name=user.name,
        role=Role(user.role),
        disabled=user.disabled,
        # A password, or an e-mail single sign-on maps to this account.
        can_log_in=may_sign_in(user) and not user.disabled,
        created_at=user.created_at,
        email=user.email,
    )


def team_mode(engine: Engine) -> bool:
    """True once any account has a password: from then on everyone logs in."""
    with unit_of_work(engine) as session:
        return _team_mode(session)


def _team_mode(session: Session) -> bool:
    return in_team_mode(session)


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


def login(
    engine: Engine,
    name: str,
    password: str,
    *,
    client: str | None = None,
    now: datetime | None = None,
    clients: ClientThrottle = CLIENTS,
) -> Actor:
    """The actor for a correct name and password; :class:`LoginFailed` otherwise.

    Every failure, whatever its cause (an unknown name, a wrong password, a disabled account,
    an account or a client over its budget), raises :data:`SIGN_IN_FAILED`'s words: the
    answer does not tell a stranger which names exist or which accounts are paused.

    ``client`` names where the attempt comes from (the app passes the browser's address, or
    its session); attempts with a client also count against that client's budget (see
    :mod:`workbench.auth.throttle`). The guess is reserved against both budgets before the
    password hash is checked: parallel attempts cannot check more guesses than the budget.
    """
    now = now or datetime.now(UTC)
    if client is not None and not clients.reserve(client, now):
        # Refused before any lookup: says nothing about the name, so it need not look slow.
        raise LoginFailed(SIGN_IN_FAILED)
    clean = " ".join(name.split())
    stored_hash = _reserve_guess(engine, clean, now)
    # Verified between two transactions: argon2 is slow by design, and on SQLite every
    # transaction holds the write lock, so one login would stall every reviewer's save.
    if stored_hash is None:
        # The same work as for a real account, so timing does not tell which names exist,
        # nor which accounts are paused.
        verify_password(_decoy_hash(), password)
        raise LoginFailed(SIGN_IN_FAILED)
    user_id, hashed = stored_hash
    if not verify_password(hashed, password):
        # The guess was counted when it was reserved: nothing more to store.
        raise LoginFailed(SIGN_IN_FAILED)
    rehashed = hash_password(password) if needs_rehash(hashed) else None
    with unit_of_work(engine) as session:
        user = session.get(User, user_id)
        if user is None or user.disabled or user.password_hash != hashed:
            # Disabled or given a new password meanwhile: the old one is void.
            raise LoginFailed(SIGN_IN_FAILED)
        user.failed_logins = 0
        user.locked_until = None
        if rehashed is not None:
            user.password_hash = rehashed
        actor = actor_of(user)
    if client is not None:
        clients.succeeded(client)
    return actor


def _reserve_guess(engine: Engine, name: str, now: datetime) -> tuple[int, str] | None:
    """(id, hash) of the account ``name`` if one more guess at it may be checked now.

    The reservation is one conditional UPDATE, committed before the caller checks the hash:
    it counts the guess as a failure and sets the pause that failure earns, but only while
    the account is not paused already. Concurrent callers queue on the row's lock (SQLite's
    write lock, PostgreSQL's row lock, which re-reads the WHERE clause once the first
    commits), so at most ``FREE_ATTEMPTS`` of them ever match, however many arrive at once.
    A correct password then resets the count (:func:`login`). None for an unknown name,
    an account without a password or disabled, and an account paused now.
    """
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.name == name))
        if user is None or user.password_hash is None or user.disabled:
            return None
        user_id, hashed = user.id, user.password_hash
        count = User.failed_logins + 1
        # The pause each new count earns, as bound values (SQL has no portable way to add
        # an interval to a timestamp): the count grows by one, so a short CASE covers it.
        steps = _pause_steps()
        pause = case(
            *[
                (count == failures, literal(now + step, User.locked_until.type))
                for failures, step in steps
            ],
            else_=literal(now + MAX_PAUSE, User.locked_until.type),
        )
        reserved = session.scalar(
            update(User)
            .where(
                User.id == user_id,
                User.password_hash == hashed,  # a new password starts a new count
                User.disabled.is_(False),
                or_(User.locked_until.is_(None), User.locked_until <= now),
            )
            .values(
                failed_logins=count,
                locked_until=case((count < FREE_ATTEMPTS, None), else_=pause),
            )
            .returning(User.id)
            .execution_options(synchronize_session=False)
        )
        if reserved is None:
            return None
    return user_id, hashed


@cache
def _pause_steps() -> tuple[tuple[int, timedelta], ...]:
    # (failures, pause) from the first pause up to the first count that reaches the cap.
    steps = []
    failures = FREE_ATTEMPTS
    while (pause := pause_after(failures)) < MAX_PAUSE:
        steps.append((failures, pause))
        failures += 1
    return tuple(steps)


def unlock(engine: Engine, actor: Caller, name: str) -> UserOut:
    """End an account's sign-in pause and forget its failed attempts (admins, the CLI)."""
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_users)
        user = _by_name(session, name)
        before = _snapshot(user)
        user.failed_logins = 0
        user.locked_until = None
        session.flush()
        # The snapshot has no count in it: say what happened, or the history would not show it.
        log_user(session, actor, user, before, after=_snapshot(user) | {"unlocked": True})
        return user_out(user)


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


def add_user(
    engine: Engine,
    actor: Caller,
    name: str,
    role: Role,
    password: str | None = None,
    *,
    email: str | None = None,
) -> UserOut:
    """Create an account; without a password it exists (for history, imports) but can't log in
    with one. ``email``: the address single sign-on maps to it (unique among accounts)."""
    clean = user_name(name)
    address = email_address(email) if email is not None else None
    # Hashed before the transaction, which on SQLite holds the write lock: hashing is slow.
    hashed = hash_password(password) if password is not None else None
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_users)
        user = session.scalar(select(User).where(User.name == clean))
        if user is not None and (
            user.password_hash is not None or (hashed is None and address is None)
        ):
            raise InvalidInput(f"a user named {clean!r} already exists")
        if address is not None:
            _email_is_free(session, address, user.id if user is not None else None)
        if user is None:
            user = User(name=clean, role=role.value, password_hash=hashed, email=address)
            session.add(user)
            try:
                session.flush()
            except IntegrityError:
                # Another admin added the same name (or e-mail) between our check and insert.
                taken = "" if address is None else f", or the e-mail {address} is taken"
                raise InvalidInput(f"a user named {clean!r} already exists{taken}") from None
            join_sole_project(session, actor.id, user, role)
            before = None
        else:
            # A name known from single-user reviews or an import becomes a real account.
            before = _snapshot(user)
            user.role = role.value
            user.password_hash = hashed
            if address is not None:
                user.email = address
            join_sole_project(session, actor.id, user, role)
            end_all(session, user.id)  # the name's single-user sessions sign in no one now
            session.flush()
        log_user(session, actor, user, before)
        return user_out(user)


def list_users(engine: Engine, actor: Caller) -> list[UserOut]:
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_users)
        return [user_out(u) for u in session.scalars(select(User).order_by(User.name))]


def set_role(engine: Engine, actor: Caller, name: str, role: Role) -> UserOut:
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_users)
        user = _by_name(session, name)
        before = _snapshot(user)
        if user.role == Role.admin.value and role != Role.admin:
            _keep_an_admin(session, user)
        user.role = role.value
        join_sole_project(session, actor.id, user, role)
        session.flush()
        log_user(session, actor, user, before)
        return user_out(user)


def set_disabled(engine: Engine, actor: Caller, name: str, disabled: bool = True) -> UserOut:
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_users)
        user = _by_name(session, name)
        before = _snapshot(user)
        if disabled and user.role == Role.admin.value:
            _keep_an_admin(session, user)
        user.disabled = disabled
        if disabled:
            end_all(session, user.id)  # signed out everywhere, in this transaction
        session.flush()
        log_user(session, actor, user, before)
        return user_out(user)


def set_password(engine: Engine, actor: Caller, name: str, password: str) -> UserOut:
    """Set a password: admins for anyone, everyone else only for themselves."""
    hashed = hash_password(password)  # before the transaction, as in add_user
    with unit_of_work(engine) as session:
        _may_set_password(session, actor, name)
        user = _by_name(session, name)
        before = _snapshot(user)
        user.password_hash = hashed
        user.failed_logins = 0
        user.locked_until = None
        # A new password (one's own, or an admin's reset) ends every sign-in with the old
        # one: whoever knew it is signed out too. The one changing their own signs in again.
        end_all(session, user.id)
        session.flush()
        # A reset leaves the snapshot as it was (a password before and after): say it changed,
        # or the history would not show it at all. Never the hash itself.
        log_user(session, actor, user, before, after=_snapshot(user) | {"password_changed": True})
        return user_out(user)


def set_email(engine: Engine, actor: Caller, name: str, email: str | None) -> UserOut:
    """Give an account the e-mail single sign-on maps to it (None: take it away). Admins."""
    address = email_address(email) if email is not None else None
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_users)
        user = _by_name(session, name)
        if address is not None:
            _email_is_free(session, address, user.id)
        before = _snapshot(user)
        user.email = address
        session.flush()
        log_user(session, actor, user, before)
        return user_out(user)


def _email_is_free(session: Session, address: str, owner_id: int | None) -> None:
    # Checked here for a sentence naming the holder; the unique index still guards the race.
    holder = session.scalar(select(User).where(User.email == address))
    if holder is not None and holder.id != owner_id:
        raise InvalidInput(f"{address} is already the e-mail of {holder.name}")


def _may_set_password(session: Session, actor: Caller, name: str) -> None:
    # Refused before the lookup: a reviewer learns nothing about other names.
    if isinstance(actor, Actor):
        own = authorize(session, actor, Action.change_own_password)
        if " ".join(name.split()) == own.name:
            return
    authorize(session, actor, Action.manage_users)


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
            or_(User.password_hash.is_not(None), User.email.is_not(None)),
            User.id != leaving.id,
        )
    )
    if (leaving.password_hash is not None or leaving.email is not None) and not others:
        raise InvalidInput(f"{leaving.name} is the last admin who can log in; add another first")


def _snapshot(user: User) -> dict[str, object]:
    # What the history keeps of an account: never the hash, only whether one is set.
    return {
        "name": user.name,
        "role": user.role,
        "disabled": user.disabled,
        "has_password": user.password_hash is not None,
    } | ({"email": user.email} if user.email is not None else {})  # only accounts that have one


def log_user(
    session: Session,
    actor: Caller,
    user: User,
    before: dict[str, object] | None,
    *,
    after: dict[str, object] | None = None,
) -> None:
    """One history entry for an account change (a create when there was no ``before``)."""
    record(
        session,
        actor_id=actor.id,
        entity=Entity.user,
        entity_id=user.id,
        action=Change.create if before is None else Change.update,
        before=before,
        after=after if after is not None else _snapshot(user),
    )
