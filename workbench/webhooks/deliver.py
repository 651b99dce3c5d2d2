"""The delivery worker: sends the outbox's pending deliveries, after their change committed.

Each round claims a batch of due deliveries in one short transaction and moves their next
attempt a lease into the future (:data:`LEASE`), so no other worker takes them while this
one sends; on PostgreSQL the claim is ``FOR UPDATE SKIP LOCKED``, so several workers (API
processes, `workbench webhooks run`) against one database split the due rows between them
instead of queueing for the same ones, and SQLite's one writer at a time does the same. The
requests go out with no transaction open (a slow receiver holds up nobody's save), and each
outcome is recorded in its own short transaction, but only if the delivery is still this
worker's claim (its ``attempts`` unchanged): a worker that died mid-request leaves its
claim to expire, and the next round tries again. Receivers may so see a delivery twice, in
that one case: the ``X-Workbench-Delivery`` header is the same on every attempt, to drop it by.

A 2xx answer is delivered; anything else (an error, a timeout, a redirect, which is never
followed) is tried again after an exponential backoff with jitter, until :data:`RETRY_FOR`
after the event, then failed. Every attempt is kept (``webhook_attempts``). Before each
request the target's host is resolved and checked again (``targets``): DNS may have changed
since the webhook was added.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine, insert, select, update

from workbench.db.models import Base, utcnow
from workbench.db.session import unit_of_work
from workbench.db.webhook_models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from workbench.errors import InvalidInput
from workbench.reports import Report
from workbench.webhooks.service import REMOVED
from workbench.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from workbench.webhooks.targets import resolve

RETRY_FOR = timedelta(hours=24)
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
# A claimed delivery is nobody else's for this long: more than a request may take.
LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 10.0
BATCH = 20
USER_AGENT = "factcheck-workbench-webhooks"
log = logging.getLogger(__name__)

_DELIVERIES = Base.metadata.tables[WebhookDelivery.__tablename__]
_WEBHOOKS = Base.metadata.tables[Webhook.__tablename__]
_EVENTS = Base.metadata.tables[WebhookEvent.__tablename__]
_ATTEMPTS = Base.metadata.tables[WebhookAttempt.__tablename__]


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker is to attempt now (its ``attempt``-th attempt)."""

    id: int
    uid: str
    attempt: int
    url: str
    secret: str
    allow_private: bool
    active: bool
    event_type: str
    payload: dict[str, Any]
    event_at: datetime


@dataclass(frozen=True)
class Outcome:
    status_code: int | None  # None: no answer
    error: str  # "" when delivered
    duration_ms: float
    final: bool = False  # no point in another attempt (the webhook was removed)

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


class RunReport(Report):
    """What one or more rounds of the worker did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    def summary(self) -> str:
        return (
            f"webhooks: {self.delivered} delivered, {self.retrying} to retry, {self.failed} failed"
        )


def backoff(attempt: int, rng: random.Random | None = None) -> timedelta:
    """How long after its ``attempt``-th failure a delivery is tried again: doubling from
    :data:`FIRST_DELAY` up to :data:`MAX_DELAY`, each spread by ±20 % so that deliveries that
    failed together (a receiver down) do not all come back at the same second."""
    base = min(FIRST_DELAY * (1 << min(max(0, attempt - 1), 20)), MAX_DELAY)
    spread: float = (rng or random).uniform(0.8, 1.2)
    return base * spread


def claim_due(engine: Engine, now: datetime, limit: int = BATCH) -> list[Claimed]:
    """Take up to ``limit`` deliveries due at ``now`` for this worker (see the module)."""
    with unit_of_work(engine) as session:
        query = (
            select(
                _DELIVERIES.c.id,
                _DELIVERIES.c.uid,
                _DELIVERIES.c.attempts,
                _WEBHOOKS.c.url,
                _WEBHOOKS.c.secret,
                _WEBHOOKS.c.allow_private,
                _WEBHOOKS.c.active,
                _EVENTS.c.type,
                _EVENTS.c.payload,
                _EVENTS.c.created_at,
            )
            .select_from(
                _DELIVERIES.join(_WEBHOOKS, _WEBHOOKS.c.id == _DELIVERIES.c.webhook_id).join(
                    _EVENTS, _EVENTS.c.id == _DELIVERIES.c.event_id
                )
            )
            .where(_DELIVERIES.c.status == "pending", _DELIVERIES.c.next_attempt_at <= now)
            .order_by(_DELIVERIES.c.next_attempt_at, _DELIVERIES.c.id)
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=_DELIVERIES)
        rows = session.execute(query).all()
        if not rows:
            return []
        session.execute(
            update(_DELIVERIES)
            .where(_DELIVERIES.c.id.in_([row.id for row in rows]))
            .values(attempts=_DELIVERIES.c.attempts + 1, next_attempt_at=now + LEASE)
        )
    return [
        Claimed(
            id=row.id,
            uid=row.uid,
            attempt=row.attempts + 1,
            url=row.url,
            secret=row.secret,
            allow_private=row.allow_private,
            active=row.active,
            event_type=row.type,
            payload=row.payload,
            event_at=row.created_at,
        )
        for row in rows
    ]


def body_of(payload: dict[str, Any]) -> bytes:
    """The request's body: the event as compact JSON (what is signed, byte for byte)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def attempt(claimed: Claimed, client: httpx.Client, now: datetime) -> Outcome:
    """POST the event once; never raises for the receiver's faults."""
    started = time.perf_counter()

    def took() -> float:
        return (time.perf_counter() - started) * 1000

    if not claimed.active:
        return Outcome(None, REMOVED, 0.0, final=True)
    try:
        target = resolve(claimed.url, allow_private=claimed.allow_private)
    except InvalidInput as exc:
        return Outcome(None, str(exc), took())
    body = body_of(claimed.payload)
    timestamp = int(now.timestamp())
    headers = {
        "Host": target.host_header(),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: claimed.event_type,
        DELIVERY_HEADER: claimed.uid,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(claimed.secret, timestamp, body),
    }
    # To the address that was checked, not to a second lookup's; TLS still checks the name.
    extensions = {"sni_hostname": target.host} if claimed.url.startswith("https:") else {}
    try:
        request = client.build_request(
            "POST", target.connect_url(), content=body, headers=headers, extensions=extensions
        )
        # Streamed and closed unread: only the status matters, and a hostile receiver's
        # endless body must not fill the worker's memory.
        response = client.send(request, follow_redirects=False, stream=True)
        response.close()
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], took())
    code = response.status_code
    if 200 <= code < 300:
        return Outcome(code, "", took())
    if response.is_redirect:
        where = response.headers.get("location", "?")[:200]
        return Outcome(code, f"HTTP {code}: redirect to {where} not followed", took())
    return Outcome(code, f"HTTP {code}", took())


def record(engine: Engine, claimed: Claimed, outcome: Outcome, now: datetime) -> str:
    """Keep the attempt and move the delivery on: delivered, pending (with its next attempt)
    or failed. Returns the status (unchanged, "pending", if the claim was lost meanwhile)."""
    deadline = claimed.event_at + RETRY_FOR
    values: dict[str, Any] = {
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
    }
    if outcome.delivered:
        values |= {"status": "delivered", "delivered_at": now}
    elif outcome.final or now >= deadline:
        values |= {"status": "failed"}
    else:
        values |= {
            "status": "pending",
            "next_attempt_at": min(now + backoff(claimed.attempt), deadline),
        }
    with unit_of_work(engine) as session:
        mine = session.execute(
            update(_DELIVERIES)
            .where(
                _DELIVERIES.c.id == claimed.id,
                _DELIVERIES.c.attempts == claimed.attempt,
                _DELIVERIES.c.status == "pending",
            )
            .values(**values)
        )
        session.execute(
            insert(_ATTEMPTS).values(
                delivery_id=claimed.id,
                at=now,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        if getattr(mine, "rowcount", 1) != 1:
            return "pending"
    return str(values["status"])


def client() -> httpx.Client:
    """The worker's HTTP client: no redirects, no proxies from the environment (a proxy would
    reach what the address check refused), a timeout on every phase."""
    return httpx.Client(
        timeout=httpx.Timeout(TIMEOUT_SECONDS),
        follow_redirects=False,
        trust_env=False,
    )


def run_once(
    engine: Engine,
    *,
    now: Callable[[], datetime] = utcnow,
    limit: int = BATCH,
    http: httpx.Client | None = None,
) -> RunReport:
    """One round: claim what is due, attempt each, record each outcome."""
    report = RunReport()
    claimed = claim_due(engine, now(), limit)
    if not claimed:
        return report
    own = http is None
    http = http or client()
    try:
        for delivery in claimed:
            outcome = attempt(delivery, http, now())
            status = record(engine, delivery, outcome, now())
            if status == "delivered":
                report.delivered += 1
            elif status == "failed":
                report.failed += 1
            else:
                report.retrying += 1
    finally:
        if own:
            http.close()
    return report


def run(
    engine: Engine,
    *,
    stop: threading.Event | None = None,
    poll_seconds: float = 1.0,
    now: Callable[[], datetime] = utcnow,
    on_round: Callable[[RunReport], None] | None = None,
) -> None:
    """Deliver until ``stop`` is set: a round, then a pause of ``poll_seconds`` when it found
    nothing to do (at once again when it was busy)."""
    stop = stop or threading.Event()
    with client() as http:
        while not stop.is_set():
            try:
                report = run_once(engine, now=now, http=http)
            except Exception:  # a busy or unreachable database: the next round tries again
                log.exception("webhook delivery round failed; trying again")
                stop.wait(poll_seconds * 5)
                continue
            if on_round is not None and (report.delivered or report.retrying or report.failed):
                on_round(report)
            if not (report.delivered or report.retrying or report.failed):
                stop.wait(poll_seconds)


def start_in_background(engine: Engine, stop: threading.Event) -> threading.Thread:
    """The worker on a daemon thread, for a server process (the HTTP API) to run beside its
    requests; set ``stop`` to end it after the round in progress."""
    thread = threading.Thread(
        target=run, args=(engine,), kwargs={"stop": stop}, name="webhook-deliveries", daemon=True
    )
    thread.start()
    return thread
