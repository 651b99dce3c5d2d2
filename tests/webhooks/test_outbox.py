"""Events are written with the change that causes them, and only then; a save nobody
subscribed to sends exactly what it sent before webhooks existed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from tests.review.test_assign import add_claims, add_user, set_k
from tests.review.test_save_statements import statements
from tests.webhooks.support import claim_and_reviewers, deliveries, events, hook
from workbench.auth.policy import SYSTEM
from workbench.db.models import Review
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_paths
from workbench.projects.service import add_project
from workbench.review import decisions
from workbench.review.adjudicate import adjudicate
from workbench.review.writes import refresh_final
from workbench.schemas import Role, Verdict
from workbench.webhooks.service import remove_webhook

# Statements of one verdict's save, measured before webhooks existed (at 4902c77, on both
# backends: a first verdict, a second that makes the final, a change, a take-back).
SAVE_STATEMENTS = 7


def test_a_verdict_writes_its_events_in_its_own_transaction(engine: Engine) -> None:
    claim_id, ann, bob = claim_and_reviewers(engine, k=2)
    hook(engine, "http://127.0.0.1:9/hook")
    decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
    decisions.set_verdict(engine, claim_id, bob, Verdict.verified)  # consensus: a final
    decisions.set_verdict(engine, claim_id, bob, None)  # taken back: the final is undone
    got = events(engine)
    assert [e["type"] for e in got] == [
        "review.decided",
        "review.decided",
        "final.decided",
        "review.decided",
        "final.decided",
    ]
    first = got[0]
    assert first["project"] == "default" and first["claim"]["id"] == claim_id
    assert first["claim"]["document"]["title"] == "doc 0"
    assert first["review"] == {
        "id": first["review"]["id"],
        "reviewer": "ann",
        "verdict": "verified",
        "previous": None,
    }
    assert got[2]["final"]["action"] == "create" and got[2]["final"]["source"] == "consensus"
    assert got[3]["review"]["verdict"] is None and got[3]["review"]["previous"] == "verified"
    assert got[4]["final"]["action"] == "delete" and got[4]["final"]["verdict"] is None
    assert len({e["id"] for e in got}) == 5
    assert [d[0] for d in deliveries(engine)] == ["pending"] * 5


def test_no_event_for_a_change_that_rolled_back(engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    hook(engine, "http://127.0.0.1:9/hook")
    with pytest.raises(RuntimeError), unit_of_work(engine) as session:
        decisions.record_verdict(session, claim_id, ann, Verdict.disputed)
        raise RuntimeError("something after the save failed")
    assert events(engine) == [] and deliveries(engine) == []
    decisions.set_verdict(engine, claim_id, ann, Verdict.disputed)
    assert [e["type"] for e in events(engine)] == ["review.decided", "final.decided"]


def test_an_adjudication_is_a_final_decided_event_naming_the_admin(engine: Engine) -> None:
    claim_id, ann, bob = claim_and_reviewers(engine, k=2)
    admin = add_user(engine, "ada", Role.admin)
    decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
    decisions.set_verdict(engine, claim_id, bob, Verdict.disputed)
    hook(engine, "http://127.0.0.1:9/hook", ["final.decided"])
    adjudicate(engine, admin, claim_id, Verdict.disputed, "the source was retracted")
    (event,) = events(engine)
    assert event["type"] == "final.decided"
    assert event["final"] == {
        "action": "create",
        "verdict": "disputed",
        "source": "adjudicated",
        "reason": "the source was retracted",
        "decided_by": "ada",
        "previous": None,
    }


def test_only_the_subscribed_events_of_the_subscribed_project(engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    add_project(engine, SYSTEM, "elections")
    hook(engine, "http://127.0.0.1:9/a", ["review.decided"], project="elections")
    hook(engine, "http://127.0.0.1:9/b", ["final.decided"], project="default")
    decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
    assert [e["type"] for e in events(engine)] == ["final.decided"]


def test_a_removed_webhook_gets_no_more_events(engine: Engine) -> None:
    claim_id, ann, _ = claim_and_reviewers(engine)
    webhook = hook(engine, "http://127.0.0.1:9/hook", ["review.decided"])
    decisions.set_verdict(engine, claim_id, ann, Verdict.verified)
    remove_webhook(engine, SYSTEM, webhook.id)
    decisions.set_verdict(engine, claim_id, ann, Verdict.disputed)
    assert len(events(engine)) == 1
    assert deliveries(engine) == [("failed", 0, "the webhook was removed")]


def test_a_save_nobody_subscribed_to_sends_what_it_sent_before_webhooks(engine: Engine) -> None:
    """The hot path (issue 13): no webhook, or none that wants a verdict, costs no statement;
    the subscriptions' version rides in the save's read of the claim's state."""
    set_k(engine, 2)
    first, second, third = add_claims(engine, [0.9, 0.8, 0.7])
    ann, bob = add_user(engine, "ann"), add_user(engine, "bob")
    steps = [(ann, Verdict.verified), (bob, Verdict.verified), (bob, Verdict.disputed)]

    def counts(claim_id: int) -> list[int]:
        sent_per_save = []
        for actor, verdict in steps:
            with statements(engine) as sent:
                decisions.set_verdict(engine, claim_id, actor, verdict)
            sent_per_save.append(len(sent))
        return sent_per_save

    assert counts(first) == [SAVE_STATEMENTS] * len(steps)
    # A webhook that wants something else: read once when it appears, then nothing more.
    hook(engine, "http://127.0.0.1:9/hook", ["document.ingested"])
    decisions.set_verdict(engine, third, ann, Verdict.verified)
    assert counts(second) == [SAVE_STATEMENTS] * len(steps)
    assert events(engine) == []


def test_an_ingested_document_is_an_event_of_its_project(engine: Engine, sample_dir: Path) -> None:
    hook(engine, "http://127.0.0.1:9/hook", ["document.ingested"])
    report = ingest_paths(engine, [sample_dir], default_extractor(), max_bytes=10**7)
    got = events(engine)
    assert len(got) == report.added == 5
    assert {e["type"] for e in got} == {"document.ingested"}
    assert all(e["project"] == "default" and e["document"]["claims"] > 0 for e in got)
    assert len({e["document"]["id"] for e in got}) == 5


def test_a_session_bound_to_a_connection_writes_events_too(engine: Engine) -> None:
    """A restore's merge recomputes finals in a session bound to its connection."""
    claim_id, ann, _ = claim_and_reviewers(engine)
    decisions.set_verdict(engine, claim_id, ann, Verdict.verified)  # a single final
    hook(engine, "http://127.0.0.1:9/hook", ["final.decided"])
    with engine.begin() as connection, Session(bind=connection) as session:
        session.execute(update(Review).where(Review.claim_id == claim_id).values(verdict=None))
        refresh_final(session, claim_id)
        session.flush()
    (event,) = events(engine)
    assert (
        event["final"]["action"] == "delete" and event["final"]["previous"]["verdict"] == "verified"
    )
