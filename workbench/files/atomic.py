"""Files that appear whole or not at all, hashed while they are written.

Every file the workbench writes where a user says (an export, the history, a backup, a
manifest, the agreement table, trained weights) goes through :func:`check_target` first. The
rename that makes a file appear whole also replaces whatever the name held: given the
database's own path (or a link to it, or its -wal file) it would swap the database for the
export, given a device or a FIFO it would put a regular file in its place, given a symbolic
link it would replace the link instead of writing where it points. A regular file, or no
file, is the only thing that may be replaced; anything else is refused before a byte is
written.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import io
import os
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from workbench.db.session import open_sqlite_files
from workbench.errors import WorkbenchError

try:
    import fcntl
except ImportError:  # Windows: no leftover detection; a killed export's .part stays
    fcntl = None  # type: ignore[assignment]

BUFFER = 1 << 20

# The files SQLite keeps beside a database while it is open or after a crash: replacing one
# of them corrupts the database as surely as replacing the database itself.
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class TargetRefused(WorkbenchError):
    """The path given for a file to write holds something that must not be replaced."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_target(path: Path) -> None:
    """Raise :class:`TargetRefused` unless ``path`` is free or an ordinary file that may be
    replaced: not a link, device, FIFO, socket or folder, and not the database this process
    has open (by any path or link to it) nor one of its -wal/-shm/-journal files."""
    try:
        st: os.stat_result | None = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None  # nothing there; a parent that is not a folder fails when written, clearly
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise TargetRefused(
            f"{path}: is {_kind(st.st_mode)}, not a regular file: refusing to replace it; "
            "give the path of a new or ordinary file"
        )
    # realpath, not resolve(strict): the target need not exist. The same name by another
    # path (../, a symlinked folder) resolves the same; the same file under another name
    # (a hard link) has the same device and inode.
    where = os.path.realpath(path)
    for database in open_sqlite_files():
        for suffix in SQLITE_COMPANIONS:
            companion = Path(f"{database}{suffix}")
            same = os.path.realpath(companion) == where
            if not same and st is not None:
                try:
                    same = os.path.samestat(st, os.stat(companion))
                except OSError:
                    same = False
            if same:
                what = "" if not suffix else f"the {suffix} file of "
                raise TargetRefused(
                    f"{path}: is {what}the database {database}: refusing to overwrite it; "
                    "write to another path"
                )


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
    A ``path`` that :func:`check_target` refuses raises :class:`TargetRefused` before anything
    is written.
    """
    check_target(path)
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
