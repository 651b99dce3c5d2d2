"""The engine (one per process and URL) and units of work."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


class DatabaseURLError(ValueError):
    """The database URL cannot be used; the message says why."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the app read while the CLI writes;
    # the busy timeout makes a second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # Let SQLAlchemy's "begin" hook below open transactions, not the sqlite3 module.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock at the start of every transaction. With the
    # default deferred BEGIN, two transactions that both read (say, the free review slots of a
    # claim) and then write race: in WAL mode the loser fails with SQLITE_BUSY_SNAPSHOT, which
    # the busy timeout cannot retry. Taking the lock first makes transactions queue instead
    # (within the busy timeout); they last milliseconds, so the queue is short.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create(url: str) -> Engine:
    """A new engine for ``url``; SQLite files get their folder and their pragmas."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(f"invalid database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except (OSError, ValueError) as exc:
                raise DatabaseURLError(
                    f"cannot create the folder for the database file {database!r}: {exc}"
                ) from exc
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ImportError as exc:
        # The dialect is known but its driver package is not installed: say how to get it.
        hint = ""
        if parsed.get_backend_name() == "postgresql":
            hint = (
                "; for PostgreSQL install the `postgres` extra "
                "(pip install 'factcheck-workbench[postgres]') and use postgresql+psycopg://"
            )
        raise DatabaseURLError(
            f"cannot use database URL {parsed!r}: its driver is not installed ({exc}){hint}"
        ) from exc
    except Exception as exc:  # unknown dialect
        raise DatabaseURLError(f"cannot use database URL {parsed!r}: {exc}") from exc


def get_engine(url: str) -> Engine:
    """The process-wide engine for ``url``, created on first use."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _engines[url] = create(url)
        return engine


def forget(url: str) -> None:
    """Close and drop the engine for ``url``, e.g. before its SQLite file is deleted."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed if the block ends normally, rolled back if it raises."""
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory() as session, session.begin():
        yield session
