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

from workbench.audit import iter_history
from workbench.auth.accounts import authorize
from workbench.auth.permissions import Action
from workbench.export import csv_format, jsonl_format
from workbench.export.atomic import atomic_text_file
from workbench.export.records import iter_records
from workbench.schemas import Actor, ExportRecord


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


def export_to_file(
    engine: Engine, fmt: ExportFormat, path: Path, *, actor: Actor | None = None
) -> ExportResult:
    """Write the export to ``path``: it appears whole when done, or not at all.

    ``actor=None`` is the command line, whose user already holds the database file or URL.
    """
    _may_export(engine, actor)
    with atomic_text_file(path) as handle:
        count = WRITERS[fmt](iter_records(engine), handle)
    return ExportResult(path=path, rows=count)


def default_history_path(export_dir: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return export_dir / f"history-{stamp}.jsonl"


def export_history_to_file(
    engine: Engine, path: Path, *, actor: Actor | None = None
) -> ExportResult:
    """The whole audit trail as JSONL (one ``HistoryOut`` a line), whole or not at all."""
    _may_export(engine, actor)
    count = 0
    with atomic_text_file(path) as handle:
        for entry in iter_history(engine):
            handle.write(entry.model_dump_json())
            handle.write("\n")
            count += 1
    return ExportResult(path=path, rows=count)


def render_export(engine: Engine, fmt: ExportFormat, *, actor: Actor | None = None) -> bytes:
    """The export as bytes, for a download button (``actor``: who is downloading)."""
    _may_export(engine, actor)
    buffer = io.StringIO(newline="")
    WRITERS[fmt](iter_records(engine), buffer)
    return buffer.getvalue().encode("utf-8")


def _may_export(engine: Engine, actor: Actor | None) -> None:
    # Checked here, not only by hiding the Export page: the page is one caller of many.
    if actor is not None:
        authorize(engine, actor, Action.export)
