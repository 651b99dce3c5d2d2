"""Reading and writing the similarity tables in bulk, past the ORM's per-row cost.

Ingest links every document it stores: a claim adds 32 band-key rows and its lookups read
thousands. The ORM's per-row bookkeeping would cost more than the similarity work itself,
so the tables and statements are built once here as Core objects, written with one
statement per batch (``unnest`` arrays on PostgreSQL, executemany elsewhere) and read with
one parameter for all the ids (an array on PostgreSQL, JSON on SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVarTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    LargeBinary,
    Select,
    Table,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from workbench.db.models import Base, Claim, ClaimSimilarity, ClaimSketch, ClaimSketchKey

# Bound parameters per IN (...) list: far below SQLite's and PostgreSQL's limits.
_CHUNK = 2000
Ts = TypeVarTuple("Ts")
# Core tables and statements built once with expanding parameters: ingest runs them for
# every document, and the ORM's per-row bookkeeping (a claim has 32 key rows) would cost
# more than the similarity work itself.
SKETCHES = Base.metadata.tables[ClaimSketch.__tablename__]
KEYS = Base.metadata.tables[ClaimSketchKey.__tablename__]
LINKS = Base.metadata.tables[ClaimSimilarity.__tablename__]
KEY_COLUMNS = select(ClaimSketchKey.key, ClaimSketchKey.claim_id)
SIGNATURE_COLUMNS = select(
    ClaimSketch.claim_id, Claim.document_id, ClaimSketch.signature, ClaimSketch.version, Claim.text
).join(Claim, Claim.id == ClaimSketch.claim_id)
TEXT_COLUMNS = select(Claim.id, Claim.text)
LINK_COUNT_COLUMNS = select(ClaimSimilarity.claim_id, func.count()).group_by(
    ClaimSimilarity.claim_id
)


def chunks(values: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def insert_many(
    session: Session, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``rows`` into ``table``, past SQLAlchemy's per-row parameter processing, which would
    otherwise be most of the cost of the 32 key rows each claim adds.

    PostgreSQL gets one statement with an array per column (``unnest``): psycopg's
    executemany sends a statement per row, ~25 µs each in Python. Other drivers whose
    placeholder style is known get executemany; the rest, SQLAlchemy's insert.
    """
    if not rows:
        return
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    arrays = [_PG_ARRAYS.get(type(table.c[c].type)) for c in columns]
    if connection.dialect.name == "postgresql" and None not in arrays:
        unnest = ", ".join(f"%s::{kind}[]" for kind in arrays)
        connection.exec_driver_sql(
            f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({unnest})",
            tuple(list(column) for column in zip(*rows, strict=True)),
        )
        return
    placeholder = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(
        connection.dialect.paramstyle
    )
    if placeholder is None:
        session.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    values = ", ".join([placeholder] * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({names}) VALUES ({values})", list(rows)
    )


# The PostgreSQL array type that carries each column type of the tables written above.
_PG_ARRAYS: dict[type[Any], str] = {
    BigInteger: "bigint",
    Integer: "bigint",
    Float: "float8",
    LargeBinary: "bytea",
}


def _results_for(
    session: Session, columns: Select[*Ts], column: Any, ids: Iterable[int]
) -> Iterator[CursorResult[Any]]:
    """The results of ``columns`` where ``column`` is one of ``ids``: one statement for all.

    PostgreSQL takes the ids as one array parameter (``= ANY``) and SQLite as one JSON
    parameter (``IN (SELECT value FROM json_each(...))``), so a batch of documents needs one
    round trip per lookup however many ids it has; other databases get chunked ``IN`` lists.
    """
    values = sorted(set(ids))
    if not values:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        param = bindparam("ids", values, type_=ARRAY(BigInteger))
        yield connection.execute(columns.where(column == func.any(param)))
    elif dialect == "sqlite":
        listed: Select[tuple[Any]] = select(literal_column("value")).select_from(
            func.json_each(bindparam("ids", json.dumps(values)))
        )
        yield connection.execute(columns.where(column.in_(listed.scalar_subquery())))
    else:
        for chunk in chunks(values):
            yield connection.execute(columns.where(column.in_(chunk)))


def rows_for(
    session: Session, columns: Select[*Ts], column: Any, ids: Iterable[int]
) -> list[tuple[Any, ...]]:
    """The rows of :func:`_results_for`, as the driver's own tuples (the columns read here are
    integers, text and bytes, which need no conversion): SQLAlchemy's ``Row`` objects would
    cost more than the query."""
    rows: list[tuple[Any, ...]] = []
    for result in _results_for(session, columns, column, ids):
        try:
            rows += result.cursor.fetchall()
        finally:
            result.close()
    return rows


# Rows turned into an array at a time: a batch reads millions of band-key rows, which as
# Python tuples all at once would take hundreds of megabytes.
ARRAY_ROWS = 65536


def integers_for(
    session: Session, columns: Select[*Ts], column: Any, ids: Iterable[int]
) -> npt.NDArray[np.int64]:
    """:func:`rows_for` of integer columns, as one (rows x columns) array."""
    width = len(columns.selected_columns)
    parts = [np.empty((0, width), dtype=np.int64)]
    for result in _results_for(session, columns, column, ids):
        try:
            while rows := result.cursor.fetchmany(ARRAY_ROWS):
                parts.append(np.array(rows, dtype=np.int64).reshape(len(rows), width))
        finally:
            result.close()
    return np.concatenate(parts)
