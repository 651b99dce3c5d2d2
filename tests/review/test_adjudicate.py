"""Final verdicts: single, consensus, the adjudication queue, and adjudication by admins."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from tests.review.support import account
from workbench.auth.accounts import set_role
from workbench.auth.policy import SYSTEM
from workbench.db.models import HistoryEntry
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from workbench.review import decisions, queue
from workbench.review.adjudicate import adjudicate, adjudication_queue, final_verdict
from workbench.schemas import Actor, FinalSource, Role, Verdict


def claims(engine: Engine, n: int = 1) -> list[int]:
    ids = [
        c.id
        for c in queue.list_claims(engine, queue.ClaimFilter(), page_size=n, actor=SYSTEM).items
    ]
    assert len(ids) == n
    return ids


def final_history(engine: Engine, claim_id: int) -> list[tuple[str | None, str]]:
    with unit_of_work(engine) as session:
        rows = session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.claim_id == claim_id, HistoryEntry.entity == "final_verdict")
            .order_by(HistoryEntry.id)
        ).all()
        return [(r.actor.name if r.actor else None, r.action) for r in rows]


@pytest.fixture
def team(seeded: Engine) -> dict[str, Actor]:
    return {
        "ada": account(seeded, "Ada", Role.admin),
        "bo": account(seeded, "Bo", Role.admin),
        "ana": account(seeded, "Ana"),
        "ben": account(seeded, "Ben"),
        "vic": account(seeded, "Vic", Role.viewer),
    }


def disputed(engine: Engine, team: dict[str, Actor]) -> int:
    """A claim on which Ana and Ben disagree (k = 2)."""
    (claim_id,) = claims(engine)
    decisions.set_verdict(engine, claim_id, team["ana"], Verdict.verified)
    decisions.set_verdict(engine, claim_id, team["ben"], Verdict.disputed)
    return claim_id


# --- automatic final verdicts -------------------------------------------------------------


def test_with_k1_the_one_verdict_is_final_single(seeded: Engine, team: dict[str, Actor]) -> None:
    (claim_id,) = claims(seeded)
    assert final_verdict(seeded, claim_id) is None
    decisions.set_verdict(seeded, claim_id, team["ana"], Verdict.unsupported)
    final = final_verdict(seeded, claim_id)
    assert final is not None
    assert (final.verdict, final.source, final.decided_by) == (
        Verdict.unsupported,
        FinalSource.single,
        None,
    )
    # Automatic: recorded in the history without an actor.
    assert final_history(seeded, claim_id) == [(None, "create")]


def test_a_single_final_follows_the_verdict_and_goes_when_it_is_cleared(
    seeded: Engine, team: dict[str, Actor]
) -> None:
    (claim_id,) = claims(seeded)
    decisions.set_verdict(seeded, claim_id, team["ana"], Verdict.verified)
    decisions.set_verdict(seeded, claim_id, team["ana"], Verdict.disputed)
    final = final_verdict(seeded, claim_id)
    assert final is not None and final.verdict == Verdict.disputed
    decisions.set_verdict(seeded, claim_id, team["ana"], None)
    assert final_verdict(seeded, claim_id) is None
    assert final_history(seeded, claim_id) == [(None, "create"), (None, "update"), (None, "delete")]


def test_a_note_does_not_make_a_final_verdict(seeded: Engine, team: dict[str, Actor]) -> None:
    (claim_id,) = claims(seeded)
    decisions.set_note(seeded, claim_id, team["ana"], "looking into it")
    assert final_verdict(seeded, claim_id) is None


def test_with_k2_one_verdict_is_not_final_and_two_that_agree_are_consensus(
    k2: Engine, team: dict[str, Actor]
) -> None:
    (claim_id,) = claims(k2)
    decisions.set_verdict(k2, claim_id, team["ana"], Verdict.verified)
    assert final_verdict(k2, claim_id) is None
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.verified)
    final = final_verdict(k2, claim_id)
    assert final is not None
    assert (final.verdict, final.source, final.decided_by) == (
        Verdict.verified,
        FinalSource.consensus,
        None,
    )
    assert adjudication_queue(k2, team["ada"]).total == 0


def test_disagreeing_reviews_get_no_final_and_enter_the_queue(
    k2: Engine, team: dict[str, Actor]
) -> None:
    claim_id = disputed(k2, team)
    assert final_verdict(k2, claim_id) is None
    page = adjudication_queue(k2, team["ada"])
    assert page.total == 1
    (item,) = page.items
    assert item.claim.id == claim_id
    assert {(s.review.reviewer, s.review.verdict) for s in item.reviews} == {
        ("Ana", Verdict.verified),
        ("Ben", Verdict.disputed),
    }
    assert item.paragraph[item.claim_start : item.claim_end] == item.claim.text
    assert item.final is None and not item.reviews_changed


def test_a_consensus_that_breaks_is_withdrawn_and_the_claim_queued(
    k2: Engine, team: dict[str, Actor]
) -> None:
    (claim_id,) = claims(k2)
    decisions.set_verdict(k2, claim_id, team["ana"], Verdict.verified)
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.verified)
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.unsupported)
    assert final_verdict(k2, claim_id) is None
    assert [i.claim.id for i in adjudication_queue(k2, team["ada"]).items] == [claim_id]
    assert final_history(k2, claim_id) == [(None, "create"), (None, "delete")]


def test_the_queue_pages_and_leaves_out_claims_marked_not_a_claim(
    k2: Engine, team: dict[str, Actor]
) -> None:
    ids = claims(k2, 3)
    for claim_id in ids:
        decisions.set_verdict(k2, claim_id, team["ana"], Verdict.verified)
        decisions.set_verdict(k2, claim_id, team["ben"], Verdict.disputed)
    first = adjudication_queue(k2, team["ada"], page=1, page_size=2)
    second = adjudication_queue(k2, team["ada"], page=2, page_size=2)
    assert (first.total, first.pages) == (3, 2)
    assert [i.claim.id for i in first.items + second.items] == sorted(ids)
    decisions.mark_not_a_claim(k2, ids[0], team["ada"])
    assert ids[0] not in [i.claim.id for i in adjudication_queue(k2, team["ada"]).items]


# --- adjudication --------------------------------------------------------------------------


def test_an_admin_records_the_final_verdict_with_a_reason(
    k2: Engine, team: dict[str, Actor]
) -> None:
    claim_id = disputed(k2, team)
    final = adjudicate(
        k2,
        team["ada"],
        claim_id,
        Verdict.disputed,
        "  Ben's source is primary.  ",
        expected_version=0,
    )
    assert (final.verdict, final.source, final.decided_by, final.reason) == (
        Verdict.disputed,
        FinalSource.adjudicated,
        "Ada",
        "Ben's source is primary.",
    )
    assert final_verdict(k2, claim_id) == final
    assert adjudication_queue(k2, team["ada"]).total == 0
    assert final_history(k2, claim_id) == [("Ada", "create")]


def test_an_admin_may_override_a_consensus(k2: Engine, team: dict[str, Actor]) -> None:
    (claim_id,) = claims(k2)
    decisions.set_verdict(k2, claim_id, team["ana"], Verdict.verified)
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.verified)
    shown = final_verdict(k2, claim_id)
    assert shown is not None
    final = adjudicate(
        k2,
        team["ada"],
        claim_id,
        Verdict.unsupported,
        "both cite one blog",
        expected_version=shown.version,
    )
    assert final.source == FinalSource.adjudicated and final.version > shown.version


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_a_reason_is_required(k2: Engine, team: dict[str, Actor], reason: str) -> None:
    claim_id = disputed(k2, team)
    with pytest.raises(InvalidInput, match="reason"):
        adjudicate(k2, team["ada"], claim_id, Verdict.verified, reason)
    assert final_verdict(k2, claim_id) is None


def test_adjudicating_a_missing_claim_is_not_found(seeded: Engine, team: dict[str, Actor]) -> None:
    with pytest.raises(NotFound):
        adjudicate(seeded, team["ada"], 10**6, Verdict.verified, "no such claim")


@pytest.mark.parametrize("who", ["ana", "vic"])
def test_reviewers_and_viewers_may_not_adjudicate(
    k2: Engine, team: dict[str, Actor], who: str
) -> None:
    claim_id = disputed(k2, team)
    with pytest.raises(PermissionDenied) as refused:
        adjudicate(k2, team[who], claim_id, Verdict.verified, "I say so")
    assert isinstance(refused.value, PermissionError)
    with pytest.raises(PermissionError):
        adjudication_queue(k2, team[who])
    assert final_verdict(k2, claim_id) is None
    assert final_history(k2, claim_id) == []


def test_an_admin_demoted_meanwhile_is_refused(k2: Engine, team: dict[str, Actor]) -> None:
    claim_id = disputed(k2, team)
    set_role(k2, SYSTEM, "Bo", Role.reviewer)
    # The Actor still says admin (an old session); the stored role decides.
    with pytest.raises(PermissionDenied):
        adjudicate(k2, team["bo"], claim_id, Verdict.verified, "stale role")
    assert final_verdict(k2, claim_id) is None


def test_a_stale_adjudication_is_refused_naming_who_and_when(
    k2: Engine, team: dict[str, Actor]
) -> None:
    claim_id = disputed(k2, team)
    # Ada and Bo both open the claim while it has no final verdict (version 0).
    saved = adjudicate(k2, team["bo"], claim_id, Verdict.verified, "Bo's call", expected_version=0)
    with pytest.raises(StaleEdit, match="changed by Bo") as refused:
        adjudicate(k2, team["ada"], claim_id, Verdict.disputed, "Ada's call", expected_version=0)
    assert refused.value.changed_by == "Bo"
    assert refused.value.changed_at == saved.decided_at
    assert refused.value.current == saved  # the newer value, to show
    assert f"{saved.decided_at:%Y-%m-%d %H:%M:%S}" in str(refused.value)
    assert final_verdict(k2, claim_id) == saved  # nothing overwritten
    assert final_history(k2, claim_id) == [("Bo", "create")]

    # Having seen Bo's verdict, Ada may replace it.
    replaced = adjudicate(
        k2, team["ada"], claim_id, Verdict.disputed, "Ada's call", expected_version=saved.version
    )
    assert (replaced.verdict, replaced.decided_by) == (Verdict.disputed, "Ada")
    assert final_history(k2, claim_id) == [("Bo", "create"), ("Ada", "update")]


def test_a_final_verdict_withdrawn_since_it_was_shown_is_a_stale_edit(
    k2: Engine, team: dict[str, Actor]
) -> None:
    (claim_id,) = claims(k2)
    decisions.set_verdict(k2, claim_id, team["ana"], Verdict.verified)
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.verified)
    shown = final_verdict(k2, claim_id)
    assert shown is not None
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.disputed)  # consensus withdrawn
    with pytest.raises(StaleEdit, match="changed by the system") as refused:
        adjudicate(k2, team["ada"], claim_id, Verdict.verified, "r", expected_version=shown.version)
    assert refused.value.current is None


def test_an_adjudicated_verdict_is_never_overwritten_automatically(
    k2: Engine, team: dict[str, Actor]
) -> None:
    claim_id = disputed(k2, team)
    decided = adjudicate(k2, team["ada"], claim_id, Verdict.disputed, "primary source")
    # Ben comes round to Ana's view: the reviews now agree, but the admin's decision stands.
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.verified)
    assert final_verdict(k2, claim_id) == decided
    page = adjudication_queue(k2, team["ada"])
    assert [(i.claim.id, i.reviews_changed) for i in page.items] == [(claim_id, True)]
    assert page.items[0].final == decided

    # Confirming it (or changing it) takes it out of the queue again.
    adjudicate(k2, team["ada"], claim_id, Verdict.verified, "reviews now agree")
    assert adjudication_queue(k2, team["ada"]).total == 0


def test_no_history_entry_for_an_automatic_refresh_that_changes_nothing(
    k2: Engine, team: dict[str, Actor]
) -> None:
    (claim_id,) = claims(k2)
    decisions.set_verdict(k2, claim_id, team["ana"], Verdict.verified)
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.verified)
    decisions.set_note(k2, claim_id, team["ben"], "same source as Ana")
    decisions.set_verdict(k2, claim_id, team["ben"], Verdict.verified)
    with unit_of_work(k2) as session:
        count = session.scalar(
            select(func.count(HistoryEntry.id)).where(HistoryEntry.entity == "final_verdict")
        )
    assert count == 1


def test_a_review_of_another_claim_does_not_bring_an_adjudicated_claim_back(
    k2: Engine, team: dict[str, Actor]
) -> None:
    first, second = claims(k2, 2)
    for claim_id in (first, second):
        decisions.set_verdict(k2, claim_id, team["ana"], Verdict.verified)
        decisions.set_verdict(k2, claim_id, team["ben"], Verdict.disputed)
    adjudicate(k2, team["ada"], first, Verdict.disputed, "primary source")
    # A later change to the *other* claim's review concerns that claim only.
    decisions.set_note(k2, second, team["ana"], "rechecked")
    page = adjudication_queue(k2, team["ada"])
    assert (page.total, [i.claim.id for i in page.items]) == (1, [second])
