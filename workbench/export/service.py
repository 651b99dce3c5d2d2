"""Export the reviewed dataset to a file (with its manifest) or to bytes (a download button)."""

from __future__ import annotations

import enum
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from pydantic import ConfigDict
from sqlalchemy import Engine, and_, func, select

from workbench.audit import iter_history, project_entries
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim, Document, HistoryEntry, Project
from workbench.db.session import unit_of_work
from workbench.export import claimreview_format, csv_format, jsonl_format
from workbench.export.claimreview_format import ClaimReviewOptions
from workbench.export.filters import ExportFilter, check
from workbench.export.rows import SCHEMA_VERSION, RowBatch, iter_row_batches
from workbench.files.atomic import PRIVATE, FileDigest
from workbench.files.manifest import data_file, seal
from workbench.projects.service import ProjectOut, resolve_project
from workbench.reports import Report
from workbench.schemas import HistoryOut

# Which project an export is of: its id or name, or None for the one resolve_project finds
# (the only project there is, or the only one the actor belongs to).
ProjectRef = int | str | None


class ExportFormat(enum.StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    claimreview = "claimreview"


EXTENSIONS = {
    ExportFormat.csv: "csv",
    ExportFormat.jsonl: "jsonl",
    ExportFormat.parquet: "parquet",
    ExportFormat.claimreview: "jsonld",
}
MIME_TYPES = {
    ExportFormat.csv: "text/csv",
    ExportFormat.jsonl: "application/x-ndjson",
    ExportFormat.parquet: "application/vnd.apache.parquet",
    ExportFormat.claimreview: "application/ld+json",
}


class ExportResult(Report):
    model_config = ConfigDict(frozen=True)

    path: Path
    rows: int  # what the file holds: CSV rows, JSONL lines, Parquet rows, ClaimReview items
    claims: int | None = None
    reviews: int | None = None
    sha256: str = ""
    manifest: Path | None = None

    def summary(self) -> str:
        counts = "" if self.claims is None else f"{self.claims} claims, {self.reviews} reviews; "
        return f"wrote {self.rows} rows to {self.path}\n{counts}manifest {self.manifest}"


def default_path(export_dir: Path, fmt: ExportFormat, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return export_dir / f"claims-{stamp}.{EXTENSIONS[fmt]}"


def effective_filter(fmt: ExportFormat, flt: ExportFilter | None) -> ExportFilter:
    """``flt`` as the format applies it: a ClaimReview is a final verdict, so only those."""
    flt = flt or ExportFilter()
    if fmt is ExportFormat.claimreview and not flt.final_only:
        return flt.model_copy(update={"final_only": True})
    return flt


class _Counter:
    """Counts the claims and reviews that pass through to a writer, and tells ``on_progress``
    (the claims so far) after each batch is written."""

    def __init__(self, on_progress: Callable[[int], None] | None = None) -> None:
        self.claims = 0
        self.reviews = 0
        self.on_progress = on_progress

    def count(self, batches: Iterable[RowBatch]) -> Iterator[RowBatch]:
        for batch in batches:
            self.claims += len(batch.claims)
            self.reviews += len(batch.reviews)
            yield batch
            if self.on_progress is not None:  # the writer has taken the batch
                self.on_progress(self.claims)


def project_for(engine: Engine, actor: Caller | None, project: ProjectRef) -> ProjectOut:
    """The project an export is of (see ``ProjectRef``), if ``actor`` may export it: the role
    that counts is the actor's role in that project. ``actor`` None: no check (the caller
    has made it)."""
    chosen = resolve_project(engine, project, actor)
    if actor is not None:
        authorize(engine, actor, Action.export, chosen.id)
    return chosen


def write_export(
    engine: Engine,
    fmt: ExportFormat,
    out: BinaryIO,
    flt: ExportFilter | None = None,
    options: ClaimReviewOptions | None = None,
    *,
    project: ProjectRef | ProjectOut = None,
    on_progress: Callable[[int], None] | None = None,
    checked: bool = False,
) -> ExportResult:
    """Stream the export of ``project``'s claims into ``out``; the result's ``path`` is empty
    (see export_to_file). ``on_progress`` is told the number of claims written so far, after
    each batch. No permission is checked here: the callers below check it. ``checked``: the
    caller ran ``check`` on this filter and project already (the HTTP API does, before its
    answer starts, so that a bad filter is a 400 rather than a cut stream): not read again."""
    chosen = project if isinstance(project, ProjectOut) else project_for(engine, None, project)
    flt = effective_filter(fmt, flt)
    if not checked:
        check(engine, flt, chosen)
    fmt = ExportFormat(fmt)  # a plain "csv" from an API caller, not only the enum
    counter = _Counter(on_progress)
    # A ClaimReview holds no reviews: they are not read.
    with_reviews = fmt is not ExportFormat.claimreview
    batches = counter.count(
        iter_row_batches(engine, flt, reviews=with_reviews, project_id=chosen.id)
    )
    if fmt is ExportFormat.csv:
        rows = csv_format.write(batches, out)
    elif fmt is ExportFormat.jsonl:
        rows = jsonl_format.write(batches, out)
    elif fmt is ExportFormat.parquet:
        from workbench.export import parquet_format  # pyarrow: imported when it is needed

        rows = parquet_format.write(batches, out)
    else:
        rows = claimreview_format.write(batches, out, options, chosen.scale)
    return ExportResult(path=Path(), rows=rows, claims=counter.claims, reviews=counter.reviews)


def export_to_file(
    engine: Engine,
    fmt: ExportFormat,
    path: Path,
    *,
    actor: Caller,
    flt: ExportFilter | None = None,
    options: ClaimReviewOptions | None = None,
    project: ProjectRef = None,
) -> ExportResult:
    """Write the export of ``project``'s claims to ``path``, then its manifest beside it
    (``<path>.manifest.json``, whose ``filters`` name the project).

    The data file appears whole when done, or not at all; the manifest is written after it,
    so a data file without a manifest is an export that did not finish. If the manifest
    cannot be written the data file is removed too. An older manifest at the same place is
    removed before the new data file takes its place. ``actor`` is ``SYSTEM`` for the command
    line, whose user already holds the database file or URL.
    """
    chosen = project_for(engine, actor, project)
    flt = effective_filter(fmt, flt)
    digest = FileDigest()
    with data_file(path, digest) as handle:
        result = write_export(engine, fmt, handle, flt, options, project=chosen)
    written = seal(
        path,
        digest,
        format=fmt.value,
        schema_version=SCHEMA_VERSION,
        filters={"project": chosen.name, **flt.summary()},
        claims=result.claims,
        reviews=result.reviews,
        rows=result.rows,
    )
    return ExportResult(
        path=path,
        rows=result.rows,
        claims=result.claims,
        reviews=result.reviews,
        sha256=digest.sha256,
        manifest=written,
    )


def default_history_path(export_dir: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return export_dir / f"history-{stamp}.jsonl"


def export_history_to_file(
    engine: Engine, path: Path, *, actor: Caller, project: ProjectRef = None
) -> ExportResult:
    """The audit trail as JSONL (one ``HistoryOut`` a line), with its manifest.

    Of one project when the database holds several (``project``, as ``resolve_project``
    rules): the entries of its claims, and those about the project itself (its description,
    scale, guidelines, members, settings: ``audit.project_entries``). On a database of one
    project, with ``project`` not named, the whole trail as before projects, accounts'
    entries included.

    Written for its owner only (0600): the accounts' entries say who holds which role, whether
    they are disabled, who changed what and when.
    """
    chosen = project_for(engine, actor, project)
    whole = project is None and _single_project(engine)
    count = 0
    digest = FileDigest()
    with data_file(path, digest, mode=PRIVATE) as handle:
        for entry in iter_history_of(engine, None if whole else chosen.id):
            handle.write(entry.model_dump_json().encode())
            handle.write(b"\n")
            count += 1
    written = seal(
        path,
        digest,
        format="history",
        schema_version=None,
        filters={} if whole else {"project": chosen.name},
        claims=None,
        reviews=None,
        rows=count,
    )
    return ExportResult(path=path, rows=count, sha256=digest.sha256, manifest=written)


def _single_project(engine: Engine) -> bool:
    with unit_of_work(engine) as session:
        return session.scalar(select(func.count()).select_from(Project)) == 1


def iter_history_of(
    engine: Engine, project_id: int | None, batch: int = 1000
) -> Iterator[HistoryOut]:
    """The history oldest first, ``batch`` entries a query: all of it (``project_id`` None), or
    a project's (see ``export_history_to_file``). A claim's project is its document's."""
    claims = (
        select(Claim.id)
        .join(Document, Document.id == Claim.document_id)
        .where(Document.project_id == project_id)
    )
    if project_id is None:
        return iter_history(engine, batch)
    return iter_history(engine, batch, where=project_entries(project_id, claims))


def history_page(
    engine: Engine,
    actor: Caller,
    project: ProjectRef,
    *,
    after: int = 0,
    since: datetime | None = None,
    limit: int = 100,
) -> list[HistoryOut]:
    """Up to ``limit`` entries of the project's history (as ``export --history`` holds it),
    oldest first, after the entry of id ``after`` and at or after ``since``: a keyset page,
    for those who may export the project (its admins)."""
    chosen = project_for(engine, actor, project)
    claims = (
        select(Claim.id)
        .join(Document, Document.id == Claim.document_id)
        .where(Document.project_id == chosen.id)
    )
    where = project_entries(chosen.id, claims)
    if since is not None:
        where = and_(where, HistoryEntry.at >= since)
    return list(itertools.islice(iter_history(engine, limit, where=where, after=after), limit))


def stream_export(
    engine: Engine,
    fmt: ExportFormat,
    out: BinaryIO,
    *,
    actor: Caller,
    options: ClaimReviewOptions | None = None,
    on_progress: Callable[[int], None] | None = None,
    project: ProjectRef = None,
) -> ExportResult:
    """Every claim of ``project`` in ``fmt`` written into ``out`` as it is read, a batch at a
    time (the app's Export page writes to a temporary file): the file is never whole in
    memory. Checked here, as :func:`render_export` is: the page is one caller of many."""
    chosen = project_for(engine, actor, project)
    return write_export(engine, fmt, out, None, options, project=chosen, on_progress=on_progress)


def render_export(
    engine: Engine,
    fmt: ExportFormat,
    *,
    actor: Caller,
    flt: ExportFilter | None = None,
    options: ClaimReviewOptions | None = None,
    project: ProjectRef = None,
) -> bytes:
    """The export of ``project`` as bytes, for a download button (``actor``: who is
    downloading).

    Checked here, not only by hiding the Export page: the page is one caller of many.
    """
    chosen = project_for(engine, actor, project)
    buffer = io.BytesIO()
    write_export(engine, fmt, buffer, flt, options, project=chosen)
    return buffer.getvalue()
