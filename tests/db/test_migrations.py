"""The schema is built by Alembic and matches the SQLAlchemy tables exactly."""

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from workbench.db.migrate import alembic_config, current_revision, head_revision, upgrade
from workbench.db.models import Base
from workbench.db.session import create

POSTGRES_URL = os.environ.get(
    "WORKBENCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def assert_schema_matches_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrations_build_the_tables_on_sqlite(engine: Engine) -> None:
    assert current_revision(engine) == head_revision(engine)
    assert_schema_matches_tables(engine)


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


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A fresh schema on the local PostgreSQL server, dropped afterwards."""
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.connect():
            pass
    except Exception as exc:
        admin.dispose()
        if os.environ.get("WORKBENCH_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"no PostgreSQL server at {POSTGRES_URL}: {exc}")
    schema = f"wb_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_migrations_build_the_tables_on_postgresql(postgres_engine: Engine) -> None:
    upgrade(postgres_engine)
    assert_schema_matches_tables(postgres_engine)
