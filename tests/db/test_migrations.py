"""The schema is built by Alembic and matches the SQLAlchemy tables exactly, on each backend."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from workbench.db.migrate import alembic_config, current_revision, head_revision, upgrade
from workbench.db.models import Base


def assert_schema_matches_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_build_the_tables(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    assert_schema_matches_tables(engine)


@pytest.mark.backends("sqlite")
def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(engine: Engine) -> None:
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000


def test_downgrade_to_nothing_and_up_again(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert_schema_matches_tables(engine)


@pytest.mark.backends("postgresql")
def test_everything_lands_in_the_schema_the_url_names(engine: Engine) -> None:
    """Alembic and the app both follow the URL's search_path: nothing goes to `public`."""
    expected = {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"}
    with engine.connect() as connection:
        schema = connection.scalar(text("SELECT current_schema()"))
        assert schema is not None and schema.startswith("wb_test_")
        where = text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s")
        assert set(connection.scalars(where, {"s": schema})) == expected
        assert not expected & set(connection.scalars(where, {"s": "public"}))
