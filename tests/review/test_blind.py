"""Blind review that stays blind: blind verdicts, changes after the reveal, and what follows."""

from __future__ import annotations

from sqlalchemy import Engine, select

from tests.review.support import first_claim
from workbench.db.models import HistoryEntry, Review
from workbench.db.session import unit_of_work
from workbench.review import decisions, queue
from workbench.review.adjudicate import adjudicate, adjudication_queue, final_verdict
from workbench.schemas import Actor, FinalSource, Verdict


def review_of(engine: Engine, claim_id: int, actor: Actor) -> tuple[str | None, str | None, bool]:
    """(verdict, blind verdict, changed after reveal) of ``actor``'s review."""
    with unit_of_work(engine) as session:
        row = session.scalars(
            select(Review).where(Review.claim_id == claim_id, Review.reviewer_id == actor.id)
        ).one()
        return row.verdict, row.blind_verdict, row.changed_after_reveal


def test_a_change_after_seeing_the_others_is_recorded_and_the_blind_verdict_kept(
    k2: Engine, people: dict[str, Actor]
) -> None:
    claim_id = first_claim(k2)
    ana, ben = people["ana"], people["ben"]
    decisions.set_verdict(k2, claim_id, ana, Verdict.verified)
    decisions.set_verdict(k2, claim_id, ben, Verdict.disputed)
    # Ben has decided, so he is shown Ana's verdict; he comes round to it.
    assert [r.reviewer for r in queue.get_claim(k2, claim_id, ben).reviews] == ["Ana", "Ben"]
    out = decisions.set_verdict(k2, claim_id, ben, Verdict.verified)

    assert (out.verdict, out.blind_verdict, out.changed_after_reveal) == (
        Verdict.verified,
        Verdict.disputed,
        True,
    )
    assert review_of(k2, claim_id, ana) == ("verified", "verified", False)
    with unit_of_work(k2) as session:
        last = session.scalars(
            select(HistoryEntry)
            .where(HistoryEntry.claim_id == claim_id, HistoryEntry.entity == "review")
            .order_by(HistoryEntry.id.desc())
        ).first()
        assert last is not None
        assert last.before == {"verdict": "disputed", "note": ""}
        assert last.after == {"verdict": "verified", "note": "", "changed_after_reveal": True}

    # The verdicts agree now, but not blind: no consensus; an admin must weigh it.
    assert final_verdict(k2, claim_id) is None
    waiting = adjudication_queue(k2, people["ada"])
    assert [item.claim.id for item in waiting.items] == [claim_id]
    assert waiting.items[0].agreed_after_reveal
    adjudicate(k2, people["ada"], claim_id, Verdict.verified, "Ben's source was retracted")
    assert adjudication_queue(k2, people["ada"]).total == 0

    # Going back to the blind verdict does not unflag the review.
    decisions.set_verdict(k2, claim_id, ben, Verdict.disputed)
    assert review_of(k2, claim_id, ben) == ("disputed", "disputed", True)


def test_a_change_before_anyone_else_decided_is_still_blind(
    k2: Engine, people: dict[str, Actor]
) -> None:
    claim_id = first_claim(k2)
    ana, ben = people["ana"], people["ben"]
    decisions.set_verdict(k2, claim_id, ana, Verdict.disputed)
    decisions.set_verdict(k2, claim_id, ana, Verdict.verified)  # a misclick put right
    assert review_of(k2, claim_id, ana) == ("verified", "verified", False)
    decisions.set_verdict(k2, claim_id, ben, Verdict.verified)
    final = final_verdict(k2, claim_id)
    assert final is not None and (final.verdict, final.source) == (
        Verdict.verified,
        FinalSource.consensus,
    )


def test_taking_a_verdict_back_keeps_the_blind_one_and_deciding_again_is_judged(
    k2: Engine, people: dict[str, Actor]
) -> None:
    claim_id = first_claim(k2)
    ana, ben = people["ana"], people["ben"]
    decisions.set_verdict(k2, claim_id, ana, Verdict.verified)
    decisions.set_verdict(k2, claim_id, ben, Verdict.disputed)
    decisions.set_verdict(k2, claim_id, ben, None)
    assert review_of(k2, claim_id, ben) == (None, "disputed", False)
    # The same verdict again is no change; another one is, and it is after the reveal.
    decisions.set_verdict(k2, claim_id, ben, Verdict.disputed)
    assert review_of(k2, claim_id, ben) == ("disputed", "disputed", False)
    decisions.set_verdict(k2, claim_id, ben, None)
    decisions.set_verdict(k2, claim_id, ben, Verdict.verified)
    assert review_of(k2, claim_id, ben) == ("verified", "disputed", True)
    assert final_verdict(k2, claim_id) is None


def test_blind_agreement_changed_together_after_the_reveal_is_no_consensus(
    k2: Engine, people: dict[str, Actor]
) -> None:
    claim_id = first_claim(k2)
    ana, ben = people["ana"], people["ben"]
    decisions.set_verdict(k2, claim_id, ana, Verdict.verified)
    decisions.set_verdict(k2, claim_id, ben, Verdict.verified)
    assert final_verdict(k2, claim_id) is not None  # consensus, blind
    decisions.set_verdict(k2, claim_id, ana, Verdict.disputed)
    decisions.set_verdict(k2, claim_id, ben, Verdict.disputed)
    # They agree again, on a verdict neither gave blind: that is for an admin to confirm.
    assert final_verdict(k2, claim_id) is None
    waiting = adjudication_queue(k2, people["ada"])
    assert [(i.claim.id, i.agreed_after_reveal) for i in waiting.items] == [(claim_id, True)]


def test_a_claim_whose_blind_verdicts_disagree_is_not_marked_agreed_after_reveal(
    k2: Engine, people: dict[str, Actor]
) -> None:
    claim_id = first_claim(k2)
    decisions.set_verdict(k2, claim_id, people["ana"], Verdict.verified)
    decisions.set_verdict(k2, claim_id, people["ben"], Verdict.disputed)
    (item,) = adjudication_queue(k2, people["ada"]).items
    assert not item.agreed_after_reveal


def test_not_a_claim_touches_no_blind_verdict(k2: Engine, people: dict[str, Actor]) -> None:
    claim_id = first_claim(k2)
    decisions.set_verdict(k2, claim_id, people["ana"], Verdict.verified)
    decisions.mark_not_a_claim(k2, claim_id, people["ben"])
    decisions.reopen_claim(k2, claim_id, people["ben"])
    assert review_of(k2, claim_id, people["ana"]) == ("verified", "verified", False)
    decisions.set_verdict(k2, claim_id, people["ben"], Verdict.verified)
    assert review_of(k2, claim_id, people["ben"]) == ("verified", "verified", False)
