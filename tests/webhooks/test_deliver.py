"""The delivery worker against a real receiver on 127.0.0.1: signed, retried with backoff,
given up after 24 hours, never redirected, each delivery sent once by several workers."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update

from tests.webhooks.receiver import receiver
from tests.webhooks.support import SECRET, claim_and_reviewers, deliveries, events, hook
from workbench.auth.policy import SYSTEM
from workbench.db.models import utcnow
from workbench.db.session import create, unit_of_work
from workbench.db.webhook_models import Webhook, WebhookAttempt, WebhookDelivery
from workbench.outbox import EventType, emit
from workbench.review import decisions
from workbench.schemas import Verdict
from workbench.webhooks import deliver
from workbench.webhooks.service import list_deliveries
from workbench.webhooks.signing import verify


def later(delta: timedelta) -> datetime:
    return utcnow() + delta


def next_attempt(engine: Engine) -> datetime:
    with unit_of_work(engine) as session:
        return session.scalars(select(WebhookDelivery.next_attempt_at)).one()


def attempts(engine: Engine) -> list[tuple[int | None, str]]:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(WebhookAttempt.status_code, WebhookAttempt.error).order_by(WebhookAttempt.id)
        )
        return [(code, error) for code, error in rows]


def test_a_delivery_is_signed_over_its_timestamp_and_raw_body(engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    with receiver() as got:
        hook(engine, got.url, ["review.decided"])
        decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
        report = deliver.run_once(engine)
        assert report.delivered == 1
        (request,) = got.requests
    headers = request.headers
    assert headers["X-Workbench-Signature"].startswith("sha256=")
    assert headers["X-Workbench-Event"] == "review.decided"
    timestamp = headers["X-Workbench-Timestamp"]
    now = float(timestamp)
    assert verify(SECRET, timestamp, request.body, headers["X-Workbench-Signature"], now=now)
    # The timestamp is signed: the same body with another timestamp does not verify.
    assert not verify(
        SECRET, str(int(timestamp) + 1), request.body, headers["X-Workbench-Signature"], now=now
    )
    assert not verify(
        "another secret!!", timestamp, request.body, headers["X-Workbench-Signature"], now=now
    )
    assert not verify(
        SECRET, timestamp, request.body, headers["X-Workbench-Signature"], now=now + 3600
    )
    payload = json.loads(request.body)
    assert payload == events(engine)[0]
    assert payload["review"]["verdict"] == "verified"
    assert deliveries(engine) == [("delivered", 1, "")]


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    with receiver(["500", "503", "200"]) as got:
        hook(engine, got.url, ["review.decided"])
        decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
        assert deliver.run_once(engine).retrying == 1
        assert deliver.run_once(engine).retrying == 0  # not due yet: backing off
        first_wait = next_attempt(engine) - utcnow()
        assert timedelta(seconds=20) < first_wait < timedelta(seconds=40)
        assert deliver.run_once(engine, now=lambda: later(timedelta(minutes=1))).retrying == 1
        second_wait = next_attempt(engine) - later(timedelta(minutes=1))
        assert second_wait > first_wait  # exponential
        assert deliver.run_once(engine, now=lambda: later(timedelta(minutes=5))).delivered == 1
        ids = got.by_delivery()
    assert list(ids.values()) == [3]  # one delivery id, three attempts: the receiver can dedupe
    assert attempts(engine) == [(500, "HTTP 500"), (503, "HTTP 503"), (200, "")]
    assert deliveries(engine) == [("delivered", 3, "")]


def test_a_delivery_fails_24_hours_after_its_event(engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    with receiver(["500"]) as got:
        hook(engine, got.url, ["review.decided"])
        decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
        assert deliver.run_once(engine, now=lambda: later(timedelta(hours=23))).retrying == 1
        assert next_attempt(engine) <= later(
            timedelta(hours=24)
        )  # the last try is at the deadline, not after
        assert deliver.run_once(engine, now=lambda: later(timedelta(hours=25))).failed == 1
        assert deliver.run_once(engine, now=lambda: later(timedelta(hours=48))).failed == 0
    assert deliveries(engine) == [("failed", 2, "HTTP 500")]
    (failed,) = list_deliveries(engine, SYSTEM, failed=True)
    assert failed.status == "failed" and failed.last_status_code == 500


def test_a_redirect_is_not_followed(engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    with receiver(["302 /elsewhere"]) as got:
        hook(engine, got.url, ["review.decided"])
        decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
        assert deliver.run_once(engine).retrying == 1
        assert [r.path for r in got.requests] == ["/hook"]
    ((status, _, error),) = deliveries(engine)
    assert status == "pending" and "redirect to /elsewhere not followed" in error


def test_a_target_that_became_private_is_refused_at_delivery(engine: Engine) -> None:
    """DNS may change after `add`: the address is checked again before every request."""
    claim_id, ann, _ = claim_and_reviewers(engine)
    with receiver() as got:
        webhook = hook(engine, got.url, ["review.decided"])
        with unit_of_work(engine) as session:  # as if its name now resolved to loopback
            session.execute(
                update(Webhook).where(Webhook.id == webhook.id).values(allow_private=False)
            )
        decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
        assert deliver.run_once(engine).retrying == 1
        assert got.requests == []
    ((_, _, error),) = deliveries(engine)
    assert "127.0.0.1 (loopback)" in error


def test_two_workers_deliver_each_event_exactly_once(db_url: str, engine: Engine) -> None:
    """Two workers with their own engines (their own connections), at once: on PostgreSQL
    FOR UPDATE SKIP LOCKED splits the due rows, on SQLite one writer at a time."""
    claim_and_reviewers(engine)
    with receiver(delay=0.01) as got:
        webhook = hook(engine, got.url, ["review.decided"])
        with unit_of_work(engine) as session:
            for n in range(40):
                emit(session, EventType.review_decided, 1, [webhook.id], {"n": n})
        engines = [create(db_url), create(db_url)]
        reports: list[tuple[int, deliver.RunReport]] = []

        def work(worker_engine: Engine) -> None:
            while (report := deliver.run_once(worker_engine, limit=5)).delivered:
                reports.append((id(worker_engine), report))

        threads = [threading.Thread(target=work, args=(e,)) for e in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for worker_engine in engines:
            worker_engine.dispose()
        counts = got.by_delivery()
    assert len(counts) == 40 and set(counts.values()) == {1}
    assert sum(r.delivered for _, r in reports) == 40
    assert len({worker for worker, _ in reports}) == 2  # both took a share, at the same time
    assert {status for status, _, _ in deliveries(engine)} == {"delivered"}


def test_the_background_worker_delivers_and_stops(engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    with receiver() as got:
        hook(engine, got.url, ["review.decided"])
        stop = threading.Event()
        thread = deliver.start_in_background(engine, stop)
        decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
        for _ in range(100):
            if got.requests:
                break
            stop.wait(0.1)
        stop.set()
        thread.join(timeout=15)
    assert not thread.is_alive()
    assert len(got.requests) == 1


def test_an_endless_answer_is_not_read(engine: Engine) -> None:
    """Only the status counts: a receiver's endless body neither fills memory nor holds the
    worker until its timeout."""
    claim_id, ann, _ = claim_and_reviewers(engine)
    with receiver(["200 endless"]) as got:
        hook(engine, got.url, ["review.decided"])
        decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
        started = time.monotonic()
        assert deliver.run_once(engine).delivered == 1
        assert time.monotonic() - started < deliver.TIMEOUT_SECONDS / 2
