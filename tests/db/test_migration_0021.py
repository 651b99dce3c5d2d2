"""0021 (the bad-token counts shared by the API processes) on a database that holds reviews:
a new table only, nothing else touched either way."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect, text

from tests.api.conftest import build_world
from tests.db.test_migrations import assert_schema_matches_tables
from workbench.db.migrate import alembic_config, current_revision, upgrade


def _rows(engine: Engine) -> dict[str, int]:
    names = set(inspect(engine).get_table_names()) - {"api_client_failures", "alembic_version"}
    with engine.connect() as connection:
        return {n: connection.scalar(text(f"SELECT count(*) FROM {n}")) or 0 for n in names}


def test_0021_adds_the_client_failures_table_and_downgrades(db_url: str) -> None:
    from workbench.db.session import get_engine

    engine = get_engine(db_url)
    upgrade(engine, "0020")
    build_world(engine)  # projects, documents, claims, accounts, tokens: no new table used
    before = _rows(engine)
    assert before["claims"] and before["api_tokens"]
    assert "api_client_failures" not in inspect(engine).get_table_names()
    upgrade(engine, "0021")
    assert current_revision(engine) == "0021"
    assert_schema_matches_tables(engine)
    assert "api_client_failures" in inspect(engine).get_table_names()
    assert _rows(engine) == before
    command.downgrade(alembic_config(engine), "0020")
    assert "api_client_failures" not in inspect(engine).get_table_names()
    assert _rows(engine) == before
    upgrade(engine)
    assert_schema_matches_tables(engine)
