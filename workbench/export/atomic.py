"""Files that appear whole or not at all, hashed while they are written."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

try:
    import fcntl
except ImportError:  # Windows: no leftover detection; a killed export's .part stays
    fcntl = None  # type: ignore[assignment]

BUFFER = 1 << 20


@dataclass
class FileDigest:
    """Filled in once the file is complete: the sha256 and size of exactly what was written."""

    sha256: str = ""
    size: int = 0


class _HashingWriter(io.RawIOBase):
    """A raw file that hashes every byte on its way to the disk (so nothing is read back)."""

    def __init__(self, raw: io.FileIO) -> None:
        super().__init__()
        self._raw = raw
        self._hash = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        written = self._raw.write(data)
        if written:
            self._hash.update(memoryview(data)[:written])
            self.size += written
        return written or 0

    def tell(self) -> int:
        return self.size

    def fileno(self) -> int:
        return self._raw.fileno()

    def hexdigest(self) -> str:
        return self._hash.hexdigest()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _lock(fd: int) -> bool:
    """Take the file's exclusive lock without waiting; whether it was free (POSIX only)."""
    if fcntl is None:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def remove_stale(path: Path) -> list[Path]:
    """Remove the temporary files that writers of ``path`` killed mid-way left beside it.

    A writer holds a lock on its temporary file while it lives (the system drops it when the
    process dies, even by SIGKILL): a temporary file whose lock is free is a leftover.
    """
    removed = []
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.????????.part"):
        try:
            fd = os.open(leftover, os.O_RDONLY)
        except OSError:
            continue
        try:
            if _lock(fd):
                leftover.unlink(missing_ok=True)
                removed.append(leftover)
        finally:
            os.close(fd)
    return removed


SHARED = 0o666  # an export: readable as the umask allows, so the team can open it
PRIVATE = 0o600  # a file holding secrets (password hashes, accounts' history): the owner only


def _temporary(path: Path, mode: int) -> tuple[int, Path]:
    """A new hidden file beside ``path``; like ``mkstemp``, but created with ``mode`` (less the
    umask): mkstemp's 0600 would make an export on a shared folder unreadable to the team,
    while a backup must be exactly that. The mode is set at creation, not changed afterwards,
    so the data is never readable by others, not even for a moment."""
    remove_stale(path)
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        except FileExistsError:
            continue
        _lock(fd)
        return fd, tmp
    raise FileExistsError(f"no free temporary name beside {path}")


@contextlib.contextmanager
def atomic_binary_file(
    path: Path, digest: FileDigest | None = None, *, mode: int = SHARED
) -> Iterator[BinaryIO]:
    """Write to a hidden temporary file beside ``path``, then rename it into place.

    The rename is atomic on one file system, so a reader (or a crash) sees either the old
    state or the whole new file; on any error the temporary file is removed. ``digest``, if
    given, gets the file's sha256 and size once it is complete. ``mode``: :data:`SHARED`, or
    :data:`PRIVATE` for a file holding secrets (it replaces the target, whose old mode goes).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path, mode)
    try:
        raw = _HashingWriter(io.FileIO(fd, "wb"))
        with io.BufferedWriter(raw, buffer_size=BUFFER) as handle:  # type: ignore[type-var]
            yield handle
            handle.flush()
            os.fsync(fd)
        if digest is not None:
            digest.sha256 = raw.hexdigest()
            digest.size = raw.size
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_text_file(
    path: Path, digest: FileDigest | None = None, *, mode: int = SHARED
) -> Iterator[TextIO]:
    """:func:`atomic_binary_file` for UTF-8 text, newlines written as given."""
    with atomic_binary_file(path, digest, mode=mode) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # the binary file is closed (and renamed) by atomic_binary_file
