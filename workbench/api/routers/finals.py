"""Final verdicts and adjudication, for a project's admins: the claims waiting for a
decision, one claim with every review and its final verdict, and an admin's decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from workbench.api.bodies import FinalBody, StaleBody
from workbench.api.deps import CallerDep, EngineDep
from workbench.api.routers.claims import ClaimId
from workbench.api.routers.common import BAD_REQUEST, ERRORS, hidden, project_of
from workbench.review.adjudicate import (
    AdjudicationPage,
    DisputedClaim,
    adjudicate,
    adjudication_item,
    adjudication_queue,
)
from workbench.schemas import FinalVerdictOut

router = APIRouter(tags=["final verdicts"], responses=ERRORS)


@router.get("/adjudication", response_model=AdjudicationPage)
def waiting(
    db: EngineDep,
    caller: CallerDep,
    project: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 10,
) -> AdjudicationPage:
    """The claims waiting for an admin's decision (the Adjudication page's queue)."""
    with hidden(f"project {project!r}" if project else "project"):
        return adjudication_queue(
            db, caller, page=page, page_size=page_size, project=project_of(caller, project)
        )


@router.get("/claims/{claim_id}/final", response_model=DisputedClaim)
def final(claim_id: ClaimId, db: EngineDep, caller: CallerDep) -> DisputedClaim:
    """A claim with every review and its final verdict (null while it has none)."""
    with hidden(f"claim {claim_id}"):
        return adjudication_item(db, caller, claim_id)


@router.put(
    "/claims/{claim_id}/final",
    response_model=FinalVerdictOut,
    responses={**BAD_REQUEST, 409: {"model": StaleBody, "description": "decided meanwhile"}},
)
def decide(claim_id: ClaimId, body: FinalBody, db: EngineDep, caller: CallerDep) -> FinalVerdictOut:
    """An admin's final verdict, with the reason kept beside it. ``version``: the final
    verdict's version you saw (null: it had none); 409 when it changed meanwhile."""
    with hidden(f"claim {claim_id}"):
        return adjudicate(
            db,
            caller,
            claim_id,
            body.verdict,
            body.reason,
            expected_version=0 if body.version is None else body.version,
        )
