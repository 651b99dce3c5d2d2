"""The backup of one project, and its restore into another database as a new project.

``workbench export --all --project P`` writes the lines of a whole backup
(``workbench.transfer.backup_file``), each table restricted to P (:func:`scope`): its
``projects`` row, its settings and memberships, its documents, their claims, the claims'
reviews, URLs, final verdicts, comments, sketches and similarities (both claims in P), the
history of its claims and of the project itself (description, scale, guidelines, members,
who read which guidelines, settings: ``audit.project_entries``), and the accounts all of
these refer to. Its header names the project (``"project": "P"``).
A claim's project is its document's, read through ``documents.project_id``.

``workbench import FILE [--as NAME]`` restores it as a **new** project, named as in the file
or NAME; a project of that name here is refused, before anything is read further. The rows
go in with new ids when the database holds data: each table's ids are moved past the
largest id here (``id + offset``, one offset a table), and every reference follows (claims'
documents, reviews' claims, history's claims, the rows its entries name, and the ids
inside their values: a URL's review, a correction's claims, an answer's question, ...). Into an
empty database the offsets are 0 and the ids stay as they were. An account is matched by
name: one of that name here is the same person (their row here is kept, and they become a
member of the new project in the role the file gives them); another is added, with its
password hash, but never as a site admin: its own role is reviewer if the file makes it an
admin or reviewer of the project, viewer otherwise. Each account added or matched is named in
the report. The restore is one transaction, like a whole one (``restore_backup``), and ends
the same way: id sequences moved past the new rows, the figures recounted, stored figures
forgotten, and one history entry of the project's creation by the restoring actor.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, select, union

from workbench.audit import (
    PROJECT_USER_ENTITIES,
    Change,
    Entity,
    project_entries,
    setting_entity_id,
)
from workbench.errors import InputFileError, InvalidInput
from workbench.schemas import Role
from workbench.transfer.backup_file import BATCH, TABLES, iter_records, table_of
from workbench.transfer.restore import RestoreReport

# The entities whose entity_id is the id of a row of this table (final verdicts, a claim's
# status and its corrections are written under the claim's id).
ENTITY_TABLE = {
    Entity.review.value: "reviews",
    Entity.url.value: "evidence",
    Entity.final_verdict.value: "claims",
    Entity.claim_status.value: "claims",
    Entity.claim.value: "claims",
    Entity.comment.value: "comments",
    Entity.user.value: "users",
    Entity.project.value: "projects",
    Entity.guidelines.value: "projects",
}


# The keys of history values (before, after) that hold the id of a row of this table, or a
# list of them: a URL's review, a correction's claims, an answer's question.
VALUE_IDS = {
    "review_id": "reviews",
    "replaced_by": "claims",
    "replaces": "claims",
    "corrected_from": "claims",
    "reply_to": "comments",
}
# A question's resolution names the answer that resolved it ("answer 12").
ANSWER = re.compile(r"^answer (\d+)$")


def scope(project_id: int) -> dict[str, ColumnElement[bool]]:
    """Per table, the clause that keeps the rows of project ``project_id`` (and the accounts
    they refer to)."""
    t = {name: table_of(name) for name in TABLES}
    documents = select(t["documents"].c.id).where(t["documents"].c.project_id == project_id)
    claims = select(t["claims"].c.id).where(t["claims"].c.document_id.in_(documents))
    reviews = select(t["reviews"].c.id).where(t["reviews"].c.claim_id.in_(claims))
    where: dict[str, ColumnElement[bool]] = {
        "projects": t["projects"].c.id == project_id,
        "memberships": t["memberships"].c.project_id == project_id,
        "project_settings": t["project_settings"].c.project_id == project_id,
        "documents": t["documents"].c.project_id == project_id,
        "claims": t["claims"].c.document_id.in_(documents),
        "reviews": t["reviews"].c.claim_id.in_(claims),
        "evidence": t["evidence"].c.review_id.in_(reviews),
        "final_verdicts": t["final_verdicts"].c.claim_id.in_(claims),
        "comments": t["comments"].c.claim_id.in_(claims),
        "history": project_entries(project_id, claims),
        "claim_similarities": and_(
            t["claim_similarities"].c.claim_id.in_(claims),
            t["claim_similarities"].c.similar_id.in_(claims),
        ),
        "claim_sketches": t["claim_sketches"].c.claim_id.in_(claims),
        "claim_sketch_keys": t["claim_sketch_keys"].c.claim_id.in_(claims),
    }
    # The accounts: every one a row of the project refers to.
    users = t["users"]
    referring = [
        select(key.parent).where(where[name], key.parent.is_not(None))
        for name in TABLES
        if name in where
        for key in t[name].foreign_keys
        if key.column.table is users
    ]
    where["users"] = users.c.id.in_(union(*referring).scalar_subquery())
    return where


class ProjectRestore:
    """Restores a project's backup as a new project (see the module's docstring)."""

    def __init__(
        self, connection: Connection, report: RestoreReport, name: str, actor_id: int | None
    ) -> None:
        self.connection = connection
        self.report = report
        self.name = name
        self.actor_id = actor_id
        # Each table's offset: its ids here go up to it (0 into an empty table).
        self.offset = {
            table: connection.scalar(select(func.coalesce(func.max(table_of(table).c.id), 0))) or 0
            for table in TABLES
            if "id" in table_of(table).c
        }
        self.users: dict[int, int] = {}  # the file's account id → the id here
        self.new_users: dict[int, dict[str, Any]] = {}  # accounts to add, by the file's id
        self.project_id: int | None = None
        self.pending: list[dict[str, Any]] = []
        self.pending_table = ""

    def new(self, table: str, old: int | None) -> int | None:
        if old is None:
            return None
        if table == "users":
            if old not in self.users:
                raise InvalidInput(
                    f"{self.report.file}: a row refers to account {old}, which the backup "
                    "does not hold; nothing was restored"
                )
            return self.users[old]
        return old + self.offset[table]

    def run(self, path: Path) -> None:
        for number, table, row in iter_records(path):
            self._add(number, table.name, row)
        self._flush()
        self._own_entry()

    def _add(self, number: int, name: str, row: dict[str, Any]) -> None:
        if name != self.pending_table or len(self.pending) >= BATCH:
            self._flush()
            self.pending_table = name
        if name == "projects":
            if self.project_id is not None:
                raise InputFileError(self.report.file, number, "table", "a second project")
            self.project_id = self.new("projects", row["id"])
            row = {**row, "id": self.project_id, "name": self.name}
        elif name == "users":
            self._account(row)
            return
        elif name == "memberships":
            self._member(row)
        else:
            row = self._mapped(name, row)
        self.pending.append(row)

    def _account(self, row: dict[str, Any]) -> None:
        here = self.connection.scalar(
            select(table_of("users").c.id).where(table_of("users").c.name == row["name"])
        )
        if here is not None:
            self.users[row["id"]] = here
            self.report.accounts_matched.append(row["name"])
            return
        self.users[row["id"]] = row["id"] + self.offset["users"]
        self.new_users[row["id"]] = row

    def _member(self, row: dict[str, Any]) -> None:
        """The membership; an account it makes is added now, its own role from it."""
        account = self.new_users.pop(row["user_id"], None)
        if account is not None:
            role = Role.reviewer if row["role"] in (Role.admin, Role.reviewer) else Role.viewer
            self._insert_account(account, role)
        row.update(user_id=self.users[row["user_id"]], project_id=self.project_id)

    def _insert_account(self, account: dict[str, Any], role: Role) -> None:
        users = table_of("users")
        row = {**account, "id": self.users[account["id"]], "role": role.value}
        self.connection.execute(users.insert(), [row])
        self.report.inserted["users"] = self.report.inserted.get("users", 0) + 1
        can = row["password_hash"] is not None and not row["disabled"]
        self.report.accounts_added.append(
            f"{row['name']} ({role.value}{', can log in' if can else ''})"
        )

    def _mapped(self, name: str, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with its id and every reference moved to the ids here."""
        # The accounts no membership named (an adjudicator, a former member): viewers.
        for account in list(self.new_users.values()):
            self.new_users.pop(account["id"])
            self._insert_account(account, Role.viewer)
        table = table_of(name)
        out = dict(row)
        if "id" in table.c and table.c.id.primary_key:
            out["id"] = self.new(name, row["id"])
        if "project_id" in table.c:
            out["project_id"] = self.project_id
        for key in table.foreign_keys:
            column, target = key.parent.name, key.column.table.name
            if target != "projects":
                out[column] = self.new(target, row[column])
        if name == "history":
            out["entity_id"] = self._entity_id(row["entity"], row["entity_id"])
            out["before"] = self._value_ids(row["before"])
            out["after"] = self._value_ids(row["after"])
        return out

    def _value_ids(self, value: Any) -> Any:
        """An entry's before or after with the ids it names moved to the ids here, as its
        entity_id and claim_id are: a restored history reads as this database's."""
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for key, table in VALUE_IDS.items():
            held = out.get(key)
            if isinstance(held, int) and not isinstance(held, bool):
                out[key] = self.new(table, held)
            elif isinstance(held, list):
                out[key] = [
                    self.new(table, i) if isinstance(i, int) and not isinstance(i, bool) else i
                    for i in held
                ]
        resolved = out.get("resolved_by")
        answer = ANSWER.match(resolved) if isinstance(resolved, str) else None
        if answer is not None:
            out["resolved_by"] = f"answer {self.new('comments', int(answer.group(1)))}"
        return out

    def _entity_id(self, entity: str, value: str) -> str:
        if entity in PROJECT_USER_ENTITIES:
            _, _, user = value.partition(":")
            user_id = self.users.get(int(user)) if user.isdigit() else None
            return f"{self.project_id}:{user_id if user_id is not None else user}"
        if entity == Entity.setting.value:
            assert self.project_id is not None  # the projects row comes first in a backup
            return setting_entity_id(self.project_id, value.rpartition(":")[2])
        table = ENTITY_TABLE.get(entity)
        if table is None or not value.isdigit():
            return value
        if table == "users":
            return str(self.users.get(int(value), value))
        return str(self.new(table, int(value)))

    def _flush(self) -> None:
        if not self.pending:
            return
        name, rows = self.pending_table, self.pending
        self.pending = []
        self.connection.execute(table_of(name).insert(), rows)
        self.report.inserted[name] = self.report.inserted.get(name, 0) + len(rows)

    def _own_entry(self) -> None:
        if self.project_id is None:
            raise InvalidInput(f"{self.report.file}: the backup holds no project")
        self.connection.execute(
            table_of("history").insert(),
            [
                {
                    "actor_id": self.actor_id,
                    "entity": Entity.project.value,
                    "entity_id": str(self.project_id),
                    "claim_id": None,
                    "action": Change.create.value,
                    "before": None,
                    "after": {"name": self.name, "restored_from": self.report.file},
                }
            ],
        )
