"""The queue table's selection and the review history, as plain functions."""

from __future__ import annotations

from workbench.app import selection
from workbench.review.queue import ClaimFilter
from workbench.schemas import ClaimOut, ClaimStatus


def claim(claim_id: int, text: str = "Text", speaker: str | None = None) -> ClaimOut:
    return ClaimOut(
        id=claim_id,
        document_id=1,
        document_title="<b>Doc</b>",
        text=text,
        char_start=0,
        char_end=len(text),
        speaker=speaker,
        score=0.876,
        extractor="test@1",
        status=ClaimStatus.open,
        review_count=2,
    )


def test_the_frame_holds_one_row_per_claim_in_the_table_columns() -> None:
    frame = selection.claims_frame([claim(7, "<script>x</script>", "Ana"), claim(9)])
    assert list(frame.columns) == ["id", "claim", "speaker", "score", "document", "reviews"]
    assert frame.to_dict("records")[0] == {
        "id": 7,
        "claim": "<script>x</script>",  # a dataframe cell is text, never markup
        "speaker": "Ana",
        "score": 0.88,
        "document": "<b>Doc</b>",
        "reviews": 2,
    }
    assert frame["speaker"].tolist() == ["Ana", ""]


def test_an_empty_page_gives_an_empty_frame_with_the_columns() -> None:
    assert list(selection.claims_frame([]).columns) == selection.TABLE_COLUMNS


def test_a_selected_row_names_its_claim() -> None:
    assert selection.selected_claim_id([4, 8, 15], [1]) == 8
    assert selection.selected_claim_id([4, 8, 15], []) is None
    assert selection.selected_claim_id([4, 8], [5]) is None  # a row from an older page
    assert selection.default_choice([4, 8, 15], [2]) == 2
    assert selection.default_choice([4, 8, 15], []) == 0


def test_pages_are_clamped() -> None:
    assert selection.clamp_page(0, 3) == 1
    assert selection.clamp_page(9, 3) == 3
    assert selection.clamp_page(2, 0) == 1


def test_history_is_bounded_and_has_no_repeats() -> None:
    history: list[int] = []
    for claim_id in [1, 2, 1, *range(3, 100)]:
        history = selection.push_history(history, claim_id)
    assert len(history) == selection.MAX_HISTORY
    assert history[-1] == 99 and len(set(history)) == len(history)
    back, rest = selection.pop_history(history)
    assert back == 99 and rest == history[:-1]
    assert selection.pop_history([]) == (None, [])


def test_a_filter_is_described_in_words() -> None:
    assert selection.filter_is_default(ClaimFilter())
    flt = ClaimFilter(document_id=3, speaker="Peskov", min_score=0.5, search=" troops ")
    assert not selection.filter_is_default(flt)
    assert selection.describe_filter(flt, {3: "Border report"}) == (
        "document: Border report; speaker: Peskov; score 0.50–1.00; search: troops"
    )
