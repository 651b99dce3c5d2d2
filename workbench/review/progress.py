"""Per-reviewer progress for the admin: done, in progress, pace and time per decision.

Admins only (``Action.manage_users``): the figures are about people, how fast each one works,
which is the team lead's business and not other reviewers'.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy import Engine, func, select

from workbench.auth.policy import Action, authorize
from workbench.db import snapshots
from workbench.db.models import Lease, Review, User
from workbench.db.session import unit_of_work
from workbench.schemas import Actor, ReviewerProgress, Role
from workbench.storable import seconds_problem, time_problem

# Two decisions further apart than this (from one decision to the next claim being shown)
# are separated by a break: the time between them is not counted as work.
BREAK = timedelta(minutes=15)


@dataclass(frozen=True)
class Decided:
    """One reviewer's decisions summed up: what their figures need from the reviews."""

    done: int  # reviews with a verdict
    timed: int  # of those, with a decision time (the others say nothing about pace)
    active: timedelta
    median_seconds: float | None
    last: datetime | None


_STORED = TypeAdapter(dict[int, Decided])


def data_version(engine: Engine) -> str:
    """The version :func:`stored_decisions` takes (``workbench.db.snapshots.version``)."""
    return snapshots.version(engine)


SNAPSHOT_KEY = "progress:decisions"


def stored_decisions(engine: Engine, version: str) -> dict[int, Decided]:
    """:func:`decisions` as of ``version`` (``workbench.db.snapshots.version``, read by the
    caller before): the stored sums when they were computed at that version, else read again
    and stored, so a server just started does not read a million reviews to open the page."""
    stored = snapshots.load(engine, SNAPSHOT_KEY, version)
    if stored is not None:
        return _STORED.validate_json(stored)
    made = decisions(engine)
    snapshots.store(engine, SNAPSHOT_KEY, version, _STORED.dump_json(made))
    return made


def decisions(engine: Engine) -> dict[int, Decided]:
    """Per reviewer id, their decisions summed up: one read of every decided review.

    The part of the figures that grows with the reviews; it changes only when a review does
    (``stats.marks`` tells), so the Progress page reuses it between changes. No permission
    check here: the figures reach people through :func:`reviewer_progress` only.
    """
    done: dict[int, int] = defaultdict(int)
    timed: dict[int, list[tuple[datetime, float | None]]] = defaultdict(list)
    # Read-only: on SQLite a long read must not hold the write lock (every save would wait).
    with unit_of_work(engine, read_only=True) as session:
        rows = session.execute(
            select(Review.reviewer_id, Review.decided_at, Review.seconds_spent).where(
                Review.verdict.is_not(None)
            )
        )
        now = datetime.now(UTC)
        for reviewer_id, decided_at, seconds in rows:
            done[reviewer_id] += 1
            # Reviews imported or written before decision times were kept have no decided_at:
            # they count as done, but say nothing about pace. Nor do times no reviewer could
            # have produced, stored by a version that did not check its imports (a decision
            # in year 1, 1e308 seconds spent): they would end the page in an OverflowError.
            if decided_at is not None and time_problem(decided_at, now=now) is None:
                if seconds is not None and seconds_problem(seconds) is not None:
                    seconds = None
                timed[reviewer_id].append((decided_at, seconds))
    result: dict[int, Decided] = {}
    for reviewer_id, count in done.items():
        decided = timed[reviewer_id]
        spent = [s for _, s in decided if s is not None]
        result[reviewer_id] = Decided(
            done=count,
            timed=len(decided),
            active=active_time(decided),
            median_seconds=round(statistics.median(spent), 1) if spent else None,
            last=max((at for at, _ in decided), default=None),
        )
    return result


def reviewer_progress(
    engine: Engine,
    actor: Actor,
    *,
    now: datetime | None = None,
    decided: dict[int, Decided] | None = None,
) -> list[ReviewerProgress]:
    """Every reviewer's figures, the busiest first; accounts with nothing yet come last.

    *Active time* joins each decision's own span (shown → decided, from ``seconds_spent``)
    with the gaps between decisions shorter than :data:`BREAK`, so reading the source or
    searching between two claims counts, a lunch break does not. *Pace* is decisions per
    active hour. ``decided``: :func:`decisions` as read earlier, when the reviews have not
    changed since (the caller's business); the leases, the accounts and the caller's right to
    see the figures are read here every time.
    """
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_users)
        live = session.execute(
            select(Lease.user_id, func.count(Lease.id))
            .where(Lease.expires_at > now)
            .group_by(Lease.user_id)
        )
        leased = {user_id: count for user_id, count in live}
        users = session.scalars(select(User).order_by(User.name)).all()
    if decided is None:
        decided = decisions(engine)
    result = [
        _figures(user, decided.get(user.id), leased.get(user.id, 0))
        for user in users
        if user.id in decided or user.id in leased or user.role == Role.reviewer.value
    ]
    result.sort(key=lambda p: (-p.done, -p.in_progress, p.reviewer))
    return result


def _figures(user: User, decided: Decided | None, in_progress: int) -> ReviewerProgress:
    hours = decided.active.total_seconds() / 3600 if decided else 0.0
    return ReviewerProgress(
        reviewer=user.name,
        role=Role(user.role),
        disabled=user.disabled,
        done=decided.done if decided else 0,
        in_progress=in_progress,
        active_hours=round(hours, 3),
        pace_per_hour=round(decided.timed / hours, 1) if decided and hours > 0 else None,
        median_seconds=decided.median_seconds if decided else None,
        last_decision=decided.last if decided else None,
    )


def active_time(decided: list[tuple[datetime, float | None]]) -> timedelta:
    """The union of the decisions' spans, gaps shorter than :data:`BREAK` filled in."""
    spans = sorted((at - timedelta(seconds=seconds or 0.0), at) for at, seconds in decided)
    total = timedelta()
    current: tuple[datetime, datetime] | None = None
    for start, end in spans:
        if current is not None and start - current[1] <= BREAK:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            total += current[1] - current[0]
        current = (start, end)
    if current is not None:
        total += current[1] - current[0]
    return total
