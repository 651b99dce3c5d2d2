"""CSV: a header row naming a ``text`` column, then one document a row, read as a stream."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workbench.ingest.formats.common import (
    LineSource,
    ReadError,
    human_size,
    read_lines,
    undecodable,
)
from workbench.ingest.formats.records import KNOWN_FIELDS, to_document
from workbench.schemas import DocumentIn


class _Undecodable(Exception):
    """Raised from inside the csv reader's line source, which cannot yield an error item."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_csv(path: Path, *, max_bytes: int) -> Iterator[DocumentIn | ReadError]:
    """The rows as documents; a file with a NUL byte anywhere is refused (see ``common``)."""
    source = str(path)
    _allow_fields_up_to(max_bytes)
    yield from read_lines(path, lambda lines: _rows(lines, source, max_bytes))


def _allow_fields_up_to(max_bytes: int) -> None:
    # The csv module refuses cells over 128 K characters by default; an article can be longer.
    # The limit is process-wide, so it is only ever raised. A cell over max_bytes characters is
    # over max_bytes bytes too, so a cell the csv module still refuses is one we would refuse.
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes + 1))


def _decoded_lines(stream: LineSource) -> Iterator[str]:
    """The file's lines as text, endings kept (the csv module needs them inside quoted cells)."""
    offset = 0
    number = 0
    lines = iter(stream)
    while True:
        number += 1
        try:
            raw = next(lines, None)
            if raw is None:
                return
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:  # from decode, or from a UTF-16/32 file's reader
            raise _Undecodable(number, undecodable(error, offset)) from error
        offset += len(raw)
        yield line.removeprefix(codecs.BOM_UTF8.decode()) if number == 1 else line


def _rows(stream: LineSource, source: str, max_bytes: int) -> Iterator[DocumentIn | ReadError]:
    # strict: a stray quote that would swallow the rest of the file is an error, not one cell.
    reader = csv.reader(_decoded_lines(stream), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            yield ReadError(source, None, None, "empty file; a CSV needs a header row")
            return
        names = [name.strip().lower() for name in header]
        if "text" not in names:
            found = ", ".join(repr(name) for name in header) or "nothing"
            message = f"no 'text' column in the header row (found {found}); add one"
            yield ReadError(source, 1, None, message)
            return
        first_line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except csv.Error as error:
                yield ReadError(source, first_line, None, _csv_message(error, max_bytes))
                first_line = reader.line_num + 1
                continue
            except StopIteration:
                return
            line, first_line = first_line, reader.line_num + 1
            if not any(row):  # an empty line, or a spreadsheet's trailing ",,,"
                continue
            yield from _document(header, names, row, source, line, max_bytes)
    except _Undecodable as error:
        message = f"{error.message}; the rows before it were read, none after"
        yield ReadError(source, error.line, None, message)


def _document(
    header: list[str], names: list[str], row: list[str], source: str, line: int, max_bytes: int
) -> list[DocumentIn | ReadError]:
    if len(row) > len(header):
        message = f"row has {len(row)} cells but the header has {len(header)}; check its quoting"
        return [ReadError(source, line, None, message)]
    record: dict[str, Any] = {}
    extra: dict[str, str] = {}
    for name, label, cell in zip(names, header, row, strict=False):
        if name in KNOWN_FIELDS:
            record.setdefault(name, cell)  # a repeated column: the first one counts
        else:
            extra[label] = cell
    if record.get("metadata"):
        try:
            record["metadata"] = json.loads(record["metadata"])
        except json.JSONDecodeError as error:
            return [ReadError(source, line, "metadata", f"not valid JSON: {error.msg}")]
    else:
        record.pop("metadata", None)
    return to_document(record, path=source, line=line, max_bytes=max_bytes, extra=extra)


def _csv_message(error: csv.Error, max_bytes: int) -> str:
    if "field larger than field limit" in str(error):
        return f"a cell is over the {human_size(max_bytes)} limit (set WORKBENCH_MAX_FILE_BYTES)"
    return f"not valid CSV: {error}; check the quotes on this row"
