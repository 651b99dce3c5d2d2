"""Read input files into ``DocumentIn`` records, one item per document or per error.

Readers never raise for bad input: a file, line or field that cannot be read becomes a
``ReadError`` naming where and what to fix, and reading goes on. The per-format readers live
in ``workbench.ingest.formats``; this module picks one by suffix and walks folders.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from workbench.ingest.formats.common import (
    NotRegularFile,
    ReadError,
    ReadWarning,
    open_regular,
    os_error_message,
    special_kind,
)
from workbench.ingest.formats.csv_table import read_csv
from workbench.ingest.formats.html_page import read_html
from workbench.ingest.formats.jsonl import read_jsonl
from workbench.ingest.formats.plain import read_plain
from workbench.schemas import DocumentIn

__all__ = [
    "SUPPORTED_SUFFIXES",
    "ReadError",
    "ReadWarning",
    "estimate_documents",
    "expand_paths",
    "read_file",
]

Reader = Callable[..., Iterator[DocumentIn | ReadError]]

_READERS: dict[str, Reader] = {
    ".txt": read_plain,
    ".md": read_plain,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
    ".csv": read_csv,
}
SUPPORTED_SUFFIXES = frozenset(_READERS)
# Formats with one document a line (a row, for CSV): their line count estimates the documents.
_LINE_FORMATS = {".jsonl", ".csv"}


def _supported(path: Path) -> bool:
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def expand_paths(
    paths: Sequence[Path], *, follow_links: bool = False
) -> tuple[list[Path], list[ReadError]]:
    """The files to read, in a stable order, and an error or warning for each path not used.

    A folder is walked recursively in sorted order, skipping hidden files and folders and any
    file of a type we do not read (a folder of articles often holds images too). A file named
    explicitly with an unsupported type is an error: the user asked for it. A path given twice
    is read once.

    Links: a file named on the command line is read wherever a link in it points (the user
    named it). Inside a folder, a link (to a file or a folder) that resolves outside every
    folder given is skipped with a warning, unless ``follow_links``: ``ln -s /etc/passwd
    folder/x.txt`` must not put the password file in the database, and from there in an
    export. A FIFO, socket or device is refused with an error, never opened.
    """
    files: list[Path] = []
    errors: list[ReadError] = []
    seen: set[Path] = set()
    roots = [path.resolve() for path in paths if path.is_dir()]

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            files.append(path)

    for path in paths:
        if path.is_dir():
            found, walk_errors = _walk(path, roots, follow_links)
            errors.extend(walk_errors)
            for file in found:
                add(file)
        elif path.is_file():
            if _supported(path):
                add(path)
            else:
                errors.append(ReadError(str(path), None, None, _unsupported(path)))
        elif path.exists():
            errors.append(ReadError(str(path), None, None, _special(path)))
        elif path.is_symlink():
            errors.append(ReadError(str(path), None, None, "a link to nothing (dangling link)"))
        else:
            errors.append(ReadError(str(path), None, None, "no such file or folder"))
    return files, errors


def _special(path: Path) -> str:
    try:
        kind = special_kind(path.stat().st_mode) or "not a regular file"
    except OSError as error:
        return os_error_message(error)
    return str(NotRegularFile(kind))


def _outside(target: Path, roots: Sequence[Path]) -> bool:
    return not any(target == root or target.is_relative_to(root) for root in roots)


def _walk(
    folder: Path, roots: Sequence[Path], follow_links: bool
) -> tuple[list[Path], list[ReadError]]:
    errors: list[ReadError] = []

    def on_error(error: OSError) -> None:
        where = error.filename or str(folder)
        errors.append(ReadError(str(where), None, None, os_error_message(error)))

    def skipped(path: Path, target: Path, what: str) -> ReadWarning:
        message = (
            f"skipped: a link to {what} {target}, outside the folders given "
            "(--follow-links reads it)"
        )
        return ReadWarning(str(path), None, None, message)

    found: list[Path] = []
    visited: set[Path] = set()  # folders walked, so a link loop is walked once
    for directory, subdirs, names in os.walk(folder, onerror=on_error, followlinks=follow_links):
        visited.add(Path(directory).resolve())
        kept: list[str] = []
        for name in subdirs:
            if name.startswith("."):
                continue
            path = Path(directory, name)
            if path.is_symlink():
                target = path.resolve()
                if not follow_links:
                    if _outside(target, roots):
                        errors.append(skipped(path, target, "folder"))
                    continue  # inside: walked from its real place
                if target in visited:
                    continue
            kept.append(name)
        subdirs[:] = kept  # prunes the walk
        for name in names:
            path = Path(directory, name)
            if name.startswith(".") or not _supported(path):
                continue
            if not follow_links and path.is_symlink():
                target = path.resolve()
                if _outside(target, roots):
                    errors.append(skipped(path, target, "file"))
                    continue
            if path.is_file():
                found.append(path)
            elif path.exists():
                errors.append(ReadError(str(path), None, None, _special(path)))
    # Sorted by path parts, so a folder's files come in the same order on every machine.
    found.sort(key=lambda path: path.relative_to(folder).parts)
    return found, errors


def _unsupported(path: Path) -> str:
    kind = f"'{path.suffix}'" if path.suffix else "without a suffix"
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    return f"unsupported file type {kind}; supported: {supported}"


def read_file(path: Path, *, max_bytes: int) -> Iterator[DocumentIn | ReadError]:
    """The documents in one file, lazily; errors come as ``ReadError`` items, in file order.

    ``max_bytes`` caps a whole file for text, Markdown and HTML (checked before reading), and
    each record's text for JSONL and CSV, which are streamed and may be as large as they like.
    """
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        yield ReadError(str(path), None, None, _unsupported(path))
        return
    yield from reader(path, max_bytes=max_bytes)


def estimate_documents(path: Path) -> int:
    """A cheap count of the items ``read_file`` will yield, for a progress bar's total.

    Lines for JSONL and CSV (less the header; a multi-line cell makes it an overestimate),
    one for other files. Never less than one: an empty or unreadable file still yields an error.
    """
    suffix = path.suffix.lower()
    if suffix not in _LINE_FORMATS:
        return 1
    try:
        lines = _count_lines(path)
    except OSError:
        return 1
    if suffix == ".csv":
        lines -= 1
    return max(lines, 1)


def _count_lines(path: Path) -> int:
    lines = 0
    last = b"\n"
    with open_regular(path) as stream:  # never blocks on a FIFO swapped in since the walk
        while chunk := stream.read(1024 * 1024):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")  # a last line without its newline still counts
