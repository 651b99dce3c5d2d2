"""A claim's discussion: comments under blind review, and claims sent back with a question."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from tests.review.support import first_claim
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Comment, HistoryEntry
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, PermissionDenied
from workbench.export.service import export_history_to_file
from workbench.review import assign, decisions, discussion
from workbench.review.discussion import MAX_COMMENT_CHARS, CommentKind
from workbench.review.history import visible_claim_history
from workbench.schemas import Actor, Role, Verdict


def counts(engine: Engine) -> tuple[int, int]:
    """(comments, history entries): what a refused call must leave as it was."""
    with unit_of_work(engine) as session:
        comments = session.scalar(select(func.count(Comment.id))) or 0
        history = session.scalar(select(func.count(HistoryEntry.id))) or 0
        return comments, history


def bodies(engine: Engine, reader: Actor, claim_id: int) -> list[str]:
    return [c.body for c in discussion.claim_discussion(engine, reader, claim_id).comments]


def test_a_comment_is_hidden_from_other_reviewers_until_their_own_verdict(
    k2: Engine, people: dict[str, Actor]
) -> None:
    claim_id = first_claim(k2)
    ana, ben, ada, vic = people["ana"], people["ben"], people["ada"], people["vic"]
    decisions.set_verdict(k2, claim_id, ana, Verdict.disputed)
    out = discussion.comment(k2, ana, claim_id, "  The 2019 figure is from a press release.  ")
    assert (out.author, out.kind, out.body) == ("Ana", CommentKind.comment, out.body.strip())

    # Ben has not decided: Ana's comment would anchor him, as her note would.
    seen = discussion.claim_discussion(k2, ben, claim_id)
    assert (seen.comments, seen.hidden) == ([], 1)
    assert all(e.entity != "comment" for e in visible_claim_history(k2, ben, claim_id))
    # His own comment he sees at once; Ana, who decided, sees both.
    discussion.comment(k2, ben, claim_id, "Which press release?")
    assert bodies(k2, ben, claim_id) == ["Which press release?"]
    assert bodies(k2, ana, claim_id) == [out.body, "Which press release?"]

    decisions.set_verdict(k2, claim_id, ben, Verdict.verified)
    assert bodies(k2, ben, claim_id) == [out.body, "Which press release?"]
    assert [e.entity for e in visible_claim_history(k2, ben, claim_id)].count("comment") == 2
    # Taking the verdict back hides them again, as it hides the reviews.
    decisions.set_verdict(k2, claim_id, ben, None)
    assert discussion.claim_discussion(k2, ben, claim_id).hidden == 1

    # Admins see everything; a viewer, who never decides, nothing of others'.
    assert len(discussion.claim_discussion(k2, ada, claim_id).comments) == 2
    assert discussion.claim_discussion(k2, vic, claim_id).hidden == 2
    assert discussion.claim_discussion(k2, vic, claim_id).comments == []


def test_the_author_is_the_signed_in_account_not_a_name_the_caller_gives(
    seeded: Engine, people: dict[str, Actor]
) -> None:
    claim_id = first_claim(seeded)
    forged = people["ana"].model_copy(update={"name": "Ben"})
    assert discussion.comment(seeded, forged, claim_id, "mine").author == "Ana"


def test_who_may_comment_and_send_back(seeded: Engine, people: dict[str, Actor]) -> None:
    claim_id = first_claim(seeded)
    ana, ben, vic = people["ana"], people["ben"], people["vic"]
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    before = counts(seeded)
    with pytest.raises(PermissionDenied, match="Vic is a viewer and cannot comment"):
        discussion.comment(seeded, vic, claim_id, "a viewer's word")
    with pytest.raises(PermissionDenied, match="Ben is a reviewer and cannot send a claim back"):
        discussion.send_back(seeded, ben, claim_id, "Ana", "Are you sure?")
    # A role claimed by the caller is not believed: the stored one counts.
    promoted = ben.model_copy(update={"role": Role.admin})
    with pytest.raises(PermissionDenied, match="is a reviewer"):
        discussion.send_back(seeded, promoted, claim_id, "Ana", "Are you sure?")
    assert counts(seeded) == before


def test_bad_input_is_refused_whole(seeded: Engine, people: dict[str, Actor]) -> None:
    claim_id = first_claim(seeded)
    ana, ben, ada = people["ana"], people["ben"], people["ada"]
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    before = counts(seeded)
    with pytest.raises(InvalidInput, match="empty"):
        discussion.comment(seeded, ana, claim_id, " \n ")
    with pytest.raises(InvalidInput, match=f"at most {MAX_COMMENT_CHARS:,} characters"):
        discussion.comment(seeded, ana, claim_id, "x" * (MAX_COMMENT_CHARS + 1))
    with pytest.raises(InvalidInput, match="NUL"):
        discussion.comment(seeded, ana, claim_id, "a\x00b")
    with pytest.raises(NotFound, match="claim 999999 does not exist"):
        discussion.comment(seeded, ana, 999_999, "lost")
    with pytest.raises(NotFound, match="no account named 'Nobody'"):
        discussion.send_back(seeded, ada, claim_id, "Nobody", "?")
    with pytest.raises(InvalidInput, match="Ben has not reviewed claim"):
        discussion.send_back(seeded, ada, claim_id, "Ben", "Could you look?")
    with pytest.raises(NotFound, match="question 424242 does not exist"):
        discussion.answer(seeded, ana, 424_242, "?")
    assert counts(seeded) == before
    # HTML is kept as typed: it is text, and the pages show it as text.
    html = "<img src=x onerror=alert(1)> **bold**"
    assert discussion.comment(seeded, ben, claim_id, html).body == html


def test_a_claim_sent_back_returns_to_the_reviewer_until_they_answer(
    k2: Engine, people: dict[str, Actor]
) -> None:
    ana, ben, ada = people["ana"], people["ben"], people["ada"]
    claim_id = assign.next_claim(k2, ana)
    assert claim_id is not None
    decisions.set_verdict(k2, claim_id, ana, Verdict.verified)
    decisions.set_verdict(k2, claim_id, ben, Verdict.disputed)
    in_hand = assign.next_claim(k2, ana)  # decided: assignment has moved on
    assert in_hand is not None and in_hand != claim_id

    question = discussion.send_back(k2, ada, claim_id, "Ana", "Which source says 4,000?")
    assert (question.kind, question.addressed_to, question.is_open) == (
        CommentKind.question,
        "Ana",
        True,
    )
    # Back in Ana's queue: after the claim in her hands (a reload keeps that one), first.
    assert assign.next_claim(k2, ana) == in_hand
    decisions.set_verdict(k2, in_hand, ana, Verdict.unsupported)
    assert assign.next_claim(k2, ana) == claim_id
    # A skip passes over it; it is shown to her on the claim.
    assert assign.next_claim(k2, ana, exclude=[claim_id]) != claim_id
    assert [q.id for q in discussion.open_questions(k2, ana)] == [question.id]
    assert discussion.claim_discussion(k2, ana, claim_id).open_question == question
    assert discussion.open_questions(k2, ben) == []
    with pytest.raises(InvalidInput, match="already has an open question"):
        discussion.send_back(k2, ada, claim_id, "Ana", "And?")

    # Only Ana answers it; the answer resolves it and her queue moves on.
    with pytest.raises(PermissionDenied, match="was not sent to Ben"):
        discussion.answer(k2, ben, question.id, "I can answer that")
    reply = discussion.answer(k2, ana, question.id, "The ministry's statement of 3 May.")
    assert (reply.kind, reply.reply_to) == (CommentKind.answer, question.id)
    assert discussion.open_questions(k2, ana) == []
    assert assign.next_claim(k2, ana) != claim_id
    with pytest.raises(InvalidInput, match="already answered"):
        discussion.answer(k2, ana, question.id, "again")
    seen = discussion.claim_discussion(k2, ada, claim_id)
    assert [(c.kind, c.is_open) for c in seen.comments] == [
        (CommentKind.question, False),
        (CommentKind.answer, False),
    ]
    with unit_of_work(k2) as session:
        trail = session.scalars(
            select(HistoryEntry).where(HistoryEntry.entity == "comment").order_by(HistoryEntry.id)
        ).all()
        assert [(e.action, e.actor_id) for e in trail] == [
            ("create", ada.id),
            ("create", ana.id),
            ("update", ana.id),
        ]
        assert trail[0].after["addressed_to"] == "Ana"
        assert trail[2].after["resolved_by"] == f"answer {reply.id}"


def test_a_changed_verdict_answers_the_question(k2: Engine, people: dict[str, Actor]) -> None:
    claim_id = first_claim(k2)
    ana, ben, ada = people["ana"], people["ben"], people["ada"]
    decisions.set_verdict(k2, claim_id, ana, Verdict.verified)
    decisions.set_verdict(k2, claim_id, ben, Verdict.disputed)
    question = discussion.send_back(k2, ada, claim_id, "Ben", "Did you see the correction?")
    # The same verdict again is no answer; a changed one is.
    decisions.set_verdict(k2, claim_id, ben, Verdict.disputed)
    assert discussion.open_questions(k2, ben) != []
    decisions.set_verdict(k2, claim_id, ben, Verdict.verified)
    assert discussion.open_questions(k2, ben) == []
    resolved = discussion.claim_discussion(k2, ada, claim_id).comments[0]
    assert resolved.id == question.id and resolved.resolved_at is not None
    with unit_of_work(k2) as session:
        last = session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.entity == "comment")
            .order_by(HistoryEntry.id.desc())
        ).first()
        assert last is not None and last.after["resolved_by"] == "verdict changed to verified"


def test_a_claim_out_of_the_queue_is_not_sent_back(
    seeded: Engine, people: dict[str, Actor]
) -> None:
    claim_id = first_claim(seeded)
    ana, ada = people["ana"], people["ada"]
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    discussion.send_back(seeded, ada, claim_id, "Ana", "Is this a claim at all?")
    decisions.mark_not_a_claim(seeded, claim_id, ana)
    # Out of the queue: no longer handed back to her, nor listed as waiting.
    assert discussion.open_questions(seeded, ana) == []
    assert assign.next_claim(seeded, ana) != claim_id
    with pytest.raises(InvalidInput, match="not a claim"):
        discussion.send_back(seeded, ada, claim_id, "Ana", "Another?")


@pytest.mark.backends("postgresql")
def test_two_answers_at_once_store_one_and_the_other_is_told(
    k2: Engine, people: dict[str, Actor]
) -> None:
    """Two tabs answer the same question at the same moment: one answer is kept, the other
    is refused (the claim's row lock serialises them, as it does verdicts)."""
    claim_id = first_claim(k2)
    ana, ada = people["ana"], people["ada"]
    decisions.set_verdict(k2, claim_id, ana, Verdict.verified)
    question = discussion.send_back(k2, ada, claim_id, "Ana", "Sure?")
    outcomes: list[str] = []

    def reply(body: str) -> None:
        try:
            discussion.answer(k2, ana, question.id, body)
            outcomes.append("kept")
        except InvalidInput as exc:
            outcomes.append(str(exc))

    with k2.connect() as blocker:
        # Someone else holds the claim's row (a verdict being saved): both answers queue.
        blocker.execute(select(Claim.id).where(Claim.id == claim_id).with_for_update())
        pid = blocker.scalar(text("SELECT pg_backend_pid()"))
        threads = [threading.Thread(target=reply, args=(body,)) for body in ("one", "two")]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        with k2.connect() as watcher:
            # Waiting on the blocker, or on the first waiter (the queue for the row's lock).
            query = text(
                "SELECT count(*) FROM pg_stat_activity a WHERE :pid = ANY(pg_blocking_pids(a.pid))"
                " OR EXISTS (SELECT FROM pg_stat_activity b WHERE b.pid = ANY("
                "pg_blocking_pids(a.pid)) AND :pid = ANY(pg_blocking_pids(b.pid)))"
            )
            while watcher.scalar(query, {"pid": pid}) < 2:
                assert time.monotonic() < deadline, "the answers never waited"
                time.sleep(0.02)
        blocker.rollback()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == [
        "kept",
        f"question {question.id} is already answered: add a comment instead",
    ]
    answers = [
        c
        for c in discussion.claim_discussion(k2, ada, claim_id).comments
        if c.kind == CommentKind.answer
    ]
    assert len(answers) == 1


def test_the_history_export_carries_the_discussion(
    seeded: Engine, people: dict[str, Actor], tmp_path: Path
) -> None:
    claim_id = first_claim(seeded)
    ana, ada = people["ana"], people["ada"]
    decisions.set_verdict(seeded, claim_id, ana, Verdict.verified)
    asked = discussion.send_back(seeded, ada, claim_id, "Ana", "Which source?")
    reply = discussion.answer(seeded, ana, asked.id, "The ministry's.")
    path = tmp_path / "history.jsonl"
    export_history_to_file(seeded, path, actor=SYSTEM)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    talk = [(e["actor"], e["action"], e["after"]) for e in lines if e["entity"] == "comment"]
    assert talk == [
        ("Ada", "create", {"kind": "question", "body": "Which source?", "addressed_to": "Ana"}),
        ("Ana", "create", {"kind": "answer", "body": "The ministry's.", "reply_to": asked.id}),
        (
            "Ana",
            "update",
            {"resolved_at": talk[2][2]["resolved_at"], "resolved_by": f"answer {reply.id}"},
        ),
    ]
