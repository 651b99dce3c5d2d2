"""Restoring a backup: each row compared with the database, the missing ones inserted.

``workbench.transfer.backup.restore_backup`` reads the file twice (``backup_file``): once to
validate it, once to feed :class:`Restorer`, which decides per row, in batches of one table:

* a row whose primary key is here with the same content is *present*; with different
  content, or whose unique key (a document's sha256, a user's name, ...) is here under
  another id, or whose parent row is in conflict, is a *conflict*; any other row is *missing*;
* when writing, the missing rows are inserted with their original ids, table by table;
  :func:`advance_sequences` then moves PostgreSQL's id sequences past them.

A bulk copy, on purpose, not the review package's write path (``workbench.review.writes``):
into an empty database the backup *is* the database, rows, ids and history verbatim, and
going row by row through the services would renumber ids, re-stamp times and write a
second history. A merge (``add_missing`` into a database that holds data) copies the
missing rows the same way, then writes its own history entries for them, in bulk too, in
the shapes the services write (a review's entry, with the ``changed_after_reveal`` mark
of ``writes.review_state`` when the row has it; a URL's; a final verdict's), and
recomputes each touched claim's automatic final with ``writes.refresh_final``, the
services' own; the figures of ``workbench.review.stats`` are rebuilt by ``stats.recount``
as for any bulk write.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import Field
from sqlalchemy import (
    Connection,
    ForeignKeyConstraint,
    Table,
    UniqueConstraint,
    and_,
    func,
    select,
    text,
)
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity
from workbench.errors import InputFileError
from workbench.reports import SpacedJsonReport
from workbench.review.writes import refresh_final, review_state_of, reviews_per_claim
from workbench.transfer.backup_file import (
    BATCH,
    PARENTS,
    TABLES,
    dump_row,
    primary_key,
    table_of,
)


class RestoreReport(SpacedJsonReport):
    file: str
    empty_target: bool = False
    written: bool = False
    inserted: dict[str, int] = Field(default_factory=dict)
    present: dict[str, int] = Field(default_factory=dict)
    missing: dict[str, int] = Field(default_factory=dict)
    conflicts: list[str] = Field(default_factory=list)  # "line N: table id: reason"
    conflict_count: int = 0
    accounts_added: list[str] = Field(default_factory=list)  # "name (role[, can log in])"
    accounts_skipped: list[str] = Field(default_factory=list)  # a merge without accounts=True
    accounts_matched: list[str] = Field(default_factory=list)  # a project's: here by name
    project: str | None = None  # a project's backup: the project it was restored as
    history_skipped: int = 0  # the backup's history rows a merge did not restore
    finals_checked: int = 0  # claims whose final verdict a merge recomputed

    MAX_LISTED: ClassVar[int] = 100

    def conflict(self, line: int, message: str) -> None:
        self.conflict_count += 1
        if len(self.conflicts) < self.MAX_LISTED:
            self.conflicts.append(f"line {line}: {message}")

    @property
    def refused(self) -> bool:
        """Nothing written because the database held data and no merge was asked for."""
        return not self.written and any(self.missing.values())

    def counts(self) -> str:
        """The rows restored, present and in conflict, on one line."""
        inserted = sum(self.inserted.values())
        present = sum(self.present.values())
        missing = sum(self.missing.values())
        if self.written:
            head = f"restored {inserted} rows"
        else:
            head = f"nothing changed: {missing} rows missing here"
        return f"{head}, {present} already present, {self.conflict_count} conflicts"

    def summary(self) -> str:
        lines = [f"{self.file}: {self.counts()}"]
        if self.written and self.project is not None:
            lines[0] += f" into the new project {self.project}"
        if self.written and self.accounts_matched:
            lines.append(
                "accounts already here (matched by name, now members of the project): "
                + ", ".join(self.accounts_matched)
            )
        if self.written and self.accounts_added:
            lines.append("accounts added: " + ", ".join(self.accounts_added))
        if self.accounts_skipped:
            lines.append(
                "accounts not added (--accounts adds them): " + ", ".join(self.accounts_skipped)
            )
        if self.history_skipped:
            lines.append(
                f"{self.history_skipped} history entries of the backup not merged; what was "
                "added is in the history as this restore's own entries"
            )
        lines += [f"conflict: {conflict}" for conflict in self.conflicts]
        if self.conflict_count > len(self.conflicts):
            lines.append(f"... and {self.conflict_count - len(self.conflicts)} more conflicts")
        if self.refused:
            lines.append(
                "the database already holds data: nothing was written; "
                "--add-missing inserts the missing rows that do not conflict"
            )
        return "\n".join(lines)


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


class Restorer:
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
        self.merge = merge  # into a database that held data: see workbench.transfer.backup
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
            name: not connection.scalar(select(func.count()).select_from(table_of(name)))
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
                key = ", ".join(map(str, primary_key(table, row)))
                self.report.conflict(number, f"{table.name} {key}: {reason}")
                continue
            self.report.missing[table.name] = self.report.missing.get(table.name, 0) + 1
            if table.name == "users" and self.merge and not self.accounts:
                self.not_added.add(primary_key(table, row))
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
            self.good[table.name].add(primary_key(table, row))

    def _own_history(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """The merge's history entries for rows it inserted, and the claims it touched."""
        name = table.name
        if name == "claims":
            self.touched.update(row["id"] for row in rows)
            return
        if name == "evidence":
            reviews = table_of("reviews")
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
                # As a save writes it: marked when the review changed after the reveal.
                after = review_state_of(
                    row["verdict"], row["note"], bool(row.get("changed_after_reveal"))
                )
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
            elif name == "comments":
                # As review.discussion writes it; a comment changes no final verdict.
                entity, key = Entity.comment, row["id"]
                after = {"kind": row["kind"], "body": row["body"]}
                self.entries.append(self._entry(entity, key, row["claim_id"], after))
                continue
            else:  # documents, similarities, sketches: ingest writes no history for them either
                continue
            if claim_id is not None:
                self.touched.add(claim_id)
            self.entries.append(self._entry(entity, key, claim_id, after))

    def _entry(
        self, entity: Entity, key: object, claim_id: int | None, after: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "actor_id": self.actor_id,
            "entity": entity.value,
            "entity_id": str(key),
            "claim_id": claim_id,
            "action": Change.create.value,
            "before": None,
            "after": after,
        }

    def finish_merge(self) -> None:
        """After the inserts (and the id sequences moved past them): the merge's own history,
        then every touched claim's automatic final verdict recomputed, as a save does."""
        history = table_of("history")
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
            if dump_row(table, dict(here._mapping)) == dump_row(table, row):
                return "present"
            if table.name == "projects" and here._mapping["name"] == row["name"]:
                # The same project (its id and name): its description, scale and guidelines
                # here are kept, as a setting's value here is.
                return "present"
            return "the same id holds different content here"
        for columns in _unique_keys(table):
            clause = and_(*(table.c[name] == row[name] for name in columns))
            if self.connection.scalar(select(func.count()).select_from(table).where(clause)):
                values = ", ".join(f"{name}={row[name]!r}" for name in columns)
                return f"{values} is here under another id"
        return None


def advance_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the ids inserted explicitly."""
    if connection.dialect.name != "postgresql":
        return
    for name in TABLES:
        table = table_of(name)
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )
