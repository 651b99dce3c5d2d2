"""Opening the database a command or the app names, with a schema it can use.

Beside the engine (``session``) and the migrations (``migrate``) it joins: the one way the
CLI, the app and the scripts get an engine, so every entry point refuses a wrong URL, a
missing file or a schema newer than the code in the same words.
"""

from __future__ import annotations

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from workbench.db.migrate import alembic_config, current_revision, upgrade
from workbench.db.session import get_engine, mask_url, sqlite_path
from workbench.errors import DatabaseError, DatabaseURLError


def open_database(url: str, *, migrate: bool = True, create: bool = True) -> Engine:
    """The engine for ``url``, its schema brought up to date (or checked, if not ``migrate``).

    With ``create=False`` a SQLite file that does not exist yet is refused instead of created:
    a command pointed at the wrong path (a missing ``--db``, another working folder) would
    otherwise report success on a new, empty database while the real one stays unchanged.

    Raises :class:`DatabaseError` with a message for the user when the URL is wrong, the
    server cannot be reached, or the schema is newer than this version of the workbench.
    """
    path = sqlite_path(url)
    if not create and path is not None and not path.exists():
        raise DatabaseError(
            f"no database at {path}: create it with `workbench init --db {_safe(url)}`, "
            "or pass --db (or set WORKBENCH_DATABASE_URL) to name the one you meant"
        )
    try:
        engine = get_engine(url)
        current = current_revision(engine)
    except DatabaseURLError as exc:
        raise DatabaseError(str(exc)) from exc
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(f"cannot open the database {_safe(url)}: {reason}") from exc
    if engine.dialect.name == "postgresql" and engine.dialect.default_schema_name is None:
        # current_schema() is NULL when no schema on the search_path exists (a typo in
        # `options=-csearch_path=...`); PostgreSQL would only say so at the first CREATE TABLE.
        raise DatabaseError(
            f"the database {_safe(url)} has no schema to work in: none of the schemas on its "
            "search_path exists; create it (CREATE SCHEMA name) or fix the URL"
        )
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    if current is not None and not _known(scripts, current):
        raise DatabaseError(
            f"the database {_safe(url)} has schema version {current}, newer than this "
            "workbench knows; upgrade the workbench before using it"
        )
    if current != scripts.get_current_head():
        if not migrate:
            raise DatabaseError(
                f"the database {_safe(url)} is not initialised; run `workbench init` first"
            )
        upgrade(engine)
    return engine


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is not None
    except CommandError:  # alembic raises rather than returning None for an unknown id
        return False


def display_url(url: str) -> str:
    """The URL without its password, for messages and output."""
    return _safe(url)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    return mask_url(url)
