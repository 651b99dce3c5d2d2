"""What the webhook tests share: a claim to review, a webhook, the outbox's rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from tests.review.test_assign import add_claims, add_user, set_k
from workbench.auth.policy import SYSTEM
from workbench.db.session import unit_of_work
from workbench.db.webhook_models import WebhookDelivery, WebhookEvent
from workbench.schemas import Actor
from workbench.webhooks.service import WebhookOut, add_webhook

SECRET = "s3cret-s3cret-s3cret"
EVENTS = ["review.decided", "final.decided"]


def claim_and_reviewers(engine: Engine, k: int = 1) -> tuple[int, Actor, Actor]:
    set_k(engine, k)
    (claim_id,) = add_claims(engine, [0.9])
    return claim_id, add_user(engine, "ann"), add_user(engine, "bob")


def hook(
    engine: Engine,
    url: str,
    events: list[str] | None = None,
    *,
    project: str | None = None,
    allow_private: bool = True,
) -> WebhookOut:
    return add_webhook(
        engine,
        SYSTEM,
        url,
        events or EVENTS,
        SECRET,
        project=project,
        allow_private=allow_private,
    )


def events(engine: Engine) -> list[dict[str, Any]]:
    """Every event's payload, oldest first."""
    with unit_of_work(engine) as session:
        return [
            dict(p) for p in session.scalars(select(WebhookEvent.payload).order_by(WebhookEvent.id))
        ]


def deliveries(engine: Engine) -> list[tuple[str, int, str]]:
    """(status, attempts, last_error) of every delivery, oldest first."""
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(
                WebhookDelivery.status, WebhookDelivery.attempts, WebhookDelivery.last_error
            ).order_by(WebhookDelivery.id)
        )
        return [(s, a, e) for s, a, e in rows]
