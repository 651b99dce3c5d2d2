"""A writer that pushes bytes (the export writers) turned into chunks a response pulls.

The writer runs on a thread of its own and hands each chunk over through a small bounded
queue: at most ``DEPTH`` chunks wait at any time, so the file is never whole in memory, and a
slow client slows the writer down rather than letting it run ahead. A client that goes away
stops the writer at its next write.
"""

from __future__ import annotations

import io
import logging
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from typing import BinaryIO

log = logging.getLogger(__name__)

DEPTH = 8
# How often a blocked writer looks whether its reader has gone (seconds).
_POLL = 0.5
_END = object()


class _ReaderGone(Exception):
    pass


class _Pipe(io.RawIOBase):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: queue.Queue[object] = queue.Queue(maxsize=DEPTH)
        self.gone = threading.Event()
        self.error: BaseException | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = bytes(data)
        if chunk:
            self.hand_over(chunk)
        return len(chunk)

    def hand_over(self, item: object) -> None:
        while True:
            if self.gone.is_set():
                raise _ReaderGone
            try:
                self.chunks.put(item, timeout=_POLL)
                return
            except queue.Full:
                continue


def piped(write: Callable[[BinaryIO], object]) -> Generator[bytes]:
    """The bytes ``write`` writes into the file it is given, chunk by chunk, as it writes
    them. An error of ``write`` is raised here after the chunks before it: the response is
    cut short (a client sees an incomplete body, never a complete-looking wrong one)."""
    pipe = _Pipe()

    def work() -> None:
        try:
            write(pipe)  # type: ignore[arg-type]  # a raw binary file
        except _ReaderGone:
            return
        except BaseException as exc:  # handed to the reader, which raises it
            pipe.error = exc
        try:
            pipe.hand_over(_END)
        except _ReaderGone:
            return

    thread = threading.Thread(target=work, name="export-stream", daemon=True)
    thread.start()
    try:
        while (chunk := pipe.chunks.get()) is not _END:
            assert isinstance(chunk, bytes)
            yield chunk
        if pipe.error is not None:
            log.error("an export failed while it was streamed", exc_info=pipe.error)
            raise pipe.error
    finally:
        pipe.gone.set()


def file_chunks(handle: BinaryIO, size: int = 1024 * 1024) -> Iterator[bytes]:
    """A file's bytes from its start, ``size`` at a time; closes it at the end."""
    try:
        handle.seek(0)
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()
