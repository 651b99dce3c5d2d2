"""The backup file: its tables, how each value is written and read back, and reading it checked.

One JSONL file: a header line (``kind``, ``schema_version``, ``alembic_revision``,
``created_at``), then one ``{"table": ..., "row": {...}}`` line per row, tables in
dependency order (parents first), each table in primary key order. Timestamps are ISO 8601
in UTC, binary values (MinHash sketches) base64.

A backup of one project (``export --all --project P``) has the same lines, restricted to that
project's rows (``workbench.transfer.project_backup``); its header names the project
(``"project": name``).

A backup made before projects (alembic revision ``0014``, ``OLD_REVISIONS``) has no
``projects`` or ``memberships`` lines and no ``project_id`` in ``documents`` and
``project_settings``: it is read as the backup of one project ``default`` (id 1), with a
membership for each account in the role the account has (what migration 0015 does to a
database), so it restores into a database of this release.

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
# Revisions whose backups this release reads, each with the revision it reads them into.
# Older schema revisions whose backups read into this one: 0014 (before projects, see the
# module's docstring) and 0015 (before claims.project_id, which a restore fills in from the
# claim's document, as migration 0016 does).
OLD_REVISIONS = {"0014": "0021", "0015": "0021"}
# Revisions whose backups hold exactly what a later one's do, read as that one's: 0017 only
# dropped the CHECKs that held verdicts to three names, 0018 and 0019 added only tables no
# backup holds (API tokens, webhooks: docs/security.md), 0020 only an index, 0021 only the API's
# bad-token counts per client (not backed up either: they are forgotten within the hour).
SAME_TABLES = {
    "0016": "0021",
    "0017": "0021",
    "0018": "0021",
    "0019": "0021",
    "0020": "0021",
}
BEFORE_PROJECTS = "0014"
DEFAULT_PROJECT_ID = 1
# The default project as migration 0015 makes it (the one an old backup's rows belong to).
_DEFAULT_SCALE = {
    "verdicts": [
        {
            "name": "verified",
            "label": "",
            "description": "The evidence supports the claim as stated.",
            "key": "1",
            "rating": 3,
        },
        {
            "name": "disputed",
            "label": "",
            "description": "Credible evidence contradicts it, or it is contested.",
            "key": "2",
            "rating": 1,
        },
        {
            "name": "unsupported",
            "label": "",
            "description": "No evidence was found that would confirm it.",
            "key": "3",
            "rating": 2,
        },
    ]
}


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


def read_header(path: Path, engine: Engine) -> dict[str, Any]:
    """The header line, checked: a backup of this schema, or of one ``OLD_REVISIONS`` reads
    into it."""
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
        made = header.get("alembic_revision")
        readable = here is not None and here in (
            OLD_REVISIONS.get(str(made)),
            SAME_TABLES.get(str(made)),
        )
        if made != here and not readable:
            raise InputFileError(
                str(path),
                number,
                "alembic_revision",
                f"the backup was made at schema revision {header.get('alembic_revision')}, "
                f"this database is at {here}; restore it with the workbench version that made "
                "it, or into a database at that revision",
            )
        project = header.get("project")
        if project is not None and not isinstance(project, str):
            raise InputFileError(str(path), number, "project", "must be a project's name")
        return header
    raise InputFileError(str(path), None, None, "empty file, not a backup")


class _BeforeProjects:
    """Reads the lines of a backup made before projects as lines of this release's: one
    project ``default`` first, each account's membership after the accounts, ``project_id``
    in documents and settings (see the module's docstring)."""

    def __init__(self) -> None:
        self.started = False
        self.members: list[dict[str, Any]] = []
        self.members_out = False

    def lines(self, name: str, raw: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        if not self.started:
            self.started = True
            out.append(("projects", _default_project()))
        if name != "users" and not self.members_out:
            self.members_out = True
            out += [("memberships", member) for member in self.members]
        if name == "users" and isinstance(raw, dict):
            self.members.append(
                {
                    "user_id": raw.get("id"),
                    "project_id": DEFAULT_PROJECT_ID,
                    "role": raw.get("role"),
                }
            )
        if name in ("documents", "project_settings") and isinstance(raw, dict):
            raw = {**raw, "project_id": DEFAULT_PROJECT_ID}
        out.append((name, raw))
        return out

    def end(self) -> list[tuple[str, dict[str, Any]]]:
        if not self.started or self.members_out:
            return []
        self.members_out = True
        return [("memberships", member) for member in self.members]


def _default_project() -> dict[str, Any]:
    return {
        "id": DEFAULT_PROJECT_ID,
        "name": "default",
        "description": "",
        "verdict_scale": _DEFAULT_SCALE,
        "guidelines": "",
        "guidelines_version": 0,
        "created_at": datetime.now(UTC).isoformat(),
    }


def iter_records(path: Path) -> Iterator[tuple[int, Table, dict[str, Any]]]:
    """The rows after the header, checked and converted; raises on the first bad line."""
    old: _BeforeProjects | None = None
    older = False  # a backup of an OLD_REVISIONS schema
    projects: dict[Any, Any] = {}  # document id -> its project, for claims of 0014 and 0015
    state = _Order()
    number = 0
    for number, line in _lines(path):
        if number == 1:
            try:
                header = json.loads(line)
            except ValueError:
                header = {}
            made = header.get("alembic_revision") if isinstance(header, dict) else None
            older = made in OLD_REVISIONS
            if made == BEFORE_PROJECTS:
                old = _BeforeProjects()
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
        if old is not None and name in ("projects", "memberships"):
            raise InputFileError(*where, "table", f"a backup of 0014 has no {name}")
        pairs = [(name, raw)] if old is None else old.lines(name, raw)
        for table_name, row in pairs:
            if older:
                _claims_project(table_name, row, projects)
            yield number, *_checked(where, table_name, row, state)
    if old is not None:
        for table_name, row in old.end():
            yield number, *_checked((str(path), number), table_name, row, state)


def _claims_project(table: str, row: Any, projects: dict[Any, Any]) -> None:
    """Before 0016 a claim's project was its document's: fill claims.project_id as the
    migration does (documents come before claims in the file)."""
    if not isinstance(row, dict):
        return
    if table == "documents":
        projects[row.get("id")] = row.get("project_id")
    elif table == "claims" and "project_id" not in row:
        row["project_id"] = projects.get(row.get("document_id"))


class _Order:
    """Where the file is: the position of its table, and the last row's table and key."""

    def __init__(self) -> None:
        self.order = {name: index for index, name in enumerate(TABLES)}
        self.position = 0
        self.previous: tuple[str, tuple[Any, ...]] | None = None


def _checked(
    where: tuple[str, int], name: Any, raw: Any, state: _Order
) -> tuple[Table, dict[str, Any]]:
    """One line's row, checked and converted; InputFileError naming its field if bad."""
    order = state.order
    if name not in order:
        raise InputFileError(*where, "table", f"unknown table {name!r}")
    if order[name] < state.position:
        raise InputFileError(*where, "table", f"{name} rows after rows of a later table")
    state.position = order[name]
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
    previous = state.previous
    if previous is not None and previous[0] == name and key <= previous[1]:
        shown = ", ".join(map(str, key))
        raise InputFileError(
            *where, "row", f"{name} {shown} is not after the row before it (primary key order)"
        )
    state.previous = (name, key)
    return table, row
