"""Handing out claims with k review slots, leases, blind review and time per review.

Every test runs on SQLite and, when a server answers, on PostgreSQL (see tests/conftest.py).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Document, Lease, Membership, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput
from workbench.projects.settings import set_project_setting
from workbench.review import assign, decisions, queue
from workbench.schemas import Actor, Role, Verdict

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def add_claims(engine: Engine, scores: list[float], *, docs: int = 1) -> list[int]:
    """Claims with the given scores, spread over ``docs`` documents in reading order."""
    ids: list[int] = []
    with unit_of_work(engine) as session:
        documents = []
        for d in range(docs):
            document = Document(
                project_id=1,
                title=f"doc {d}",
                source=f"doc{d}.txt",
                text="x" * 1000,
                sha256=f"{d:064d}",
            )
            session.add(document)
            documents.append(document)
        session.flush()
        for i, score in enumerate(scores):
            claim = Claim(
                document_id=documents[i % docs].id,
                text="x" * 5,
                char_start=10 * i,
                char_end=10 * i + 5,
                speaker=None,
                score=score,
                extractor="test@1",
            )
            session.add(claim)
            session.flush()
            ids.append(claim.id)
    return ids


def add_user(engine: Engine, name: str, role: Role = Role.reviewer) -> Actor:
    with unit_of_work(engine) as session:
        user = User(name=name, role=role.value)
        session.add(user)
        session.flush()
        # A member of the one project, as accounts.add_user makes it (issue 14).
        session.add(Membership(user_id=user.id, project_id=1, role=role.value))
        return Actor(id=user.id, name=name, role=role)


def set_k(engine: Engine, k: int) -> None:
    set_project_setting(engine, SYSTEM, "reviews_per_claim", k)


def verdict_counts(engine: Engine) -> dict[int, int]:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Review.claim_id, func.count(Review.id))
            .where(Review.verdict.is_not(None))
            .group_by(Review.claim_id)
        ).all()
        return {claim_id: count for claim_id, count in rows}


# --- slots ----------------------------------------------------------------------------------


def test_with_k_1_a_leased_claim_is_not_handed_out_again(engine: Engine) -> None:
    a, b = add_claims(engine, [0.9, 0.5])
    ana, ben, cy = (add_user(engine, n) for n in ("Ana", "Ben", "Cy"))
    assert assign.next_claim(engine, ana, now=T0) == a
    assert assign.next_claim(engine, ben, now=T0) == b
    assert assign.next_claim(engine, cy, now=T0) is None


def test_asking_again_returns_the_claim_already_leased(engine: Engine) -> None:
    a, _ = add_claims(engine, [0.9, 0.5])
    ana = add_user(engine, "Ana")
    assert assign.next_claim(engine, ana, now=T0) == a
    assert assign.next_claim(engine, ana, now=T0 + timedelta(minutes=5)) == a
    # ...and the lease was refreshed, not duplicated.
    with unit_of_work(engine) as session:
        leases = session.scalars(select(Lease)).all()
        assert [(x.claim_id, x.expires_at) for x in leases] == [(a, T0 + timedelta(minutes=35))]


def test_with_k_2_two_reviewers_share_a_claim_and_a_third_gets_the_next(engine: Engine) -> None:
    set_k(engine, 2)
    a, b = add_claims(engine, [0.9, 0.5])
    ana, ben, cy = (add_user(engine, n) for n in ("Ana", "Ben", "Cy"))
    assert assign.next_claim(engine, ana, now=T0) == a
    assert assign.next_claim(engine, ben, now=T0) == a
    assert assign.next_claim(engine, cy, now=T0) == b
    # A verdict keeps its slot after the lease is gone.
    decisions.set_verdict(engine, a, ana, Verdict.verified)
    assert assign.lease_of(engine, ana, a) is None
    assert assign.next_claim(engine, ana, now=T0) == b  # never a claim she decided
    dan = add_user(engine, "Dan")
    assert assign.next_claim(engine, dan, now=T0) is None


def test_a_reviewer_never_gets_a_claim_they_already_decided(engine: Engine) -> None:
    set_k(engine, 3)
    a, b = add_claims(engine, [0.9, 0.5])
    ana = add_user(engine, "Ana")
    decisions.set_verdict(engine, a, ana, Verdict.disputed)
    assert assign.next_claim(engine, ana, now=T0) == b
    decisions.set_verdict(engine, b, ana, Verdict.disputed)
    assert assign.next_claim(engine, ana, now=T0) is None


def test_a_note_alone_does_not_count_as_reviewed(engine: Engine) -> None:
    (a,) = add_claims(engine, [0.9])
    ana = add_user(engine, "Ana")
    decisions.set_note(engine, a, ana, "looking into it")
    assert assign.next_claim(engine, ana, now=T0) == a


def test_an_expired_lease_returns_the_claim_to_the_pool(engine: Engine) -> None:
    (a,) = add_claims(engine, [0.9])
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    assert assign.next_claim(engine, ana, now=T0) == a
    assert assign.next_claim(engine, ben, now=T0 + timedelta(minutes=29)) is None
    assert assign.next_claim(engine, ben, now=T0 + timedelta(minutes=31)) == a
    # Ana comes back: her lease is gone and the only slot is Ben's now.
    assert assign.next_claim(engine, ana, now=T0 + timedelta(minutes=32)) is None
    assert assign.purge_expired_leases(engine, now=T0 + timedelta(hours=2)) == 1


def test_the_lease_time_is_a_project_setting(engine: Engine) -> None:
    set_project_setting(engine, SYSTEM, "lease_minutes", 5)
    (a,) = add_claims(engine, [0.9])
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    assert assign.next_claim(engine, ana, now=T0) == a
    assert assign.lease_of(engine, ana, a) == T0 + timedelta(minutes=5)
    assert assign.next_claim(engine, ben, now=T0 + timedelta(minutes=6)) == a


def test_release_gives_the_slot_back_and_exclude_skips(engine: Engine) -> None:
    a, b = add_claims(engine, [0.9, 0.5])
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    assert assign.next_claim(engine, ana, now=T0) == a
    assign.release(engine, ana, a)
    assert assign.next_claim(engine, ana, now=T0, exclude=[a]) == b
    assert assign.next_claim(engine, ben, now=T0) == a


def test_order_by_score_or_by_document(engine: Engine) -> None:
    # Reading order: document 1 claims 0, 2; document 2 claims 1, 3 (round robin).
    ids = add_claims(engine, [0.2, 0.9, 0.5, 0.7], docs=2)
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    assert assign.next_claim(engine, ana, now=T0) == ids[1]  # highest score
    set_project_setting(engine, SYSTEM, "assignment_order", "document")
    assert assign.next_claim(engine, ben, now=T0) == ids[0]  # first in reading order


def test_ties_in_score_go_by_id(engine: Engine) -> None:
    ids = add_claims(engine, [0.5, 0.5, 0.5])
    ana = add_user(engine, "Ana")
    assert assign.next_claim(engine, ana, now=T0) == ids[0]


def test_closed_claims_are_not_handed_out(engine: Engine) -> None:
    a, b = add_claims(engine, [0.9, 0.5])
    ana = add_user(engine, "Ana")
    decisions.mark_not_a_claim(engine, a, ana)
    assert assign.next_claim(engine, ana, now=T0) == b


def test_a_viewer_is_not_handed_claims(engine: Engine) -> None:
    add_claims(engine, [0.9])
    viewer = add_user(engine, "Vi", Role.viewer)
    with pytest.raises(PermissionError):
        assign.next_claim(engine, viewer, now=T0)


# --- verdicts and slots ------------------------------------------------------------------------


def test_a_verdict_on_a_full_claim_without_a_lease_is_refused(engine: Engine) -> None:
    set_k(engine, 2)
    (a,) = add_claims(engine, [0.9])
    ana, ben, cy = (add_user(engine, n) for n in ("Ana", "Ben", "Cy"))
    decisions.set_verdict(engine, a, ana, Verdict.verified)  # straight from the queue: a slot free
    assert assign.next_claim(engine, ben) == a  # the last slot is leased to Ben
    with pytest.raises(InvalidInput, match="already has its 2 reviews"):
        decisions.set_verdict(engine, a, cy, Verdict.disputed)
    assert (
        queue.get_claim(engine, a, actor=SYSTEM).reviews[-1].reviewer != "Cy"
    )  # nothing was written
    decisions.set_verdict(engine, a, ben, Verdict.disputed)  # his lease holds the slot
    with pytest.raises(InvalidInput):
        decisions.set_verdict(engine, a, cy, Verdict.disputed)
    # Changing one's own verdict is always allowed; an admin is not capped.
    decisions.set_verdict(engine, a, ana, Verdict.unsupported)
    decisions.set_verdict(engine, a, add_user(engine, "Ada", Role.admin), Verdict.verified)
    assert verdict_counts(engine) == {a: 3}


def test_time_spent_is_recorded_from_shown_at_or_the_lease(engine: Engine) -> None:
    a, b = add_claims(engine, [0.9, 0.5])
    ana = add_user(engine, "Ana")
    shown = datetime.now(UTC) - timedelta(seconds=42)
    review = decisions.set_verdict(engine, a, ana, Verdict.verified, shown_at=shown)
    with unit_of_work(engine) as session:
        row = session.get_one(Review, review.id)
        assert row.seconds_spent is not None and 42 <= row.seconds_spent < 60
        assert row.decided_at is not None and row.decided_at >= shown
        first = row.seconds_spent, row.decided_at

    # Saving the same verdict again is not a new decision.
    decisions.set_verdict(engine, a, ana, Verdict.verified)
    with unit_of_work(engine) as session:
        row = session.get_one(Review, review.id)
        assert (row.seconds_spent, row.decided_at) == first

    # Without shown_at, from the start of the lease.
    leased_at = datetime.now(UTC) - timedelta(seconds=90)
    assert assign.next_claim(engine, ana, now=leased_at) == b
    review = decisions.set_verdict(engine, b, ana, Verdict.disputed)
    with unit_of_work(engine) as session:
        row = session.get_one(Review, review.id)
        assert row.seconds_spent is not None and 90 <= row.seconds_spent < 120

    # Taking the verdict back takes its timing back too.
    decisions.set_verdict(engine, b, ana, None)
    with unit_of_work(engine) as session:
        row = session.get_one(Review, review.id)
        assert (row.seconds_spent, row.decided_at) == (None, None)


# --- blind review ------------------------------------------------------------------------------


def test_blind_review_until_the_reviewer_decides(engine: Engine) -> None:
    set_k(engine, 3)
    (a,) = add_claims(engine, [0.9])
    ana, ben = add_user(engine, "Ana"), add_user(engine, "Ben")
    admin = add_user(engine, "Ada", Role.admin)
    decisions.set_verdict(engine, a, ana, Verdict.verified)
    decisions.set_note(engine, a, ana, "the ministry says so")
    decisions.add_url(engine, a, ana, "https://example.org/ministry")

    # Ben has not looked yet: he sees nothing of Ana's work, only that it exists.
    before = queue.get_claim(engine, a, ben)
    assert before.reviews == [] and before.hidden_reviews == 1
    # His own note is his to see; still no verdict, so Ana's stays hidden.
    decisions.set_note(engine, a, ben, "checking")
    seen = queue.get_claim(engine, a, ben)
    assert [r.reviewer for r in seen.reviews] == ["Ben"] and seen.hidden_reviews == 1

    decisions.set_verdict(engine, a, ben, Verdict.disputed)
    after = queue.get_claim(engine, a, ben)
    assert [r.reviewer for r in after.reviews] == ["Ana", "Ben"] and after.hidden_reviews == 0
    assert after.reviews[0].note == "the ministry says so"

    # Admins and the command line see everything; a reviewer who takes the verdict back
    # is blind again.
    assert len(queue.get_claim(engine, a, admin).reviews) == 2
    assert len(queue.get_claim(engine, a, actor=SYSTEM).reviews) == 2
    decisions.set_verdict(engine, a, ben, None)
    assert [r.reviewer for r in queue.get_claim(engine, a, ben).reviews] == ["Ben"]


def test_a_viewer_sees_no_one_elses_review(engine: Engine) -> None:
    (a,) = add_claims(engine, [0.9])
    decisions.set_verdict(engine, a, add_user(engine, "Ana"), Verdict.verified)
    viewer = add_user(engine, "Vi", Role.viewer)
    detail = queue.get_claim(engine, a, viewer)
    assert detail.reviews == [] and detail.hidden_reviews == 1


# --- two reviewers at the same moment -----------------------------------------------------------


def race(engine: Engine, reviewers: int = 10, claims: int = 3, k: int = 2) -> None:
    """``reviewers`` threads ask for a claim at once, then decide it; nothing over-assigned."""
    set_k(engine, k)
    ids = add_claims(engine, [0.5] * claims)
    actors = [add_user(engine, f"R{i}") for i in range(reviewers)]
    start = threading.Barrier(reviewers)
    got: dict[str, int | None] = {}
    failures: list[BaseException] = []

    def work(actor: Actor) -> None:
        try:
            start.wait()
            claim_id = assign.next_claim(engine, actor)
            got[actor.name] = claim_id
            if claim_id is not None:
                decisions.set_verdict(engine, claim_id, actor, Verdict.verified)
        except BaseException as exc:  # reported below, with the thread's name
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    handed = [c for c in got.values() if c is not None]
    assert len(handed) == claims * k  # every slot was given, none twice
    assert all(handed.count(c) == k for c in ids)
    assert verdict_counts(engine) == dict.fromkeys(ids, k)


def test_ten_reviewers_at_once_never_over_assign(engine: Engine) -> None:
    # Runs on SQLite and on PostgreSQL (the conftest's `engine` is parametrised by backend).
    race(engine)


def test_leases_expire_on_the_server_clock_we_pass(engine: Engine) -> None:
    set_k(engine, 2)
    a, b = add_claims(engine, [0.4, 0.8])
    ana, ben, cy = (add_user(engine, n) for n in ("Ana", "Ben", "Cy"))
    assert assign.next_claim(engine, ana, now=T0) == b
    assert assign.next_claim(engine, ben, now=T0) == b
    assert assign.next_claim(engine, cy, now=T0) == a
    # An hour on, Ana's and Ben's leases have expired: the best claim is free again.
    assert assign.next_claim(engine, cy, now=T0 + timedelta(hours=1)) == b


# --- a link to a claim takes its lease, if a slot is free -------------------------------------


def leases(engine: Engine) -> list[tuple[int, int]]:
    with unit_of_work(engine) as session:
        rows = session.execute(select(Lease.claim_id, Lease.user_id)).all()
        return sorted((claim_id, user_id) for claim_id, user_id in rows)


def test_a_link_leases_a_free_claim_so_assignment_hands_it_to_no_one_else(engine: Engine) -> None:
    a, b = add_claims(engine, [0.9, 0.5])
    ana, ben = (add_user(engine, n) for n in ("Ana", "Ben"))
    assert assign.lease_claim(engine, ana, b, now=T0)  # the lower one, by its link
    assert leases(engine) == [(b, ana.id)]
    assert assign.next_claim(engine, ben, now=T0) == a  # k = 1: b is Ana's
    assert assign.next_claim(engine, ana, now=T0) == b  # her lease comes first for her


def test_a_link_never_takes_a_slot_someone_else_holds(engine: Engine) -> None:
    (a,) = add_claims(engine, [0.9])
    ana, ben = (add_user(engine, n) for n in ("Ana", "Ben"))
    assert assign.next_claim(engine, ben, now=T0) == a
    assert not assign.lease_claim(engine, ana, a, now=T0)
    assert leases(engine) == [(a, ben.id)]
    # Once Ben's lease has expired the slot is free again, and the link takes it.
    later = T0 + timedelta(minutes=31)
    assert assign.lease_claim(engine, ana, a, now=later)
    assert (a, ana.id) in leases(engine)


def test_a_link_renews_our_own_lease_and_needs_none_once_decided(engine: Engine) -> None:
    (a,) = add_claims(engine, [0.9])
    ana = add_user(engine, "Ana")
    assert assign.lease_claim(engine, ana, a, now=T0)
    assert assign.lease_claim(engine, ana, a, now=T0 + timedelta(minutes=10))
    assert assign.lease_of(engine, ana, a) == T0 + timedelta(minutes=40)
    decisions.set_verdict(engine, a, ana, Verdict.verified)
    assert assign.lease_claim(engine, ana, a)  # decided: no slot needed
    assert leases(engine) == []


def test_a_link_to_a_closed_claim_leases_nothing(engine: Engine) -> None:
    (a,) = add_claims(engine, [0.9])
    ana = add_user(engine, "Ana")
    decisions.mark_not_a_claim(engine, a, ana)
    assert not assign.lease_claim(engine, ana, a, now=T0)
    assert leases(engine) == []
