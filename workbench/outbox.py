"""The outbox: webhook events, written in the transaction of the change that causes them.

A service that makes a change a webhook may want (a verdict saved, a final verdict decided,
a document ingested) calls one function here inside its own transaction. When a webhook
subscribes to that event in that project, the event (``webhook_events``) and one pending
delivery per subscribed webhook (``webhook_deliveries``) are written with the change: both
are committed, or neither is, so no event is lost and none is sent for a change that rolled
back. Sending is someone else's job (``workbench.webhooks.deliver``), after the commit.

The hot path (issue 13: a reviewer's save, measured per statement) pays nothing when nobody
subscribes. Which webhooks want what is cached per process and engine, under a *version* of
the subscriptions: ``count(*) + count(removed_at)`` of ``webhooks``, whose rows are never
deleted (removing one sets ``removed_at``), so every add and every removal moves it, and
only then is the cache read again. A save reads the version inside a statement it sends
anyway (``review.saves``'s read of the claim's state embeds :data:`VERSION`) and hands it
over with :func:`note_version`; a service that does not read it is charged one small
statement per transaction, the first time it asks. With no webhook at all (version 0),
nothing more is read or written.
"""

from __future__ import annotations

import enum
import threading
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, insert, select
from sqlalchemy import func as sql
from sqlalchemy.orm import Session

from workbench.db.models import Base, Claim, Document, Project, User, utcnow
from workbench.db.webhook_models import Webhook, WebhookDelivery, WebhookEvent


class EventType(enum.StrEnum):
    """What a webhook may subscribe to (docs/webhooks.md describes each payload)."""

    review_decided = "review.decided"  # a reviewer gave, changed or took back a verdict
    final_decided = "final.decided"  # a claim's final verdict was decided, changed or undone
    document_ingested = "document.ingested"  # a document and its claims were stored


_WEBHOOKS = Base.metadata.tables[Webhook.__tablename__]
_EVENTS = Base.metadata.tables[WebhookEvent.__tablename__]
_DELIVERIES = Base.metadata.tables[WebhookDelivery.__tablename__]
_CLAIMS = Base.metadata.tables[Claim.__tablename__]
_DOCUMENTS = Base.metadata.tables[Document.__tablename__]
_PROJECTS = Base.metadata.tables[Project.__tablename__]
_USERS = Base.metadata.tables[User.__tablename__]

# The subscriptions' version, as a scalar subquery a hot statement can carry along.
VERSION = (
    select(sql.count() + sql.count(_WEBHOOKS.c.removed_at))
    .select_from(_WEBHOOKS)
    .scalar_subquery()
    .label("webhooks_version")
)
_READ_VERSION = select(VERSION)
_ACTIVE = select(_WEBHOOKS.c.id, _WEBHOOKS.c.project_id, _WEBHOOKS.c.events).where(
    _WEBHOOKS.c.active.is_(True)
)
_CONTEXT = (
    select(
        _CLAIMS.c.text,
        _CLAIMS.c.document_id,
        _DOCUMENTS.c.title,
        _DOCUMENTS.c.source,
        _PROJECTS.c.id.label("project_id"),
        _PROJECTS.c.name.label("project_name"),
    )
    .select_from(
        _CLAIMS.join(_DOCUMENTS, _DOCUMENTS.c.id == _CLAIMS.c.document_id).join(
            _PROJECTS, _PROJECTS.c.id == _CLAIMS.c.project_id
        )
    )
    .where(_CLAIMS.c.id == bindparam("claim_id"))
)
_NEW_EVENT = insert(_EVENTS).returning(_EVENTS.c.id)
_NEW_DELIVERY = insert(_DELIVERIES)

_VERSION_KEY = "workbench.outbox.version"
_CONTEXT_KEY = "workbench.outbox.context"
_NAMES_KEY = "workbench.outbox.project_names"


@dataclass(frozen=True)
class Subscription:
    webhook_id: int
    project_id: int | None  # None: every project
    events: frozenset[str]

    def wants(self, event: EventType, project_id: int | None) -> bool:
        """``project_id`` None: in some project not known yet."""
        if event.value not in self.events:
            return False
        return self.project_id is None or project_id is None or self.project_id == project_id


_cache: weakref.WeakKeyDictionary[Engine, tuple[int, tuple[Subscription, ...]]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def note_version(session: Session, version: int | None) -> None:
    """The subscriptions' version as a statement of this transaction read it (:data:`VERSION`)."""
    session.info[_VERSION_KEY] = (session.get_transaction(), int(version or 0))


def _version(session: Session) -> int:
    held = session.info.get(_VERSION_KEY)
    if held is not None and held[0] is session.get_transaction():
        return int(held[1])
    version = int(session.scalar(_READ_VERSION) or 0)
    note_version(session, version)
    return version


def subscriptions(session: Session) -> tuple[Subscription, ...]:
    """The active webhooks, from the process's cache while their version has not moved."""
    version = _version(session)
    if version == 0:
        return ()
    bind = session.get_bind()  # a restore's session may be bound to a connection
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _lock:
        cached = _cache.get(engine)
    if cached is not None and cached[0] == version:
        return cached[1]
    loaded = tuple(
        Subscription(row.id, row.project_id, frozenset(row.events or ()))
        for row in session.execute(_ACTIVE)
    )
    with _lock:
        _cache[engine] = (version, loaded)
    return loaded


def subscribers(session: Session, event: EventType, project_id: int | None) -> list[int]:
    """The ids of the active webhooks that want ``event`` in ``project_id``."""
    return [s.webhook_id for s in subscriptions(session) if s.wants(event, project_id)]


def emit(
    session: Session,
    event: EventType,
    project_id: int,
    webhook_ids: list[int],
    body: Mapping[str, Any],
) -> None:
    """Write the event and a pending delivery for each webhook, in the caller's transaction."""
    uid = str(uuid.uuid4())
    now = utcnow()
    payload = {"id": uid, "type": event.value, "occurred_at": now.isoformat(), **body}
    event_id = session.scalar(
        _NEW_EVENT,
        {
            "uid": uid,
            "project_id": project_id,
            "type": event.value,
            "payload": payload,
            "created_at": now,
        },
    )
    session.execute(
        _NEW_DELIVERY,
        [
            {
                "uid": str(uuid.uuid4()),
                "webhook_id": webhook_id,
                "event_id": event_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
            }
            for webhook_id in webhook_ids
        ],
    )


def claim_context(session: Session, claim_id: int) -> tuple[int, dict[str, Any]]:
    """The claim's project id, and what a payload says about the claim: its project, text
    and document (read once per transaction and claim)."""
    held: dict[int, tuple[int, dict[str, Any]]] = session.info.setdefault(_CONTEXT_KEY, {})
    if claim_id in held:
        return held[claim_id]
    row = session.execute(_CONTEXT, {"claim_id": claim_id}).one()
    context = {
        "project": row.project_name,
        "claim": {
            "id": claim_id,
            "text": row.text,
            "document": {"id": row.document_id, "title": row.title, "source": row.source},
        },
    }
    held[claim_id] = (row.project_id, context)
    return held[claim_id]


def review_decided(
    session: Session,
    claim_id: int,
    project_id: int | None,
    *,
    review_id: int,
    reviewer: str,
    verdict: str | None,
    previous: str | None,
) -> None:
    """A reviewer's verdict changed (``verdict`` None: taken back). Nothing is read or
    written unless a webhook wants it. The verdict is sent whether or not blind review is
    on: webhooks are a site admin's, who may see every verdict (docs/webhooks.md)."""
    if verdict == previous or not _wanted(session, EventType.review_decided, project_id):
        return
    project, context = claim_context(session, claim_id)
    hooks = subscribers(session, EventType.review_decided, project)
    if hooks:
        review = {"id": review_id, "reviewer": reviewer, "verdict": verdict, "previous": previous}
        emit(session, EventType.review_decided, project, hooks, {**context, "review": review})


def final_decided(
    session: Session,
    claim_id: int,
    project_id: int | None,
    history: Mapping[str, Any] | None,
    decided_by_id: int | None = None,
) -> None:
    """A claim's final verdict changed, as its history entry says (``history`` None: it did
    not change). ``action`` is create, update or delete (undone: no final verdict now)."""
    if history is None or not _wanted(session, EventType.final_decided, project_id):
        return
    project, context = claim_context(session, claim_id)
    hooks = subscribers(session, EventType.final_decided, project)
    if not hooks:
        return
    after = history.get("after") or {}
    decided_by = None
    if decided_by_id is not None:
        decided_by = session.scalar(select(_USERS.c.name).where(_USERS.c.id == decided_by_id))
    final = {
        "action": history["action"],
        "verdict": after.get("verdict"),
        "source": after.get("source"),
        "reason": after.get("reason"),
        "decided_by": decided_by,
        "previous": history.get("before"),
    }
    emit(session, EventType.final_decided, project, hooks, {**context, "final": final})


def document_ingested(
    session: Session, project_id: int, document_id: int, title: str, source: str, claims: int
) -> None:
    """A document and its ``claims`` claims were stored."""
    hooks = subscribers(session, EventType.document_ingested, project_id)
    if not hooks:
        return
    names: dict[int, str | None] = session.info.setdefault(_NAMES_KEY, {})
    if project_id not in names:  # once per transaction: a batch ingests a thousand documents
        names[project_id] = session.scalar(
            select(_PROJECTS.c.name).where(_PROJECTS.c.id == project_id)
        )
    name = names[project_id]
    document = {"id": document_id, "title": title, "source": source, "claims": claims}
    emit(
        session,
        EventType.document_ingested,
        project_id,
        hooks,
        {"project": name, "document": document},
    )


def _wanted(session: Session, event: EventType, project_id: int | None) -> bool:
    return any(s.wants(event, project_id) for s in subscriptions(session))
