"""Backup and restore: every table as JSONL, ids and timestamps kept.

``workbench export --format jsonl --all`` writes a header line, then one
``{"table": ..., "row": {...}}`` line per row, tables in dependency order (parents first).
Rows are read in keyset batches of the primary key inside one read transaction (a consistent
snapshot), so no table is ever held in memory. Timestamps are ISO 8601 in UTC, binary values
(MinHash sketches) base64. Password hashes are included: a backup is as sensitive as the
database. Leases (short-lived review locks) are not backed up.

``workbench import BACKUP`` recognises the header and restores:

* The whole file is validated first (``file:line: field ...``); a bad line changes nothing.
* Every row is compared with the target: a row whose primary key is here with the same content
  is *present*; with different content, or whose unique key (a document's sha256, a user's
  name, ...) is here under another id, or whose parent row is in conflict, is a *conflict*; any
  other row is *missing*.
* Into an empty database (no documents, claims, reviews or users), or with ``add_missing``,
  the missing rows are inserted with their original ids and PostgreSQL's id sequences are moved
  past them, all in **one transaction**: a crash or kill leaves the database as it was, and
  running the command again starts over. Conflicts are reported and left as they are.
* Into a database that already holds something, without ``add_missing``, nothing is written:
  the report says what is present, missing and in conflict.

Into an empty database the backup *is* the database: every row, accounts and history
included, goes in as it was (each account added is named in the report, with its role).

With ``add_missing`` into a database that holds data, the file is a stranger's word against
the database's, and a hostile tester showed what a bare file could do: a header and one
``users`` row made a working admin; a history row dated 2020 "by" an existing admin was
inserted; a claim ended with two disagreeing verdicts and a stale automatic final. So a merge:

* adds no account unless asked (``accounts=True``, ``--accounts``): the rows that would need
  one (reviews by that account, ...) are reported and left out, as conflicts are;
* restores none of the backup's history: what the merge adds is written to the history as its
  own act, one entry per added account, setting, review, URL and final verdict, with the
  restoring actor (``None``, the system, for the command line) and the time of the restore;
* recomputes the automatic final verdict of every claim it touched (``refresh_final``, as a
  reviewer's save does), so added reviews and finals cannot leave a claim's final stale.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic_core import to_json
from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    ForeignKeyConstraint,
    LargeBinary,
    Table,
    UniqueConstraint,
    and_,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.migrate import current_revision
from workbench.db.models import Base, UTCDateTime
from workbench.db.session import is_busy
from workbench.errors import DatabaseBusy, InputFileError
from workbench.export.atomic import PRIVATE, FileDigest, atomic_binary_file
from workbench.export.manifest import (
    Manifest,
    Software,
    check_targets,
    manifest_path,
    software_version,
    write_manifest,
)
from workbench.review.adjudicate import refresh_final, reviews_per_claim
from workbench.review.stats import recount
from workbench.transfer.backup_checks import row_problem, value_problem
from workbench.transfer.bulk_lock import bulk_lock

KIND = "workbench-backup"
SCHEMA_VERSION = 1
BATCH = 1000
# Parents before children, so that a restore inserts in file order.
TABLES = (
    "users",
    "project_settings",
    "documents",
    "claims",
    "reviews",
    "evidence",
    "final_verdicts",
    "history",
    "claim_similarities",
    "claim_sketches",
    "claim_sketch_keys",
)
PARENTS = ("users", "documents", "claims", "reviews")  # the tables foreign keys refer to
CONTENT_TABLES = ("documents", "claims", "reviews", "users")  # "empty" means none of these


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# --- values -------------------------------------------------------------------------------


def _dump_value(table: Table, column: str, value: Any) -> Any:
    if value is None:
        return None
    kind = table.c[column].type
    if isinstance(kind, UTCDateTime) or isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(kind, LargeBinary):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _load_value(table: Table, column: str, value: Any) -> Any:
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


def _dump_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {name: _dump_value(table, name, value) for name, value in row.items()}


# --- export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    rows: int
    tables: dict[str, int]
    sha256: str
    manifest: Path


def _iter_rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """Every row of ``table``, ``BATCH`` at a time in primary key order (keyset pagination)."""
    key = list(table.primary_key.columns)
    last: tuple[Any, ...] | None = None
    while True:
        query = select(table).order_by(*key).limit(BATCH)
        if last is not None:
            query = query.where(tuple_(*key) > tuple_(*last) if len(key) > 1 else key[0] > last[0])
        rows = [dict(row._mapping) for row in connection.execute(query)]
        if not rows:
            return
        yield from rows
        last = tuple(rows[-1][column.name] for column in key)


def write_backup(engine: Engine, out: BinaryIO) -> dict[str, int]:
    """Stream the backup into ``out``; returns the rows written per table."""
    counts: dict[str, int] = {}
    options: dict[str, Any] = {}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"  # one snapshot for every table
    revision = current_revision(engine)
    with engine.connect().execution_options(**options) as connection, connection.begin():
        header = {
            "kind": KIND,
            "schema_version": SCHEMA_VERSION,
            "alembic_revision": revision,
            "created_at": datetime.now(UTC).isoformat(),
        }
        out.write(to_json(header) + b"\n")
        for name in TABLES:
            table = _table(name)
            count = 0
            lines: list[bytes] = []
            for row in _iter_rows(connection, table):
                lines.append(to_json({"table": name, "row": _dump_row(table, row)}))
                count += 1
                if len(lines) >= BATCH:
                    out.write(b"\n".join(lines) + b"\n")
                    lines = []
            if lines:
                out.write(b"\n".join(lines) + b"\n")
            counts[name] = count
    return counts


def export_backup(engine: Engine, path: Path, *, actor: Caller) -> BackupResult:
    """Write the backup to ``path`` (whole or not at all), then its manifest beside it.

    The backup holds password hashes: it is created readable by its owner only (0600), from
    the first byte. The manifest (counts, size, sha256) holds nothing secret and keeps the
    umask's mode, so anyone may check a copy against it.
    """
    authorize(engine, actor, Action.export)
    check_targets(path)
    digest = FileDigest()
    with atomic_binary_file(path, digest, mode=PRIVATE) as handle:
        counts = write_backup(engine, handle)
        manifest_path(path).unlink(missing_ok=True)
    rows = sum(counts.values())
    manifest = Manifest(
        file=path.name,
        format="backup",
        schema_version=SCHEMA_VERSION,
        filters={},
        claims=counts["claims"],
        reviews=counts["reviews"],
        rows=rows,
        bytes=digest.size,
        sha256=digest.sha256,
        software=Software(version=software_version()),
        created_at=datetime.now(UTC),
    )
    try:
        written = write_manifest(path, manifest)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return BackupResult(path, rows, counts, digest.sha256, written)


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


def _read_header(path: Path, engine: Engine) -> None:
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


def _iter_records(path: Path) -> Iterator[tuple[int, Table, dict[str, Any]]]:
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
        table = _table(name)
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
                row[column.name] = _load_value(table, column.name, value)
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
        key = _pk(table, row)
        if previous is not None and previous[0] == name and key <= previous[1]:
            shown = ", ".join(map(str, key))
            raise InputFileError(
                *where, "row", f"{name} {shown} is not after the row before it (primary key order)"
            )
        previous = (name, key)
        yield number, table, row


# --- restore ------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    file: str
    empty_target: bool = False
    written: bool = False
    inserted: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)  # "line N: table id: reason"
    conflict_count: int = 0
    accounts_added: list[str] = field(default_factory=list)  # "name (role[, can log in])"
    accounts_skipped: list[str] = field(default_factory=list)  # a merge without accounts=True
    history_skipped: int = 0  # the backup's history rows a merge did not restore
    finals_checked: int = 0  # claims whose final verdict a merge recomputed

    MAX_LISTED = 100

    def conflict(self, line: int, message: str) -> None:
        self.conflict_count += 1
        if len(self.conflicts) < self.MAX_LISTED:
            self.conflicts.append(f"line {line}: {message}")

    def summary(self) -> str:
        inserted = sum(self.inserted.values())
        present = sum(self.present.values())
        missing = sum(self.missing.values())
        if self.written:
            head = f"restored {inserted} rows"
        else:
            head = f"nothing changed: {missing} rows missing here"
        return f"{head}, {present} already present, {self.conflict_count} conflicts"


def _pk(table: Table, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[column.name] for column in table.primary_key.columns)


def _pk_clause(table: Table, values: dict[str, Any]) -> Any:
    return and_(*(column == values[column.name] for column in table.primary_key.columns))


def _unique_keys(table: Table) -> list[list[str]]:
    keys = [
        [column.name for column in constraint.columns]
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    keys += [[column.name] for column in table.c if column.unique]
    return keys


def _account(row: dict[str, Any]) -> str:
    """An account as the report names it: ``Eve (admin, can log in)``."""
    can = row["password_hash"] is not None and not row["disabled"]
    return f"{row['name']} ({row['role']}{', can log in' if can else ''})"


class _Restorer:
    def __init__(
        self,
        connection: Connection,
        report: RestoreReport,
        write: bool,
        *,
        merge: bool = False,
        accounts: bool = False,
        actor_id: int | None = None,
    ) -> None:
        self.connection = connection
        self.report = report
        self.write = write
        self.merge = merge  # into a database that held data: see the module's docstring
        self.accounts = accounts
        self.actor_id = actor_id
        self.not_added: set[tuple[Any, ...]] = set()  # users a merge left out
        self.entries: list[dict[str, Any]] = []  # the merge's own history, written at the end
        self.touched: set[int] = set()  # claims whose final verdict a merge must recompute
        # Per table, the primary keys that hold the backup's row here (present or inserted):
        # a child row may only refer to those.
        # Only the tables other rows refer to are tracked (ids only, not rows).
        self.good: dict[str, set[tuple[Any, ...]]] = {name: set() for name in PARENTS}
        self.was_empty = {
            name: not connection.scalar(select(func.count()).select_from(_table(name)))
            for name in TABLES
        }
        self.pending: list[tuple[int, Table, dict[str, Any]]] = []

    def add(self, number: int, table: Table, row: dict[str, Any]) -> None:
        if (self.pending and self.pending[0][1] is not table) or len(self.pending) >= BATCH:
            self.flush()
        self.pending.append((number, table, row))

    def flush(self) -> None:
        if not self.pending:
            return
        table = self.pending[0][1]
        batch, self.pending = self.pending, []
        if self.merge and table.name == "history":
            # Never merged: a stranger's file would write who did what here, and when.
            self.report.history_skipped += len(batch)
            return
        insert: list[dict[str, Any]] = []
        for number, _, row in batch:
            reason = None if self.was_empty[table.name] else self._compare(table, row)
            if reason == "present":  # here as it is in the backup, whatever its parents
                self.report.present[table.name] = self.report.present.get(table.name, 0) + 1
                self._keep(table, row)
                continue
            if reason is None:
                reason = self._parent_conflict(table, row)
            if reason is not None:
                key = ", ".join(map(str, _pk(table, row)))
                self.report.conflict(number, f"{table.name} {key}: {reason}")
                continue
            self.report.missing[table.name] = self.report.missing.get(table.name, 0) + 1
            if table.name == "users" and self.merge and not self.accounts:
                self.not_added.add(_pk(table, row))
                self.report.accounts_skipped.append(_account(row))
                continue
            self._keep(table, row)
            insert.append(row)
        if insert and self.write:
            first, last = batch[0][0], batch[-1][0]
            try:
                self.connection.execute(table.insert(), insert)
            except (IntegrityError, DataError) as exc:
                # What the first pass cannot see: a unique key repeated within the file.
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                raise InputFileError(
                    self.report.file,
                    None,
                    None,
                    f"lines {first}-{last} ({table.name}) cannot be stored: {reason}; "
                    "nothing was restored",
                ) from None
            self.report.inserted[table.name] = self.report.inserted.get(table.name, 0) + len(insert)
            if table.name == "users":
                self.report.accounts_added.extend(_account(row) for row in insert)
            if self.merge:
                self._own_history(table, insert)

    def _keep(self, table: Table, row: dict[str, Any]) -> None:
        if table.name in self.good:
            self.good[table.name].add(_pk(table, row))

    def _own_history(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """The merge's history entries for rows it inserted, and the claims it touched."""
        name = table.name
        if name == "claims":
            self.touched.update(row["id"] for row in rows)
            return
        if name == "evidence":
            reviews = _table("reviews")
            ids = {row["review_id"] for row in rows}
            query = select(reviews.c.id, reviews.c.claim_id).where(reviews.c.id.in_(ids))
            claim_of = {
                review_id: claim_id for review_id, claim_id in self.connection.execute(query)
            }
        for row in rows:
            claim_id: int | None = None
            if name == "users":
                entity, key = Entity.user, row["id"]
                after: dict[str, Any] = {
                    "name": row["name"],
                    "role": row["role"],
                    "disabled": row["disabled"],
                    "has_password": row["password_hash"] is not None,
                }
            elif name == "project_settings":
                entity, key, after = Entity.setting, row["key"], {row["key"]: row["value"]}
            elif name == "reviews":
                entity, key, claim_id = Entity.review, row["id"], row["claim_id"]
                after = {"verdict": row["verdict"], "note": row["note"]}
            elif name == "evidence":
                entity, key, claim_id = Entity.url, row["id"], claim_of.get(row["review_id"])
                after = {"url": row["url"], "review_id": row["review_id"]}
            elif name == "final_verdicts":
                entity, key, claim_id = Entity.final_verdict, row["claim_id"], row["claim_id"]
                after = {
                    "verdict": row["verdict"],
                    "source": row["source"],
                    "reason": row["reason"],
                }
            else:  # documents, similarities, sketches: ingest writes no history for them either
                continue
            if claim_id is not None:
                self.touched.add(claim_id)
            self.entries.append(
                {
                    "actor_id": self.actor_id,
                    "entity": entity.value,
                    "entity_id": str(key),
                    "claim_id": claim_id,
                    "action": Change.create.value,
                    "before": None,
                    "after": after,
                }
            )

    def finish_merge(self) -> None:
        """After the inserts (and the id sequences moved past them): the merge's own history,
        then every touched claim's automatic final verdict recomputed, as a save does."""
        history = _table("history")
        for start in range(0, len(self.entries), BATCH):
            self.connection.execute(history.insert(), self.entries[start : start + BATCH])
        self.entries.clear()
        # The ORM session joins the restore's transaction; it neither commits nor ends it.
        with Session(bind=self.connection) as session:
            k = reviews_per_claim(session)
            for claim_id in sorted(self.touched):
                refresh_final(session, claim_id, k)
            session.flush()
        self.report.finals_checked = len(self.touched)

    def _parent_conflict(self, table: Table, row: dict[str, Any]) -> str | None:
        for constraint in table.constraints:
            if not isinstance(constraint, ForeignKeyConstraint):
                continue
            values = tuple(row[column.name] for column in constraint.columns)
            if any(value is None for value in values):
                continue
            parent = constraint.referred_table.name
            if parent == "users" and values in self.not_added:
                return (
                    f"refers to users {values[0]}, an account the restore did not add "
                    "(--accounts adds accounts)"
                )
            if parent in self.good and values not in self.good[parent]:
                return f"refers to {parent} {', '.join(map(str, values))}, which is in conflict"
        return None

    def _compare(self, table: Table, row: dict[str, Any]) -> str | None:
        here = self.connection.execute(select(table).where(_pk_clause(table, row))).first()
        if here is not None:
            if _dump_row(table, dict(here._mapping)) == _dump_row(table, row):
                return "present"
            return "the same id holds different content here"
        for columns in _unique_keys(table):
            clause = and_(*(table.c[name] == row[name] for name in columns))
            if self.connection.scalar(select(func.count()).select_from(table).where(clause)):
                values = ", ".join(f"{name}={row[name]!r}" for name in columns)
                return f"{values} is here under another id"
        return None


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the ids inserted explicitly."""
    if connection.dialect.name != "postgresql":
        return
    for name in TABLES:
        table = _table(name)
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )


def restore_backup(
    engine: Engine,
    path: Path,
    *,
    actor: Caller,
    add_missing: bool = False,
    accounts: bool = False,
) -> RestoreReport:
    """Restore the backup at ``path`` (see the module's docstring).

    ``accounts``: with ``add_missing`` into a database that holds data, also add the backup's
    accounts that are not here (without it none is added).
    """
    stored = authorize(engine, actor, Action.import_data)
    with bulk_lock(engine, "restore"):
        try:
            return _restore(engine, path, stored, add_missing=add_missing, accounts=accounts)
        except DBAPIError as exc:
            if not is_busy(exc):
                raise
            raise DatabaseBusy(
                f"{path}: another program held the database too long; nothing was restored: "
                "run the same command again"
            ) from None


def _restore(
    engine: Engine, path: Path, stored: Caller, *, add_missing: bool, accounts: bool
) -> RestoreReport:
    _read_header(path, engine)
    for _record in _iter_records(path):  # first pass: the whole file is valid, or nothing
        pass
    report = RestoreReport(file=str(path))
    with engine.connect() as connection:
        transaction = connection.begin()
        report.empty_target = not any(
            connection.scalar(select(func.count()).select_from(_table(name)))
            for name in CONTENT_TABLES
        )
        write = report.empty_target or add_missing
        restorer = _Restorer(
            connection,
            report,
            write,
            merge=write and not report.empty_target,
            accounts=accounts,
            actor_id=stored.id,
        )
        for number, table, row in _iter_records(path):
            restorer.add(number, table, row)
        restorer.flush()
        if write:
            _advance_sequences(connection)
            if restorer.merge:
                restorer.finish_merge()
            # The per-claim figures and totals the pages read are derived: rebuild them.
            recount(connection)
            transaction.commit()
            report.written = True
        else:
            transaction.rollback()
    return report
