"""JSONL: one ``ExportRecord`` a line, readable back with ``ExportRecord.model_validate_json``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from workbench.schemas import ExportRecord


def write(records: Iterable[ExportRecord], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(record.model_dump_json())
        out.write("\n")
        count += 1
    return count
