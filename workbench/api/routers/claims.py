"""``/claims``: the queue's claims, filtered as the Queue page filters, in keyset pages; one
claim with the reviews its caller may see (blind review: the Review page's own service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from workbench.api import cursor as cursors
from workbench.api.bodies import ClaimList, ClaimWithReviews
from workbench.api.deps import CallerDep, EngineDep
from workbench.api.errors import ApiError
from workbench.api.routers.common import BAD_REQUEST, ERRORS, hidden, project_of
from workbench.errors import InvalidInput
from workbench.review.keyset import claims_after
from workbench.review.queue import (
    ClaimFilter,
    FinalChoice,
    FinalFrom,
    QueueSort,
    ReviewState,
    get_claim,
)
from workbench.schemas import VerdictName
from workbench.storable import INT_MAX

router = APIRouter(prefix="/claims", tags=["claims"], responses=ERRORS)

MAX_LIMIT = 500
# Ids are INTEGER columns: past PostgreSQL's int4 a lookup is a driver error, not a miss.
ID_MAX = INT_MAX
ClaimId = Annotated[int, Path(ge=1, le=ID_MAX, description="the claim's id")]


@router.get("", response_model=ClaimList, responses=BAD_REQUEST)
def claims(
    db: EngineDep,
    caller: CallerDep,
    project: Annotated[str | None, Query(max_length=200)] = None,
    state: ReviewState = "to_review",
    document_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    speaker: Annotated[str | None, Query(max_length=500)] = None,
    min_score: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    max_score: Annotated[float, Query(ge=0.0, le=1.0)] = 1.0,
    search: Annotated[str, Query(max_length=500)] = "",
    verdict: Annotated[VerdictName | None, Query(max_length=100)] = None,
    final: FinalChoice = "any",
    final_from: FinalFrom = "any",
    reviewer: Annotated[str | None, Query(max_length=100)] = None,
    split: bool = False,
    sort: QueueSort = "reading",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=cursors.MAX_CURSOR_CHARS)] = None,
) -> ClaimList:
    """The claims the Queue page would show with these filters, in its order (``sort``:
    ``reading``, or ``disagreement`` for admins). Pass the answer's ``next_cursor`` as
    ``cursor`` for the next page, with the same filters and sort; null means the end. Filters
    by what others said (``final``, ``final_from``, ``reviewer``, ``split``) and the
    disagreement order are for those who may see every review (admins): blind review refuses
    them to others (403). A filter that is wrong rather than unmatched (a verdict off the
    scale, a document of no project of the caller's, an unknown reviewer) is a 400 naming it."""
    flt = ClaimFilter(
        state=state,
        document_id=document_id,
        speaker=speaker,
        min_score=min_score,
        max_score=max_score,
        search=search,
        verdict=verdict,
        final=final,
        final_from=final_from,
        reviewer=reviewer,
        split=split,
        sort=sort,
    )
    try:
        after = None if cursor is None else cursors.decode(cursor)
        with hidden(f"project {project!r}" if project else "project"):
            items, position = claims_after(
                db,
                flt,
                after=after,
                limit=limit,
                actor=caller,
                project_ref=project_of(caller, project),
            )
    except InvalidInput as bad:
        if bad.field != "cursor":
            raise
        raise ApiError(400, "invalid_cursor", str(bad), field="cursor") from None
    next_cursor = None if position is None else cursors.encode(position)
    return ClaimList(items=items, next_cursor=next_cursor)


@router.get("/{claim_id}", response_model=ClaimWithReviews)
def claim(claim_id: ClaimId, db: EngineDep, caller: CallerDep) -> ClaimWithReviews:
    """A claim, the paragraph it sits in, and its reviews as the caller may see them: until
    the caller has given their own verdict, only their own review (blind review)."""
    with hidden(f"claim {claim_id}"):
        detail = get_claim(db, claim_id, caller)
    return ClaimWithReviews(
        claim=detail.claim,
        context=detail.document_text[detail.paragraph_start : detail.paragraph_end],
        document_source=detail.document_source,
        reviews=detail.reviews,
        hidden_reviews=detail.hidden_reviews,
    )
