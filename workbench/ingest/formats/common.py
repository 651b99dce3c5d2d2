"""What every reader shares: the error record, opening, decoding, titles and the size limit.

Opening: only a regular file is read. A FIFO, socket or device named ``x.txt`` would block the
run (a FIFO without a writer) or never end (``/dev/zero``); it is refused after ``stat`` and
before ``open``, and ``open`` itself uses ``O_NONBLOCK`` and checks ``fstat`` again, so a file
swapped for a FIFO between the two is refused too, not waited on. The size limit is enforced by
what is read, never by ``st_size`` alone: ``/proc`` files report 0 and a growing file grows.

Encodings: UTF-8 (with or without a BOM), and UTF-16 and UTF-32 when the file starts with their
BOM (Windows tools write them): the BOM is the only reliable sign, and without one those files
are full of NUL bytes, so they are reported as binary rather than guessed at.

NUL bytes, one rule for the line formats (CSV, JSONL): a NUL byte anywhere refuses the whole
file, with one error naming the line of the first one. It used to depend on where the NUL was
(in the first 8 KB: the whole file; later: one row). A NUL never belongs in either format (JSON
forbids raw control characters, no spreadsheet writes one): a file with one is damaged or not
text, and storing the rows around the damage would leave a partial copy that a corrected file
then only partly duplicates. Finding it costs one extra pass over the bytes, at memory speed.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from workbench.schemas import DocumentIn

# A title is a headline: the longest of the sample articles' is 125 characters, news sites cut
# theirs at 60-110 for search results. A first line longer than this is the first paragraph
# of an article saved without its headline (sample 003's is 415 characters), not its title.
TITLE_MAX_CHARS = 150
# How much of such a line stands in for the title: its first words, cut at a word, and "…".
TITLE_WORDS_CHARS = 80
TITLE_ELLIPSIS = "…"
_BOM = "\ufeff"
# UTF-32 first: its little-endian BOM starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


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
    """Why ``data`` is not text, or ``None``: a NUL byte is the sure sign of a binary file
    (a file with a UTF-16 or UTF-32 BOM is text: its NUL bytes are half its characters)."""
    if bom_codec(data) is not None:
        return None
    nul = data.find(b"\0")
    if nul >= 0:
        return f"binary file (NUL byte at offset {nul}); {_GIVE_TEXT}"
    return None


def nul_error(stream: BinaryIO, source: str) -> ReadError | None:
    """The error for the first NUL byte (or, in UTF-16/32, NUL character) in ``stream``, naming
    its line, or ``None``; ``stream`` is left at its start. Read a chunk or a line at a time."""
    codec = bom_codec(stream.read(4))
    stream.seek(0)
    try:
        if codec is not None:
            recoded = _Recoded(stream, codec)
            try:
                for number, line in enumerate(recoded, start=1):
                    if b"\0" in line:
                        return ReadError(source, number, None, _NUL_TEXT)
                return None
            finally:
                recoded.detach()  # or its wrapper closes ``stream`` when collected
        lines = 1
        offset = 0
        while chunk := stream.read(1024 * 1024):
            nul = chunk.find(b"\0")
            if nul >= 0:
                lines += chunk.count(b"\n", 0, nul)
                where = f"binary file (NUL byte at offset {offset + nul})"
                return ReadError(source, lines, None, f"{where}; {_GIVE_TEXT}")
            lines += chunk.count(b"\n")
            offset += len(chunk)
        return None
    except UnicodeDecodeError:
        return None  # the reading pass reports it, with the rows before it read
    finally:
        stream.seek(0)


_GIVE_TEXT = "give a text, HTML, JSONL or CSV file"
_NUL_TEXT = f"binary file (NUL character on this line); {_GIVE_TEXT}"


def bom_codec(head: bytes) -> str | None:
    """``"utf-16"`` or ``"utf-32"`` when ``head`` starts with that encoding's BOM."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    return None


def undecodable(error: UnicodeDecodeError, offset: int = 0) -> str:
    encoding = "UTF-8" if error.encoding.replace("-", "").lower() == "utf8" else error.encoding
    byte = error.object[error.start]
    return (
        f"not {encoding.upper()} text (byte 0x{byte:02x} at offset {offset + error.start}); "
        "save the file as UTF-8 and try again"
    )


def decode_text(data: bytes) -> str:
    """The text of UTF-8 (or BOM-marked UTF-16/32) bytes, without a BOM, with CRLF and CR
    newlines turned into LF.

    Claim offsets index into the stored text, so nothing else is changed. Newlines are the
    exception: the same article saved on Windows and on Linux should be the same document
    (same hash, same offsets), and no reader of an article cares which newline it had.
    Raises ``UnicodeDecodeError``; a NUL in UTF-16/32 text is the caller's to check.
    """
    text = data.decode(bom_codec(data) or "utf-8").removeprefix(_BOM)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def title_from(text: str, *, markdown: bool = False) -> str:
    """The first non-empty line, as a title (:func:`short_title`): markdown heading marks
    dropped."""
    for line in text.splitlines():
        title = line.strip()
        if markdown:
            title = title.lstrip("#").strip().rstrip("#").strip() or title
        if title:
            return short_title(title)
    return ""


def short_title(line: str) -> str:
    """``line`` as a title: itself when it is a headline's length (``TITLE_MAX_CHARS`` at
    most), otherwise its first words up to ``TITLE_WORDS_CHARS`` with an ellipsis. A long
    first line is a paragraph, and a paragraph shown as the title pushed the claim and its
    verdict buttons down the Review page."""
    title = " ".join(line.split())
    if len(title) <= TITLE_MAX_CHARS:
        return title
    cut = title[: TITLE_WORDS_CHARS - len(TITLE_ELLIPSIS) + 1]
    # At the last space, unless that leaves less than half (one very long word: cut it).
    space = cut.rfind(" ")
    cut = cut[:space] if space >= TITLE_WORDS_CHARS // 2 else cut[:-1]
    return (cut.rstrip(" ,;:-–—") or cut) + TITLE_ELLIPSIS


class NotRegularFile(OSError):
    """A path that is a FIFO, socket, device or folder: refused, never opened or read."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"is {kind}, not a regular file; give a text, HTML, JSONL or CSV file")


def special_kind(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO (named pipe)", ...); ``None`` for a regular one."""
    if stat.S_ISREG(mode):
        return None
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading in binary, if it is a regular file (see the module
    docstring); raises ``NotRegularFile`` or another ``OSError``."""
    if kind := special_kind(os.stat(path).st_mode):
        raise NotRegularFile(kind)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        if kind := special_kind(os.fstat(fd).st_mode):  # swapped since the stat above
            raise NotRegularFile(kind)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


class LineSource(Protocol):
    """What the line readers need of a file: lines of UTF-8 bytes, split at LF only."""

    def readline(self, size: int = -1, /) -> bytes: ...

    def __iter__(self) -> Iterator[bytes]: ...


class _Recoded:
    """A UTF-16 or UTF-32 file as UTF-8 lines split at LF only, as a binary file's are (the
    codecs module's own readers also split at U+2028 and friends, which may sit in a cell)."""

    def __init__(self, stream: BinaryIO, codec: str) -> None:
        self._text = io.TextIOWrapper(stream, encoding=codec, newline="\n")

    def readline(self, size: int = -1, /) -> bytes:
        return self._text.readline(size).encode("utf-8")

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def detach(self) -> None:
        self._text.detach()


def line_source(stream: BinaryIO) -> LineSource:
    """``stream`` (at its start) as UTF-8 lines: recoded when it starts with a UTF-16 or UTF-32
    BOM (the BOM itself dropped), as it is otherwise. Reading may raise ``UnicodeDecodeError``."""
    codec = bom_codec(stream.read(4))
    stream.seek(0)
    return stream if codec is None else _Recoded(stream, codec)


def os_error_message(error: OSError) -> str:
    """What went wrong opening or reading a file, in words a user can act on."""
    if isinstance(error, NotRegularFile):
        return str(error)
    if isinstance(error, FileNotFoundError):
        return "file vanished before it could be read; check the path"
    if isinstance(error, PermissionError):
        return "permission denied; check that you may read the file"
    if isinstance(error, IsADirectoryError):
        return "is a folder, not a file"
    return f"could not be read ({error.strerror or error})"


def read_limited(path: Path, max_bytes: int) -> bytes | ReadError:
    """The whole file, unless it is over ``max_bytes``: checked on the size the OS reports
    (before reading), and on what is read, which never goes past ``max_bytes + 1`` bytes."""
    source = str(path)
    try:
        with open_regular(path) as stream:
            size = os.fstat(stream.fileno()).st_size
            if size > max_bytes:
                return ReadError(source, None, None, f"file is {over_limit(size, max_bytes)}")
            data = stream.read(max_bytes + 1)
    except OSError as error:
        return ReadError(source, None, None, os_error_message(error))
    if len(data) > max_bytes:  # a /proc file (size 0) or one that grew since
        message = f"file is over the {human_size(max_bytes)} limit (set WORKBENCH_MAX_FILE_BYTES)"
        return ReadError(source, None, None, message)
    return data


def read_whole_text(path: Path, max_bytes: int, decode: Callable[[bytes], str]) -> str | ReadError:
    """The whole file as text (plain, Markdown, HTML), or why it cannot be: over the limit,
    binary, undecodable by ``decode``, or holding a NUL character once decoded."""
    source = str(path)
    data = read_limited(path, max_bytes)
    if isinstance(data, ReadError):
        return data
    if reason := binary_reason(data):
        return ReadError(source, None, None, reason)
    try:
        text = decode(data)
    except UnicodeDecodeError as error:
        return ReadError(source, None, None, undecodable(error))
    if (nul := text.find("\0")) >= 0:  # UTF-16/32 text: the byte check could not see it
        return ReadError(source, None, None, f"binary file (NUL character at index {nul})")
    return text


def read_lines(
    path: Path, read: Callable[[LineSource], Iterator[DocumentIn | ReadError]]
) -> Iterator[DocumentIn | ReadError]:
    """What ``read`` makes of the file's lines (CSV, JSONL), once the whole file is known to
    hold no NUL byte (see the module docstring); an error opening or reading it is one item."""
    source = str(path)
    try:
        with open_regular(path) as stream:
            if nul := nul_error(stream, source):
                yield nul
                return
            yield from read(line_source(stream))
    except OSError as error:
        yield ReadError(source, None, None, os_error_message(error))
