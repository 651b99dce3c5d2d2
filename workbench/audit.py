"""The append-only history: every change to reviews, URLs, final verdicts, users and settings.

Service functions call :func:`record` inside the transaction that makes the change, so the
change and its history entry are written together or not at all. Nothing updates or deletes
history rows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from workbench.db.models import Base, Document, FinalVerdict, HistoryEntry, Review
from workbench.db.session import unit_of_work
from workbench.schemas import HistoryOut


class Entity(enum.StrEnum):
    review = "review"
    url = "url"
    final_verdict = "final_verdict"
    user = "user"
    setting = "setting"
    claim_status = "claim_status"
    # A claim a reviewer made: a correction of extracted claims, or a sentence they added.
    claim = "claim"
    comment = "comment"  # a comment, question or answer on a claim (review.discussion)
    project = "project"  # a project's name, description or verdict scale (workbench.projects)
    guidelines = "guidelines"  # a version of a project's guidelines
    membership = "membership"  # a user's role in a project
    # The version of a project's guidelines a user has read (entity id "project:user").
    guidelines_read = "guidelines_read"
    webhook = "webhook"  # a webhook added or removed (its secret never in the entry)


class Change(enum.StrEnum):
    create = "create"
    update = "update"
    delete = "delete"


def entry(
    *,
    actor_id: int | None,
    entity: Entity,
    entity_id: object,
    action: Change,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    claim_id: int | None = None,
) -> dict[str, Any] | None:
    """The column values of one history entry; None when an update changed nothing (an entry
    would only be noise). ``before``/``after`` must be JSON-ready (no secrets)."""
    if action == Change.update and before == after:
        return None
    return {
        "actor_id": actor_id,
        "entity": entity.value,
        "entity_id": str(entity_id),
        "claim_id": claim_id,
        "action": action.value,
        "before": before,
        "after": after,
    }


def record(
    session: Session,
    *,
    actor_id: int | None,
    entity: Entity,
    entity_id: object,
    action: Change,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    claim_id: int | None = None,
) -> None:
    """Append one history entry, written with the session's next flush."""
    values = entry(
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
        claim_id=claim_id,
    )
    if values is not None:
        session.add(HistoryEntry(**values))


# One INSERT for a save's entries, built once (see insert_entries).
_INSERT = insert(Base.metadata.tables[HistoryEntry.__tablename__])


def insert_entries(session: Session, entries: list[dict[str, Any] | None]) -> None:
    """Write entries made by :func:`entry` now, in this order, in one statement: for a save
    that writes its rows without ORM objects (a verdict), where a flush of ``HistoryEntry``
    objects would cost more CPU than the rest of the save (issue 13)."""
    rows = [values for values in entries if values is not None]
    if rows:
        session.execute(_INSERT, rows)


def claim_history(engine: Engine, claim_id: int) -> list[HistoryOut]:
    """Everything that happened to a claim's reviews, URLs and final verdict, oldest first."""
    with unit_of_work(engine) as session:
        rows = session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.claim_id == claim_id)
            .order_by(HistoryEntry.at, HistoryEntry.id)
        )
        return [history_out(row) for row in rows]


def history_out(row: HistoryEntry) -> HistoryOut:
    return HistoryOut(
        id=row.id,
        at=row.at,
        actor=row.actor.name if row.actor else None,
        entity=row.entity,
        entity_id=row.entity_id,
        claim_id=row.claim_id,
        action=row.action,
        before=row.before,
        after=row.after,
    )


# The entities whose entity_id is "project:user" (a role, the guidelines a user has read).
PROJECT_USER_ENTITIES = (Entity.membership.value, Entity.guidelines_read.value)
_HISTORY = Base.metadata.tables[HistoryEntry.__tablename__].c


def setting_entity_id(project_id: int, key: str) -> str:
    """A project setting's entity id: the default project's (id 1) keep their bare names, as
    before projects; the others' are "project:key"."""
    return key if project_id == 1 else f"{project_id}:{key}"


def project_entries(project_id: int, claims: Select[Any]) -> ColumnElement[bool]:
    """The entries that are one project's, given the query of its claims' ids: its claims'
    entries, and those about the project itself (description, scale, guidelines, members,
    who read which guidelines, settings). A backup or a history export of the project holds
    these."""
    settings = (
        ~_HISTORY.entity_id.contains(":")
        if project_id == 1
        else _HISTORY.entity_id.startswith(f"{project_id}:")
    )
    return or_(
        _HISTORY.claim_id.in_(claims),
        and_(
            _HISTORY.entity.in_([Entity.project.value, Entity.guidelines.value]),
            _HISTORY.entity_id == str(project_id),
        ),
        and_(
            _HISTORY.entity.in_(PROJECT_USER_ENTITIES),
            _HISTORY.entity_id.startswith(f"{project_id}:"),
        ),
        and_(_HISTORY.entity == Entity.setting.value, settings),
    )


def iter_history(
    engine: Engine,
    batch: int = 1000,
    *,
    where: ColumnElement[bool] | None = None,
    after: int = 0,
) -> Iterator[HistoryOut]:
    """The whole history, or the entries ``where`` selects, oldest first, ``batch`` entries a
    query (for `export --history`); from the entry after the one of id ``after`` (a keyset
    page of the HTTP API)."""
    while True:
        with unit_of_work(engine) as session:
            query = select(HistoryEntry).where(HistoryEntry.id > after)
            if where is not None:
                query = query.where(where)
            rows = session.scalars(
                query.order_by(HistoryEntry.id)
                .limit(batch)
                .options(selectinload(HistoryEntry.actor))
            ).all()
            entries = [history_out(row) for row in rows]
        yield from entries
        if len(rows) < batch:
            return
        after = rows[-1].id


# The keys of an entry's values that hold a verdict's name (reviews and final verdicts).
VERDICT_KEYS = frozenset({"verdict", "blind_verdict"})
Labels = Callable[[str], str]  # a verdict's name -> what people read (the scale's label)


def _plain(name: str) -> str:
    return name


def describe_value(value: Any, verdicts: Labels = _plain, key: str = "") -> str:
    """A before or after value on one line, for people: ``verdict: verified · note: …``;
    ``verdicts`` shows a verdict's name as people read it (the project scale's label)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        # Sorted: PostgreSQL's JSONB does not keep the order the keys were written in.
        return " · ".join(f"{k}: {describe_value(value[k], verdicts, k)}" for k in sorted(value))
    if key in VERDICT_KEYS and isinstance(value, str):
        return verdicts(value)
    return str(value)


def describe_change(entry: HistoryOut, verdicts: Labels = _plain) -> str:
    """For an update, what changed (``verdict: verified → disputed``); for a create or a
    delete, the value itself. ``verdicts``: as for :func:`describe_value`."""
    if entry.action == Change.create:
        return describe_value(entry.after, verdicts)
    if entry.action == Change.delete:
        return describe_value(entry.before, verdicts)
    before, after = entry.before, entry.after
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        return " · ".join(
            f"{k}: {describe_value(before.get(k), verdicts, k)} → "
            f"{describe_value(after.get(k), verdicts, k)}"
            for k in keys
        )
    return f"{describe_value(before, verdicts)} → {describe_value(after, verdicts)}"


# --- which claims changed between two versions of the data ----------------------------------

# Above this many changed claims the whole table is read: a long IN list is no faster, and
# SQLite bounds the number of bound parameters of one statement.
MOST_CHANGED = 500


def changed_claims(engine: Engine, since: str, now: str) -> set[int] | None:
    """The claims whose rows may differ between versions ``since`` and ``now`` of the data
    (``workbench.db.snapshots.version``); None when something else changed (or too much),
    and what was read at ``since`` must be read whole.

    For figures held in memory and patched claim by claim (the Agreement table, the
    Progress page's decided reviews): every change to a review, a URL, a final verdict or a
    claim's status appends a history entry naming its claim (this module), and new reviews
    and final verdicts have higher ids."""
    before = [int(part) for part in since.split(".")]
    after = [int(part) for part in now.split(".")]
    if len(before) != 5 or len(after) != 5:
        return None
    documents, claims, reviews, finals, history = before
    if (
        after[0] != documents
        or after[1] != claims
        or any(b > a for n, (b, a) in enumerate(zip(before, after, strict=True)) if n != 3)
    ):
        return None
    # The newest final verdict can go (a consensus undone): ids below it may then be given
    # again, so new final verdicts are not all above the old newest (see _patched).
    finals = min(finals, after[3])
    with unit_of_work(engine, read_only=True) as session:
        found: set[int] = set(
            session.scalars(select(Review.claim_id).where(Review.id > reviews)).all()
        )
        found.update(
            session.scalars(select(FinalVerdict.claim_id).where(FinalVerdict.id > finals)).all()
        )
        entries = session.execute(
            select(HistoryEntry.claim_id, HistoryEntry.entity).where(HistoryEntry.id > history)
        ).all()
        newest_document = session.scalar(select(Document.id).order_by(Document.id.desc()).limit(1))
    if int(newest_document or 0) != documents:
        return None
    for claim_id, entity in entries:
        if claim_id is not None:
            found.add(int(claim_id))
        elif entity != Entity.setting.value:  # settings do not enter the table
            return None
    return found if len(found) <= MOST_CHANGED else None
