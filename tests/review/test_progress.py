"""Per-reviewer progress figures, from a small handmade history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tests.review.test_assign import add_claims, add_user
from workbench.db.models import Lease, Review
from workbench.db.session import unit_of_work
from workbench.review.progress import active_time, reviewer_progress
from workbench.schemas import Role

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def decided(engine: Engine, claim_id: int, reviewer_id: int, at: datetime, seconds: float) -> None:
    with unit_of_work(engine) as session:
        session.add(
            Review(
                claim_id=claim_id,
                reviewer_id=reviewer_id,
                verdict="verified",
                note="",
                decided_at=at,
                seconds_spent=seconds,
            )
        )


def test_progress_figures(engine: Engine) -> None:
    claims = add_claims(engine, [0.9, 0.8, 0.7, 0.6, 0.5])
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    add_user(engine, "Vi", Role.viewer)  # never reviews: not listed
    admin = add_user(engine, "Ada", Role.admin)
    # Ana: three claims in three minutes, lunch, then one more that took two minutes.
    decided(engine, claims[0], ana.id, T0 + timedelta(seconds=30), 30)
    decided(engine, claims[1], ana.id, T0 + timedelta(minutes=2), 60)
    decided(engine, claims[2], ana.id, T0 + timedelta(minutes=3), 30)
    decided(engine, claims[3], ana.id, T0 + timedelta(hours=4, minutes=2), 120)
    # A note without a verdict is not done.
    with unit_of_work(engine) as session:
        session.add(Review(claim_id=claims[4], reviewer_id=ana.id, note="later"))
        # Ben holds one live lease and one expired one.
        session.add(Lease(claim_id=claims[4], user_id=ben.id, expires_at=T0 + timedelta(hours=5)))
        session.add(Lease(claim_id=claims[3], user_id=ben.id, expires_at=T0))

    figures = reviewer_progress(engine, admin, now=T0 + timedelta(hours=4, minutes=5))
    assert [f.reviewer for f in figures] == ["Ana", "Ben"]
    first, second = figures
    assert (first.done, first.in_progress) == (4, 0)
    assert first.active_hours == pytest.approx(5 / 60, abs=1e-3)  # 3 min + 2 min
    assert first.pace_per_hour == pytest.approx(48.0)
    assert first.median_seconds == pytest.approx(45.0)
    assert first.last_decision == T0 + timedelta(hours=4, minutes=2)
    assert (second.done, second.in_progress) == (0, 1)
    assert second.pace_per_hour is None and second.median_seconds is None


def test_progress_is_for_admins_only(engine: Engine) -> None:
    reviewer = add_user(engine, "Ana")
    with pytest.raises(PermissionError):
        reviewer_progress(engine, reviewer)
    with pytest.raises(PermissionError):
        reviewer_progress(engine, add_user(engine, "Vi", Role.viewer))


def test_active_time_fills_short_gaps_and_skips_breaks() -> None:
    at = [
        (T0 + timedelta(minutes=1), 60.0),
        (T0 + timedelta(minutes=10), None),  # 9 min after the last: still working
        (T0 + timedelta(minutes=40), 300.0),  # 25 min gap, less its 5 min: a break
    ]
    assert active_time(at) == timedelta(minutes=15)
    assert active_time([]) == timedelta()


def test_impossible_times_stored_by_an_older_version_do_not_break_the_figures(
    engine: Engine,
) -> None:
    # An import before range checks stored these; the figures must still come out, the
    # impossible decisions counted as done but saying nothing about pace.
    claims = add_claims(engine, [0.9, 0.8, 0.7, 0.6])
    ana = add_user(engine, "Ana")
    admin = add_user(engine, "Ada", Role.admin)
    decided(engine, claims[0], ana.id, T0, 30)
    decided(engine, claims[1], ana.id, T0 + timedelta(minutes=1), 1e308)
    decided(engine, claims[2], ana.id, datetime(1, 1, 1, tzinfo=UTC), 60)
    decided(engine, claims[3], ana.id, T0 + timedelta(minutes=2), float("inf"))

    (figures,) = reviewer_progress(engine, admin, now=T0 + timedelta(hours=1))

    assert figures.done == 4
    assert figures.median_seconds == 30.0  # the impossible durations are unknown, not huge
    assert figures.active_hours == pytest.approx(2.5 / 60, abs=1e-3)
    assert figures.last_decision == T0 + timedelta(minutes=2)
