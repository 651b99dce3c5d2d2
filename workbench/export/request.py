"""What `workbench export` was asked for, checked, and written: claims, history or a backup.

One command writes three kinds of file: the claims with their reviews (four formats, filters),
the whole history (`--history`, JSONL) and a backup of every table (`--all`, JSONL). Which one,
which options go with which, and where each goes by default are rules of the export, not of
the command line: they live here, checked when the request is made (before any database is
opened), so another entry point asks for an export the same way. Kept out of
``workbench.export``'s ``__init__``: it imports the backup writer, which imports the export
package.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine

from workbench.auth.policy import Caller
from workbench.errors import WorkbenchError
from workbench.export.claimreview_format import ClaimReviewOptions
from workbench.export.filters import ExportFilter
from workbench.export.service import (
    ExportFormat,
    ExportResult,
    default_history_path,
    default_path,
    export_history_to_file,
    export_to_file,
)
from workbench.transfer.backup import BackupResult, export_backup


class ExportMode(enum.StrEnum):
    claims = "claims"  # the claims, their reviews and final verdicts, filtered, any format
    history = "history"  # the whole audit trail, JSONL
    backup = "backup"  # every table, ids and timestamps kept, JSONL


def default_backup_path(export_dir: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return export_dir / f"backup-{stamp}.jsonl"


class ExportRequest(BaseModel):
    """One export, its options consistent (see ``ask``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    mode: ExportMode
    fmt: ExportFormat = ExportFormat.jsonl
    flt: ExportFilter = Field(default_factory=ExportFilter)
    out: Path | None = None  # None: a timestamped file under the export folder
    options: ClaimReviewOptions | None = None
    # The project (name or id; None: the only one there is). A backup of one project when
    # named with --all; None with --all: the whole database.
    project: int | str | None = None

    @classmethod
    def ask(
        cls,
        *,
        fmt: ExportFormat,
        flt: ExportFilter,
        history: bool = False,
        everything: bool = False,
        out: Path | None = None,
        options: ClaimReviewOptions | None = None,
        project: int | str | None = None,
    ) -> ExportRequest:
        """The request the command line's flags make, or a WorkbenchError saying which of
        them do not go together: the history and the backup are written whole."""
        if history and not flt.is_empty:
            raise WorkbenchError("the filters do not apply to --history, which is written whole")
        if everything:
            if not flt.is_empty or history:
                raise WorkbenchError("--all writes every table whole: no filters, no --history")
            if fmt is not ExportFormat.jsonl:
                raise WorkbenchError("--all is written as JSONL only: use --format jsonl")
            return cls(mode=ExportMode.backup, fmt=fmt, out=out, project=project)
        if history:
            return cls(mode=ExportMode.history, fmt=fmt, out=out, project=project)
        return cls(
            mode=ExportMode.claims, fmt=fmt, flt=flt, out=out, options=options, project=project
        )

    def target(self, export_dir: Path) -> Path:
        """Where the file goes: ``out``, else a timestamped name under ``export_dir``."""
        if self.out is not None:
            return self.out
        if self.mode is ExportMode.backup:
            return default_backup_path(export_dir)
        if self.mode is ExportMode.history:
            return default_history_path(export_dir)
        return default_path(export_dir, self.fmt)


def write_requested(
    engine: Engine, request: ExportRequest, export_dir: Path, *, actor: Caller
) -> ExportResult | BackupResult:
    """Write the export ``request`` asks for (and its manifest) if ``actor`` may; a file that
    cannot be written is a WorkbenchError naming it."""
    target = request.target(export_dir)
    try:
        if request.mode is ExportMode.backup:
            return export_backup(engine, target, actor=actor, project=request.project)
        if request.mode is ExportMode.history:
            return export_history_to_file(engine, target, actor=actor, project=request.project)
        return export_to_file(
            engine,
            request.fmt,
            target,
            actor=actor,
            flt=request.flt,
            options=request.options,
            project=request.project,
        )
    except OSError as exc:
        raise WorkbenchError(f"cannot write {target}: {exc.strerror or exc}") from exc
