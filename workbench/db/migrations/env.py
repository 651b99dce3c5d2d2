"""Alembic environment: uses the engine the workbench hands over, or WORKBENCH_DATABASE_URL."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

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

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        render_item=render_item,
    )
    context.run_migrations()
