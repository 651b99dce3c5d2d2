"""Export the reviewed dataset to a file or to bytes (the app's download button)."""

from __future__ import annotations

import enum
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from workbench.export import csv_format, jsonl_format
from workbench.export.atomic import atomic_text_file
from workbench.export.records import iter_records
from workbench.schemas import ExportRecord


class ExportFormat(enum.StrEnum):
    csv = "csv"
    jsonl = "jsonl"


Writer = Callable[[Iterable[ExportRecord], TextIO], int]
WRITERS: dict[ExportFormat, Writer] = {
    ExportFormat.csv: csv_format.write,
    ExportFormat.jsonl: jsonl_format.write,
}
MIME_TYPES = {ExportFormat.csv: "text/csv", ExportFormat.jsonl: "application/x-ndjson"}


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def default_path(export_dir: Path, fmt: ExportFormat, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return export_dir / f"claims-{stamp}.{fmt.value}"


def export_to_file(engine: Engine, fmt: ExportFormat, path: Path) -> ExportResult:
    """Write the export to ``path``: it appears whole when done, or not at all."""
    with atomic_text_file(path) as handle:
        count = WRITERS[fmt](iter_records(engine), handle)
    return ExportResult(path=path, rows=count)


def render_export(engine: Engine, fmt: ExportFormat) -> bytes:
    """The export as bytes, for a download button."""
    buffer = io.StringIO(newline="")
    WRITERS[fmt](iter_records(engine), buffer)
    return buffer.getvalue().encode("utf-8")
