"""The queue's filters by what the reviews say, with k = 2, and what blind review keeps from
a reviewer: their own verdicts only, never a final verdict, another's or who reviewed what."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.review.test_assign import add_claims, add_user, set_k
from tests.review.test_page_queries import captured
from workbench.db.session import unit_of_work
from workbench.errors import PermissionDenied
from workbench.review import adjudicate, decisions, queue, stats
from workbench.review.queue import ClaimFilter
from workbench.schemas import Actor, ClaimStatus, FinalSource, Role, Verdict


def ids(engine: Engine, flt: ClaimFilter, actor: Actor) -> list[int]:
    page = queue.list_claims(engine, flt, page_size=100, actor=actor)
    assert page.total == len(page.items)
    return [c.id for c in page.items]


@pytest.fixture
def people(engine: Engine) -> dict[str, Actor]:
    return {
        "Ada": add_user(engine, "Ada", Role.admin),
        "Ana": add_user(engine, "Ana"),
        "Ben": add_user(engine, "Ben"),
    }


def test_filters_by_review_state_verdict_final_reviewer_and_split(
    engine: Engine, people: dict[str, Actor]
) -> None:
    c = add_claims(engine, [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    set_k(engine, 2)
    ada, ana, ben = people["Ada"], people["Ana"], people["Ben"]
    decisions.set_verdict(engine, c[0], ana, Verdict.verified)
    decisions.set_verdict(engine, c[0], ben, Verdict.verified)  # agreed: a final verdict
    decisions.set_verdict(engine, c[1], ana, Verdict.verified)
    decisions.set_verdict(engine, c[1], ben, Verdict.disputed)  # split: waits for an admin
    decisions.set_verdict(engine, c[2], ana, Verdict.disputed)  # one of two
    decisions.mark_not_a_claim(engine, c[4], ana)

    assert ids(engine, ClaimFilter(state="to_review"), ada) == [c[3], c[5]]
    assert ids(engine, ClaimFilter(state="needs_more"), ada) == [c[2]]
    assert ids(engine, ClaimFilter(state="complete"), ada) == [c[0], c[1]]
    assert ids(engine, ClaimFilter(state="complete", final="none"), ada) == [c[1]]
    assert ids(engine, ClaimFilter(state="all", split=True), ada) == [c[1]]
    assert ids(engine, ClaimFilter(state="all", reviewer="Ben"), ada) == [c[0], c[1]]
    assert ids(engine, ClaimFilter(state="all", verdict=Verdict.disputed), ada) == [c[1], c[2]]

    adjudicate.adjudicate(engine, ada, c[1], Verdict.disputed, "the source says otherwise")
    everything = ClaimFilter(state="all")
    adjudicated = everything.model_copy(update={"final_from": "adjudicated"})
    assert ids(engine, adjudicated, ada) == [c[1]]
    automatic = everything.model_copy(update={"final_from": "automatic"})
    assert ids(engine, automatic, ada) == [c[0]]
    assert ids(engine, everything.model_copy(update={"final": "verified"}), ada) == [c[0]]
    disputed = everything.model_copy(update={"final": "disputed", "final_from": "automatic"})
    assert ids(engine, disputed, ada) == []

    # The rows: every verdict and the final one for the admin ...
    page = queue.list_claims(engine, everything, actor=ada)
    assert page.k == 2
    row = page.reviews[c[1]]
    assert row.verdicts == [Verdict.verified, Verdict.disputed]
    assert (row.final, row.final_source) == (Verdict.disputed, FinalSource.adjudicated)
    # ... the reader's own verdict only for a reviewer.
    page = queue.list_claims(engine, everything, actor=ana)
    assert page.reviews[c[1]].mine == Verdict.verified
    assert page.reviews[c[1]].verdicts == [] and page.reviews[c[1]].final is None
    assert page.reviews[c[3]].mine is None


def test_a_reviewer_filters_by_their_own_verdicts_only(
    engine: Engine, people: dict[str, Actor]
) -> None:
    c = add_claims(engine, [0.9, 0.8])
    set_k(engine, 2)
    ana, ben = people["Ana"], people["Ben"]
    decisions.set_verdict(engine, c[0], ana, Verdict.disputed)
    decisions.set_verdict(engine, c[1], ben, Verdict.disputed)
    disputed = ClaimFilter(state="all", verdict=Verdict.disputed)
    assert ids(engine, disputed, ana) == [c[0]]  # not Ben's: she has not decided c[1]
    assert ids(engine, disputed, ben) == [c[1]]
    for refused in (
        ClaimFilter(state="all", reviewer="Ben"),
        ClaimFilter(state="all", final="verified"),
        ClaimFilter(state="all", final_from="adjudicated"),
        ClaimFilter(state="all", split=True),
        ClaimFilter(state="reviewed", sort="disagreement"),
    ):
        with pytest.raises(PermissionDenied):
            queue.list_claims(engine, refused, actor=ana)


def test_a_count_by_reviews_stops_at_the_cap(
    engine: Engine, people: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    c = add_claims(engine, [0.9, 0.8, 0.7])
    for claim_id in c:
        decisions.set_verdict(engine, claim_id, people["Ana"], Verdict.verified)
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    monkeypatch.setattr(queue, "SPARSE", 1)  # the claims in range are not few: walked
    flt = ClaimFilter(state="all", verdict=Verdict.verified)
    page = queue.list_claims(engine, flt, page_size=1, actor=people["Ada"])
    assert (page.total, page.more, page.pages) == (2, True, 2)
    page = queue.list_claims(engine, flt, page=3, page_size=1, actor=people["Ada"])
    assert [i.id for i in page.items] == [c[2]]  # past the count, pages still read


def test_few_matches_are_found_by_id_and_counted_exactly(
    engine: Engine, people: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under SPARSE matches the claims come from the filter's own index, counted exactly; the
    same pages either way."""
    c = add_claims(engine, [0.9, 0.8, 0.7, 0.6], docs=2)
    for claim_id in c[1:]:
        decisions.set_verdict(engine, claim_id, people["Ana"], Verdict.disputed)
    flt = ClaimFilter(state="all", verdict=Verdict.disputed)
    few = queue.list_claims(engine, flt, page_size=2, page=2, actor=people["Ada"])
    monkeypatch.setattr(queue, "SPARSE", -1)
    walked = queue.list_claims(engine, flt, page_size=2, page=2, actor=people["Ada"])
    assert few == walked
    assert (few.total, few.more, [i.id for i in few.items]) == (3, False, [c[3]])


def test_none_yet_over_all_claims_is_counted_from_the_final_verdicts(
    engine: Engine, people: dict[str, Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter "no final verdict yet" over every claim: the claims less those with a final
    verdict (a decided sentence the re-scorer held out is in neither), the same claims as
    walking them finds; and when every claim is decided, no statement walks the claims to find
    none (it once looked up every claim's final verdict, twice: 0.6-1.1 s at 100,000 under
    load)."""
    monkeypatch.setattr(queue, "SPARSE", -1)  # the claims walked, as at 100,000
    c = add_claims(engine, [0.9, 0.8, 0.7, 0.6, 0.5])
    set_k(engine, 1)
    ada, ana = people["Ada"], people["Ana"]
    none_yet = ClaimFilter(state="all", final="none")
    for claim_id in c[:3]:
        decisions.set_verdict(engine, claim_id, ana, Verdict.verified)  # single: final
    decisions.mark_not_a_claim(engine, c[3], ana)  # out of the queue, still among "All"
    assert ids(engine, none_yet, ada) == [c[3], c[4]]
    with unit_of_work(engine) as session:  # decided, then held out by the re-scorer
        stats.status_changed(session, c[0], ClaimStatus.held_out)
    assert ids(engine, none_yet, ada) == [c[3], c[4]]
    for claim_id in c[3:]:
        if claim_id == c[3]:
            decisions.reopen_claim(engine, claim_id, ana)
        decisions.set_verdict(engine, claim_id, ana, Verdict.disputed)
    with captured(engine) as statements:
        page = queue.list_claims(engine, none_yet, actor=ada)
    assert (page.total, page.items, page.more) == (0, [], False)
    walks = [s for s, _ in statements if "final_verdicts.claim_id = claims.id" in s]
    assert walks == []
