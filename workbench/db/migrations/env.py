"""Alembic environment: uses the engine the workbench hands over, or WORKBENCH_DATABASE_URL."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from workbench.config import get_settings
from workbench.db.models import Base, UTCDateTime
from workbench.db.session import get_engine


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations must not import the app's column types: they would change under old scripts.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


config = context.config
engine = config.attributes.get("engine") or get_engine(get_settings().database_url)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        render_item=render_item,
    )
    context.run_migrations()


with engine.connect() as connection:
    if connection.dialect.name != "sqlite":
        with connection.begin():
            run(connection)
    else:
        # Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys
        # on, dropping a parent table (documents, migration 0015) would delete its children
        # (claims) by cascade. SQLite's documented way: foreign keys off for the migration
        # (the pragma has no effect inside a transaction, hence before it), checked at the end
        # of the same transaction, so a violation rolls the whole migration back.
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                run(connection)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
