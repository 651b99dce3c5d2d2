"""Which export `workbench export`'s flags ask for, and where it goes by default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench.errors import WorkbenchError
from workbench.export import ExportFilter, ExportFormat
from workbench.export.filters import parse_filter
from workbench.export.request import ExportMode, ExportRequest

FILTERED = parse_filter(verdict=["verified"])


def test_no_flag_is_the_claims_in_the_format_asked() -> None:
    request = ExportRequest.ask(fmt=ExportFormat.csv, flt=FILTERED)
    assert request.mode is ExportMode.claims and request.flt == FILTERED
    target = request.target(Path("exports"))
    assert target.parent == Path("exports") and target.name.startswith("claims-")
    assert target.suffix == ".csv"


@pytest.mark.parametrize(
    ("history", "everything", "mode", "prefix"),
    [(True, False, ExportMode.history, "history-"), (False, True, ExportMode.backup, "backup-")],
)
def test_history_and_backup_are_jsonl_files_of_their_own(
    history: bool, everything: bool, mode: ExportMode, prefix: str
) -> None:
    request = ExportRequest.ask(
        fmt=ExportFormat.jsonl, flt=ExportFilter(), history=history, everything=everything
    )
    assert request.mode is mode
    target = request.target(Path("out"))
    assert target.name.startswith(prefix) and target.suffix == ".jsonl"


def test_an_output_path_given_is_kept() -> None:
    request = ExportRequest.ask(
        fmt=ExportFormat.jsonl, flt=ExportFilter(), everything=True, out=Path("b.jsonl")
    )
    assert request.target(Path("exports")) == Path("b.jsonl")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"history": True, "flt": FILTERED}, "the filters do not apply to --history"),
        ({"everything": True, "flt": FILTERED}, "--all writes every table whole"),
        ({"everything": True, "history": True}, "--all writes every table whole"),
        ({"everything": True, "fmt": ExportFormat.csv}, "--all is written as JSONL only"),
    ],
)
def test_flags_that_do_not_go_together_are_refused(flags: dict[str, object], message: str) -> None:
    # Any: the point is to pass what the signature allows but the rules refuse.
    asked: dict[str, Any] = {"fmt": ExportFormat.jsonl, "flt": ExportFilter(), **flags}
    with pytest.raises(WorkbenchError, match=message):
        ExportRequest.ask(**asked)
