"""The sidebar's figures with k = 2 and three reviewers, kept right through every change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select, update

from tests.review.test_assign import add_claims, add_user, set_k
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Document, Review
from workbench.db.session import unit_of_work
from workbench.projects.membership import grant
from workbench.projects.service import add_project
from workbench.projects.settings import set_project_setting
from workbench.review import assign, decisions, stats
from workbench.review.workload import Mine, workload
from workbench.schemas import Role, Verdict


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


def _desk_claims(engine: Engine, project: str, count: int) -> list[int]:
    """``count`` claims in one document of a new project ``project``."""
    project_id = add_project(engine, SYSTEM, project).id
    with unit_of_work(engine) as session:
        document = Document(
            project_id=project_id, title=project, source=f"{project}.txt", text="x" * 1000,
            sha256=f"{project_id:064d}",
        )  # fmt: skip
        session.add(document)
        session.flush()
        claims = [
            Claim(
                document_id=document.id,
                project_id=project_id,
                text="x" * 5,
                char_start=10 * i,
                char_end=10 * i + 5,
                score=0.5,
                extractor="test@1",
            )
            for i in range(count)
        ]
        session.add_all(claims)
        session.flush()
        return [claim.id for claim in claims]


def test_a_project_beside_others_counts_its_own_figures(engine: Engine) -> None:
    """Beside a bigger project, a small one's figures are its own: the reviewer's "left" is
    counted from the project's partly reviewed claims, its final verdicts one probe per claim
    of its own (the big one's through the join); the same figures either way."""
    small = add_claims(engine, [0.9])
    big = _desk_claims(engine, "big", 10)
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    for project in (1, "big"):
        set_project_setting(engine, SYSTEM, "reviews_per_claim", 2, project)
    for name in ("Ana", "Ben"):
        grant(engine, SYSTEM, name, "big", Role.reviewer)
    for claim_id in (small[0], *big[:7]):
        decisions.set_verdict(engine, claim_id, ana, Verdict.verified)
    for claim_id in (small[0], *big[:5]):
        decisions.set_verdict(engine, claim_id, ben, Verdict.verified)

    mine = workload(engine, ana, project=1)  # 1 claim, 6 final verdicts: probed
    assert (mine.final, mine.need_more, mine.mine) == (1, 0, Mine(today=1, assigned=0, left=0))
    theirs = workload(engine, ana, project="big")  # 10 claims: joined
    assert (theirs.final, theirs.need_more) == (5, 5)
    assert theirs.mine == Mine(today=7, assigned=0, left=3)
    assert workload(engine, ben, project="big").mine == Mine(today=5, assigned=0, left=5)
    # Ben splits on a claim Ana decided: it has its k (no final verdict), left for neither.
    decisions.set_verdict(engine, big[5], ben, Verdict.disputed)
    assert workload(engine, ana, project="big").mine == Mine(today=7, assigned=0, left=3)
    assert workload(engine, ben, project="big").mine == Mine(today=6, assigned=0, left=4)
    assert workload(engine, ben, project="big").final == 5
