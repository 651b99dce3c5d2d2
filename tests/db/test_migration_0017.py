"""0017 (verdicts follow the scale) on a database that holds reviews and final verdicts: the
rows are the same after it, any verdict name is stored, and a downgrade puts the CHECKs back,
refusing while rows hold verdicts other than the three."""

from __future__ import annotations

from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from tests.db.test_migrations import assert_schema_matches_tables
from workbench.db.migrate import alembic_config, current_revision, upgrade
from workbench.db.open import open_database
from workbench.synth import synthesize


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table: [
                tuple(row) for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            ]
            for table in ("reviews", "final_verdicts", "evidence", "claims", "history")
        }


def test_0017_keeps_every_row_and_lets_any_verdict_in(db_url: str) -> None:
    engine = open_database(db_url)
    synthesize(engine, documents=6, reviewers=3, reviews_per_claim=2, seed=5)
    command.downgrade(alembic_config(engine), "0016")
    assert current_revision(engine) == "0016"
    before = _rows(engine)
    assert before["reviews"] and before["final_verdicts"], "the corpus has reviews and finals"
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE reviews SET verdict = 'half-true' WHERE id = 1"))

    upgrade(engine)
    assert_schema_matches_tables(engine)
    assert _rows(engine) == before
    with engine.begin() as connection:
        connection.execute(text("UPDATE reviews SET verdict = 'half-true' WHERE id = 1"))
        connection.execute(text("UPDATE reviews SET blind_verdict = 'half-true' WHERE id = 2"))
        first_final = connection.execute(text("SELECT min(id) FROM final_verdicts")).scalar_one()
        connection.execute(
            text("UPDATE final_verdicts SET verdict = 'pants-on-fire' WHERE id = :i"),
            {"i": first_final},
        )

    # Down: refused, naming each value, while rows hold other verdicts; nothing changed.
    with pytest.raises(RuntimeError) as caught:
        command.downgrade(alembic_config(engine), "0016")
    message = str(caught.value)
    assert "reviews.verdict 'half-true'" in message
    assert "reviews.blind_verdict 'half-true'" in message
    assert "final_verdicts.verdict 'pants-on-fire'" in message
    assert "map-verdicts" in message
    assert current_revision(engine) != "0016"
    olds = {
        (table, column, row_id): _column(
            engine, table, column, next(row for row in before[table] if row[0] == row_id)
        )
        for table, column, row_id in (
            ("reviews", "verdict", 1),
            ("reviews", "blind_verdict", 2),
            ("final_verdicts", "verdict", first_final),
        )
    }
    with engine.begin() as connection:
        for (table, column, row_id), value in olds.items():
            connection.execute(
                text(f"UPDATE {table} SET {column} = :v WHERE id = :i"), {"v": value, "i": row_id}
            )
    command.downgrade(alembic_config(engine), "0016")
    assert _rows(engine) == before
    for statement in (
        "UPDATE reviews SET verdict = 'half-true' WHERE id = 1",
        "UPDATE reviews SET blind_verdict = 'half-true' WHERE id = 1",
        "UPDATE final_verdicts SET verdict = 'half-true' WHERE id = 1",
    ):
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(statement))
    # And all the way down and up again (0006's downgrade drops blind_verdict with its CHECK).
    command.downgrade(alembic_config(engine), "0005")
    upgrade(engine)
    assert_schema_matches_tables(engine)


def _column(engine: Engine, table: str, column: str, row: tuple[Any, ...]) -> Any:
    """``column``'s value in ``row`` (a row of ``SELECT *`` of ``table``)."""
    with engine.connect() as connection:
        names = list(connection.execute(text(f"SELECT * FROM {table} LIMIT 0")).keys())
    return row[names.index(column)]
