"""Personal API tokens: the HTTP API's ``Authorization: Bearer`` secrets (issue 15).

The pattern of browser sessions (``auth/sessions.py``): 32 random bytes, shown once when the
token is made and stored only as their SHA-256 (a random secret needs no salt or slow hash;
whoever reads the table cannot present a token). A token acts as its account: each request
resolves it again (:func:`authenticate`), one short read, so a revoked or expired token, or
a disabled or removed account, is refused at its next request; and the services it calls
re-read the account's roles in the project they act on (``policy.authorize``). A token may be
limited to one project: the actor it resolves to carries that limit, which the permission
check enforces.

Who may make a token for whom: a site admin (and the command line, which holds the database)
for any account; an account for itself (:data:`Action.own_tokens`). The same for listing and
revoking.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import Engine, Row, select, update
from sqlalchemy.orm import Session

from workbench.auth.policy import Action, Caller, SystemActor, authorize
from workbench.auth.sessions import MAX_SECRET_CHARS, SECRET_BYTES, digest
from workbench.db.api_tables import ApiToken
from workbench.db.models import Project, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, PermissionDenied
from workbench.schemas import Actor, Role
from workbench.storable import unstorable

# last_used_at is written at most this often: a write per request would make every API call
# on SQLite wait for the write lock. "Last used" is then exact to within this much.
TOUCH_EVERY = timedelta(seconds=60)
# A prefix that says what the secret is (a scanner for leaked secrets can look for it).
PREFIX = "wbt_"
MAX_NAME_CHARS = 100
MAX_EXPIRES_DAYS = 3650


class TokenOut(BaseModel):
    """A token as ``workbench tokens list`` shows it: never the secret, nor its hash."""

    id: int
    user: str
    name: str
    project: str | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewToken:
    """A token just made: its row, and the secret, which exists nowhere else."""

    token: TokenOut
    secret: str


def create_token(
    engine: Engine,
    caller: Caller,
    user_name: str,
    name: str,
    *,
    expires_days: int | None = None,
    project: str | None = None,
    now: datetime | None = None,
) -> NewToken:
    """A new token for the account ``user_name`` (limited to ``project`` if named)."""
    now = now or datetime.now(UTC)
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"a token's name is 1 to {MAX_NAME_CHARS} characters")
    problem = unstorable(name)
    if problem is not None:
        raise InvalidInput(f"the token's name {problem}")
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRES_DAYS:
        raise InvalidInput(f"--expires-days must be 1 to {MAX_EXPIRES_DAYS} (or left out)")
    secret = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
    with unit_of_work(engine) as session:
        user = _user_named(session, user_name)
        _authorize_for(session, caller, user.id)
        if user.disabled:
            raise InvalidInput(f"the account {user.name!r} is disabled; enable it first")
        project_row = None
        if project is not None:
            project_row = session.scalar(select(Project).where(Project.name == project))
            if project_row is None:
                raise NotFound(f"no project named {project!r}; see `workbench projects list`")
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=digest(secret),
            project_id=None if project_row is None else project_row.id,
            created_at=now,
            expires_at=None if expires_days is None else now + timedelta(days=expires_days),
        )
        session.add(row)
        session.flush()
        return NewToken(_out(row, user.name, project), secret)


def list_tokens(engine: Engine, caller: Caller) -> list[TokenOut]:
    """Every token (for a site admin or the command line), or the caller's own."""
    with unit_of_work(engine, read_only=True) as session:
        query = (
            select(ApiToken, User.name, Project.name)
            .join(User, User.id == ApiToken.user_id)
            .outerjoin(Project, Project.id == ApiToken.project_id)
            .order_by(ApiToken.id)
        )
        if not _sees_all(session, caller):
            assert isinstance(caller, Actor)
            query = query.where(ApiToken.user_id == caller.id)
        return [_out(row, user, project) for row, user, project in session.execute(query)]


def revoke_token(
    engine: Engine, caller: Caller, token_id: int, *, now: datetime | None = None
) -> TokenOut:
    """Revoke a token: it opens nothing from its next request on. Revoking twice is a no-op."""
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        found = session.execute(
            select(ApiToken, User.name, Project.name)
            .join(User, User.id == ApiToken.user_id)
            .outerjoin(Project, Project.id == ApiToken.project_id)
            .where(ApiToken.id == token_id)
        ).first()
        # Someone else's token is "no such token" to a caller who may not manage it.
        if found is None or not _may_manage(session, caller, found[0].user_id):
            raise NotFound(f"no token {token_id}; see `workbench tokens list`")
        row, user, project = found
        if row.revoked_at is None:
            row.revoked_at = now
        return _out(row, user, project)


def authenticate(engine: Engine, secret: str, *, now: datetime | None = None) -> Actor | None:
    """The actor a presented token acts as, or None: unknown, revoked or expired token, or a
    disabled or removed account. One read; ``last_used_at`` written at most once a
    :data:`TOUCH_EVERY`."""
    if not (0 < len(secret) <= MAX_SECRET_CHARS and secret.isascii()):
        return None
    now = now or datetime.now(UTC)
    found = _find(engine, digest(secret))
    if found is None:
        return None
    token_id, project_id, revoked_at, expires_at, last_used_at, user_id, name, role, disabled = (
        found
    )
    if revoked_at is not None or (expires_at is not None and expires_at <= now) or disabled:
        return None
    actor = Actor(id=user_id, name=name, role=Role(role), limited_to=project_id)
    stale = last_used_at is None or now - last_used_at >= TOUCH_EVERY
    if stale:
        with unit_of_work(engine) as session:
            # Conditional: of many requests at once, one writes (and none if it changed).
            session.execute(
                update(ApiToken)
                .where(ApiToken.id == token_id)
                .where(
                    (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - TOUCH_EVERY)
                )
                .values(last_used_at=now)
                .execution_options(synchronize_session=False)
            )
    return actor


# What a request's token check reads: columns, not ORM objects (the whole check ran ~1/3 of
# a verdict's save in CPU with the token and the account loaded as entities).
_FIND = select(
    ApiToken.id,
    ApiToken.project_id,
    ApiToken.revoked_at,
    ApiToken.expires_at,
    ApiToken.last_used_at,
    User.id,
    User.name,
    User.role,
    User.disabled,
).join(User, User.id == ApiToken.user_id)


# (token id, its project, revoked, expires, last used; account id, name, role, disabled)
_Found = Row[
    int, int | None, datetime | None, datetime | None, datetime | None, int, str, str, bool
]


def _find(engine: Engine, hashed: str) -> _Found | None:
    query = _FIND.where(ApiToken.token_hash == hashed)
    if engine.dialect.name == "postgresql":
        # One read alone needs no transaction around it: autocommit spares the BEGIN and
        # the COMMIT, two of the check's three round trips to the server.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return connection.execute(query).first()
    # SQLite: a deferred (read-only) transaction, so the check never takes the write lock.
    with unit_of_work(engine, read_only=True) as session:
        return session.execute(query).first()


def _user_named(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(f"no account named {name!r}; see `workbench users list`")
    return user


def _sees_all(session: Session, caller: Caller) -> bool:
    if isinstance(caller, SystemActor):
        return True
    authorize(session, caller, Action.own_tokens)  # the account still exists and is enabled
    try:
        authorize(session, caller, Action.manage_users)
    except PermissionDenied:
        return False
    return True


def _may_manage(session: Session, caller: Caller, user_id: int) -> bool:
    return _sees_all(session, caller) or (isinstance(caller, Actor) and caller.id == user_id)


def _authorize_for(session: Session, caller: Caller, user_id: int) -> None:
    """A site admin (or the command line) for anyone; an account for itself only."""
    if isinstance(caller, Actor) and caller.id == user_id:
        authorize(session, caller, Action.own_tokens)
    else:
        authorize(session, caller, Action.manage_users)


def _out(row: ApiToken, user: str, project: str | None) -> TokenOut:
    return TokenOut(
        id=row.id,
        user=user,
        name=row.name,
        project=project,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )
