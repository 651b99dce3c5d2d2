"""Read-only units of work: on SQLite they do not take the write lock, so a long read (the
Agreement page's million reviews) never holds up a reviewer's save; they still read one
consistent state. PostgreSQL ignores the flag."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from tests.review.test_assign import add_claims
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, ProjectSetting
from workbench.db.session import unit_of_work
from workbench.projects.settings import set_project_setting


def one_more_claim(engine: Engine) -> None:
    """A claim added to the first document, in a unit of work of its own (a writer)."""
    with unit_of_work(engine) as session:
        first = session.scalars(select(Claim).order_by(Claim.id).limit(1)).one()
        at = 500 + 10 * (session.scalar(select(func.count(Claim.id))) or 0)
        session.add(
            Claim(
                document_id=first.document_id,
                text="y" * 5,
                char_start=at,
                char_end=at + 5,
                speaker=None,
                score=0.1,
                extractor="test@1",
            )
        )


def test_a_save_goes_through_while_a_long_read_is_open(engine: Engine, backend: str) -> None:
    add_claims(engine, [0.5, 0.4])
    with unit_of_work(engine, read_only=True) as reading:
        before = reading.scalar(select(func.count(Claim.id)))
        # Another session writes and commits while the read is still open. With the write
        # lock taken by the read (BEGIN IMMEDIATE), SQLite would make this wait for the busy
        # timeout and fail with DatabaseBusy.
        set_project_setting(engine, SYSTEM, "reviews_per_claim", 3)
        one_more_claim(engine)
        # SQLite: the read goes on seeing the state it began with, one consistent snapshot.
        # PostgreSQL (READ COMMITTED, the flag ignored): each statement sees the newest.
        seen = reading.scalar(select(func.count(Claim.id)))
        assert before == 2 and seen == (2 if backend == "sqlite" else 3)
    with unit_of_work(engine, read_only=True) as session:
        assert session.scalar(select(func.count(Claim.id))) == 3
        assert session.get_one(ProjectSetting, (1, "reviews_per_claim")).value == 3


def test_writers_still_take_turns_after_read_only_work(engine: Engine) -> None:
    """A read-only unit leaves nothing behind on its pooled connection: the next unit of
    work on it is an ordinary writer again (its writes are kept)."""
    add_claims(engine, [0.5])
    for _ in range(3):
        with unit_of_work(engine, read_only=True) as session:
            session.scalar(select(func.count(Claim.id)))
        one_more_claim(engine)
    with unit_of_work(engine) as session:
        assert session.scalar(select(func.count(Claim.id))) == 4
