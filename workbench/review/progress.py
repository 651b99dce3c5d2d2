"""Per-reviewer progress for the admin: done, in progress, pace and time per decision.

Admins only (``Action.manage_users``): the figures are about people, how fast each one works,
which is the team lead's business and not other reviewers'.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from workbench.auth.accounts import actor_of
from workbench.auth.permissions import Action, require
from workbench.db.models import Lease, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import PermissionDenied
from workbench.schemas import Actor, ReviewerProgress, Role

# Two decisions further apart than this (from one decision to the next claim being shown)
# are separated by a break: the time between them is not counted as work.
BREAK = timedelta(minutes=15)


def reviewer_progress(
    engine: Engine, actor: Actor, *, now: datetime | None = None
) -> list[ReviewerProgress]:
    """Every reviewer's figures, the busiest first; accounts with nothing yet come last.

    *Active time* joins each decision's own span (shown → decided, from ``seconds_spent``)
    with the gaps between decisions shorter than :data:`BREAK`, so reading the source or
    searching between two claims counts, a lunch break does not. *Pace* is decisions per
    active hour.
    """
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        caller = session.get(User, actor.id)
        if caller is None or caller.disabled:
            raise PermissionDenied(f"the account {actor.name!r} is disabled or no longer exists")
        require(actor_of(caller), Action.manage_users)

        decisions: dict[int, list[tuple[datetime, float | None]]] = defaultdict(list)
        rows = session.execute(
            select(Review.reviewer_id, Review.decided_at, Review.seconds_spent).where(
                Review.verdict.is_not(None)
            )
        )
        done: dict[int, int] = defaultdict(int)
        for reviewer_id, decided_at, seconds in rows:
            done[reviewer_id] += 1
            # Reviews imported or written before decision times were kept have no decided_at:
            # they count as done, but say nothing about pace.
            if decided_at is not None:
                decisions[reviewer_id].append((decided_at, seconds))
        live = session.execute(
            select(Lease.user_id, func.count(Lease.id))
            .where(Lease.expires_at > now)
            .group_by(Lease.user_id)
        )
        leased = {user_id: count for user_id, count in live}
        users = session.scalars(select(User).order_by(User.name)).all()
        result = [
            _figures(user, done.get(user.id, 0), leased.get(user.id, 0), decisions[user.id])
            for user in users
            if user.id in done or user.id in leased or user.role == Role.reviewer.value
        ]
    result.sort(key=lambda p: (-p.done, -p.in_progress, p.reviewer))
    return result


def _figures(
    user: User, done: int, in_progress: int, decided: list[tuple[datetime, float | None]]
) -> ReviewerProgress:
    timed = [seconds for _, seconds in decided if seconds is not None]
    active = active_time(decided)
    hours = active.total_seconds() / 3600
    return ReviewerProgress(
        reviewer=user.name,
        role=Role(user.role),
        disabled=user.disabled,
        done=done,
        in_progress=in_progress,
        active_hours=round(hours, 3),
        pace_per_hour=round(len(decided) / hours, 1) if hours > 0 else None,
        median_seconds=round(statistics.median(timed), 1) if timed else None,
        last_decision=max((at for at, _ in decided), default=None),
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
