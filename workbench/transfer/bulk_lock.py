"""One bulk writer at a time per database: ``workbench import`` and the restore.

Two imports at once would each be correct line by line (a claim's row lock, SQLite's write
lock), except where both create the same new reviewer account: the second meets the unique
name and fails mid-way. Two restores, or a restore and an import, would interleave in ways
nobody can reason about. So each takes this lock first, without waiting: the second one is
refused at once with one line saying what holds the database and what to do (imports and
restores are idempotent: run it again once the first has finished).

The lock belongs to the database the engine points at, and goes when its holder does (even on
SIGKILL): on PostgreSQL a session-level advisory lock keyed by the schema (a server's databases
and schemas each have their own), on SQLite an ``flock`` on a file beside the database file
(``NAME.sqlite.bulk-lock``). An in-memory SQLite database has one process: no lock needed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from workbench.errors import DatabaseBusy

try:
    import fcntl
except ImportError:  # Windows: no lock; the concurrent case is rare and stays unguarded there
    fcntl = None  # type: ignore[assignment]

_SQL_KEY = "hashtext(current_database() || '.' || current_schema() || '/workbench-bulk')"


def _refused(what: str) -> DatabaseBusy:
    return DatabaseBusy(
        f"another import or restore is writing to this database; wait until it has finished, "
        f"then run this {what} again (importing what is already here adds nothing)"
    )


@contextmanager
def bulk_lock(engine: Engine, what: str) -> Iterator[None]:
    """Hold the database's bulk-writer lock for the block; :class:`DatabaseBusy` if taken."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            taken = connection.scalar(text(f"SELECT pg_try_advisory_lock({_SQL_KEY})"))
            connection.commit()
            if not taken:
                raise _refused(what)
            try:
                yield
            finally:
                connection.execute(text(f"SELECT pg_advisory_unlock({_SQL_KEY})"))
                connection.commit()
        return
    database = engine.url.database
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    path = Path(f"{database}.bulk-lock")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise _refused(what) from None
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race a newcomer)
