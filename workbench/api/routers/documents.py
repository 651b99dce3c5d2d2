"""``POST /documents``: articles in, with their extracted claims out; the rules and errors of
``workbench ingest`` (a JSONL line's fields), for a project's admins."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from workbench.api.bodies import (
    BatchItem,
    BatchResult,
    DocumentBatch,
    DocumentBody,
    DocumentCreated,
    ErrorDetail,
)
from workbench.api.deps import CallerDep, EngineDep
from workbench.api.errors import ApiError
from workbench.api.routers.common import BAD_REQUEST, ERRORS, hidden, project_of
from workbench.ingest.formats.common import ReadError
from workbench.ingest.submit import Submitted, submit_documents

router = APIRouter(prefix="/documents", tags=["documents"], responses={**ERRORS, **BAD_REQUEST})


@router.post("", response_model=DocumentCreated, status_code=status.HTTP_201_CREATED)
def create(body: DocumentBody, db: EngineDep, caller: CallerDep) -> DocumentCreated:
    """Store one document and extract its claims. The same text again is stored once
    (``duplicate``: true, the stored document and its claims)."""
    with hidden(f"project {body.project!r}" if body.project else "project"):
        [result] = submit_documents(db, caller, [_record(body)], project_of(caller, body.project))
    if isinstance(result, ReadError):
        raise ApiError(400, "invalid", result.message, field=result.field)
    return _created(result)


@router.post("/batch", response_model=BatchResult)
def create_many(body: DocumentBatch, db: EngineDep, caller: CallerDep) -> BatchResult:
    """Store up to 100 documents; each is stored or refused on its own, as ingest does."""
    with hidden(f"project {body.project!r}" if body.project else "project"):
        results = submit_documents(
            db, caller, [_record(d) for d in body.documents], project_of(caller, body.project)
        )
    return BatchResult(
        items=[
            BatchItem(
                index=i,
                error=ErrorDetail(code="invalid", message=r.message, field=r.field),
            )
            if isinstance(r, ReadError)
            else BatchItem(index=i, result=_created(r))
            for i, r in enumerate(results)
        ]
    )


def _record(body: DocumentBody) -> dict[str, Any]:
    # As a JSONL line: absent and null fields alike left out; unknown keys kept (metadata).
    return body.model_dump(exclude={"project"}, exclude_none=True)


def _created(result: Submitted) -> DocumentCreated:
    return DocumentCreated(
        document=result.document,
        claims=result.claims,
        duplicate=result.duplicate,
        warnings=result.warnings,
    )
