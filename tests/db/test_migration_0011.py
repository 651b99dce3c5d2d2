"""0011 (claim corrections) on a database that holds reviews: nothing is lost either way, and
on SQLite the widened CHECK and the new foreign keys are real constraints."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tests.db.test_migrations import _seed_at_0005, assert_schema_matches_tables
from workbench.db.migrate import alembic_config, upgrade


def _rows(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with engine.connect() as connection:
        claims = connection.execute(
            text("SELECT id, status, verdicts FROM claims ORDER BY id")
        ).all()
        reviews = connection.execute(
            text("SELECT id, claim_id, verdict FROM reviews ORDER BY id")
        ).all()
    return [tuple(r) for r in claims], [tuple(r) for r in reviews]


def test_0011_keeps_every_claim_and_review_and_downgrades(db_url: str) -> None:
    from workbench.db.session import get_engine

    engine = get_engine(db_url)
    upgrade(engine, "0010")
    _seed_at_0005(engine)
    before = _rows(engine)
    assert before[1], "the seed has reviews"
    upgrade(engine)
    assert_schema_matches_tables(engine)
    assert _rows(engine) == before  # a table copy would have cascaded to the reviews
    with engine.connect() as connection:
        origins = connection.execute(text("SELECT DISTINCT origin FROM claims")).scalars().all()
        assert origins == ["extracted"]
    # The new rules hold: a superseded claim linked to its correction...
    with engine.begin() as connection:
        connection.execute(text("UPDATE claims SET status = 'superseded' WHERE id = 4"))
        connection.execute(
            text(
                "INSERT INTO claims (id, document_id, text, char_start, char_end, score, "
                "extractor, status, origin, corrected_from_id, created_at) VALUES "
                "(9, 2, 'x', 41, 44, 0.5, 'reviewer', 'open', 'corrected', 4, "
                "'2026-01-05 09:00:00')"
            )
        )
    # ...and neither an unknown status nor a link to no claim is stored.
    for bad in (
        "UPDATE claims SET status = 'gone' WHERE id = 1",
        "UPDATE claims SET origin = 'guessed' WHERE id = 1",
        "UPDATE claims SET corrected_from_id = 999 WHERE id = 1",
    ):
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(bad))

    command.downgrade(alembic_config(engine), "0010")
    claims, reviews = _rows(engine)
    assert reviews == before[1]
    # The correction's claim is gone; the claim it replaced is open again.
    assert [c[0] for c in claims] == [c[0] for c in before[0]]
    assert dict((c[0], c[1]) for c in claims)[4] == "open"
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE claims SET status = 'superseded' WHERE id = 1"))
    upgrade(engine)
    assert_schema_matches_tables(engine)
