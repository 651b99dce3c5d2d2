"""The backup file: its tables, how each value is written and read back, and reading it checked.

One JSONL file: a header line (``kind``, ``schema_version``, ``alembic_revision``,
``created_at``), then one ``{"table": ..., "row": {...}}`` line per row, tables in
dependency order (parents first), each table in primary key order. Timestamps are ISO 8601
in UTC, binary values (MinHash sketches) base64.

Shared by the writer (``workbench.transfer.backup``) and the restore
(``workbench.transfer.restore``), so the two cannot drift apart. Reading validates every line
(``file:line: field ...``) before anything is written: :func:`iter_records` raises
:class:`InputFileError` at the first bad one.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, LargeBinary, Table

from workbench.db.migrate import current_revision
from workbench.db.models import Base, UTCDateTime
from workbench.errors import InputFileError
from workbench.transfer.backup_checks import row_problem, value_problem

KIND = "workbench-backup"
SCHEMA_VERSION = 1
BATCH = 1000
# Parents before children, so that a restore inserts in file order.
TABLES = (
    "projects",
    "users",
    "memberships",
    "project_settings",
    "documents",
    "claims",
    "reviews",
    "evidence",
    "final_verdicts",
    "comments",  # after users and claims; a reply after its question (primary key order)
    "history",
    "claim_similarities",
    "claim_sketches",
    "claim_sketch_keys",
)
# The tables foreign keys refer to (comments: an answer names its question).
PARENTS = ("projects", "users", "documents", "claims", "reviews", "comments")
CONTENT_TABLES = ("documents", "claims", "reviews", "users")  # "empty" means none of these


def table_of(name: str) -> Table:
    return Base.metadata.tables[name]


# --- values -------------------------------------------------------------------------------


def dump_value(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    kind = table.c[column].type
    if isinstance(kind, UTCDateTime) or isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(kind, LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def load_value(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    kind = table.c[column].type
    if isinstance(kind, UTCDateTime):
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 date/time")
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("must carry a time zone")
        return parsed
    if isinstance(kind, LargeBinary):
        if not isinstance(value, str):
            raise ValueError("must be base64")
        return base64.b64decode(value, validate=True)
    if isinstance(kind, JSON):
        return value
    python = _python_type(table, column)
    if python is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError("must be an integer")
    if python is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError("must be a number")
    if python is str and not isinstance(value, str):
        raise ValueError("must be a string")
    if python is bool and not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _python_type(table: Table, column: str) -> type | None:
    try:
        return table.c[column].type.python_type
    except NotImplementedError:  # JSON
        return None


def dump_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {name: dump_value(table, name, value) for name, value in row.items()}


def primary_key(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[column.name] for column in table.primary_key.columns)


# --- reading ------------------------------------------------------------------------------


def is_backup(path: Path) -> bool:
    """Whether ``path`` starts with a backup header line."""
    try:
        with path.open("rb") as handle:
            first = handle.readline(1 << 16)
        header = json.loads(first)
    except (OSError, ValueError):
        return False
    return isinstance(header, dict) and header.get("kind") == KIND


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputFileError(str(path), None, None, exc.strerror or str(exc)) from None
    with handle:
        yield from enumerate(handle, start=1)


def read_header(path: Path, engine: Engine) -> None:
    for number, line in _lines(path):
        try:
            header = json.loads(line)
        except ValueError:
            raise InputFileError(str(path), number, None, "not a backup header") from None
        if not isinstance(header, dict) or header.get("kind") != KIND:
            raise InputFileError(str(path), number, None, "not a workbench backup")
        if header.get("schema_version") != SCHEMA_VERSION:
            raise InputFileError(
                str(path),
                number,
                "schema_version",
                f"backup schema version {header.get('schema_version')!r} is not "
                f"{SCHEMA_VERSION}, the one this workbench reads",
            )
        here = current_revision(engine)
        if header.get("alembic_revision") != here:
            raise InputFileError(
                str(path),
                number,
                "alembic_revision",
                f"the backup was made at schema revision {header.get('alembic_revision')}, "
                f"this database is at {here}; restore it with the workbench version that made "
                "it, or into a database at that revision",
            )
        return
    raise InputFileError(str(path), None, None, "empty file, not a backup")


def iter_records(path: Path) -> Iterator[tuple[int, Table, dict[str, Any]]]:
    """The rows after the header, checked and converted; raises on the first bad line."""
    order = {name: index for index, name in enumerate(TABLES)}
    position = 0
    previous: tuple[str, tuple[Any, ...]] | None = None  # the last row's table and key
    for number, line in _lines(path):
        if number == 1:
            continue
        if not line.strip():
            continue
        where = (str(path), number)
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputFileError(*where, None, f"not JSON: {exc}") from None
        if not isinstance(record, dict) or set(record) != {"table", "row"}:
            raise InputFileError(*where, None, 'a line must be {"table": ..., "row": {...}}')
        name, raw = record["table"], record["row"]
        if name not in order:
            raise InputFileError(*where, "table", f"unknown table {name!r}")
        if order[name] < position:
            raise InputFileError(*where, "table", f"{name} rows after rows of a later table")
        position = order[name]
        if not isinstance(raw, dict):
            raise InputFileError(*where, "row", "must be an object")
        table = table_of(name)
        unknown = set(raw) - set(table.c.keys())
        if unknown:
            raise InputFileError(*where, f"row.{sorted(unknown)[0]}", "unknown column")
        row: dict[str, Any] = {}
        for column in table.c:
            if column.name not in raw:
                raise InputFileError(*where, f"row.{column.name}", "missing")
            value = raw[column.name]
            if value is None and not column.nullable:
                raise InputFileError(*where, f"row.{column.name}", "must not be null")
            try:
                row[column.name] = load_value(table, column.name, value)
            except ValueError as exc:
                raise InputFileError(*where, f"row.{column.name}", str(exc)) from None
            if value is not None:
                problem = value_problem(table, column.name, row[column.name])
                if problem is not None:
                    raise InputFileError(*where, f"row.{column.name}", problem)
        broken = row_problem(table, row)
        if broken is not None:
            raise InputFileError(*where, f"row.{broken[0]}", broken[1])
        # The backup writes each table in primary key order; holding the file to it finds a
        # repeated key here, in the first pass, with no key kept in memory.
        key = primary_key(table, row)
        if previous is not None and previous[0] == name and key <= previous[1]:
            shown = ", ".join(map(str, key))
            raise InputFileError(
                *where, "row", f"{name} {shown} is not after the row before it (primary key order)"
            )
        previous = (name, key)
        yield number, table, row
