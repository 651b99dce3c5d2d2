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

A backup of one project (``project``): see ``workbench.transfer.project_backup``, which holds
the rows it keeps and its restore as a new project. Restoring a whole backup into an empty
database first removes the projects it holds (a new database's empty ``default``): the
backup's own take their place, ids and all.

This module holds the two entry points and the writer; the file's format and its checked
reading are ``workbench.transfer.backup_file``, the row-by-row comparison and the inserts
``workbench.transfer.restore``. A restore is a bulk copy of whole tables, rows verbatim with
their ids, not a replay through the review package's write path
(``workbench.review.writes``): see ``restore``'s docstring for why, and for what a merge
still takes from that path (its history entries' shapes, ``refresh_final``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import ConfigDict
from pydantic_core import to_json
from sqlalchemy import ColumnElement, Connection, Engine, Table, delete, func, select, tuple_
from sqlalchemy.exc import DBAPIError

from workbench.auth.policy import Action, Caller, authorize
from workbench.db import snapshots
from workbench.db.migrate import current_revision
from workbench.db.session import is_busy
from workbench.errors import DatabaseBusy, InvalidInput
from workbench.files.atomic import PRIVATE, FileDigest
from workbench.files.manifest import data_file, seal
from workbench.projects.service import ProjectOut, project_name, resolve_project
from workbench.reports import Report
from workbench.review.stats import recount
from workbench.transfer.backup_file import (
    BATCH,
    CONTENT_TABLES,
    KIND,
    SCHEMA_VERSION,
    TABLES,
    dump_row,
    iter_records,
    read_header,
    table_of,
)
from workbench.transfer.bulk_lock import bulk_lock
from workbench.transfer.project_backup import ProjectRestore, scope
from workbench.transfer.restore import Restorer, RestoreReport, advance_sequences

# --- export -------------------------------------------------------------------------------


class BackupResult(Report):
    model_config = ConfigDict(frozen=True)

    path: Path
    rows: int
    tables: dict[str, int]
    sha256: str
    manifest: Path
    project: str | None = None  # a backup of one project

    def summary(self) -> str:
        tables = ", ".join(f"{count} {name}" for name, count in self.tables.items())
        of = "" if self.project is None else f" (project {self.project})"
        return f"wrote {self.rows} rows to {self.path}{of}\n{tables}; manifest {self.manifest}"


def _iter_rows(
    connection: Connection, table: Table, where: ColumnElement[bool] | None = None
) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` (that ``where`` keeps), ``BATCH`` at a time in primary key order
    (keyset pagination)."""
    key = list(table.primary_key.columns)
    last: tuple[Any, ...] | None = None
    while True:
        query = select(table).order_by(*key).limit(BATCH)
        if where is not None:
            query = query.where(where)
        if last is not None:
            query = query.where(tuple_(*key) > tuple_(*last) if len(key) > 1 else key[0] > last[0])
        rows = [dict(row._mapping) for row in connection.execute(query)]
        if not rows:
            return
        yield from rows
        last = tuple(rows[-1][column.name] for column in key)


def write_backup(
    engine: Engine, out: BinaryIO, project: ProjectOut | None = None
) -> dict[str, int]:
    """Stream the backup (of every table, or of ``project``'s rows) into ``out``; returns the
    rows written per table."""
    kept = None if project is None else scope(project.id)
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
        if project is not None:
            header["project"] = project.name
        out.write(to_json(header) + b"\n")
        for name in TABLES:
            table = table_of(name)
            count = 0
            lines: list[bytes] = []
            for row in _iter_rows(connection, table, None if kept is None else kept[name]):
                lines.append(to_json({"table": name, "row": dump_row(table, row)}))
                count += 1
                if len(lines) >= BATCH:
                    out.write(b"\n".join(lines) + b"\n")
                    lines = []
            if lines:
                out.write(b"\n".join(lines) + b"\n")
            counts[name] = count
    return counts


def export_backup(
    engine: Engine, path: Path, *, actor: Caller, project: int | str | None = None
) -> BackupResult:
    """Write the backup to ``path`` (whole or not at all), then its manifest beside it: of the
    whole database (``project`` None: a site admin's, or the command line's), or of one
    project (its admins').

    The backup holds password hashes: it is created readable by its owner only (0600), from
    the first byte. The manifest (counts, size, sha256) holds nothing secret and keeps the
    umask's mode, so anyone may check a copy against it.
    """
    chosen = None
    if project is None:
        authorize(engine, actor, Action.export)
    else:
        chosen = resolve_project(engine, project, actor)
        authorize(engine, actor, Action.export, chosen.id)
    digest = FileDigest()
    with data_file(path, digest, mode=PRIVATE) as handle:
        counts = write_backup(engine, handle, chosen)
    rows = sum(counts.values())
    written = seal(
        path,
        digest,
        format="backup",
        schema_version=SCHEMA_VERSION,
        filters={} if chosen is None else {"project": chosen.name},
        claims=counts["claims"],
        reviews=counts["reviews"],
        rows=rows,
    )
    return BackupResult(
        path=path,
        rows=rows,
        tables=counts,
        sha256=digest.sha256,
        manifest=written,
        project=None if chosen is None else chosen.name,
    )


def restore_backup(
    engine: Engine,
    path: Path,
    *,
    actor: Caller,
    add_missing: bool = False,
    accounts: bool = False,
    as_name: str | None = None,
) -> RestoreReport:
    """Restore the backup at ``path`` (see the module's docstring).

    ``accounts``: with ``add_missing`` into a database that holds data, also add the backup's
    accounts that are not here (without it none is added). A project's backup is restored as
    a new project, named ``as_name`` or as in the file (``workbench.transfer.project_backup``).
    """
    stored = authorize(engine, actor, Action.import_data)
    with bulk_lock(engine, "restore"):  # first: a second restore is refused before reading
        header = read_header(path, engine)
        project = header.get("project")
        if project is None and as_name is not None:
            raise InvalidInput(
                f"{path} is a backup of the whole database: --as goes with a project's"
            )
        if project is not None:
            if add_missing or accounts:
                raise InvalidInput(
                    f"{path} is the backup of project {project}, restored as a new project: "
                    "--add-missing and --accounts do not apply"
                )
            authorize(engine, actor, Action.manage_projects)
        try:
            if project is not None:
                return _restore_project(engine, path, stored, project_name(as_name or project))
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
    for _record in iter_records(path):  # first pass: the whole file is valid, or nothing
        pass
    report = RestoreReport(file=str(path))
    with engine.connect() as connection:
        transaction = connection.begin()
        report.empty_target = not any(
            connection.scalar(select(func.count()).select_from(table_of(name)))
            for name in CONTENT_TABLES
        )
        if report.empty_target:
            # The projects of an empty database (a new one's `default`) hold nothing: the
            # backup's take their place, ids and all.
            for name in ("memberships", "project_settings", "projects"):
                connection.execute(delete(table_of(name)))
        write = report.empty_target or add_missing
        restorer = Restorer(
            connection,
            report,
            write,
            merge=write and not report.empty_target,
            accounts=accounts,
            actor_id=stored.id,
        )
        for number, table, row in iter_records(path):
            restorer.add(number, table, row)
        restorer.flush()
        if write:
            advance_sequences(connection)
            if restorer.merge:
                restorer.finish_merge()
            # The per-claim figures and totals the pages read are derived: rebuild them.
            recount(connection)
            # Stored figures are keyed by the newest ids, which restored rows can repeat.
            snapshots.forget_all(connection)
            transaction.commit()
            report.written = True
        else:
            transaction.rollback()
    return report


def _restore_project(engine: Engine, path: Path, stored: Caller, name: str) -> RestoreReport:
    with engine.connect() as connection:
        projects = table_of("projects")
        if connection.scalar(select(projects.c.id).where(projects.c.name == name)) is not None:
            raise InvalidInput(
                f"a project named {name!r} already exists here: restore {path} under another "
                "name with --as NAME"
            )
    for _record in iter_records(path):  # first pass: the whole file is valid, or nothing
        pass
    report = RestoreReport(file=str(path), project=name)
    with engine.connect() as connection, connection.begin():
        report.empty_target = not any(
            connection.scalar(select(func.count()).select_from(table_of(name)))
            for name in CONTENT_TABLES
        )
        ProjectRestore(connection, report, name, stored.id).run(path)
        advance_sequences(connection)
        recount(connection)
        snapshots.forget_all(connection)
    report.written = True
    return report
