"""Figures computed once per version of the data, stored for every session and process.

Some pages read a million reviews to draw their figures (Agreement, Progress: seconds at
100,000 claims), while they open many times between two changes of what they show. They
store what they computed in ``figure_snapshots`` under a key and the *version* of the data
it was computed at, and an open reads the version (one round trip of primary-key lookups)
and reuses the stored figures when it has not moved: every session and every server process
on the database shares them, and a restarted server opens the page at once.

Never stale: :func:`version` is the newest id of documents, claims, reviews, final verdicts
and history entries. Every change to a review, a URL, a final verdict, a claim's status or
an account appends a history entry in its own transaction (``workbench.review.writes``,
``workbench.audit``), and bulk paths add rows, so any change a figure could show moves it,
and the next open recomputes. The caller reads the version *before* the data: figures stored
under a version are never older than it (a change landing in between only makes them newer,
and moves the version, so they are recomputed at the next open anyway). Leases are left out:
they change with every claim handed out, and the stored figures do not depend on them.

Payloads are JSON (compressed), never pickle: the database must not be a way to run code
in the server.
"""

from __future__ import annotations

import uuid
import zlib

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from workbench.db.models import (
    Claim,
    Document,
    FigureSnapshot,
    FinalVerdict,
    HistoryEntry,
    Review,
)
from workbench.db.session import unit_of_work


def version(engine: Engine) -> str:
    """The data's version: equal at two readings only when no review, URL, final verdict,
    claim, document or account changed between them."""
    models = (Document, Claim, Review, FinalVerdict, HistoryEntry)
    with unit_of_work(engine, read_only=True) as session:
        row = session.execute(
            select(*(select(func.max(m.id)).scalar_subquery() for m in models))
        ).one()
    return ".".join(str(int(value or 0)) for value in row)


def load(engine: Engine, key: str, current: str) -> bytes | None:
    """The JSON stored under ``key`` if it was computed at version ``current``, else None."""
    with unit_of_work(engine, read_only=True) as session:
        stored = session.execute(
            select(FigureSnapshot.version, FigureSnapshot.payload).where(FigureSnapshot.key == key)
        ).one_or_none()
    if stored is None or stored[0] != current:
        return None
    return zlib.decompress(stored[1])


def store(engine: Engine, key: str, at: str, payload: bytes) -> None:
    """Keep ``payload`` (JSON) under ``key`` as computed at version ``at``."""
    packed = zlib.compress(payload, 1)  # level 6 took 0.06 s more on the Agreement report
    try:
        with unit_of_work(engine) as session:
            session.execute(delete(FigureSnapshot).where(FigureSnapshot.key == key))
            session.execute(insert(FigureSnapshot).values(key=key, version=at, payload=packed))
    except IntegrityError:
        pass  # another process stored the same key at the same moment: theirs is as good


def store_raw(engine: Engine, key: str, at: str, payload: bytes) -> None:
    """:func:`store` for a payload its caller encoded and compressed itself (the Agreement
    table's stored copy: binary, and too large for zlib at level 6)."""
    try:
        with unit_of_work(engine) as session:
            session.execute(delete(FigureSnapshot).where(FigureSnapshot.key == key))
            session.execute(insert(FigureSnapshot).values(key=key, version=at, payload=payload))
    except IntegrityError:
        pass  # another process stored the same key at the same moment: theirs is as good


def load_raw(engine: Engine, key: str) -> tuple[str, bytes] | None:
    """(version, payload) stored under ``key`` by :func:`store_raw`, whatever its version."""
    with unit_of_work(engine, read_only=True) as session:
        stored = session.execute(
            select(FigureSnapshot.version, FigureSnapshot.payload).where(FigureSnapshot.key == key)
        ).one_or_none()
    return None if stored is None else (stored[0], bytes(stored[1]))


def token(engine: Engine, key: str) -> str:
    """The random token stored under ``key``, made by the first caller: it lives until a
    restore empties the table (:func:`forget_all`), so what was derived under a token is
    known to be from this database, not restored over since."""
    for _ in range(3):
        stored = load_raw(engine, key)
        if stored is not None:
            return stored[1].decode("ascii", errors="replace")
        made = uuid.uuid4().hex
        try:
            with unit_of_work(engine) as session:
                session.execute(
                    insert(FigureSnapshot).values(key=key, version="-", payload=made.encode())
                )
        except IntegrityError:
            continue  # another process made it at the same moment: read theirs
        return made
    raise RuntimeError(f"could not read or make the token {key!r}")


def forget_all(connection: Connection) -> None:
    """Drop every stored figure, in the caller's transaction.

    For a restore: it writes rows with their original ids, so the ids :func:`version` reads
    can come out as they were before with other data behind them (a backup of this very
    database, restored after it was emptied), and stored figures would pass for current."""
    connection.execute(delete(FigureSnapshot))
