"""The webhook tables: subscriptions, the outbox of events, and their deliveries.

Beside ``models.py`` (the rest of the schema) on the same ``Base``, so Alembic and every test
that compares the migrations with the tables see them; ``workbench/db/__init__.py`` imports
this module, so loading any table loads these too.

The outbox (``webhook_events``) and the rows of who is to be told (``webhook_deliveries``)
are written in the transaction of the change that causes them (``workbench.outbox``): an
event exists exactly when its change was committed. The delivery worker
(``workbench.webhooks.deliver``) only reads them and records what it did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from workbench.db.models import Base, JSONType, UTCDateTime, utcnow


class Webhook(Base):
    """A URL told about some events of one project (``project_id`` NULL: of every project).

    ``secret`` is stored as given: signing needs it, so unlike a password it cannot be kept
    hashed (docs/security.md). Removing a webhook sets ``removed_at`` and keeps the row (its
    deliveries' record stays readable); rows are never deleted, which is what makes
    ``count(*) + count(removed_at)`` a version of the subscriptions (``workbench.outbox``).
    """

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[Any] = mapped_column(JSONType)  # a JSON list of event types
    secret: Mapped[str] = mapped_column(Text)
    # Loopback, private and link-local targets are refused unless an admin allowed them.
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookEvent(Base):
    """One event of the outbox: what happened, as the JSON body a receiver gets."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)  # the payload's "id"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[Any] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebhookDelivery(Base):
    """One event for one webhook: pending until a 2xx answer (delivered) or until the retries'
    24 hours are over (failed). ``uid`` is the ``X-Workbench-Delivery`` header: the same on
    every attempt, so a receiver can drop a repeat."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_deliveries_webhook_event"),
        # The worker's question, "what is due": pending rows by their next attempt.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_events.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebhookAttempt(Base):
    """Every attempt at a delivery, kept: when, the answer's status (None: no answer), the
    error, and how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[float] = mapped_column(Float)
