"""Plain text and Markdown: the whole file is one document, its text kept as written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from workbench.ingest.formats.common import (
    ReadError,
    binary_reason,
    decode_text,
    read_limited,
    title_from,
    undecodable,
)
from workbench.schemas import DocumentIn


def read_plain(path: Path, *, max_bytes: int) -> Iterator[DocumentIn | ReadError]:
    source = str(path)
    data = read_limited(path, max_bytes)
    if isinstance(data, ReadError):
        yield data
        return
    if reason := binary_reason(data):
        yield ReadError(source, None, None, reason)
        return
    try:
        text = decode_text(data)
    except UnicodeDecodeError as error:
        yield ReadError(source, None, None, undecodable(error))
        return
    if (nul := text.find("\0")) >= 0:  # UTF-16/32 text: the byte check could not see it
        yield ReadError(source, None, None, f"binary file (NUL character at index {nul})")
        return
    if not text.strip():
        yield ReadError(source, None, None, "file is empty; there is no text to read")
        return
    title = title_from(text, markdown=path.suffix.lower() == ".md")
    yield DocumentIn(text=text, title=title, source=source)
