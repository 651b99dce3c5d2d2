"""The engine (one per process and URL) and units of work.

A unit of work that cannot get the database turns into :class:`DatabaseBusy`, a sentence for
the user, never a driver traceback: SQLite's "database is locked" (another process held the
write lock longer than the busy timeout), PostgreSQL's serialization failures, deadlocks and
lock timeouts. Nothing was written by it (the transaction was rolled back), so running it
again is safe: :func:`retry_busy` does that a bounded number of times for a user's save.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from workbench.errors import DatabaseBusy

T = TypeVar("T")
BUSY_MESSAGE = (
    "The database is busy: another command (an import, a restore) is writing to it; nothing "
    "was saved. Try again in a moment; if it keeps happening, ask your admin whether a long "
    "command is running."
)
# PostgreSQL SQLSTATEs worth a retry: serialization_failure, deadlock_detected,
# lock_not_available (lock_timeout).
_RETRYABLE_STATES = {"40001", "40P01", "55P03"}

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


def is_busy(exc: BaseException) -> bool:
    """Whether a driver error means "someone else holds it": worth a retry, not a bug."""
    if not isinstance(exc, DBAPIError):
        return False
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return True  # SQLite: the busy timeout ran out
    state = getattr(exc.orig, "sqlstate", None)  # psycopg 3
    return state in _RETRYABLE_STATES


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed if the block ends normally, rolled back if it raises.

    A busy database is :class:`DatabaseBusy` (see the module's docstring).
    """
    factory = sessionmaker(engine, expire_on_commit=False)
    try:
        with factory() as session, session.begin():
            yield session
    except DBAPIError as exc:
        if is_busy(exc):
            raise DatabaseBusy(BUSY_MESSAGE) from exc
        raise


def retry_busy(call: Callable[[], T], *, attempts: int = 3, pause: float = 0.2) -> T:
    """``call()``, run again (up to ``attempts`` in all, a growing pause between) while it
    fails with :class:`DatabaseBusy`; the last failure is raised. For a user's save, whose
    transaction is rolled back whole when it fails, so that running it again is safe."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except DatabaseBusy:
            if attempt == attempts:
                raise
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")
