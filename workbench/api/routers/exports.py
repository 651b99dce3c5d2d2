"""``/export``: the dataset as ``workbench export`` writes it (JSONL, CSV, Parquet,
ClaimReview), streamed as it is read, with the same filters; ``/export/manifest``: the
manifest the command writes beside every export, for the same request.

Who: as the CLI's and the app's Export page (``Action.export``: a project's admins).
Errors in the request (an unknown reviewer, a verdict off the scale, a bad range) are
answered before the first byte; one while the file is streamed cuts the response short.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from datetime import UTC, datetime
from typing import Annotated, BinaryIO

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from workbench.api import streams
from workbench.api.deps import CallerDep, EngineDep
from workbench.api.errors import ApiError
from workbench.api.routers.common import BAD_REQUEST, ERRORS, hidden, project_of
from workbench.config import current_settings
from workbench.export.claimreview_format import ClaimReviewOptions
from workbench.export.filters import ExportFilter, check, parse_filter
from workbench.export.rows import SCHEMA_VERSION
from workbench.export.service import (
    EXTENSIONS,
    MIME_TYPES,
    ExportFormat,
    effective_filter,
    project_for,
    write_export,
)
from workbench.files.manifest import Manifest, Software, software_version
from workbench.projects.service import ProjectOut
from workbench.schemas import FinalSource
from workbench.storable import INT_MAX

router = APIRouter(prefix="/export", tags=["export"], responses={**ERRORS, **BAD_REQUEST})


class ExportQuery:
    """The query of an export: its format and project, and ``workbench export``'s filters
    (a list filter repeats its key: ``verdict=false&verdict=pants-on-fire``)."""

    def __init__(
        self,
        format: ExportFormat = ExportFormat.jsonl,
        project: Annotated[str | None, Query(max_length=200)] = None,
        verdict: Annotated[list[str] | None, Query(max_length=50)] = None,
        final_source: Annotated[list[FinalSource] | None, Query(max_length=3)] = None,
        reviewer: Annotated[list[str] | None, Query(max_length=200)] = None,
        document_id: Annotated[list[int] | None, Query(max_length=1000)] = None,
        since: datetime | None = None,
        until: datetime | None = None,
        min_score: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        max_score: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        final_only: bool = False,
    ) -> None:
        if any(not 0 < i <= INT_MAX for i in document_id or []):
            raise ApiError(422, "invalid", "document_id: not a document id", field="document_id")
        self.format = format
        self.project = project
        self.fields = {
            "verdict": verdict or [],
            "final_source": final_source or [],
            "reviewer": reviewer or [],
            "document_id": document_id or [],
            "since": since,
            "until": until,
            "min_score": min_score,
            "max_score": max_score,
            "final_only": final_only,
        }


QueryDep = Annotated[ExportQuery, Depends()]


class _Checked:
    """An export request that passed every check: the project, the caller's right to export
    it, and filters whose names and verdicts match something."""

    def __init__(self, db: EngineDep, caller: CallerDep, query: QueryDep) -> None:
        self.db = db
        self.format = query.format
        with hidden(f"project {query.project!r}" if query.project else "project"):
            self.project: ProjectOut = project_for(db, caller, project_of(caller, query.project))
        self.filter: ExportFilter = effective_filter(query.format, parse_filter(**query.fields))
        check(db, self.filter, self.project)
        settings = current_settings()
        self.options = ClaimReviewOptions(
            publisher=settings.publisher, review_url=settings.review_url
        )

    @property
    def filename(self) -> str:
        # No time in it: the manifest of the same request names the same file.
        return f"{self.project.name}-claims.{EXTENSIONS[self.format]}"

    def write(self, out: BinaryIO) -> tuple[int, int | None, int | None]:
        result = write_export(
            self.db,
            self.format,
            out,
            self.filter,
            self.options,
            project=self.project,
            checked=True,  # by __init__, before the answer started
        )
        return result.rows, result.claims, result.reviews


CheckedDep = Annotated[_Checked, Depends()]


@router.get(
    "",
    response_class=StreamingResponse,
    responses={200: {"content": {t: {} for t in MIME_TYPES.values()}}},
)
def export(request: CheckedDep) -> StreamingResponse:
    """The export, streamed as it is written: JSONL and CSV (its cells neutralised against
    spreadsheet formulas) never whole in memory; Parquet written to a temporary file first
    (its footer comes last). ClaimReview holds final verdicts only."""
    if request.format is ExportFormat.parquet:
        # Removed when closed, by file_chunks at its end: not a with block.
        spool = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            request.write(spool)
        except BaseException:
            spool.close()
            raise
        chunks = streams.file_chunks(spool)
    else:
        chunks = streams.piped(request.write)
    return StreamingResponse(
        chunks,
        media_type=MIME_TYPES[request.format],
        headers={"Content-Disposition": f'attachment; filename="{request.filename}"'},
    )


@router.get("/manifest", response_model=Manifest)
def manifest(request: CheckedDep) -> Manifest:
    """The manifest ``workbench export`` writes beside its file, for the same request: the
    rows, claims, reviews, size and sha256 the export has now (the export is written once
    into a hash, not kept). Compare it with the download to know it is whole."""
    digest = _Digest()
    rows, claims, reviews = request.write(digest)  # type: ignore[arg-type]
    return Manifest(
        file=request.filename,
        format=request.format.value,
        schema_version=SCHEMA_VERSION,
        filters={"project": request.project.name, **request.filter.summary()},
        claims=claims,
        reviews=reviews,
        rows=rows,
        bytes=digest.size,
        sha256=digest.hash.hexdigest(),
        software=Software(version=software_version()),
        created_at=datetime.now(UTC),
    )


class _Digest(io.RawIOBase):
    """A file that keeps only the sha256 and size of what is written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.hash = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.hash.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size
