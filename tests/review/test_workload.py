"""The sidebar's figures with k = 2 and three reviewers, kept right through every change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update

from tests.review.test_assign import add_claims, add_user, set_k
from workbench.db.models import Review
from workbench.db.session import unit_of_work
from workbench.review import assign, decisions, stats
from workbench.review.workload import Mine, workload
from workbench.schemas import Verdict


def open_verdicts(engine: Engine) -> dict[tuple[int, int], int | None]:
    with unit_of_work(engine) as session:
        rows = session.execute(select(Review.claim_id, Review.reviewer_id, Review.open_verdicts))
        return {(c, r): n for c, r, n in rows}


def test_figures_follow_verdicts_leases_and_not_a_claim(engine: Engine) -> None:
    claims = add_claims(engine, [0.9, 0.8, 0.7, 0.6, 0.5])
    set_k(engine, 2)
    ana, ben, cleo = (add_user(engine, n) for n in ("Ana", "Ben", "Cleo"))
    start = workload(engine, ana)
    assert (start.k, start.final, start.need_more) == (2, 0, 5)
    assert start.mine == Mine(today=0, assigned=0, left=5)

    decisions.set_verdict(engine, claims[0], ana, Verdict.verified)
    decisions.set_verdict(engine, claims[1], ana, Verdict.verified)
    assert workload(engine, ana).mine == Mine(today=2, assigned=0, left=3)
    assert workload(engine, ben).mine == Mine(today=0, assigned=0, left=5)

    # Ben agrees on the first claim: it has its k verdicts and a final one; he splits the
    # second: k verdicts, no final verdict (it waits for an admin), needs no more reviews.
    decisions.set_verdict(engine, claims[0], ben, Verdict.verified)
    decisions.set_verdict(engine, claims[1], ben, Verdict.disputed)
    figures = workload(engine, cleo)
    assert (figures.final, figures.need_more) == (1, 3)
    assert figures.mine == Mine(today=0, assigned=0, left=3)
    assert workload(engine, ana).mine == Mine(today=2, assigned=0, left=3)

    # A lease is "assigned"; it is not a verdict, so the claim is still left.
    leased = assign.next_claim(engine, cleo)
    assert leased == claims[2]
    assert workload(engine, cleo).mine == Mine(today=0, assigned=1, left=3)

    # Ana takes her verdict on the first claim back: it needs a review again, not from Ben.
    decisions.set_verdict(engine, claims[0], ana, None)
    assert workload(engine, ben).need_more == 4
    assert workload(engine, ben).mine == Mine(today=2, assigned=0, left=3)
    assert workload(engine, ana).mine == Mine(today=1, assigned=0, left=4)

    # Not a claim: out of every figure; put back, in again.
    decisions.set_verdict(engine, claims[3], cleo, Verdict.verified)
    decisions.mark_not_a_claim(engine, claims[3], ana)
    assert open_verdicts(engine)[(claims[3], cleo.id)] is None
    assert workload(engine, cleo).need_more == 3
    decisions.reopen_claim(engine, claims[3], ana)
    assert open_verdicts(engine)[(claims[3], cleo.id)] == 1
    assert workload(engine, cleo).mine == Mine(today=1, assigned=1, left=3)

    # A recount (after rows written in bulk) gives the copies the service keeps.
    kept = open_verdicts(engine)
    with unit_of_work(engine) as session:
        session.execute(update(Review).values(open_verdicts=None))
    with engine.begin() as connection:
        stats.recount(connection)
    assert open_verdicts(engine) == kept


def test_today_counts_from_midnight_utc(engine: Engine) -> None:
    claims = add_claims(engine, [0.9, 0.8])
    ana = add_user(engine, "Ana")
    decisions.set_verdict(engine, claims[0], ana, Verdict.verified)
    decisions.set_verdict(engine, claims[1], ana, Verdict.verified)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    mine = workload(engine, ana, now=tomorrow).mine
    assert mine is not None and mine.today == 0
    assert workload(engine, None).mine is None
