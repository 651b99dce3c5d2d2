"""Reviewing a claim through the service layer, as the app and the CLI do."""

import pytest
from sqlalchemy import Engine

from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.errors import InvalidInput, NotFound, StaleEdit
from workbench.review import decisions, queue
from workbench.schemas import ReviewOut, Verdict


def first_claim(engine: Engine) -> int:
    claim_id = queue.next_claim_id(engine, queue.ClaimFilter(), after=None)
    assert claim_id is not None
    return claim_id


def test_a_verdict_is_stored_with_its_reviewer(seeded: Engine) -> None:
    claim_id = first_claim(seeded)
    review = decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.disputed)
    assert (review.reviewer, review.verdict) == ("Ana", Verdict.disputed)
    assert queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews == [review]


def test_a_verdict_moves_the_claim_out_of_the_to_review_queue(seeded: Engine) -> None:
    before = queue.progress(seeded)
    claim_id = first_claim(seeded)
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)
    assert queue.progress(seeded).reviewed == before.reviewed + 1
    assert first_claim(seeded) != claim_id


def test_changing_a_verdict_keeps_one_review_per_reviewer(seeded: Engine) -> None:
    claim_id = first_claim(seeded)
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.unsupported)
    reviews = queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews
    assert [(r.reviewer, r.verdict) for r in reviews] == [("Ana", Verdict.unsupported)]


def test_two_reviewers_each_keep_their_own_review(seeded: Engine) -> None:
    claim_id = first_claim(seeded)
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ben"), Verdict.disputed)
    reviews = queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews
    assert {r.reviewer: r.verdict for r in reviews} == {
        "Ana": Verdict.verified,
        "Ben": Verdict.disputed,
    }


def test_a_note_alone_does_not_count_as_reviewed(seeded: Engine) -> None:
    claim_id = first_claim(seeded)
    decisions.set_note(
        seeded, claim_id, local_actor(seeded, "Ana"), "check the ministry's statement"
    )
    assert queue.progress(seeded).reviewed == 0
    assert (
        queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews[0].note
        == "check the ministry's statement"
    )


@pytest.mark.parametrize(
    ("note", "problem"),
    [("bad \x00 byte", "NUL character"), ("half a pair \ud800", "lone surrogate")],
)
def test_a_note_no_database_can_store_is_refused_and_stores_nothing(
    seeded: Engine, note: str, problem: str
) -> None:
    claim_id = first_claim(seeded)
    with pytest.raises(InvalidInput, match=problem):
        decisions.set_note(seeded, claim_id, local_actor(seeded, "Ana"), note)
    assert queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews == []


def test_urls_are_normalised_and_deduplicated(seeded: Engine) -> None:
    claim_id = first_claim(seeded)
    decisions.add_url(seeded, claim_id, local_actor(seeded, "Ana"), "https://Example.org/a#top")
    review = decisions.add_url(
        seeded, claim_id, local_actor(seeded, "Ana"), "https://example.org/a"
    )
    assert [e.url for e in review.urls] == ["https://example.org/a"]


def test_a_refused_url_stores_nothing(seeded: Engine) -> None:
    claim_id = first_claim(seeded)
    with pytest.raises(InvalidInput, match="only http"):
        decisions.add_url(seeded, claim_id, local_actor(seeded, "Ana"), "javascript:alert(1)")
    assert queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews == []


def test_a_url_can_be_removed(seeded: Engine) -> None:
    claim_id = first_claim(seeded)
    decisions.add_url(seeded, claim_id, local_actor(seeded, "Ana"), "https://example.org/a")
    decisions.add_url(seeded, claim_id, local_actor(seeded, "Ana"), "https://example.org/b")
    review = decisions.remove_url(
        seeded, claim_id, local_actor(seeded, "Ana"), "https://example.org/a"
    )
    assert [e.url for e in review.urls] == ["https://example.org/b"]
    with pytest.raises(NotFound):
        decisions.remove_url(seeded, claim_id, local_actor(seeded, "Ana"), "https://example.org/a")


def test_not_a_claim_takes_it_out_of_the_queue_without_a_verdict(seeded: Engine) -> None:
    total = queue.progress(seeded).total
    claim_id = first_claim(seeded)
    decisions.mark_not_a_claim(seeded, claim_id, local_actor(seeded, "Ana"))
    progress = queue.progress(seeded)
    assert (progress.total, progress.not_a_claim, progress.reviewed) == (total - 1, 1, 0)
    dismissed = queue.list_claims(seeded, queue.ClaimFilter(state="not_a_claim"), actor=SYSTEM)
    assert [c.id for c in dismissed.items] == [claim_id]
    with pytest.raises(InvalidInput, match="not a claim"):
        decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)
    decisions.reopen_claim(seeded, claim_id, local_actor(seeded, "Ana"))
    assert queue.progress(seeded).total == total


def test_a_stale_edit_is_refused_and_names_who_changed_it(seeded: Engine) -> None:
    claim_id = first_claim(seeded)
    shown = decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)
    decisions.set_note(
        seeded,
        claim_id,
        local_actor(seeded, "Ana"),
        "edited in another tab",
        expected_version=shown.version,
    )
    with pytest.raises(StaleEdit, match="changed by Ana") as refused:
        decisions.set_verdict(
            seeded,
            claim_id,
            local_actor(seeded, "Ana"),
            Verdict.disputed,
            expected_version=shown.version,
        )
    current = refused.value.current
    assert isinstance(current, ReviewOut) and current.note == "edited in another tab"
    assert queue.get_claim(seeded, claim_id, actor=SYSTEM).reviews[0].verdict == Verdict.verified


@pytest.mark.parametrize("name", ["", "   ", "a" * 101, "bad\x00name"])
def test_a_reviewer_needs_a_real_name(seeded: Engine, name: str) -> None:
    with pytest.raises(InvalidInput):
        local_actor(seeded, name)


def test_unknown_claims_are_reported(seeded: Engine) -> None:
    with pytest.raises(NotFound, match="claim 999999"):
        decisions.set_verdict(seeded, 999_999, local_actor(seeded, "Ana"), Verdict.verified)
