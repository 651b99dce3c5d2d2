"""0013 (re-scoring) on a database that holds reviews: nothing is lost either way, the status
CHECK takes 'held_out' (on SQLite by the edited CREATE statement, as 0011), and a downgrade
removes the extractor's held-out sentences, keeping one a person reviewed, in the queue."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.db.test_migration_0011 import _rows
from tests.db.test_migrations import _seed_at_0005, assert_schema_matches_tables
from workbench.db.migrate import alembic_config, upgrade


def test_0013_widens_the_status_rule_and_downgrades(db_url: str) -> None:
    from workbench.db.session import get_engine

    engine = get_engine(db_url)
    upgrade(engine, "0012")
    _seed_at_0005(engine)
    before = _rows(engine)
    assert before[1], "the seed has reviews"
    upgrade(engine)
    assert_schema_matches_tables(engine)
    assert _rows(engine) == before  # a table copy would have cascaded to the reviews
    reviewed = before[1][0][1]  # a claim with a review
    unreviewed = next(c[0] for c in before[0] if c[0] not in {r[1] for r in before[1]})
    with engine.begin() as connection:
        for claim_id in (reviewed, unreviewed):
            connection.execute(
                text("UPDATE claims SET status = 'held_out', scored_by = 'linear@1' WHERE id = :i"),
                {"i": claim_id},
            )
        connection.execute(
            text("INSERT INTO claim_counts (reviewed, not_a_claim, held_out) VALUES (0, 0, 2)")
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE claims SET status = 'gone' WHERE id = 1"))

    command.downgrade(alembic_config(engine), "0012")
    claims, reviews = _rows(engine)
    assert reviews == before[1]  # nothing a person wrote is lost
    status = {c[0]: c[1] for c in claims}
    assert unreviewed not in status and status[reviewed] == "open"
    with engine.connect() as connection:
        counts = connection.execute(
            text("SELECT sum(reviewed), sum(not_a_claim), sum(superseded) FROM claim_counts")
        ).one()
    assert tuple(counts) == (
        sum(1 for c in claims if c[1] == "open" and int(str(c[2])) > 0),
        sum(1 for c in claims if c[1] == "not_a_claim"),
        0,
    )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            text("UPDATE claims SET status = 'held_out' WHERE id = :i"), {"i": reviewed}
        )
    upgrade(engine)
    assert_schema_matches_tables(engine)
