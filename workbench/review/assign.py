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

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, ScalarSelect, delete, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from workbench.auth.policy import Action, authorize
from workbench.db.models import Claim, Lease, ProjectSetting, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput
from workbench.project import ProjectSettings
from workbench.review import discussion
from workbench.schemas import Actor, ClaimStatus, Role, Verdict

# How many candidates one call looks at before giving up: each one we pass was filled by
# someone else between our read and our lock, which takes a crowd far larger than a team.
MAX_CANDIDATES = 50


def next_claim(
    engine: Engine,
    actor: Actor,
    *,
    now: datetime | None = None,
    exclude: Collection[int] = (),
) -> int | None:
    """The claim ``actor`` should review next, leased to them; ``None`` when none is free.

    A live lease the actor already holds on an open claim they have not decided comes first
    (a reload must not hand out a second claim). Otherwise the first open claim, by score or
    in reading order as the project says, that the actor has not decided and whose verdicts
    plus others' live leases are below k. ``exclude`` lists claims not to offer (a skip).
    """
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        user_id = reviewer_in(session, actor).id
        settings = settings_in(session)
        expires = now + timedelta(minutes=settings.lease_minutes)
        # Our own expired leases go now; others' are ignored by every count and removed by
        # their owner's next call (deleting them here could deadlock with that call).
        session.execute(delete(Lease).where(Lease.user_id == user_id, Lease.expires_at <= now))

        # Driven from the actor's few leases (ix_leases_user_id); a join from claims would
        # let the planner walk the open claims instead (30 ms at 100,000 claims on SQLite).
        mine = (
            select(Lease)
            .where(
                Lease.user_id == user_id,
                exists().where(Claim.id == Lease.claim_id, Claim.status == ClaimStatus.open.value),
                ~_decided_by(user_id, Lease.claim_id),
            )
            .order_by(Lease.started_at, Lease.id)
            .limit(1)
        )
        if exclude:
            mine = mine.where(Lease.claim_id.not_in(list(exclude)))
        held = session.scalar(mine)
        if held is not None:
            held.expires_at = expires
            return held.claim_id
        # A claim an admin sent back with a question comes back to its reviewer first.
        asked = discussion.next_question_claim(session, user_id, exclude)
        if asked is not None:
            return asked

        tried = list(exclude)
        for _ in range(MAX_CANDIDATES):
            claim_id = _lock_candidate(session, user_id, settings, now, tried)
            if claim_id is None:
                return None
            # Counted again under the lock: the candidate query ran before the lock was ours,
            # and a slot may have been taken in between.
            if _taken(session, claim_id, user_id, now) < settings.reviews_per_claim:
                session.add(
                    Lease(claim_id=claim_id, user_id=user_id, started_at=now, expires_at=expires)
                )
                return claim_id
            tried.append(claim_id)
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
        user_id = reviewer_in(session, actor).id
        settings = settings_in(session)
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


# --- the verdict side: used by decisions.set_verdict inside its transaction ----------------


@dataclass(frozen=True)
class Decision:
    """When a verdict was given and how long it took; applied to the review once it exists."""

    changed: bool
    decided_at: datetime | None
    seconds_spent: float | None
    # What take_slot read under the claim's lock, so the save does not read them again: the
    # claim's status (None: no such claim) and the actor's review of it (None: none yet, or
    # the claim is not open and it was not looked for).
    claim_status: str | None = None
    review: Review | None = None

    def stamp(self, review: Review) -> None:
        # Saving the same verdict again is not a new decision: keep the first one's timing
        # (and the version, which any column change would bump).
        if self.changed:
            review.decided_at = self.decided_at
            review.seconds_spent = self.seconds_spent


def take_slot(
    session: Session,
    claim_id: int,
    actor: Actor,
    verdict: Verdict | None,
    *,
    shown_at: datetime | None = None,
    now: datetime | None = None,
) -> Decision:
    """Check that ``actor`` may give a verdict on ``claim_id`` now, and end their lease.

    Call before the review row is written: the claim row is locked first so that, on
    PostgreSQL, this and :func:`next_claim` count the claim's slots one at a time (locking
    after inserting the review would deadlock two reviewers, whose inserts each hold a key
    share lock on the claim). A reviewer without a live lease and without a verdict of their
    own may only decide while a slot is free: opening a claim from the queue directly must
    not make it over-assigned. Admins are not capped: they review beside the team.
    """
    now = now or datetime.now(UTC)
    status = session.scalar(select(Claim.status).where(Claim.id == claim_id).with_for_update())
    if status != ClaimStatus.open.value:
        # Not ours to explain: the caller's own checks say the claim is missing or closed.
        return Decision(changed=False, decided_at=None, seconds_spent=None, claim_status=status)
    user = reviewer_in(session, actor)
    # The whole row (one read for the save: decisions._own_review takes it from here).
    review = session.scalar(
        select(Review).where(Review.claim_id == claim_id, Review.reviewer_id == user.id)
    )
    previous = None if review is None else review.verdict
    new = verdict.value if verdict else None
    changed = previous != new
    lease = session.scalar(
        select(Lease).where(Lease.claim_id == claim_id, Lease.user_id == user.id)
    )
    if verdict is None:
        return Decision(
            changed=changed,
            decided_at=None,
            seconds_spent=None,
            claim_status=status,
            review=review,
        )

    live = lease is not None and lease.expires_at > now
    if previous is None and not live and user.role != Role.admin.value:
        k = settings_in(session).reviews_per_claim
        if _taken(session, claim_id, user.id, now) >= k:
            raise InvalidInput(
                f"claim {claim_id} already has its {k} review{'s' if k > 1 else ''} "
                "(or they are taken by other reviewers); take the next claim instead"
            )
    started = shown_at or (lease.started_at if lease is not None else None)
    seconds = max(0.0, (now - started).total_seconds()) if started is not None else None
    if lease is not None:
        session.delete(lease)
    return Decision(
        changed=changed,
        decided_at=now,
        seconds_spent=seconds,
        claim_status=status,
        review=review,
    )


# --- shared pieces -------------------------------------------------------------------------


def settings_in(session: Session) -> ProjectSettings:
    """The project settings read inside an open transaction.

    ``project.get_project_settings`` opens a transaction of its own; on SQLite, where every
    transaction holds the write lock, that second one would wait for ours and time out.
    """
    stored = {row.key: row.value for row in session.scalars(select(ProjectSetting))}
    known: dict[str, Any] = {k: v for k, v in stored.items() if k in ProjectSettings.model_fields}
    return ProjectSettings.model_validate(known)


def reviewer_in(session: Session, actor: Actor) -> User:
    """The actor's account as stored now: a role or an account can change mid-session.

    Checked once per transaction (one service call): a verdict's save asks for it three
    times (its slot, its review, the review's reviewer name), and each ask used to read the
    account again, as the session keeps only weak references to rows nobody holds. The row
    is held in ``session.info`` for the rest of the transaction, so later asks, and
    ``review.reviewer``, find it in the session without a statement.
    """
    key = ("reviewer", actor.id)
    held = session.info.get(key)
    if isinstance(held, User):
        return held
    user = session.get(User, actor.id)  # held here, so authorize's own read finds it
    stored = authorize(session, actor, Action.review)
    user = user if user is not None and user.id == stored.id else session.get_one(User, stored.id)
    session.info[key] = user
    return user


def _decided_by(
    user_id: int, claim_id: InstrumentedAttribute[int] | None = None
) -> ColumnElement[bool]:
    """Whether the user has a verdict on the claim (``claims.id`` unless another column)."""
    return exists().where(
        Review.claim_id == (Claim.id if claim_id is None else claim_id),
        Review.reviewer_id == user_id,
        Review.verdict.is_not(None),
    )


def _others_leases(user_id: int, now: datetime) -> ScalarSelect[int]:
    return (
        select(func.count(Lease.id))
        .where(Lease.claim_id == Claim.id, Lease.user_id != user_id, Lease.expires_at > now)
        .correlate(Claim)
        .scalar_subquery()
    )


def _taken(session: Session, claim_id: int, user_id: int, now: datetime) -> int:
    """Slots of a claim taken by others: verdicts plus their live leases."""
    # One statement for both counts: each round trip costs CPU a busy team shares.
    verdicts = (
        select(func.count(Review.id))
        .where(
            Review.claim_id == claim_id,
            Review.reviewer_id != user_id,
            Review.verdict.is_not(None),
        )
        .scalar_subquery()
    )
    leases = (
        select(func.count(Lease.id))
        .where(Lease.claim_id == claim_id, Lease.user_id != user_id, Lease.expires_at > now)
        .scalar_subquery()
    )
    return session.scalar(select(verdicts + leases)) or 0


def _lock_candidate(
    session: Session, user_id: int, settings: ProjectSettings, now: datetime, tried: list[int]
) -> int | None:
    """The first free claim not in ``tried``, its row locked (PostgreSQL; SQLite is serial).

    A claim another reviewer is being given right now (its row locked) is passed over for the
    next free one; only when nothing else is free do we wait for it, since the other reviewer
    may leave a slot free.
    """
    busy: list[int] = []
    for _ in range(MAX_CANDIDATES):
        candidate = _first_free(session, user_id, settings, now, [*tried, *busy])
        if candidate is None:
            break
        lock = select(Claim.id).where(Claim.id == candidate).with_for_update(skip_locked=True)
        if session.scalar(lock) is not None:
            return candidate
        busy.append(candidate)
    if busy:
        return session.scalar(select(Claim.id).where(Claim.id == busy[0]).with_for_update())
    return None


def _first_free(
    session: Session,
    user_id: int,
    settings: ProjectSettings,
    now: datetime,
    excluded: list[int],
) -> int | None:
    """The first open claim, in the project's order, with a slot free for the user.

    One index seek per number of verdicts below k (ix_claims_queue or ix_claims_assign_score:
    status, verdicts, then the order), the first of those k claims wins. Each seek stops at
    the first claim of its range the user has not decided and others' live leases leave a
    slot on, so the claims already fully reviewed are never walked, however many they are;
    what a seek passes over is the user's own claims still waiting for others, and claims
    leased to others right now.
    """
    k = settings.reviews_per_claim
    by_score = settings.assignment_order == "score"
    order: tuple[Any, ...] = (
        (Claim.score.desc(), Claim.id)
        if by_score
        else (Claim.document_id, Claim.char_start, Claim.char_end)
    )
    found: list[tuple[tuple[Any, ...], int]] = []
    for verdicts in range(k):
        query = select(Claim.id, Claim.score, Claim.document_id, Claim.char_start, Claim.char_end)
        query = query.where(
            Claim.status == ClaimStatus.open.value,
            Claim.verdicts == verdicts,
            _others_leases(user_id, now) < k - verdicts,
        )
        if verdicts > 0:  # without a verdict the claim has none of ours either
            query = query.where(~_decided_by(user_id))
        if excluded:
            query = query.where(Claim.id.not_in(excluded))
        row = session.execute(query.order_by(*order).limit(1)).first()
        if row is not None:
            claim_id, score, document_id, char_start, char_end = row
            key = (-score, claim_id) if by_score else (document_id, char_start, char_end)
            found.append((key, claim_id))
    return min(found)[1] if found else None
