"""``PUT /claims/{id}/review``: the caller's own review of a claim, whole, against the version
of it they last saw (the app refuses stale edits; so does this, with 409 and the review as it
is now)."""

from __future__ import annotations

from fastapi import APIRouter

from workbench.api.bodies import ReviewBody, StaleBody
from workbench.api.deps import CallerDep, EngineDep
from workbench.api.routers.claims import ClaimId
from workbench.api.routers.common import BAD_REQUEST, ERRORS, hidden
from workbench.review.whole_review import put_review
from workbench.schemas import ReviewOut

router = APIRouter(prefix="/claims", tags=["reviews"], responses=ERRORS)


@router.put(
    "/{claim_id}/review",
    response_model=ReviewOut,
    responses={
        **BAD_REQUEST,
        409: {
            "model": StaleBody,
            "description": "your review changed since that version (stale), or every review "
            "slot of the claim is taken (full)",
        },
    },
)
def review(claim_id: ClaimId, body: ReviewBody, db: EngineDep, caller: CallerDep) -> ReviewOut:
    """Make your review say this verdict, note and URLs. ``version``: the version of your
    review you last saw (null: you had none). Answers the review with its new version; 409
    with ``current`` when it changed meanwhile (another tab, a script); 403 for a viewer."""
    with hidden(f"claim {claim_id}"):
        return put_review(
            db,
            claim_id,
            caller,
            verdict=body.verdict,
            note=body.note,
            urls=body.urls,
            seen_version=body.version,
        )
