"""Handing out claims to reviewers: k review slots per claim, leases that expire.

A claim has ``k`` review slots (the project setting ``reviews_per_claim``). A slot is taken by
a review with a verdict, or reserved by a live *lease*: the claim was handed to a reviewer
who has not decided yet. A lease expires after ``lease_minutes``, so an abandoned claim
returns to the pool without anybody cleaning up.

Two reviewers asking at the same moment must never get the same slot. On SQLite every
transaction begins IMMEDIATE (``workbench.db.session``), so read-count-then-lease runs one at
a time. On PostgreSQL (READ COMMITTED) the claim row is the lock that guards its slots: every
transaction that takes a slot (a lease here, a verdict in ``decisions.set_verdict``) locks
the claim row first and counts again under the lock.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Engine,
    Integer,
    ScalarSelect,
    Select,
    bindparam,
    delete,
    exists,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from workbench.auth.policy import Action, authorize
from workbench.db.models import Base, Claim, Lease, ProjectSetting, Review, User, UTCDateTime
from workbench.db.session import unit_of_work
from workbench.errors import SlotsFull
from workbench.projects.settings import ProjectSettings
from workbench.review import discussion, scope, stats
from workbench.schemas import Actor, ClaimStatus, Role

if TYPE_CHECKING:
    from workbench.review.saves import ClaimState

# How many candidates one call looks at before giving up: each one we pass was filled by
# someone else between our read and our lock, which takes a crowd far larger than a team.
MAX_CANDIDATES = 50


def next_claim(
    engine: Engine,
    actor: Actor,
    *,
    now: datetime | None = None,
    exclude: Collection[int] = (),
    project: int | str | None = None,
) -> int | None:
    """The claim ``actor`` should review next, leased to them; ``None`` when none is free.

    A live lease the actor already holds on an open claim they have not decided comes first
    (a reload must not hand out a second claim). Otherwise the first open claim, by score or
    in reading order as the project says, that the actor has not decided and whose verdicts
    plus others' live leases are below k. ``exclude`` lists claims not to offer (a skip).
    ``project`` (id or name): whose claims, settings and role; None: the only project, or
    the only one the actor belongs to.
    """
    now = now or datetime.now(UTC)
    excluded = list(exclude)
    with unit_of_work(engine) as session:
        stored, project_id = scope.account_in_project(session, actor, Action.review, project)
        user_id = stored.id
        params: dict[str, Any] = {"user_id": user_id, "now": now, "project_id": project_id}
        if excluded:
            params["exclude"] = excluded
        start = session.execute(_START[bool(excluded)], params).one()
        settings = _settings(start.k, start.lease_minutes, start.assignment_order)
        expires = now + timedelta(minutes=settings.lease_minutes)
        if start.expired:
            # Our own expired leases go now; others' are ignored by every count and removed
            # by their owner's next call (deleting them here could deadlock with that call).
            session.execute(_DROP_EXPIRED, params)
        if start.held is not None:
            session.execute(_RENEW, {"claim": start.held, "user": user_id, "expires": expires})
            return int(start.held)
        # A claim an admin sent back with a question comes back to its reviewer first.
        if start.asked is not None:
            return int(start.asked)

        tried = excluded
        lease = {"user": user_id, "at": now, "expires": expires}
        for _ in range(MAX_CANDIDATES):
            claim_id = _lock_candidate(session, user_id, project_id, settings, now, tried)
            if claim_id is None:
                return None
            # Counted again under the lock, in the INSERT itself: the candidate query ran
            # before the lock was ours, and a slot may have been taken in between.
            added = session.scalar(
                _LEASE_IF_FREE, {**lease, "claim": claim_id, "k": settings.reviews_per_claim}
            )
            if added is not None:
                return claim_id
            tried = [*tried, claim_id]
        return None


def lease_claim(
    engine: Engine, actor: Actor, claim_id: int, *, now: datetime | None = None
) -> bool:
    """Lease ``claim_id`` to ``actor`` if a slot is free for them (a link to the claim).

    A link opens the claim whoever holds it, but the lease follows the same rule as
    :func:`next_claim`: a slot is leased only while the claim's verdicts plus others' live
    leases are below k, so a link never takes a slot someone else was handed. True when the
    actor holds a live lease on it afterwards (renewed if they held one), or needs none (they
    have decided it); False when the claim is closed or its slots are all taken.
    """
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        user_id = reviewer_in(session, actor, claim_id).id
        settings = settings_in(session, scope.project_of_claim(session, claim_id))
        expires = now + timedelta(minutes=settings.lease_minutes)
        # The claim row is the lock that guards its slots (see the module docstring).
        status = session.scalar(select(Claim.status).where(Claim.id == claim_id).with_for_update())
        if status != ClaimStatus.open.value:
            return False
        decided = session.scalar(
            select(Review.id).where(
                Review.claim_id == claim_id,
                Review.reviewer_id == user_id,
                Review.verdict.is_not(None),
            )
        )
        if decided is not None:
            return True
        held = session.scalar(
            select(Lease).where(Lease.claim_id == claim_id, Lease.user_id == user_id)
        )
        if held is not None and held.expires_at > now:
            held.expires_at = expires
            return True
        if _taken(session, claim_id, user_id, now) >= settings.reviews_per_claim:
            return False
        if held is not None:  # our own expired lease: taken again, from now
            held.started_at, held.expires_at = now, expires
        else:
            session.add(
                Lease(claim_id=claim_id, user_id=user_id, started_at=now, expires_at=expires)
            )
        return True


def release(engine: Engine, actor: Actor, claim_id: int) -> None:
    """Give back ``actor``'s lease on a claim (a skip), so someone else can take the slot."""
    with unit_of_work(engine) as session:
        session.execute(delete(Lease).where(Lease.claim_id == claim_id, Lease.user_id == actor.id))


def purge_expired_leases(engine: Engine, *, now: datetime | None = None) -> int:
    """Delete every expired lease (housekeeping: they already count for nothing)."""
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        result = session.execute(delete(Lease).where(Lease.expires_at <= now))
        return int(getattr(result, "rowcount", 0) or 0)


def lease_of(engine: Engine, actor: Actor, claim_id: int) -> datetime | None:
    """When ``actor``'s lease on ``claim_id`` expires, if they hold one."""
    with unit_of_work(engine) as session:
        return session.scalar(
            select(Lease.expires_at).where(Lease.claim_id == claim_id, Lease.user_id == actor.id)
        )


# --- the verdict side: used by decisions.record_verdict inside its transaction -------------


@dataclass(frozen=True)
class Decision:
    """Whether a save changes the verdict, and when it was given and how long it took."""

    changed: bool
    decided_at: datetime | None
    seconds_spent: float | None


def take_slot(
    session: Session,
    state: ClaimState,
    reviewer: Actor,
    verdict: str | None,
    *,
    shown_at: datetime | None = None,
    now: datetime | None = None,
) -> Decision:
    """Check that ``reviewer`` may give a verdict on an open claim now, and end their lease.

    ``state`` is the claim as ``saves.read_claim`` read it after locking its row, before the
    review row is written: on PostgreSQL this and :func:`next_claim` count the claim's slots
    one at a time (locking after inserting the review would deadlock two reviewers, whose
    inserts each hold a key share lock on the claim). A reviewer without a live lease and
    without a verdict of their own may only decide while a slot is free: opening a claim from
    the queue directly must not make it over-assigned. Admins are not capped: they review
    beside the team.
    """
    now = now or datetime.now(UTC)
    previous = None if state.mine is None else state.mine.verdict
    changed = previous != verdict
    lease = state.lease
    if verdict is None:
        return Decision(changed=changed, decided_at=None, seconds_spent=None)
    live = lease is not None and lease.expires_at > now
    if previous is None and not live and reviewer.role != Role.admin:
        k = state.k
        if state.taken() >= k:
            raise SlotsFull(
                f"claim {state.claim_id} already has its {k} review{'s' if k > 1 else ''} "
                "(or they are taken by other reviewers); take the next claim instead"
            )
    started = shown_at or (lease.started_at if lease is not None else None)
    seconds = max(0.0, (now - started).total_seconds()) if started is not None else None
    if lease is not None:
        session.execute(_END_LEASE, {"lease_id": lease.id})
    return Decision(changed=changed, decided_at=now, seconds_spent=seconds)


# --- shared pieces -------------------------------------------------------------------------


def settings_in(session: Session, project_id: int | None = None) -> ProjectSettings:
    """A project's settings read inside an open transaction (None: the first project's, a
    database with one project).

    ``project.get_project_settings`` opens a transaction of its own; on SQLite, where every
    transaction holds the write lock, that second one would wait for ours and time out.
    """
    query = select(ProjectSetting).order_by(ProjectSetting.project_id.desc())
    if project_id is not None:
        query = query.where(ProjectSetting.project_id == project_id)
    stored = {row.key: row.value for row in session.scalars(query)}
    known: dict[str, Any] = {k: v for k, v in stored.items() if k in ProjectSettings.model_fields}
    return ProjectSettings.model_validate(known)


def account_in(session: Session, actor: Actor, claim_id: int | None = None) -> Actor:
    """The actor as stored now, allowed to review: one check per transaction (a role or an
    account can change mid-session), its answer kept in ``session.info`` for the
    transaction's later asks.

    ``claim_id``: the claim acted on; the role is then the actor's role in the claim's
    project (a non-member is refused), read with the account in one statement.
    """
    key = ("account", actor.id, claim_id)
    held = session.info.get(key)
    if isinstance(held, Actor):
        return held
    if claim_id is None:
        stored = authorize(session, actor, Action.review)
    else:
        stored = scope.account_for_claim(session, actor, Action.review, claim_id)
    session.info[key] = stored
    return stored


def account_and_lock(
    session: Session, actor: Actor, claim_id: int
) -> tuple[Actor, stats.Figures | None]:
    """:func:`account_in` for ``claim_id``, then ``stats.lock`` of it: one statement when the
    account is not yet checked in this transaction (``scope.lock_with_account``)."""
    key = ("account", actor.id, claim_id)
    if not isinstance(session.info.get(key), Actor):
        both = scope.lock_with_account(session, actor, Action.review, claim_id)
        if both is not None:
            session.info[key] = both[0]
            return both
    return account_in(session, actor, claim_id), stats.lock(session, claim_id)


def reviewer_in(session: Session, actor: Actor, claim_id: int | None = None) -> User:
    """The actor's account as stored now: a role or an account can change mid-session.

    Checked once per transaction (one service call): a save asks for it more than once (its
    review, the review's reviewer name), and each ask used to read the account again, as the
    session keeps only weak references to rows nobody holds. The row is held in
    ``session.info`` for the rest of the transaction, so later asks, and
    ``review.reviewer``, find it in the session without a statement. ``claim_id`` as for
    :func:`account_in`.
    """
    key = ("reviewer", actor.id, claim_id)
    held = session.info.get(key)
    if isinstance(held, User):
        return held
    user = session.get(User, actor.id)  # held here, so authorize's own read finds it
    stored = account_in(session, actor, claim_id)
    user = user if user is not None and user.id == stored.id else session.get_one(User, stored.id)
    session.info[key] = user
    return user


def _taken(session: Session, claim_id: int, user_id: int, now: datetime) -> int:
    """Slots of a claim taken by others: verdicts plus their live leases."""
    return session.scalar(_TAKEN, {"claim_id": claim_id, "user_id": user_id, "now": now}) or 0


# --- next_claim's statements ----------------------------------------------------------------
#
# Built once, with bound parameters: 20 reviewers queue for one process's CPU (issue 13),
# and building a statement per call (its clauses, then its cache key) cost more CPU than
# running it. Core tables, not ORM entities: the rows are read as values, nobody needs them
# as objects, and an ORM statement pays for the ORM's execution and loading on every call.

_CLAIMS = Base.metadata.tables[Claim.__tablename__]
_LEASES = Base.metadata.tables[Lease.__tablename__]
_REVIEWS = Base.metadata.tables[Review.__tablename__]
_SETTINGS = Base.metadata.tables[ProjectSetting.__tablename__]
_OPEN = ClaimStatus.open.value


def _decided(claim_id: ColumnElement[int]) -> ColumnElement[bool]:
    """Whether the user (``:user_id``) has a verdict on ``claim_id``."""
    reviews = _REVIEWS.c
    return exists().where(
        reviews.claim_id == claim_id,
        reviews.reviewer_id == bindparam("user_id"),
        reviews.verdict.is_not(None),
    )


def _others_leases(claim_id: ColumnElement[int]) -> ScalarSelect[int]:
    """Live leases on ``claim_id`` of other users than ``:user_id`` at ``:now``."""
    leases = _LEASES.c
    return (
        select(func.count(leases.id))
        .where(
            leases.claim_id == claim_id,
            leases.user_id != bindparam("user_id"),
            leases.expires_at > bindparam("now"),
        )
        .scalar_subquery()
    )


def _setting(key: str) -> ScalarSelect[Any]:
    return (
        select(_SETTINGS.c.value)
        .where(_SETTINGS.c.key == key, _SETTINGS.c.project_id == bindparam("project_id"))
        .scalar_subquery()
    )


def _start(excluding: bool) -> Select[Any]:
    """next_claim's first read, one row: the settings, the actor's live lease on an open
    claim they have not decided (``held``; driven from the actor's few leases by
    ix_leases_user_id: a join from claims would let the planner walk the open claims,
    30 ms at 100,000 claims on SQLite), the open claim with a question sent back to them
    (``asked``), and whether they have expired leases to delete."""
    leases, claims = _LEASES.c, _CLAIMS.c
    user: BindParameter[int] = bindparam("user_id")
    now: BindParameter[datetime] = bindparam("now")
    held = (
        select(leases.claim_id)
        .where(
            leases.user_id == user,
            leases.expires_at > now,
            exists().where(
                claims.id == leases.claim_id,
                claims.status == _OPEN,
                claims.project_id == bindparam("project_id"),
            ),
            ~_decided(leases.claim_id),
        )
        .order_by(leases.started_at, leases.id)
        .limit(1)
    )
    if excluding:
        held = held.where(leases.claim_id.not_in(bindparam("exclude", expanding=True)))
    expired = select(func.count()).where(leases.user_id == user, leases.expires_at <= now)
    return select(
        _setting("reviews_per_claim").label("k"),
        _setting("lease_minutes").label("lease_minutes"),
        _setting("assignment_order").label("assignment_order"),
        held.scalar_subquery().label("held"),
        discussion.question_first(user, excluding=excluding, project=True)
        .scalar_subquery()
        .label("asked"),
        expired.scalar_subquery().label("expired"),
    )


_START = {excluding: _start(excluding) for excluding in (False, True)}
_DROP_EXPIRED = delete(_LEASES).where(
    _LEASES.c.user_id == bindparam("user_id"), _LEASES.c.expires_at <= bindparam("now")
)
# (A parameter of an INSERT or UPDATE may not bear a column's name: "claim", "user".)
_RENEW = (
    update(_LEASES)
    .where(_LEASES.c.claim_id == bindparam("claim"), _LEASES.c.user_id == bindparam("user"))
    .values(expires_at=bindparam("expires"))
)
_END_LEASE = delete(_LEASES).where(_LEASES.c.id == bindparam("lease_id"))


def _taken_expression(claim: str, user: str, now: str) -> ColumnElement[int]:
    """Slots of a claim taken by others than a user: verdicts plus live leases (parameter
    names given, as an INSERT's may not be its columns')."""
    reviews, leases = _REVIEWS.c, _LEASES.c
    verdicts = (
        select(func.count(reviews.id))
        .where(
            reviews.claim_id == bindparam(claim),
            reviews.reviewer_id != bindparam(user),
            reviews.verdict.is_not(None),
        )
        .scalar_subquery()
    )
    live = (
        select(func.count(leases.id))
        .where(
            leases.claim_id == bindparam(claim),
            leases.user_id != bindparam(user),
            leases.expires_at > bindparam(now),
        )
        .scalar_subquery()
    )
    return verdicts + live


_TAKEN = select(_taken_expression("claim_id", "user_id", "now"))
# The lease, inserted only while a slot is free: the count and the insert in one statement,
# which runs after the claim's lock is ours (a new snapshot on PostgreSQL). RETURNING says
# whether a row went in (psycopg reports no row count for an INSERT ... SELECT).
_LEASE_IF_FREE = (
    insert(_LEASES)
    .from_select(
        ["claim_id", "user_id", "started_at", "expires_at"],
        select(
            bindparam("claim", type_=Integer),
            bindparam("user", type_=Integer),
            bindparam("at", type_=UTCDateTime()),
            bindparam("expires", type_=UTCDateTime()),
        ).where(_taken_expression("claim", "user", "at") < bindparam("k", type_=Integer)),
    )
    .returning(_LEASES.c.id)
)
_LOCK = select(_CLAIMS.c.id).where(_CLAIMS.c.id == bindparam("claim_id")).with_for_update()
_TRY_LOCK = (
    select(_CLAIMS.c.id)
    .where(_CLAIMS.c.id == bindparam("claim_id"))
    .with_for_update(skip_locked=True)
)


def _settings(k: Any, lease_minutes: Any, order: Any) -> ProjectSettings:
    """The settings from their stored values (None: not set), as ``settings_in`` reads them."""
    stored = {"reviews_per_claim": k, "lease_minutes": lease_minutes, "assignment_order": order}
    try:
        cached = _SETTINGS_SEEN.get((k, lease_minutes, order))
    except TypeError:  # a hand-edited value that is not hashable: validated below
        cached = None
    if cached is not None:
        return cached
    settings = ProjectSettings.model_validate(
        {key: value for key, value in stored.items() if value is not None}
    )
    with contextlib.suppress(TypeError):  # not hashable: not kept
        _SETTINGS_SEEN[(k, lease_minutes, order)] = settings
    return settings


# Validated settings by their stored values: a model validation per call costs more than
# the dictionary look-up, and the values rarely change (a new entry when they do).
_SETTINGS_SEEN: dict[tuple[Any, Any, Any], ProjectSettings] = {}


def _lock_candidate(
    session: Session,
    user_id: int,
    project_id: int,
    settings: ProjectSettings,
    now: datetime,
    tried: list[int],
) -> int | None:
    """The first free claim not in ``tried``, its row locked (PostgreSQL; SQLite is serial).

    A claim another reviewer is being given right now (its row locked) is passed over for the
    next free one; only when nothing else is free do we wait for it, since the other reviewer
    may leave a slot free.
    """
    # SQLite runs one write transaction at a time (BEGIN IMMEDIATE) and has no row locks:
    # the candidate is as good as locked, and a statement to say so would be CPU for nothing.
    serial = session.get_bind().dialect.name == "sqlite"
    busy: list[int] = []
    for _ in range(MAX_CANDIDATES):
        candidate = _first_free(session, user_id, project_id, settings, now, [*tried, *busy])
        if candidate is None:
            break
        if serial or session.scalar(_TRY_LOCK, {"claim_id": candidate}) is not None:
            return candidate
        busy.append(candidate)
    if busy:
        return session.scalar(_LOCK, {"claim_id": busy[0]})
    return None


def _first_free(
    session: Session,
    user_id: int,
    project_id: int,
    settings: ProjectSettings,
    now: datetime,
    excluded: list[int],
) -> int | None:
    """The first open claim, in the project's order, with a slot free for the user."""
    query = _free_query(
        settings.reviews_per_claim, settings.assignment_order == "score", bool(excluded)
    )
    params: dict[str, Any] = {"user_id": user_id, "now": now, "project_id": project_id}
    if excluded:
        params["exclude"] = excluded
    found: int | None = session.scalar(query, params)
    return found


@functools.cache
def _free_query(k: int, by_score: bool, excluding: bool) -> Select[Any]:
    """:func:`_first_free`'s statement, built once per k, order and exclusion.

    One index seek per number of verdicts below k (ix_claims_queue or ix_claims_assign_score:
    status, verdicts, then the order), in one statement (UNION ALL), the first of those k
    claims wins. Each seek stops at the first claim of its range the user has not decided
    and others' live leases leave a slot on, so the claims already fully reviewed are never
    walked, however many they are; what a seek passes over is the user's own claims still
    waiting for others, and claims leased to others right now.
    """
    claims = _CLAIMS.c
    order = (
        (claims.score.desc(), claims.id)
        if by_score
        else (claims.document_id, claims.char_start, claims.char_end)
    )
    seeks = []
    for verdicts in range(k):
        seek = select(
            claims.id, claims.score, claims.document_id, claims.char_start, claims.char_end
        ).where(
            claims.project_id == bindparam("project_id"),  # it leads both indexes
            claims.status == _OPEN,
            claims.verdicts == verdicts,
            _others_leases(claims.id) < k - verdicts,
        )
        if verdicts > 0:  # without a verdict the claim has none of ours either
            seek = seek.where(~_decided(claims.id))
        if excluding:
            seek = seek.where(claims.id.not_in(bindparam("exclude", expanding=True)))
        seeks.append(seek.order_by(*order).limit(1))
    if k == 1:
        return select(seeks[0].subquery().c.id)
    first = union_all(*(select(seek.subquery()) for seek in seeks)).subquery()
    found = first.c
    return (
        select(found.id)
        .order_by(
            *(
                (found.score.desc(), found.id)
                if by_score
                else (found.document_id, found.char_start, found.char_end)
            )
        )
        .limit(1)
    )
