"""The engine (one per process and URL) and units of work.

A unit of work that cannot get the database turns into :class:`DatabaseBusy`, a sentence for
the user, never a driver traceback: SQLite's "database is locked" (another process held the
write lock longer than the busy timeout), PostgreSQL's serialization failures, deadlocks and
lock timeouts. Nothing was written by it (the transaction was rolled back), so running it
again is safe: :func:`retry_busy` does that a bounded number of times for a user's save.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session

from workbench.db.writers import TurnTimeout, WriterQueue
from workbench.errors import DatabaseBusy, DatabaseURLError

T = TypeVar("T")
BUSY_MESSAGE = (
    "The database is busy: another command (an import, a restore) is writing to it; nothing "
    "was saved. Try again in a moment; if it keeps happening, ask your admin whether a long "
    "command is running."
)
# PostgreSQL SQLSTATEs worth a retry: serialization_failure, deadlock_detected,
# lock_not_available (lock_timeout).
_RETRYABLE_STATES = {"40001", "40P01", "55P03"}

# PostgreSQL connections an engine keeps open, and how many more it opens at a peak (closed
# again when returned): see create().
POOL_SIZE = 20
POOL_OVERFLOW = 20

# How long a SQLite writer waits for the write lock (SQLite's busy timeout, and our own
# polling in _sqlite_begin) and for its turn among this process's writers (_writer_turn).
BUSY_TIMEOUT_MS = 10_000

_engines: dict[str, Engine] = {}
_lock = threading.Lock()
# One first-come-first-served queue of write transactions per SQLite file or PostgreSQL
# URL (workbench.db.writers). PostgreSQL runs this many of one process's at once: with all
# 20 reviewer threads of the stress bench in flight, they and their 20 server backends
# fought for two cores and the GIL went to whichever thread happened to ask (save p95
# ~150 ms); 6-10 at once, in order, gave ~100 ms and more saves per second.
PG_WRITERS = 8
_writer_queues: dict[str, WriterQueue] = {}
_queue_by_engine: weakref.WeakKeyDictionary[Engine, WriterQueue | None] = (
    weakref.WeakKeyDictionary()
)


# A URL that fails to parse is usually a typo ("postgresql+psycopg//user:pw@host", a port
# that is not a number), and its password is as real as in a good one: a message must not
# echo it. Its password is taken to be whatever stands between a "name:" (not the scheme's
# "://") and the next '@'; when unsure this masks more (the user name too), never less.
_ANY_PASSWORD = re.compile(r"(?P<head>[^:/@\s]+:)(?!//)(?P<pw>[^@\s]+)@")


def mask_url(url: str) -> str:
    """``url`` without its password, for messages: rendered by SQLAlchemy when it parses,
    otherwise with anything that could be a ``user:password@`` password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        # Any "name:secret@" in the text: a password may follow a missing or doubled scheme
        # separator, so no attempt is made to find the authority the way a parser would.
        return _ANY_PASSWORD.sub(lambda m: f"{m['head']}***@", url)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the app read while the CLI writes;
    # the busy timeout makes a second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # Let SQLAlchemy's "begin" hook below open transactions, not the sqlite3 module.
    dbapi_connection.isolation_level = None


# How often a transaction waiting for SQLite's write lock tries again: see _sqlite_begin.
SQLITE_POLL_SECONDS = 0.002
# Execution option: the transaction only reads (unit_of_work(read_only=True)).
READ_ONLY = "workbench_read_only"


def _sqlite_begin(connection: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock at the start of every transaction. With the
    # default deferred BEGIN, two transactions that both read (say, the free review slots of a
    # claim) and then write race: in WAL mode the loser fails with SQLITE_BUSY_SNAPSHOT, which
    # the busy timeout cannot retry. Taking the lock first makes transactions queue instead
    # (within the busy timeout); they last milliseconds, so the queue is short.
    #
    # The wait for the lock is a loop of our own, not SQLite's busy handler: that one sleeps
    # 1, 2, 5, 10, ... then 100 ms between tries, so a save waiting beside an import (which
    # frees the lock 0.1 s at a time between short transactions) often slept through the gap
    # and found the lock taken again: saves waited a second at p95 (issue 11, BENCHMARKS.md
    # "Import beside reviewers"). Trying every 2 ms catches every gap. Python's sqlite3 has
    # no way to install a busy handler, hence the busy timeout set to 0 for the tries (one
    # failed try costs microseconds) and put back for the statements of the transaction
    # (which hold the lock then; the timeout still covers a checkpoint or a WAL recovery).
    raw = connection.connection.dbapi_connection
    if connection.get_execution_options().get(READ_ONLY):
        raw.execute("BEGIN")  # deferred: a snapshot of the WAL, no write lock
        return
    (timeout_ms,) = raw.execute("PRAGMA busy_timeout").fetchone()
    deadline = time.monotonic() + timeout_ms / 1000
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    break
            time.sleep(SQLITE_POLL_SECONDS)
        # Once more through SQLAlchemy, which turns the error into its own (for is_busy).
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names (as given, maybe relative), or None: another backend, an
    in-memory database, or a URL that does not parse (whose error comes when it is opened)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database.startswith("file:"):  # a URI filename (?uri=true): its path ends at '?'
        path, _, query = database.removeprefix("file:").partition("?")
        if "mode=memory" in query:
            return None
        database = path
    if not database or database == ":memory:":
        return None
    return Path(database)


def open_sqlite_files() -> list[Path]:
    """The SQLite files this process has engines on: what no export may overwrite."""
    with _lock:
        urls = list(_engines)
    return [path for url in urls if (path := sqlite_path(url)) is not None]


def create(url: str) -> Engine:
    """A new engine for ``url``; SQLite files get their folder and their pragmas."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(
            f"invalid database URL {mask_url(url)!r}: expected dialect+driver://user:password"
            "@host:port/database (e.g. postgresql+psycopg://...) or sqlite:///path/to/file"
        ) from exc
    except ValueError as exc:
        # make_url calls int() on the port; its message ("invalid literal for int()...")
        # would puzzle a user, and other ValueErrors are as much the URL's fault.
        reason = "the port must be a number" if "int()" in str(exc) else "it cannot be read"
        raise DatabaseURLError(f"invalid database URL {mask_url(url)!r}: {reason}") from exc
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
        # One connection per concurrent session: 20 reviewers are 20 threads of one app
        # process. With SQLAlchemy's default (5 kept, 10 more opened on demand and closed
        # again when returned) the 6th to 15th threads paid a new server connection per
        # transaction and the 16th waited for one (save p95 508 ms with 20 reviewers).
        return create_engine(
            parsed, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW
        )
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


@lru_cache(maxsize=256)
def _queue_of(url: URL) -> tuple[str, int] | None:
    """The name of the queue of ``url``'s writers and how many of them may go at once; None
    for an in-memory SQLite database (one connection) or another backend."""
    backend = url.get_backend_name()
    if backend == "postgresql":
        return url.render_as_string(hide_password=True), PG_WRITERS
    if backend != "sqlite":
        return None
    path = sqlite_path(url.render_as_string(hide_password=False))
    # Resolved: two spellings of one file share one queue, as they share its write lock.
    return (str(path.resolve()), 1) if path is not None else None


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The first-come-first-served queue of this process's write transactions on
    ``engine``'s database (workbench.db.writers); None if it has none."""
    try:
        return _queue_by_engine[engine]  # asked on every unit of work: no URL parsed then
    except KeyError:
        pass
    spec = _queue_of(engine.url)
    queue = None
    if spec is not None:
        name, slots = spec
        with _lock:
            queue = _writer_queues.get(name)
            if queue is None:
                queue = _writer_queues[name] = WriterQueue(name, slots)
    _queue_by_engine[engine] = queue
    return queue


def _writer_turn(engine: Engine, read_only: bool) -> AbstractContextManager[None]:
    # A write transaction waits for its turn among this process's writers before it checks
    # a connection out (workbench.db.writers says why); read-only ones do not.
    queue = None if read_only else writer_queue(engine)
    if queue is None:
        return nullcontext()
    return queue.turn(BUSY_TIMEOUT_MS / 1000)


@contextmanager
def unit_of_work(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """One transaction: committed if the block ends normally, rolled back if it raises.

    A busy database is :class:`DatabaseBusy` (see the module's docstring). ``read_only``:
    the block only reads; on SQLite its transaction then begins DEFERRED, without the write
    lock, so a long read (the Agreement page's million reviews) does not hold up every save
    for its duration. SQLite refuses a write in it only if another writer got in first;
    PostgreSQL runs it as any other transaction. Every other unit of work first waits for
    its turn behind the writers of this process that asked before it (:func:`writer_queue`:
    one at a time on SQLite, ``PG_WRITERS`` at a time on PostgreSQL).
    """
    turn = _writer_turn(engine, read_only)
    if read_only and engine.dialect.name == "sqlite":
        engine = engine.execution_options(**{READ_ONLY: True})
    try:
        # A Session, not a sessionmaker: that one makes a new Session subclass per call,
        # whose event set-up cost more CPU than some saves' statements.
        with turn, Session(engine, expire_on_commit=False) as session, session.begin():
            yield session
    except TurnTimeout as exc:
        raise DatabaseBusy(f"{BUSY_MESSAGE} ({exc})") from exc
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
