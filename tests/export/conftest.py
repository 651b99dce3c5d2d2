"""A reviewed dataset with known decision times, for the export tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, update

from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.db.models import Review, User
from workbench.review import decisions, queue
from workbench.review.adjudicate import adjudicate
from workbench.schemas import Verdict


@dataclass(frozen=True)
class Reviewed:
    engine: Engine
    disputed: int  # Ana verified, Ben disputed (at 2024-03-05), adjudicated "disputed"
    not_a_claim: int
    unsupported: int  # Ana: unsupported, single (2024-03-10)
    verified: int  # Ben: verified, single (2024-02-01)
    note_only: int  # Ana wrote a note, no verdict: no final verdict, no decision time
    total: int  # claims in the database


def _decided(engine: Engine, claim_id: int, reviewer: str, at: datetime) -> None:
    with engine.begin() as connection:
        user_id = connection.scalar(select(User.id).where(User.name == reviewer))
        connection.execute(
            update(Review)
            .where(Review.claim_id == claim_id, Review.reviewer_id == user_id)
            .values(decided_at=at)
        )


@pytest.fixture
def reviewed(seeded: Engine) -> Reviewed:
    engine = seeded
    ids = [
        c.id
        for c in queue.list_claims(engine, queue.ClaimFilter(), page_size=6, actor=SYSTEM).items
    ]
    ana, ben = local_actor(engine, "Ana"), local_actor(engine, "Ben")
    disputed, not_a_claim, unsupported, verified, note_only = ids[:5]

    decisions.set_verdict(engine, disputed, ana, Verdict.verified)
    decisions.add_url(engine, disputed, ana, "https://example.org/source")
    decisions.add_url(engine, disputed, ana, "https://example.org/second")
    decisions.set_verdict(engine, disputed, ben, Verdict.disputed)
    decisions.set_note(engine, disputed, ben, '=HYPERLINK("http://evil.example","click")')
    adjudicate(engine, ana, disputed, Verdict.disputed, "Ben's source holds")
    decisions.mark_not_a_claim(engine, not_a_claim, ana)
    decisions.set_verdict(engine, unsupported, ana, Verdict.unsupported)
    decisions.set_verdict(engine, verified, ben, Verdict.verified)
    decisions.set_note(engine, note_only, ana, "still looking")

    _decided(engine, disputed, "Ana", datetime(2024, 3, 1, 10, tzinfo=UTC))
    _decided(engine, disputed, "Ben", datetime(2024, 3, 5, 12, tzinfo=UTC))
    _decided(engine, unsupported, "Ana", datetime(2024, 3, 10, 9, tzinfo=UTC))
    _decided(engine, verified, "Ben", datetime(2024, 2, 1, 8, tzinfo=UTC))
    total = queue.list_claims(engine, queue.ClaimFilter(state="all"), actor=SYSTEM).total
    return Reviewed(engine, disputed, not_a_claim, unsupported, verified, note_only, total)
