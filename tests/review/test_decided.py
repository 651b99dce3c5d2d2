"""The decided reviews summed on arrays are the sums the row-by-row reading computed.

``workbench.review.decided`` reads four numbers per review and sums them with NumPy; the
Progress page used to read each review through the ORM and sum in Python
(:func:`row_by_row`, kept here as the reference, as it stood). On random reviews with every
edge the checks know (no time, year 1, 1999-12-31T23:59:59.999999, tomorrow to the
microsecond, 1e308 or infinite or negative seconds, fractions of a microsecond, gaps of exactly
the break), both give the same figures, on both backends. Then the held reviews patched after
random changes (``workbench.review.progress.current_decisions``) equal a fresh read.
"""

from __future__ import annotations

import contextlib
import random
import statistics
from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select, text

from tests.review.test_assign import add_claims, add_user, set_k
from workbench.db import snapshots
from workbench.db.models import Claim, Review
from workbench.db.session import unit_of_work
from workbench.errors import WorkbenchError
from workbench.review import decided, decisions, progress
from workbench.review.adjudicate import adjudicate
from workbench.review.decided import BREAK, Decided
from workbench.review.progress import active_time
from workbench.schemas import Role, Verdict
from workbench.storable import MAX_SECONDS_SPENT, seconds_problem, time_problem

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
VERDICTS = (Verdict.verified, Verdict.disputed, Verdict.unsupported)


def row_by_row(engine: Engine, now: datetime) -> dict[int, Decided]:
    """The sums as the Progress page computed them before the arrays: one review at a time."""
    done: dict[int, int] = defaultdict(int)
    timed: dict[int, list[tuple[datetime, float | None]]] = defaultdict(list)
    with unit_of_work(engine, read_only=True) as session:
        rows = session.execute(
            select(Review.reviewer_id, Review.decided_at, Review.seconds_spent).where(
                Review.verdict.is_not(None)
            )
        )
        for reviewer_id, decided_at, seconds in rows:
            done[reviewer_id] += 1
            if decided_at is not None and time_problem(decided_at, now=now) is None:
                if seconds is not None and seconds_problem(seconds) is not None:
                    seconds = None
                timed[reviewer_id].append((decided_at, seconds))
    result: dict[int, Decided] = {}
    for reviewer_id, count in done.items():
        mine = timed[reviewer_id]
        spent = [s for _, s in mine if s is not None]
        result[reviewer_id] = Decided(
            done=count,
            timed=len(mine),
            active=active_time(mine),
            median_seconds=round(statistics.median(spent), 1) if spent else None,
            last=max((at for at, _ in mine), default=None),
        )
    return result


def arrays(engine: Engine, now: datetime) -> dict[int, Decided]:
    return decided.summed(decided.read_all(engine), now=now)


# Times around a base, on a grid of whole seconds and minutes (so that gaps of exactly the
# break, and spans ending where the next starts, come up), with microseconds now and then;
# and the edges of what counts as a time.
BASE = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
EDGE_TIMES = [
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2000, 1, 1, tzinfo=UTC),
    NOW + timedelta(days=1),
    NOW + timedelta(days=1, microseconds=1),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
]
TIMES = st.one_of(
    st.none(),
    st.sampled_from(EDGE_TIMES),
    st.builds(
        lambda minutes, seconds, micro: BASE + timedelta(minutes=minutes, seconds=seconds) + micro,
        st.integers(0, 240),
        st.sampled_from([0, 0, 1, 30, 59]),
        st.sampled_from([timedelta(), timedelta(), timedelta(microseconds=999999)]),
    ),
)
EDGE_SECONDS = [
    0.0,
    1e308,
    float("inf"),
    float("nan"),  # PostgreSQL keeps it; SQLite stores NULL
    -1.0,
    -0.0,
    MAX_SECONDS_SPENT,
    MAX_SECONDS_SPENT + 0.5,
    0.5e-6,  # half a microsecond: rounded to even (0)
    1.5e-6,  # rounded to 2
    2.5e-6,  # rounded to 2
    1.0000005,
    BREAK.total_seconds(),
    60.0,
    0.1,
]
SECONDS = st.one_of(
    st.none(),
    st.sampled_from(EDGE_SECONDS),
    st.floats(0, 4000, allow_nan=False),
    st.integers(0, 1200).map(float),
)
REVIEWS = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 3), st.booleans(), TIMES, SECONDS),
    max_size=40,
    unique_by=lambda r: (r[0], r[1]),
)


@pytest.fixture
def ground(engine: Engine) -> tuple[list[int], list[int]]:
    """Twelve claims and four reviewers for the examples to give reviews to."""
    claims = add_claims(engine, [0.9 - i / 100 for i in range(12)], docs=2)
    reviewers = [add_user(engine, name).id for name in ("Rui", "Rita", "Rosa", "Raul")]
    return claims, reviewers


def given_reviews(
    engine: Engine,
    ground: tuple[list[int], list[int]],
    reviews: list[tuple[int, int, bool, datetime | None, float | None]],
) -> None:
    claims, reviewers = ground
    with unit_of_work(engine) as session:
        session.execute(delete(Review))
        for claim, reviewer, has_verdict, at, seconds in reviews:
            session.add(
                Review(
                    claim_id=claims[claim],
                    reviewer_id=reviewers[reviewer],
                    verdict="verified" if has_verdict else None,
                    note="",
                    decided_at=at,
                    seconds_spent=seconds,
                )
            )


@settings(
    max_examples=40,
    deadline=None,
    # One database for every example: each replaces the reviews the last one wrote.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(reviews=REVIEWS)
@example(  # a gap of exactly the break is work; the next one, a microsecond longer, is not
    reviews=[
        (0, 0, True, BASE, 60.0),
        (1, 0, True, BASE + BREAK + timedelta(minutes=1), 60.0),
        (2, 0, True, BASE + 2 * BREAK + timedelta(minutes=2, microseconds=1), 60.0),
    ]
)
@example(  # spans inside others, one start shared, all the edges at once
    reviews=[
        (c, r, True, at, s)
        for c, (at, s) in enumerate(zip(EDGE_TIMES * 2, EDGE_SECONDS[:12], strict=True))
        for r in (0, 1)
    ]
)
def test_the_sums_on_arrays_are_the_row_by_row_sums(
    engine: Engine,
    ground: tuple[list[int], list[int]],
    reviews: list[tuple[int, int, bool, datetime | None, float | None]],
) -> None:
    given_reviews(engine, ground, reviews)
    assert arrays(engine, NOW) == row_by_row(engine, NOW)


def test_the_break_and_the_bounds_to_the_microsecond(
    engine: Engine, ground: tuple[list[int], list[int]]
) -> None:
    reviews: list[tuple[int, int, bool, datetime | None, float | None]] = [
        (0, 0, True, BASE, 60.0),
        (1, 0, True, BASE + BREAK + timedelta(minutes=1), 60.0),  # exactly the break: work
        (2, 0, True, BASE + 2 * BREAK + timedelta(minutes=2, microseconds=1), 60.0),  # a break
        (3, 0, True, datetime(1, 1, 1, tzinfo=UTC), 60.0),  # done, no time
        (4, 0, True, NOW + timedelta(days=1, microseconds=1), 60.0),  # past tomorrow
        (5, 0, True, NOW + timedelta(days=1), 1e308),  # tomorrow: a time; 1e308: unknown
        (6, 0, False, BASE, 60.0),  # no verdict: not done
    ]
    given_reviews(engine, ground, reviews)
    sums = arrays(engine, NOW)
    assert sums == row_by_row(engine, NOW)
    (mine,) = sums.values()
    assert (mine.done, mine.timed, mine.median_seconds) == (6, 4, 60.0)
    assert mine.active == BREAK + 2 * timedelta(minutes=1) + timedelta(minutes=1)
    assert mine.last == NOW + timedelta(days=1)


@pytest.mark.backends("sqlite")
def test_sqlite_times_in_other_forms_are_read_as_the_orm_reads_them(
    engine: Engine, ground: tuple[list[int], list[int]]
) -> None:
    # Written by another tool than SQLAlchemy: ISO text of another length, with a zone, a
    # number, text of the right length that is no time. Each as the ORM reads it, and what it
    # cannot read is no time (the ORM raised: the page failed).
    given_reviews(engine, ground, [(c, 0, True, BASE, 30.0) for c in range(6)])
    odd = {
        0: "2026-03-01 10:00:00",  # no fraction
        1: "2026-03-01T10:00:00+02:00",  # a zone: 08:00 UTC
        2: "2026-03-01 10:00:00.5",
        4: "2026-13-45 99:99:99.999999",  # 26 characters, no time
        5: "an odd text, not a date!!!",
    }
    claims, _ = ground
    with unit_of_work(engine) as session:
        for c, value in odd.items():
            session.execute(
                text("UPDATE reviews SET decided_at = :v WHERE claim_id = :c"),
                {"v": value, "c": claims[c]},
            )
        session.execute(
            text("UPDATE reviews SET decided_at = 12345 WHERE claim_id = :c"), {"c": claims[3]}
        )
    read = decided.read_all(engine)
    by_claim = dict(zip(read.claim_ids.tolist(), read.decided_us.tolist(), strict=True))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def us(at: datetime) -> int:
        return (at - epoch) // timedelta(microseconds=1)

    assert by_claim[claims[0]] == us(datetime(2026, 3, 1, 10, tzinfo=UTC))
    assert by_claim[claims[1]] == us(datetime(2026, 3, 1, 8, tzinfo=UTC))
    assert by_claim[claims[2]] == us(datetime(2026, 3, 1, 10, 0, 0, 500000, tzinfo=UTC))
    assert by_claim[claims[3]] < us(datetime(2000, 1, 1, tzinfo=UTC))
    assert by_claim[claims[4]] < us(datetime(2000, 1, 1, tzinfo=UTC))
    assert by_claim[claims[5]] < us(datetime(2000, 1, 1, tzinfo=UTC))
    (mine,) = decided.summed(read, now=NOW).values()
    assert (mine.done, mine.timed) == (6, 3)
    assert mine.last == datetime(2026, 3, 1, 10, 0, 0, 500000, tzinfo=UTC)


# --- held and patched -------------------------------------------------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each read of the decided reviews: "all", or "claims" (those a change touched)."""
    calls: list[str] = []
    read_all, read_claims = decided.read_all, decided.read_claims
    progress.forget()

    def counting_all(engine: Engine, project_id: int | None = None) -> decided.DecidedReviews:
        calls.append("all")
        return read_all(engine, project_id)

    def counting_claims(
        engine: Engine, claim_ids: Collection[int], project_id: int | None = None
    ) -> decided.DecidedReviews:
        calls.append("claims")
        return read_claims(engine, claim_ids, project_id)

    monkeypatch.setattr(decided, "read_all", counting_all)
    monkeypatch.setattr(decided, "read_claims", counting_claims)
    return calls


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_patched_sums_are_the_sums_read_whole(
    engine: Engine, seed: int, reads: list[str]
) -> None:
    rng = random.Random(seed)
    set_k(engine, 3)
    claims = add_claims(engine, [0.9 - i / 100 for i in range(30)], docs=3)
    admin = add_user(engine, "Ada", Role.admin)
    team = [add_user(engine, name) for name in ("Rui", "Rita", "Rosa", "Raul")]
    now = datetime.now(UTC)

    def shown() -> datetime:  # a decision that took from a second to an hour
        return datetime.now(UTC) - timedelta(seconds=rng.choice((1, 30, 90, 600, 3600)))

    # Times spread over days before any figure is read: breaks and stretches of work.
    with unit_of_work(engine) as session:
        for claim_id in claims:
            for reviewer in rng.sample(team, rng.randint(1, 3)):
                session.add(
                    Review(
                        claim_id=claim_id,
                        reviewer_id=reviewer.id,
                        verdict=rng.choice(VERDICTS).value,
                        blind_verdict=None,
                        note="",
                        decided_at=now - timedelta(minutes=rng.randint(0, 5000)),
                        seconds_spent=rng.choice((None, 1e308, 12.5, 60.0, 300.0)),
                    )
                )
    taken_out: set[int] = set()

    def verdict() -> None:
        decisions.set_verdict(
            engine, rng.choice(claims), rng.choice(team), rng.choice(VERDICTS), shown_at=shown()
        )

    def clear() -> None:
        decisions.set_verdict(engine, rng.choice(claims), rng.choice(team), None)

    def note() -> None:
        decisions.set_note(engine, rng.choice(claims), rng.choice(team), "see the source")

    def adjudicated() -> None:
        adjudicate(engine, admin, rng.choice(claims), rng.choice(VERDICTS), "read the sources")

    def out() -> None:
        claim_id = rng.choice([c for c in claims if c not in taken_out])
        reviewer = rng.choice(team)
        decisions.set_verdict(engine, claim_id, reviewer, rng.choice(VERDICTS), shown_at=shown())
        decisions.mark_not_a_claim(engine, claim_id, reviewer)
        taken_out.add(claim_id)

    def newcomer() -> None:
        team.append(add_user(engine, f"New{len(team)}"))
        decisions.set_verdict(engine, rng.choice(claims), team[-1], rng.choice(VERDICTS))

    def new_claim() -> None:
        with unit_of_work(engine) as session:
            claim = Claim(
                document_id=1,
                text=f"new {len(claims)}",
                char_start=1000 + 10 * len(claims),
                char_end=1005 + 10 * len(claims),
                speaker=None,
                score=0.5,
                extractor="test@1",
            )
            session.add(claim)
            session.flush()
            claims.append(claim.id)

    changes: list[Callable[[], None]] = [verdict] * 8 + [clear, note, adjudicated, out]
    changes += [newcomer, new_claim]
    for _ in range(25):
        for _ in range(rng.choice((1, 1, 2, 3))):
            # A refused change (a claim with its reviews, or taken out) is no change.
            with contextlib.suppress(WorkbenchError):
                rng.choice(changes)()
        version = progress.data_version(engine)
        patched = progress.current_decisions(engine, version)
        assert patched == decided.summed(decided.read_all(engine))
        assert progress.current_decisions(engine, version) == patched  # held: not read again
    patches = reads.count("claims")
    assert patches >= 12  # most steps patched the held reviews rather than reading them whole
    # Each step read the whole once (the reference above), and a few more when a change
    # was not one of a claim's (an account added): never both for the held reviews.
    assert reads.count("all") <= 25 + (25 - patches)


def test_held_reviews_are_not_used_once_the_stored_token_is_gone(
    engine: Engine, reads: list[str]
) -> None:
    # What a restore does (it empties figure_snapshots): the held reviews are read again.
    set_k(engine, 2)
    claims = add_claims(engine, [0.9, 0.8], docs=1)
    rui = add_user(engine, "Rui")
    decisions.set_verdict(engine, claims[0], rui, Verdict.verified)
    version = progress.data_version(engine)
    progress.current_decisions(engine, version)
    with engine.begin() as connection:
        snapshots.forget_all(connection)
    progress.current_decisions(engine, version)
    assert reads == ["all", "all"]
    decisions.set_verdict(engine, claims[1], rui, Verdict.verified)
    after = progress.current_decisions(engine, progress.data_version(engine))
    assert reads == ["all", "all", "claims"]
    assert after[rui.id].done == 2


def test_a_process_that_holds_nothing_reuses_the_stored_sums(
    engine: Engine, reads: list[str]
) -> None:
    set_k(engine, 2)
    claims = add_claims(engine, [0.9, 0.8], docs=1)
    rui = add_user(engine, "Rui")
    decisions.set_verdict(engine, claims[0], rui, Verdict.verified)
    version = progress.data_version(engine)
    first = progress.stored_decisions(engine, version)
    progress.forget()  # another server process: the sums stored by the first are its own
    assert progress.stored_decisions(engine, version) == first
    assert reads == ["all"]
