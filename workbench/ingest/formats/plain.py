"""Plain text and Markdown: the whole file is one document, its text kept as written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from workbench.ingest.formats.common import ReadError, decode_text, read_whole_text, title_from
from workbench.schemas import DocumentIn


def read_plain(path: Path, *, max_bytes: int) -> Iterator[DocumentIn | ReadError]:
    source = str(path)
    text = read_whole_text(path, max_bytes, decode_text)
    if isinstance(text, ReadError):
        yield text
        return
    if not text.strip():
        yield ReadError(source, None, None, "file is empty; there is no text to read")
        return
    title = title_from(text, markdown=path.suffix.lower() == ".md")
    yield DocumentIn(text=text, title=title, source=source)
