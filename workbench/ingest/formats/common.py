"""What every reader shares: the error record, decoding, titles and the size limit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TITLE_MAX_CHARS = 300
_BOM = "\ufeff"
# How much of a file we look at to decide it is binary: a NUL byte this early is never text.
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class ReadError:
    """A file, line or field that could not be read; the reader goes on with the next one."""

    path: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        what = self.message if self.field is None else f"field '{self.field}': {self.message}"
        return f"{where}: {what}"


@dataclass(frozen=True)
class ReadWarning(ReadError):
    """Something left out on purpose while reading goes on: a field dropped from a document
    that is still stored (an unsafe URL), or a file skipped (a link out of the folder).
    Not a failure: a run with only warnings succeeds. A subclass, so it prints as an error
    does; code that counts failures must test for it first."""


def human_size(size: int) -> str:
    """``25.3 MB``, ``20 MB``, ``12 KB``, ``100 bytes``: short, and exact when it is round."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def over_limit(size: int, max_bytes: int) -> str:
    return (
        f"{human_size(size)}, over the {human_size(max_bytes)} limit "
        "(set WORKBENCH_MAX_FILE_BYTES to raise it)"
    )


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` is not text, or ``None``: a NUL byte is the sure sign of a binary file."""
    nul = data.find(b"\0")
    if nul >= 0:
        return f"binary file (NUL byte at offset {nul}); give a text, HTML, JSONL or CSV file"
    return None


def undecodable(error: UnicodeDecodeError, offset: int = 0) -> str:
    byte = error.object[error.start]
    return (
        f"not UTF-8 text (byte 0x{byte:02x} at offset {offset + error.start}); "
        "save the file as UTF-8 and try again"
    )


def decode_text(data: bytes) -> str:
    """UTF-8 text without a BOM, with CRLF and CR newlines turned into LF.

    Claim offsets index into the stored text, so nothing else is changed. Newlines are the
    exception: the same article saved on Windows and on Linux should be the same document
    (same hash, same offsets), and no reader of an article cares which newline it had.
    Raises ``UnicodeDecodeError``.
    """
    text = data.decode("utf-8").removeprefix(_BOM)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def title_from(text: str, *, markdown: bool = False) -> str:
    """The first non-empty line, as a title: markdown heading marks dropped, 300 chars at most."""
    for line in text.splitlines():
        title = line.strip()
        if markdown:
            title = title.lstrip("#").strip().rstrip("#").strip() or title
        if title:
            return title[:TITLE_MAX_CHARS].rstrip()
    return ""


def os_error_message(error: OSError) -> str:
    """What went wrong opening or reading a file, in words a user can act on."""
    if isinstance(error, FileNotFoundError):
        return "file vanished before it could be read; check the path"
    if isinstance(error, PermissionError):
        return "permission denied; check that you may read the file"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not a file"
    return f"could not be read ({error.strerror or error})"


def read_limited(path: Path, max_bytes: int) -> bytes | ReadError:
    """The whole file, unless it is over ``max_bytes``: the size is checked before reading."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return ReadError(source, None, None, f"file is {over_limit(size, max_bytes)}")
        return path.read_bytes()
    except OSError as error:
        return ReadError(source, None, None, os_error_message(error))
