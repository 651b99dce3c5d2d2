"""History and agreement: a claim's history as its caller may see it (blind review hides
others' changes until the caller has decided); a project's whole history and its agreement
figures, for those the CLI and the app show them to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from workbench.agreement.report import agreement_report
from workbench.api.bodies import HistoryPage
from workbench.api.deps import CallerDep, EngineDep
from workbench.api.errors import ApiError
from workbench.api.routers.claims import ClaimId
from workbench.api.routers.common import BAD_REQUEST, ERRORS, hidden, project_of
from workbench.export.service import history_page
from workbench.projects.service import resolve_project
from workbench.review.history import visible_claim_history
from workbench.schemas import HistoryOut
from workbench.storable import INT_MAX

router = APIRouter(tags=["history"], responses=ERRORS)
_CURSOR = "h1:"


@router.get("/claims/{claim_id}/history", response_model=list[HistoryOut])
def claim_history(claim_id: ClaimId, db: EngineDep, caller: CallerDep) -> list[HistoryOut]:
    """A claim's history, oldest first, as the caller may see it: before their own verdict,
    a reviewer sees only their own changes and the claim's (blind review)."""
    with hidden(f"claim {claim_id}"):
        return visible_claim_history(db, caller, claim_id)


@router.get("/history", response_model=HistoryPage, responses=BAD_REQUEST)
def project_history(
    db: EngineDep,
    caller: CallerDep,
    project: Annotated[str | None, Query(max_length=200)] = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> HistoryPage:
    """A project's history (its claims' entries and those about the project itself, as
    ``workbench export --history`` writes it), oldest first, ``limit`` at a time; pass
    ``next_cursor`` as ``cursor`` for the next page. For the project's admins."""
    after = 0 if cursor is None else _decode(cursor)
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    with hidden(f"project {project!r}" if project else "project"):
        items = history_page(
            db, caller, project_of(caller, project), after=after, since=since, limit=limit
        )
    more = len(items) == limit
    return HistoryPage(items=items, next_cursor=f"{_CURSOR}{items[-1].id}" if more else None)


def _decode(cursor: str) -> int:
    number = cursor.removeprefix(_CURSOR)
    if not cursor.startswith(_CURSOR) or not number.isdigit() or not 0 < int(number) <= INT_MAX:
        raise ApiError(
            400,
            "invalid_cursor",
            "the cursor is not one this API gave: start again without it",
            field="cursor",
        )
    return int(number)


@router.get("/agreement", responses={200: {"content": {"application/json": {}}}})
def agreement(
    db: EngineDep,
    caller: CallerDep,
    project: Annotated[str | None, Query(max_length=200)] = None,
    document_id: Annotated[int | None, Query(ge=1, le=INT_MAX)] = None,
    use: Annotated[str, Query(pattern="^(blind|current)$")] = "blind",
    samples: Annotated[int, Query(ge=0, le=10_000)] = 1000,
) -> Response:
    """How far reviewers agree: the object ``workbench agreement --json`` prints (α with its
    95% interval, κ, AC1, per-pair Cohen's κ), for those who may audit agreement."""
    with hidden(f"project {project!r}" if project else "project"):
        report = agreement_report(
            db,
            caller,
            document_id=document_id,
            samples=samples,
            use="current" if use == "current" else "blind",
            # Always one project: the API has no "every claim of every project".
            project=resolve_project(db, project_of(caller, project), caller).id,
        )
    return Response(report.json_text(), media_type="application/json")
