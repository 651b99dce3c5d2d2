"""Export the reviewed dataset to a file (with its manifest) or to bytes (a download button)."""

from __future__ import annotations

import enum
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from pydantic import ConfigDict
from sqlalchemy import Engine

from workbench.audit import iter_history
from workbench.auth.policy import Action, Caller, authorize
from workbench.export import claimreview_format, csv_format, jsonl_format
from workbench.export.claimreview_format import ClaimReviewOptions
from workbench.export.filters import ExportFilter, check
from workbench.export.rows import SCHEMA_VERSION, RowBatch, iter_row_batches
from workbench.files.atomic import PRIVATE, FileDigest
from workbench.files.manifest import data_file, seal
from workbench.reports import Report


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


def write_export(
    engine: Engine,
    fmt: ExportFormat,
    out: BinaryIO,
    flt: ExportFilter | None = None,
    options: ClaimReviewOptions | None = None,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Stream the export into ``out``; the result's ``path`` is empty (see export_to_file).
    ``on_progress`` is told the number of claims written so far, after each batch."""
    flt = effective_filter(fmt, flt)
    check(engine, flt)
    fmt = ExportFormat(fmt)  # a plain "csv" from an API caller, not only the enum
    counter = _Counter(on_progress)
    # A ClaimReview holds no reviews: they are not read.
    with_reviews = fmt is not ExportFormat.claimreview
    batches = counter.count(iter_row_batches(engine, flt, reviews=with_reviews))
    if fmt is ExportFormat.csv:
        rows = csv_format.write(batches, out)
    elif fmt is ExportFormat.jsonl:
        rows = jsonl_format.write(batches, out)
    elif fmt is ExportFormat.parquet:
        from workbench.export import parquet_format  # pyarrow: imported when it is needed

        rows = parquet_format.write(batches, out)
    else:
        rows = claimreview_format.write(batches, out, options)
    return ExportResult(path=Path(), rows=rows, claims=counter.claims, reviews=counter.reviews)


def export_to_file(
    engine: Engine,
    fmt: ExportFormat,
    path: Path,
    *,
    actor: Caller,
    flt: ExportFilter | None = None,
    options: ClaimReviewOptions | None = None,
) -> ExportResult:
    """Write the export to ``path``, then its manifest beside it (``<path>.manifest.json``).

    The data file appears whole when done, or not at all; the manifest is written after it,
    so a data file without a manifest is an export that did not finish. If the manifest
    cannot be written the data file is removed too. An older manifest at the same place is
    removed before the new data file takes its place. ``actor`` is ``SYSTEM`` for the command
    line, whose user already holds the database file or URL.
    """
    authorize(engine, actor, Action.export)
    flt = effective_filter(fmt, flt)
    digest = FileDigest()
    with data_file(path, digest) as handle:
        result = write_export(engine, fmt, handle, flt, options)
    written = seal(
        path,
        digest,
        format=fmt.value,
        schema_version=SCHEMA_VERSION,
        filters=flt.summary(),
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


def export_history_to_file(engine: Engine, path: Path, *, actor: Caller) -> ExportResult:
    """The whole audit trail as JSONL (one ``HistoryOut`` a line), with its manifest.

    Written for its owner only (0600): the accounts' entries say who holds which role, whether
    they are disabled, who changed what and when.
    """
    authorize(engine, actor, Action.export)
    count = 0
    digest = FileDigest()
    with data_file(path, digest, mode=PRIVATE) as handle:
        for entry in iter_history(engine):
            handle.write(entry.model_dump_json().encode())
            handle.write(b"\n")
            count += 1
    written = seal(
        path,
        digest,
        format="history",
        schema_version=None,
        filters={},
        claims=None,
        reviews=None,
        rows=count,
    )
    return ExportResult(path=path, rows=count, sha256=digest.sha256, manifest=written)


def stream_export(
    engine: Engine,
    fmt: ExportFormat,
    out: BinaryIO,
    *,
    actor: Caller,
    options: ClaimReviewOptions | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ExportResult:
    """Every claim in ``fmt`` written into ``out`` as it is read, a batch at a time (the app's
    Export page writes to a temporary file): the file is never whole in memory. Checked here,
    as :func:`render_export` is: the page is one caller of many."""
    authorize(engine, actor, Action.export)
    return write_export(engine, fmt, out, None, options, on_progress=on_progress)


def render_export(
    engine: Engine,
    fmt: ExportFormat,
    *,
    actor: Caller,
    flt: ExportFilter | None = None,
    options: ClaimReviewOptions | None = None,
) -> bytes:
    """The export as bytes, for a download button (``actor``: who is downloading).

    Checked here, not only by hiding the Export page: the page is one caller of many.
    """
    authorize(engine, actor, Action.export)
    buffer = io.BytesIO()
    write_export(engine, fmt, buffer, flt, options)
    return buffer.getvalue()
