"""What one save sends to the database (issue 13: 20 reviewers queue for each save's CPU).

Every statement costs a busy team CPU under the GIL and, on PostgreSQL, a round trip. These
pin the reads a save once repeated: the account (four reads per verdict and next claim), the
review (three), the claim (three). Runs on SQLite and, when a server answers, PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from tests.review.test_assign import add_claims, add_user, set_k
from workbench.review import assign, decisions
from workbench.schemas import Verdict


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def reads_of(sent: list[str], table: str) -> int:
    return sum(1 for s in sent if s.startswith("SELECT") and f" FROM {table} " in f"{s} ")


def account_reads(sent: list[str]) -> int:
    """Reads of the account: alone, or with the claim's lock (``scope.lock_with_account``)."""
    return sum(1 for s in sent if s.startswith("SELECT") and "users.name" in s)


def test_a_verdict_reads_the_account_the_claim_and_the_review_once(engine: Engine) -> None:
    set_k(engine, 2)
    add_claims(engine, [0.9, 0.8])
    actor = add_user(engine, "ann")
    claim_id = assign.next_claim(engine, actor)
    assert claim_id is not None
    with statements(engine) as sent:
        out = decisions.set_verdict(engine, claim_id, actor, Verdict.verified)
    assert out.reviewer == "ann" and out.verdict == Verdict.verified and out.urls == []
    assert account_reads(sent) == 1  # the one permission check
    selects = [s for s in sent if s.startswith("SELECT")]
    # The claim's lock (with its figures and the account with its role in the claim's
    # project), then one read of its state (reviews among it).
    on_claims = [s for s in selects if " FROM claims " in f"{s} "]
    assert len(on_claims) == 2, "\n".join(selects)
    assert "users.name" in on_claims[0], "\n".join(selects)
    assert sum(1 for s in selects if "reviews." in s) == 1, "\n".join(selects)
    assert reads_of(sent, "evidence") == 0  # a new review has no URLs to read back
    # The lock with the account, state; the lease ended; the review; the claim's figures
    # with its "waits for an admin" flag (awaiting.SET_FIGURES_AND_FLAG), its reviews' copy
    # of them, the count of reviewed claims; the history entry. Was 10 (16, 25 before).
    assert len(sent) <= 8, "\n".join(sent)


def test_a_second_verdict_on_a_claim_sends_no_more(engine: Engine) -> None:
    """The other reviewer's verdict makes the final: its row and entry, in the same count
    (the count of reviewed claims does not change)."""
    set_k(engine, 2)
    add_claims(engine, [0.9])
    ann, bob = add_user(engine, "ann"), add_user(engine, "bob")
    decisions.set_verdict(engine, 1, ann, Verdict.verified)
    with statements(engine) as sent:
        decisions.set_verdict(engine, 1, bob, Verdict.verified)
    assert len(sent) <= 8, "\n".join(sent)


def test_next_claim_reads_the_account_once(engine: Engine) -> None:
    set_k(engine, 2)
    add_claims(engine, [0.9, 0.8])
    actor = add_user(engine, "ann")
    with statements(engine) as sent:
        assert assign.next_claim(engine, actor) is not None
    assert reads_of(sent, "users") == 1
    # users; settings, held lease, question and expired leases in one read; the k seeks in
    # one; the candidate's lock (PostgreSQL only: SQLite is serial); the lease, inserted
    # only while a slot is free. Was 10 (12 before).
    most = 4 if engine.dialect.name == "sqlite" else 5
    assert len(sent) <= most, "\n".join(sent)


def test_a_note_and_a_url_read_the_review_once(engine: Engine) -> None:
    add_claims(engine, [0.9])
    actor = add_user(engine, "ann")
    first = decisions.set_verdict(engine, 1, actor, Verdict.disputed)
    saves: list[Callable[[], Any]] = [
        lambda: decisions.set_note(engine, 1, actor, "seen", expected_version=first.version),
        lambda: decisions.add_url(engine, 1, actor, "https://example.org/a"),
    ]
    for save in saves:
        with statements(engine) as sent:
            save()
        assert account_reads(sent) == 1
        assert sum(1 for s in sent if s.startswith("SELECT reviews.id,")) == 1


def test_notes_and_urls_send_what_a_verdict_sends(engine: Engine) -> None:
    """A note or a URL, a third of a busy team's saves, on rows as a verdict is: the account,
    the claim's lock (its status with it), the review with its URLs in one read, then only
    the writes that change something (the review; the URL; the history in one statement;
    the "waits for an admin" flag, only for a claim an admin decided or a review not read
    before). Were 8-10 through ORM objects, the claim not locked; then 6-7 with the account
    read apart and the flag refreshed every time."""
    add_claims(engine, [0.9, 0.8])
    actor = add_user(engine, "ann")
    first = decisions.set_verdict(engine, 1, actor, Verdict.disputed)
    url = "https://example.org/a"
    saves: list[tuple[int, Callable[[], Any]]] = [
        (4, lambda: decisions.set_note(engine, 1, actor, "seen", expected_version=first.version)),
        (5, lambda: decisions.add_url(engine, 1, actor, url)),
        (2, lambda: decisions.add_url(engine, 1, actor, url)),  # already there: no write
        (5, lambda: decisions.remove_url(engine, 1, actor, url)),
        (5, lambda: decisions.set_note(engine, 2, actor, "first touch")),  # creates the review
        (5, lambda: decisions.add_url(engine, 2, actor, url)),
    ]
    for most, save in saves:
        with statements(engine) as sent:
            save()
        assert account_reads(sent) == 1, "\n".join(sent)
        locks = [s for s in sent if s.startswith("SELECT claims.status")]
        assert len(locks) == 1 and "users.name" in locks[0], "\n".join(sent)
        if engine.dialect.name == "postgresql":
            assert "FOR UPDATE" in locks[0]
        assert len(sent) <= most, "\n".join(sent)
