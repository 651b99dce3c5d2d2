"""The flag ``claims.awaits_adjudication`` is what the Adjudication page computed per view.

``workbench.review.awaiting`` keeps the flag in the transaction of every change. The page
once found the waiting claims by reading three index ranges on every view; that computation
is kept here, verbatim, as the oracle: after random sequences of changes (verdicts given,
changed after the reveal and cleared, notes, URLs added and removed, adjudications, claims
taken out and put back, corrected), the flagged claims are the ones it finds, on both
backends; so are they after a bulk recount and after migration 0014 fills the column.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import Engine, exists, func, select, text, update
from sqlalchemy.orm import Session

from tests.review.test_assign import add_claims, add_user, set_k
from workbench.db.migrate import alembic_config, upgrade
from workbench.db.models import Claim, FinalVerdict, Review
from workbench.db.session import unit_of_work
from workbench.errors import WorkbenchError
from workbench.review import awaiting, corrections, decisions, stats
from workbench.review.adjudicate import adjudicate, adjudication_queue
from workbench.schemas import ClaimStatus, FinalSource, Role, Verdict

VERDICTS = (Verdict.verified, Verdict.disputed, Verdict.unsupported)


# --- the oracle: workbench.review.adjudicate._waiting as it was before the flag -------------


def waiting_as_computed(session: Session) -> list[int]:
    """The ids of the claims waiting for an admin, in order: open, and either their verdicts
    disagree or agree only after the reveal and no admin decided, or an admin decided and a
    review changed afterwards.

    Three sets, each read through its own index, never by a pass over every claim: the split
    claims are a range of ix_claims_disagreement (status, disagreement > 0: the verdicts are
    not all the same, kept per claim by workbench.review.stats), the claims an admin decided
    a range of ix_final_verdicts_source, the reviews changed after the reveal a range of
    ix_reviews_changed_after_reveal. The work grows with those sets (what the page is
    about), not with the corpus. Two queries rather than one: joined, PostgreSQL's
    planner would hash every open claim to check the status of a few decided ones.
    """
    adjudicated = exists().where(
        FinalVerdict.claim_id == Claim.id, FinalVerdict.source == FinalSource.adjudicated.value
    )
    split = session.scalars(
        select(Claim.id).where(
            Claim.status == ClaimStatus.open.value, Claim.disagreement > 0, ~adjudicated
        )
    ).all()
    # The newest review change of each decided claim, as an aggregate scalar subquery: one
    # index range (ix_reviews_claim_id) per decided claim. As EXISTS, PostgreSQL would make it
    # a join and hash every review.
    latest = (
        select(func.max(Review.updated_at))
        .where(Review.claim_id == FinalVerdict.claim_id)
        .scalar_subquery()
    )
    changed = session.scalars(
        select(FinalVerdict.claim_id).where(
            FinalVerdict.source == FinalSource.adjudicated.value,
            latest > FinalVerdict.decided_at,
        )
    ).all()
    # Claims whose verdicts agree only after the reveal (workbench.review.blind): a review
    # whose verdict is no longer its blind one was changed after the reveal, so it is flagged,
    # and the flagged reviews are a short range of ix_reviews_changed_after_reveal (made
    # distinct here: DISTINCT in SQL would sort them).
    after_reveal = sorted(
        set(
            session.scalars(
                select(Review.claim_id).where(
                    Review.changed_after_reveal.is_(True),
                    Review.verdict.is_not(None),
                    Review.verdict != Review.blind_verdict,
                )
            ).all()
        )
    )
    unadjudicated = set(after_reveal)
    for start in range(0, len(after_reveal), 1000):
        unadjudicated -= set(
            session.scalars(
                select(FinalVerdict.claim_id).where(
                    FinalVerdict.claim_id.in_(after_reveal[start : start + 1000]),
                    FinalVerdict.source == FinalSource.adjudicated.value,
                )
            ).all()
        )
    still_open: list[int] = []
    pending = sorted({*changed, *unadjudicated})
    for start in range(0, len(pending), 1000):
        still_open += session.scalars(
            select(Claim.id).where(
                Claim.id.in_(pending[start : start + 1000]),
                Claim.status == ClaimStatus.open.value,
            )
        ).all()
    return sorted({*split, *still_open})


def flagged(session: Session) -> list[int]:
    return list(
        session.scalars(
            select(Claim.id).where(Claim.awaits_adjudication.is_(True)).order_by(Claim.id)
        )
    )


def assert_flag_is_the_oracle(engine: Engine) -> list[int]:
    with unit_of_work(engine) as session:
        expected = waiting_as_computed(session)
        assert flagged(session) == expected
        assert awaiting.count(session) == len(expected)
        assert awaiting.page(session, 0, 10**6) == expected
        return expected


def random_changes(engine: Engine, seed: int, steps: int, check: Callable[[], object]) -> None:
    """A team of four and an admin making ``steps`` rounds of random changes to 24 claims
    (k = 2, so reveals happen and verdicts change after them); ``check`` after each round."""
    rng = random.Random(seed)
    set_k(engine, 2)
    claims = add_claims(engine, [0.9 - i / 100 for i in range(24)], docs=2)
    admin = add_user(engine, "Ada", Role.admin)
    team = [add_user(engine, name) for name in ("Rui", "Rita", "Rosa", "Raul")]

    def some_claim() -> int:
        return rng.choice(claims)

    def verdict() -> None:
        decisions.set_verdict(engine, some_claim(), rng.choice(team), rng.choice(VERDICTS))

    def clear() -> None:
        decisions.set_verdict(engine, some_claim(), rng.choice(team), None)

    def note() -> None:
        decisions.set_note(engine, some_claim(), rng.choice(team), f"note {rng.random()}")

    def add_url() -> None:
        decisions.add_url(engine, some_claim(), rng.choice(team), "https://example.org/a")

    def remove_url() -> None:
        decisions.remove_url(engine, some_claim(), rng.choice(team), "https://example.org/a")

    def adjudicated() -> None:
        adjudicate(engine, admin, some_claim(), rng.choice(VERDICTS), "read the sources")

    def out() -> None:
        decisions.mark_not_a_claim(engine, some_claim(), rng.choice(team))

    def back() -> None:
        decisions.reopen_claim(engine, some_claim(), rng.choice(team))

    def corrected() -> None:
        claim_id = some_claim()
        with unit_of_work(engine) as session:
            claim = session.get(Claim, claim_id)
            assert claim is not None
            start, end = claim.char_start, claim.char_end
        shorter = (start, end - 1) if end - start > 2 else (start, end + 1)
        made = corrections.adjust_claim(engine, claim_id, admin, *shorter, confirm=True)
        claims.extend(c.id for c in made.created)

    changes: list[Callable[[], None]] = [verdict] * 10 + [clear, note, add_url, remove_url]
    changes += [adjudicated, adjudicated, out, back, corrected]
    for _ in range(steps):
        for _ in range(rng.choice((1, 2, 3))):
            # A refused change (a claim taken out, a URL not there) is no change.
            with contextlib.suppress(WorkbenchError):
                rng.choice(changes)()
        check()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_flag_is_what_the_page_computed_after_any_changes(engine: Engine, seed: int) -> None:
    seen: list[int] = []
    random_changes(engine, seed, 40, lambda: seen.append(len(assert_flag_is_the_oracle(engine))))
    assert max(seen) > 0  # the runs do put claims in the queue


def test_a_bulk_recount_sets_the_flag_the_page_computed(engine: Engine) -> None:
    random_changes(engine, 7, 30, lambda: None)
    expected = assert_flag_is_the_oracle(engine)
    assert expected
    with unit_of_work(engine) as session:
        session.execute(update(Claim).values(awaits_adjudication=Claim.id % 2 == 0))
        stats.recount(session)
    assert_flag_is_the_oracle(engine)
    with unit_of_work(engine) as session:  # some claims only, as workbench synth recounts
        session.execute(update(Claim).values(awaits_adjudication=False))
        stats.recount(session, expected[:2])
        assert flagged(session) == expected[:2]


def test_migration_0014_fills_the_flag_the_page_computed(engine: Engine) -> None:
    random_changes(engine, 11, 30, lambda: None)
    expected = assert_flag_is_the_oracle(engine)
    assert expected
    command.downgrade(alembic_config(engine), "0013")
    upgrade(engine)
    assert assert_flag_is_the_oracle(engine) == expected


def test_an_adjudicated_claim_returns_when_a_note_changes_and_leaves_when_decided_again(
    engine: Engine,
) -> None:
    set_k(engine, 2)
    (claim_id,) = add_claims(engine, [0.9])
    admin = add_user(engine, "Ada", Role.admin)
    rui, rita = add_user(engine, "Rui"), add_user(engine, "Rita")
    decisions.set_verdict(engine, claim_id, rui, Verdict.verified)
    decisions.set_verdict(engine, claim_id, rita, Verdict.disputed)
    assert assert_flag_is_the_oracle(engine) == [claim_id]
    adjudicate(engine, admin, claim_id, Verdict.verified, "the source says so")
    assert assert_flag_is_the_oracle(engine) == []
    decisions.set_note(engine, claim_id, rui, "a second source")
    assert assert_flag_is_the_oracle(engine) == [claim_id]
    assert adjudication_queue(engine, admin).total == 1
    adjudicate(engine, admin, claim_id, Verdict.verified, "still so")
    assert assert_flag_is_the_oracle(engine) == []
    decisions.mark_not_a_claim(engine, claim_id, rui)
    assert assert_flag_is_the_oracle(engine) == []


def test_the_page_pages_the_flagged_claims_in_id_order(engine: Engine) -> None:
    set_k(engine, 2)
    claims = add_claims(engine, [0.9 - i / 100 for i in range(13)])
    admin = add_user(engine, "Ada", Role.admin)
    rui, rita = add_user(engine, "Rui"), add_user(engine, "Rita")
    for claim_id in claims:
        decisions.set_verdict(engine, claim_id, rui, Verdict.verified)
        decisions.set_verdict(engine, claim_id, rita, Verdict.disputed)
    first, second = adjudication_queue(engine, admin), adjudication_queue(engine, admin, page=2)
    assert first.total == second.total == 13
    assert [i.claim.id for i in first.items + second.items] == sorted(claims)


@pytest.mark.backends("sqlite")
def test_the_page_reads_the_partial_index(engine: Engine) -> None:
    with engine.connect() as connection:
        # A project's waiting claims (issue 14): (project_id, id) keys of the partial index.
        waiting = (Claim.project_id == 1, Claim.awaits_adjudication.is_(True))
        for statement in (
            select(func.count()).select_from(Claim).where(*waiting),
            select(Claim.id).where(*waiting).order_by(Claim.project_id, Claim.id).limit(10),
        ):
            sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = " ".join(r[-1] for r in connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "ix_claims_awaiting" in plan, plan
