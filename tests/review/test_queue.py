"""The claim queue: filters, counts and pages."""

from sqlalchemy import Engine

from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.review import decisions, queue
from workbench.review.queue import ClaimFilter
from workbench.schemas import Verdict


def all_ids(engine: Engine, flt: ClaimFilter) -> list[int]:
    return [c.id for c in queue.list_claims(engine, flt, page_size=10_000, actor=SYSTEM).items]


def test_pages_cover_the_queue_once_in_order(seeded: Engine) -> None:
    everything = all_ids(seeded, ClaimFilter())
    first = queue.list_claims(seeded, ClaimFilter(), page=1, page_size=7, actor=SYSTEM)
    paged = [
        c.id
        for page in range(1, first.pages + 1)
        for c in queue.list_claims(
            seeded, ClaimFilter(), page=page, page_size=7, actor=SYSTEM
        ).items
    ]
    assert first.total == len(everything) > 7
    assert paged == everything


def test_filters_narrow_the_queue(seeded: Engine) -> None:
    speaker = queue.list_speakers(seeded)[0]
    by_speaker = queue.list_claims(
        seeded, ClaimFilter(speaker=speaker), page_size=1000, actor=SYSTEM
    ).items
    assert by_speaker and all(c.speaker == speaker for c in by_speaker)

    document = queue.list_documents(seeded)[1]
    by_document = queue.list_claims(
        seeded, ClaimFilter(document_id=document.id), actor=SYSTEM
    ).items
    assert by_document and all(c.document_id == document.id for c in by_document)

    high = queue.list_claims(seeded, ClaimFilter(min_score=0.8), page_size=1000, actor=SYSTEM).items
    assert all(c.score >= 0.8 for c in high)


def test_search_matches_words_in_text_or_speaker_case_insensitively(seeded: Engine) -> None:
    found = queue.list_claims(
        seeded, ClaimFilter(search="peskov KREMLIN"), page_size=1000, actor=SYSTEM
    ).items
    assert found
    for claim in found:
        haystack = f"{claim.text} {claim.speaker or ''}".lower()
        assert "peskov" in haystack and "kremlin" in haystack


def test_search_treats_sql_wildcards_as_text(seeded: Engine) -> None:
    assert queue.list_claims(seeded, ClaimFilter(search="%"), actor=SYSTEM).total == 0
    assert queue.list_claims(seeded, ClaimFilter(search="_"), actor=SYSTEM).total == 0


def test_review_states_split_the_claims(seeded: Engine) -> None:
    ids = all_ids(seeded, ClaimFilter(state="all"))
    decisions.set_verdict(seeded, ids[0], local_actor(seeded, "Ana"), Verdict.verified)
    decisions.mark_not_a_claim(seeded, ids[1], local_actor(seeded, "Ana"))
    assert all_ids(seeded, ClaimFilter(state="reviewed")) == [ids[0]]
    assert all_ids(seeded, ClaimFilter(state="not_a_claim")) == [ids[1]]
    assert all_ids(seeded, ClaimFilter(state="to_review")) == ids[2:]


def test_next_claim_follows_queue_order_and_wraps_round(seeded: Engine) -> None:
    ids = all_ids(seeded, ClaimFilter())
    assert queue.next_claim_id(seeded, ClaimFilter(), after=ids[0]) == ids[1]
    assert queue.next_claim_id(seeded, ClaimFilter(), after=ids[-1]) == ids[0]
    decisions.set_verdict(seeded, ids[1], local_actor(seeded, "Ana"), Verdict.verified)
    assert queue.next_claim_id(seeded, ClaimFilter(), after=ids[0]) == ids[2]


def test_next_claim_is_none_when_everything_is_reviewed(seeded: Engine) -> None:
    for claim_id in all_ids(seeded, ClaimFilter()):
        decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)
    assert queue.next_claim_id(seeded, ClaimFilter(), after=None) is None
    progress = queue.progress(seeded)
    assert progress.reviewed == progress.total


def test_a_claim_comes_with_its_paragraph(seeded: Engine) -> None:
    claim_id = all_ids(seeded, ClaimFilter())[3]
    detail = queue.get_claim(seeded, claim_id, actor=SYSTEM)
    claim = detail.claim
    assert detail.document_text[claim.char_start : claim.char_end] == claim.text
    assert detail.paragraph_start <= claim.char_start < claim.char_end <= detail.paragraph_end
    assert "\n\n" not in detail.document_text[detail.paragraph_start : detail.paragraph_end]
