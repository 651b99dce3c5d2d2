"""Plain functions behind the queue table and the review navigation (tested without a UI).

AppTest cannot click a dataframe row, so everything a click decides is computed here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from workbench.review.queue import ClaimFilter
from workbench.review.queue_rows import RowReviews
from workbench.schemas import ClaimOut, ClaimStatus, FinalSource

PAGE_SIZE = 25
MAX_HISTORY = 50
TABLE_COLUMNS = ["id", "claim", "speaker", "score", "document", "reviews"]
DISAGREEMENT = "disagreement"
STATE = "state"
VERDICTS = "verdicts"
FINAL = "final"
MINE = "your verdict"
SCORED_BY = "scored by"


def claims_frame(
    items: Sequence[ClaimOut],
    *,
    disagreement: bool = False,
    reviews: Mapping[int, RowReviews] | None = None,
    k: int = 1,
    sees_all: bool = False,
    label: Callable[[str], str] = str,
) -> pd.DataFrame:
    """One page of the queue as the table shows it (text is shown as text, not markup).

    ``disagreement`` adds the share of pairs of each claim's verdicts that differ (empty
    under two verdicts): for those who may see every review, never for a blind reviewer; it
    comes right after the claim's text, being what the page is sorted or filtered by.
    ``reviews`` (the page's ``ClaimPage.reviews``) adds the review state against ``k`` and,
    for those who see all (``sees_all``), the verdicts given and the final verdict with its
    source; for a blind reviewer, their own verdict. ``label``: a verdict's name as people
    read it (the project scale's label).
    """
    data: dict[str, list[object]] = {
        "id": [c.id for c in items],
        "claim": [c.text for c in items],
        "speaker": [c.speaker or "" for c in items],
        "score": [round(c.score, 2) for c in items],
        "document": [c.document_title for c in items],
        "reviews": [c.review_count for c in items],
    }
    columns = list(TABLE_COLUMNS)
    if any(c.score_label != c.extractor for c in items):
        # Some scores on the page are provisional (issue 16): say whose each score is.
        data[SCORED_BY] = [c.score_label for c in items]
        columns.insert(columns.index("score") + 1, SCORED_BY)
    if disagreement:
        data[DISAGREEMENT] = [c.disagreement for c in items]
        columns.insert(columns.index("claim") + 1, DISAGREEMENT)
    if reviews is not None:
        data[STATE] = [review_state(c, k) for c in items]
        columns.append(STATE)
        rows = [reviews.get(c.id, RowReviews()) for c in items]
        if sees_all:
            data[VERDICTS] = [", ".join(label(v) for v in r.verdicts) for r in rows]
            data[FINAL] = [final_text(r, label) for r in rows]
            columns += [VERDICTS, FINAL]
        else:
            data[MINE] = [label(r.mine) if r.mine else "" for r in rows]
            columns.append(MINE)
    return pd.DataFrame(data, columns=columns)


def review_state(claim: ClaimOut, k: int) -> str:
    """Where a claim stands against k reviews per claim, in words."""
    if claim.status is ClaimStatus.not_a_claim:
        return "not a claim"
    if claim.review_count == 0:
        return "unreviewed"
    if claim.review_count < k:
        return f"{claim.review_count} of {k}"
    return "fully reviewed"


def final_text(row: RowReviews, label: Callable[[str], str] = str) -> str:
    if row.final is None:
        return ""
    source = "adjudicated" if row.final_source is FinalSource.adjudicated else "agreed"
    return f"{label(row.final)} ({source})"


def selected_claim_id(page_ids: Sequence[int], selected_rows: Sequence[int]) -> int | None:
    """The claim a row selection points at, or ``None`` (nothing or a stale row selected)."""
    for row in selected_rows:
        if 0 <= row < len(page_ids):
            return page_ids[row]
    return None


def default_choice(page_ids: Sequence[int], selected_rows: Sequence[int]) -> int:
    """Index in ``page_ids`` the "claim to open" picker starts at: the selected row, or 0."""
    chosen = selected_claim_id(page_ids, selected_rows)
    return page_ids.index(chosen) if chosen is not None else 0


def clamp_page(page: int, pages: int) -> int:
    return max(1, min(page, max(1, pages)))


def push_history(history: Sequence[int], claim_id: int) -> list[int]:
    """``history`` with ``claim_id`` last, at most MAX_HISTORY ids kept."""
    kept = [c for c in history if c != claim_id]
    return [*kept, claim_id][-MAX_HISTORY:]


def pop_history(history: Sequence[int]) -> tuple[int | None, list[int]]:
    """(the claim to go back to, the history without it)."""
    if not history:
        return None, []
    return history[-1], list(history[:-1])


def filter_is_default(flt: ClaimFilter) -> bool:
    return flt.model_copy(update={"project_id": None}) == ClaimFilter()


def describe_filter(flt: ClaimFilter, document_titles: dict[int, str]) -> str:
    """The filter in words, for the review page's "scoped by" line (plain text)."""
    parts: list[str] = []
    if flt.document_id is not None:
        title = document_titles.get(flt.document_id, f"document {flt.document_id}")
        parts.append(f"document: {title}")
    if flt.speaker:
        parts.append(f"speaker: {flt.speaker}")
    if (flt.min_score, flt.max_score) != (0.0, 1.0):
        parts.append(f"score {flt.min_score:.2f}–{flt.max_score:.2f}")
    if flt.search.strip():
        parts.append(f"search: {flt.search.strip()}")
    return "; ".join(parts)
