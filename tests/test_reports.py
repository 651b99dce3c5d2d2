"""Every report a command prints is one kind (workbench/reports.py), printed one way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import BaseModel

from workbench.agreement.figures import AgreementReport
from workbench.export.service import ExportResult
from workbench.extract.evaluation import FileEvaluation
from workbench.extract.retraining import Retrained
from workbench.ingest.service import IngestReport
from workbench.reports import Report
from workbench.similarity.rebuild import RebuildReport
from workbench.synth import SynthReport
from workbench.transfer.backup import BackupResult
from workbench.transfer.import_reviews import ImportReport
from workbench.transfer.restore import RestoreReport


@pytest.mark.parametrize(
    "kind",
    [
        AgreementReport,
        BackupResult,
        ExportResult,
        FileEvaluation,
        ImportReport,
        IngestReport,
        RebuildReport,
        RestoreReport,
        Retrained,
        SynthReport,
    ],
)
def test_every_printed_report_is_a_pydantic_report(kind: type) -> None:
    assert issubclass(kind, Report)
    assert issubclass(kind, BaseModel)


def test_restore_json_keeps_its_spaced_separators() -> None:
    report = RestoreReport(file="b.jsonl", written=True, inserted={"users": 1})
    report.conflict(3, "users 1: différent")
    assert report.json_text() == json.dumps(report.model_dump())
    assert '"file": "b.jsonl", "empty_target": false' in report.json_text()
    assert "\\u00e9" in report.json_text()


def test_text_lines_come_from_the_report() -> None:
    report = ImportReport(file="r.jsonl", lines=2, new_reviewers=["Ann"])
    lines = report.summary().splitlines()
    assert lines[0].startswith("r.jsonl: 2 lines, 0 claims matched")
    assert lines[1:] == [
        "new reviewer accounts (no password, cannot log in yet): Ann",
        "to let one log in: workbench users set-password NAME",
    ]
    result = ExportResult(path=Path("e.csv"), rows=3, claims=2, reviews=3, manifest=Path("m"))
    assert result.summary() == "wrote 3 rows to e.csv\n2 claims, 3 reviews; manifest m"


def test_counters_are_plain_assignments() -> None:
    report = IngestReport()
    report.duplicates += 1
    report.added += 2
    assert report.summary() == "2 added (0 claims), 1 skipped as duplicate, 0 failed"
    assert IngestReport.model_config.get("validate_assignment") is not True
