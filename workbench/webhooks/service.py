"""Webhooks as a site admin manages them: add, list, remove, and what was delivered.

A webhook is a server-wide matter (it makes the server send requests into a network), so
every function here needs ``Action.manage_webhooks``, a site admin's right (the command line
holds it). The secret is written once and never read back out through here: listings and
history entries leave it out (docs/security.md, "Webhooks").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Project, User, utcnow
from workbench.db.session import unit_of_work
from workbench.db.webhook_models import Webhook, WebhookDelivery, WebhookEvent
from workbench.errors import InvalidInput, NotFound
from workbench.outbox import EventType
from workbench.projects.service import find_project
from workbench.storable import unstorable
from workbench.webhooks.targets import check_url, resolve

MIN_SECRET_CHARS = 16
MAX_SECRET_CHARS = 1000
REMOVED = "the webhook was removed"


class WebhookOut(BaseModel):
    """A webhook as listed: everything but its secret."""

    id: int
    url: str
    events: list[str]
    project: str | None  # None: every project
    allow_private: bool
    active: bool
    created_at: datetime
    created_by: str | None  # None: the command line
    removed_at: datetime | None


class DeliveryOut(BaseModel):
    """One event for one webhook, and how its delivery went."""

    id: int
    delivery: str  # the X-Workbench-Delivery header
    webhook_id: int
    url: str
    event: str  # the event's type
    event_id: str  # the payload's "id"
    status: str  # pending, delivered, failed
    attempts: int
    next_attempt_at: datetime | None  # None once delivered or failed
    last_status_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


def parse_events(raw: Sequence[str]) -> list[str]:
    """Event types from ``review.decided,final.decided`` (one or more, comma-separated)."""
    names = [name.strip() for item in raw for name in item.split(",") if name.strip()]
    if not names:
        raise InvalidInput(f"name at least one event: {', '.join(e.value for e in EventType)}")
    known = {e.value for e in EventType}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidInput(
            f"unknown event {unknown[0]!r}: the events are {', '.join(sorted(known))}"
        )
    return list(dict.fromkeys(names))


def check_secret(secret: str) -> str:
    secret = secret.strip("\r\n")
    if not secret.strip():
        raise InvalidInput("the webhook secret is empty: pipe one in, e.g. from a password manager")
    if len(secret) < MIN_SECRET_CHARS:
        raise InvalidInput(f"the webhook secret is shorter than {MIN_SECRET_CHARS} characters")
    if len(secret) > MAX_SECRET_CHARS:
        raise InvalidInput(f"the webhook secret is longer than {MAX_SECRET_CHARS} characters")
    problem = unstorable(secret)
    if problem is not None:
        raise InvalidInput(f"the webhook secret {problem}")
    return secret


def add_webhook(
    engine: Engine,
    actor: Caller,
    url: str,
    events: Sequence[str],
    secret: str,
    *,
    project: str | None = None,
    allow_private: bool = False,
) -> WebhookOut:
    """Subscribe ``url`` to ``events`` of ``project`` (None: of every project). The URL is
    refused if it is, or resolves to, an address that is not public, unless
    ``allow_private``."""
    authorize(engine, actor, Action.manage_webhooks)
    url = check_url(url)
    names = parse_events(events)
    secret = check_secret(secret)
    resolve(url, allow_private=allow_private)  # before the transaction: DNS may be slow
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_webhooks)
        project_id = None if project is None else find_project(session, project).id
        row = Webhook(
            project_id=project_id,
            url=url,
            events=names,
            secret=secret,
            allow_private=allow_private,
            created_by_id=actor.id,
            active=True,
        )
        session.add(row)
        session.flush()
        out = _out(session, row)
        record(
            session,
            actor_id=actor.id,
            entity=Entity.webhook,
            entity_id=row.id,
            action=Change.create,
            before=None,
            after=_snapshot(out),
        )
        return out


def list_webhooks(engine: Engine, actor: Caller, *, removed: bool = False) -> list[WebhookOut]:
    """The active webhooks (with ``removed``, the removed ones too), oldest first."""
    with unit_of_work(engine, read_only=True) as session:
        authorize(session, actor, Action.manage_webhooks)
        query = select(Webhook).order_by(Webhook.id)
        if not removed:
            query = query.where(Webhook.active.is_(True))
        return [_out(session, row) for row in session.scalars(query)]


def remove_webhook(engine: Engine, actor: Caller, webhook_id: int) -> WebhookOut:
    """Stop a webhook: no new events for it, and its pending deliveries are given up
    (failed, "the webhook was removed"). Its record of deliveries stays."""
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_webhooks)
        row = session.get(Webhook, webhook_id, with_for_update=True)
        if row is None or not row.active:
            raise NotFound(f"no active webhook {webhook_id}: `workbench webhooks list` shows them")
        before = _snapshot(_out(session, row))
        row.active = False
        row.removed_at = utcnow()
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending")
            .values(status="failed", last_error=REMOVED)
        )
        session.flush()
        out = _out(session, row)
        record(
            session,
            actor_id=actor.id,
            entity=Entity.webhook,
            entity_id=row.id,
            action=Change.update,
            before=before,
            after=_snapshot(out),
        )
        return out


def list_deliveries(
    engine: Engine,
    actor: Caller,
    *,
    failed: bool = False,
    webhook_id: int | None = None,
    limit: int = 100,
) -> list[DeliveryOut]:
    """The newest deliveries first (``failed``: only those given up)."""
    with unit_of_work(engine, read_only=True) as session:
        authorize(session, actor, Action.manage_webhooks)
        query = (
            select(WebhookDelivery, WebhookEvent, Webhook.url)
            .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .order_by(WebhookDelivery.id.desc())
            .limit(max(1, limit))
        )
        if failed:
            query = query.where(WebhookDelivery.status == "failed")
        if webhook_id is not None:
            query = query.where(WebhookDelivery.webhook_id == webhook_id)
        return [
            DeliveryOut(
                id=delivery.id,
                delivery=delivery.uid,
                webhook_id=delivery.webhook_id,
                url=url,
                event=event.type,
                event_id=event.uid,
                status=delivery.status,
                attempts=delivery.attempts,
                next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
                last_status_code=delivery.last_status_code,
                last_error=delivery.last_error,
                created_at=event.created_at,
                delivered_at=delivery.delivered_at,
            )
            for delivery, event, url in session.execute(query)
        ]


def _out(session: Session, row: Webhook) -> WebhookOut:
    project = None if row.project_id is None else session.get(Project, row.project_id)
    creator = None if row.created_by_id is None else session.get(User, row.created_by_id)
    return WebhookOut(
        id=row.id,
        url=row.url,
        events=list(row.events or ()),
        project=None if project is None else project.name,
        allow_private=row.allow_private,
        active=row.active,
        created_at=row.created_at,
        created_by=None if creator is None else creator.name,
        removed_at=row.removed_at,
    )


def _snapshot(out: WebhookOut) -> dict[str, object]:
    """A webhook as its history entry shows it: never the secret."""
    return out.model_dump(
        mode="json", include={"url", "events", "project", "allow_private", "active"}
    )
