"""The figures kept per claim and over all claims equal those recomputed from the reviews.

``claims.verdicts``, ``claims.disagreement`` and the totals (``stats.totals``: reviewed open
claims, claims out of the queue, all claims) are kept by every write path; each test changes
reviews one way or another, then recomputes everything from the reviews and the claims'
statuses and compares.
"""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert, select

from tests.review.test_assign import add_claims
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.db.models import Base, Claim, ClaimCount, ClaimSimilarity, Review
from workbench.db.session import unit_of_work
from workbench.errors import WorkbenchError
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, queue, similar, stats
from workbench.schemas import Actor, Verdict
from workbench.transfer import import_reviews

VERDICTS = [Verdict.verified, Verdict.disputed, Verdict.unsupported]


def recomputed(engine: Engine) -> tuple[dict[int, tuple[int, float]], tuple[int, int, int]]:
    """(per claim (verdicts, disagreement), (claims, reviewed open, not a claim)), from the
    reviews and statuses themselves. The extractor's held-out sentences (status held_out,
    workbench.review.rescore) are not claims: in no total."""
    with unit_of_work(engine) as session:
        claims = dict(
            session.execute(select(Claim.id, Claim.status).where(Claim.status != "held_out")).all()
        )
        given: dict[int, list[str]] = {claim_id: [] for claim_id in claims}
        for claim_id, verdict in session.execute(select(Review.claim_id, Review.verdict)):
            if verdict is not None:
                given[claim_id].append(verdict)
    per_claim = {claim_id: _figures(verdicts) for claim_id, verdicts in given.items()}
    reviewed = sum(1 for c, s in claims.items() if s == "open" and per_claim[c][0] > 0)
    dismissed = sum(1 for s in claims.values() if s == "not_a_claim")
    return per_claim, (len(claims), reviewed, dismissed)


def _figures(verdicts: list[str]) -> tuple[int, float]:
    """The share of pairs of verdicts that differ, counted pair by pair."""
    n = len(verdicts)
    if n < 2:
        return n, 0.0
    pairs = [(a, b) for i, a in enumerate(verdicts) for b in verdicts[i + 1 :]]
    return n, sum(a != b for a, b in pairs) / len(pairs)


def kept(engine: Engine) -> tuple[dict[int, tuple[int, float]], tuple[int, int, int]]:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Claim.id, Claim.verdicts, Claim.disagreement).where(Claim.status != "held_out")
        ).all()
        totals = stats.totals(session)
    per_claim = {claim_id: (n, share) for claim_id, n, share in rows}
    return per_claim, (totals.claims, totals.reviewed, totals.not_a_claim)


def assert_kept(engine: Engine) -> None:
    expected, expected_totals = recomputed(engine)
    per_claim, totals = kept(engine)
    assert per_claim.keys() == expected.keys()
    for claim_id, (n, share) in expected.items():
        assert per_claim[claim_id] == pytest.approx((n, share), abs=1e-12), claim_id
    assert totals == expected_totals
    # And what the pages show, from those figures.
    progress = queue.progress(engine)
    claims, reviewed, dismissed = expected_totals
    assert (progress.total, progress.reviewed, progress.not_a_claim) == (
        claims - dismissed,
        reviewed,
        dismissed,
    )
    for state, total in [
        ("to_review", claims - dismissed - reviewed),
        ("reviewed", reviewed),
        ("not_a_claim", dismissed),
        ("all", claims),
    ]:
        flt = queue.ClaimFilter(state=state)
        page = queue.list_claims(engine, flt, page_size=1000, actor=SYSTEM)
        assert page.total == total == len(page.items), state


def people(engine: Engine, *names: str) -> list[Actor]:
    return [local_actor(engine, name) for name in names]


def test_figures_follow_verdicts_changes_and_undo(engine: Engine) -> None:
    claims = add_claims(engine, [0.9, 0.8, 0.7, 0.6])
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 3)
    ana, ben, cleo = people(engine, "Ana", "Ben", "Cleo")
    assert_kept(engine)
    decisions.set_verdict(engine, claims[0], ana, Verdict.verified)
    assert_kept(engine)
    decisions.set_verdict(engine, claims[0], ben, Verdict.verified)
    assert kept(engine)[0][claims[0]] == (2, 0.0)  # two that agree
    decisions.set_verdict(engine, claims[0], cleo, Verdict.disputed)
    assert kept(engine)[0][claims[0]] == pytest.approx((3, 2 / 3))
    assert_kept(engine)
    decisions.set_verdict(engine, claims[0], cleo, Verdict.verified)  # a change of mind
    assert_kept(engine)
    for who in (ana, ben, cleo):  # undone, one by one
        decisions.set_verdict(engine, claims[0], who, None)
        assert_kept(engine)
    assert kept(engine)[0][claims[0]] == (0, 0.0)
    # A note alone is no verdict.
    decisions.set_note(engine, claims[1], ana, "looked, not decided")
    assert_kept(engine)


def test_not_a_claim_and_back_move_the_totals(engine: Engine) -> None:
    claims = add_claims(engine, [0.9, 0.8, 0.7])
    (ana,) = people(engine, "Ana")
    decisions.set_verdict(engine, claims[0], ana, Verdict.disputed)
    decisions.mark_not_a_claim(engine, claims[0], ana)  # reviewed, then taken out
    decisions.mark_not_a_claim(engine, claims[1], ana)  # taken out unreviewed
    assert_kept(engine)
    decisions.mark_not_a_claim(engine, claims[1], ana)  # twice: counted once
    assert_kept(engine)
    decisions.reopen_claim(engine, claims[0], ana)
    assert_kept(engine)
    assert kept(engine)[1] == (3, 1, 1)


def test_a_group_verdict_and_an_import_keep_the_figures(engine: Engine, tmp_path: Path) -> None:
    claims = add_claims(engine, [0.9, 0.8, 0.7, 0.6], docs=4)
    with unit_of_work(engine) as session:  # claim 0 says what 1 and 2 say
        for other in claims[1:3]:
            session.add(ClaimSimilarity(claim_id=claims[0], similar_id=other, score=0.9))
            session.add(ClaimSimilarity(claim_id=other, similar_id=claims[0], score=0.9))
    (ana,) = people(engine, "Ana")
    decisions.set_verdict(engine, claims[0], ana, Verdict.verified)
    similar.apply_verdict_to_similar(engine, claims[0], ana, Verdict.verified)
    assert_kept(engine)
    assert [kept(engine)[0][c][0] for c in claims] == [1, 1, 1, 0]

    lines = [
        {"claim_id": claims[1], "reviews": [{"reviewer": "Rui", "verdict": "disputed"}]},
        {"claim_id": claims[3], "reviews": [{"reviewer": "Rui", "verdict": "unsupported"}]},
    ]
    path = tmp_path / "reviews.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = import_reviews(engine, path, actor=SYSTEM)
    assert report.reviews_added == 2
    assert_kept(engine)
    assert kept(engine)[0][claims[1]] == (2, 1.0)


def test_recount_puts_right_rows_written_in_bulk(engine: Engine) -> None:
    claims = add_claims(engine, [0.9, 0.8, 0.7])
    ana, ben = people(engine, "Ana", "Ben")
    with unit_of_work(engine) as session:  # as a bulk loader would: no service, no figures
        session.execute(
            insert(Review),
            [
                {"claim_id": claims[0], "reviewer_id": ana.id, "verdict": "verified", "note": ""},
                {"claim_id": claims[0], "reviewer_id": ben.id, "verdict": "disputed", "note": ""},
                {"claim_id": claims[1], "reviewer_id": ana.id, "verdict": None, "note": "?"},
                {"claim_id": claims[2], "reviewer_id": ben.id, "verdict": "disputed", "note": ""},
            ],
        )
        session.execute(
            Base.metadata.tables[Claim.__tablename__]
            .update()
            .where(Claim.id == claims[1])
            .values(status="not_a_claim")
        )
    assert kept(engine) != recomputed(engine)
    with unit_of_work(engine) as session:
        stats.recount(session, [claims[0]])  # some claims only: their figures, every total
    assert kept(engine)[0][claims[0]] == (2, 1.0)
    with unit_of_work(engine) as session:
        stats.recount(session)
    assert_kept(engine)


def test_the_rows_of_changes_are_folded_into_one(engine: Engine) -> None:
    claims = add_claims(engine, [0.9] * 3)
    (ana,) = people(engine, "Ana")
    for _ in range(stats.FOLD_AT // 2 + 1):  # each pair adds two rows and cancels out
        decisions.set_verdict(engine, claims[0], ana, Verdict.verified)
        decisions.set_verdict(engine, claims[0], ana, None)
    decisions.set_verdict(engine, claims[1], ana, Verdict.verified)
    with unit_of_work(engine) as session:
        assert len(session.scalars(select(ClaimCount)).all()) > stats.FOLD_AT
    assert_kept(engine)  # reading folds them
    with unit_of_work(engine) as session:
        rows = session.scalars(select(ClaimCount)).all()
        assert [(r.reviewed, r.not_a_claim) for r in rows] == [(1, 0)]
    assert_kept(engine)


def test_ingested_claims_are_counted(seeded: Engine) -> None:
    assert_kept(seeded)
    before = kept(seeded)[1][0]
    add_claims(seeded, [0.5, 0.4])  # new claims: the number of claims is counted again
    assert kept(seeded)[1][0] == before + 2
    assert_kept(seeded)


def test_reviewers_at_once_keep_the_totals(engine: Engine) -> None:
    """Eight reviewers deciding, clearing, taking out and putting back the same few claims
    at once: every change is counted once (PostgreSQL runs them concurrently)."""
    claims = add_claims(engine, [0.9, 0.8, 0.7, 0.6])
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 10)
    reviewers = people(engine, *(f"R{i}" for i in range(8)))
    errors: list[BaseException] = []

    def work(actor: Actor, seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(12):
                claim_id = rng.choice(claims)
                choice = rng.random()
                try:
                    if choice < 0.6:
                        decisions.set_verdict(engine, claim_id, actor, rng.choice(VERDICTS))
                    elif choice < 0.8:
                        decisions.set_verdict(engine, claim_id, actor, None)
                    elif choice < 0.9:
                        decisions.mark_not_a_claim(engine, claim_id, actor)
                    else:
                        decisions.reopen_claim(engine, claim_id, actor)
                except WorkbenchError:
                    pass
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(actor, i)) for i, actor in enumerate(reviewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert_kept(engine)


# --- random sequences of changes -------------------------------------------------------------

Step = tuple[str, int, int, int]  # (what, claim index, reviewer index, verdict index)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["verdict", "verdict", "verdict", "clear", "out", "back"]),
        st.integers(0, 4),
        st.integers(0, 2),
        st.integers(0, 2),
    ),
    max_size=25,
)


@pytest.fixture
def small(engine: Engine) -> tuple[Engine, list[int], list[Actor]]:
    claims = add_claims(engine, [0.9, 0.8, 0.7, 0.6, 0.5], docs=2)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 2)
    return engine, claims, people(engine, "Ana", "Ben", "Cleo")


@pytest.mark.backends("sqlite")
@settings(
    max_examples=40,
    deadline=None,
    # One database for every example: each starts where the last one left it, which only
    # widens the states the sequences begin from.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS)
def test_random_changes_keep_the_figures(
    small: tuple[Engine, list[int], list[Actor]], steps: list[Step]
) -> None:
    engine, claims, reviewers = small
    for what, claim, reviewer, verdict in steps:
        claim_id, actor = claims[claim], reviewers[reviewer]
        try:
            if what == "verdict":
                decisions.set_verdict(engine, claim_id, actor, VERDICTS[verdict])
            elif what == "clear":
                decisions.set_verdict(engine, claim_id, actor, None)
            elif what == "out":
                decisions.mark_not_a_claim(engine, claim_id, actor)
            else:
                decisions.reopen_claim(engine, claim_id, actor)
        except WorkbenchError:
            pass  # refused (a full claim, a closed one): nothing may have changed either
    assert_kept(engine)


@pytest.mark.backends("sqlite")
def test_a_long_random_run_keeps_the_figures(
    small: tuple[Engine, list[int], list[Actor]],
) -> None:
    engine, claims, reviewers = small
    rng = random.Random(4)
    for _ in range(150):
        claim_id, actor = rng.choice(claims), rng.choice(reviewers)
        choice = rng.random()
        try:
            if choice < 0.6:
                decisions.set_verdict(engine, claim_id, actor, rng.choice(VERDICTS))
            elif choice < 0.8:
                decisions.set_verdict(engine, claim_id, actor, None)
            elif choice < 0.9:
                decisions.mark_not_a_claim(engine, claim_id, actor)
            else:
                decisions.reopen_claim(engine, claim_id, actor)
        except WorkbenchError:
            pass
    assert_kept(engine)
