"""JSONL: one JSON object a line, read as a stream; a bad line is reported and skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from workbench.ingest.formats.common import (
    LineSource,
    ReadError,
    human_size,
    read_lines,
    undecodable,
)
from workbench.ingest.formats.records import KNOWN_FIELDS, to_document
from workbench.schemas import DocumentIn

# Room for a record whose text is just under the limit: JSON may spell one byte as six (\u0000),
# plus headroom for the other fields. A longer line is skipped without being held in memory.
_ESCAPE_FACTOR = 6
_LINE_HEADROOM = 1024 * 1024
_JSON_KINDS = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true/false",
    type(None): "null",
}


def read_jsonl(path: Path, *, max_bytes: int) -> Iterator[DocumentIn | ReadError]:
    """The lines as documents; a file with a NUL byte anywhere is refused (see ``common``)."""
    source = str(path)
    try:
        yield from read_lines(path, lambda lines: _records(lines, source, max_bytes))
    except UnicodeDecodeError as error:  # a UTF-16/32 file's reader: no line boundary to go on
        yield ReadError(source, None, None, f"{undecodable(error)}; the lines before it were read")


def _records(stream: LineSource, source: str, max_bytes: int) -> Iterator[DocumentIn | ReadError]:
    max_line = _ESCAPE_FACTOR * max_bytes + _LINE_HEADROOM
    offset = 0
    for number, (raw, length) in enumerate(_lines(stream, max_line), start=1):
        start, offset = offset, offset + length
        if raw is None:
            message = f"line is {human_size(length)}, too long for a text under the limit"
            yield ReadError(source, number, None, message + " (set WORKBENCH_MAX_FILE_BYTES)")
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield ReadError(source, number, None, undecodable(error, start))
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        yield from _parse(line, source, number, max_bytes)


def _lines(stream: LineSource, max_line: int) -> Iterator[tuple[bytes | None, int]]:
    """Each line with its length in bytes; ``None`` instead of a line longer than ``max_line``."""
    while chunk := stream.readline(max_line + 1):
        if len(chunk) <= max_line or chunk.endswith(b"\n"):
            yield chunk, len(chunk)
            continue
        length = len(chunk)
        while chunk and not chunk.endswith(b"\n"):  # drain the rest of the line, piece by piece
            chunk = stream.readline(max_line + 1)
            length += len(chunk)
        yield None, length


def _parse(line: str, source: str, number: int, max_bytes: int) -> list[DocumentIn | ReadError]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        message = f"not valid JSON: {error.msg} (column {error.colno})"
        return [ReadError(source, number, None, message)]
    if not isinstance(record, dict):
        kind = _JSON_KINDS.get(type(record), "a value")
        return [ReadError(source, number, None, f"a line must hold one JSON object, not {kind}")]
    extra = {key: value for key, value in record.items() if key not in KNOWN_FIELDS}
    return to_document(record, path=source, line=number, max_bytes=max_bytes, extra=extra)
