"""The export's pipe (workbench/api/streams.py): a writer that pushes turned into chunks a
response pulls, never far ahead of its reader, and stopped when the reader goes away."""

from __future__ import annotations

import threading
import time
from typing import BinaryIO

import pytest

from workbench.api import streams


def test_the_chunks_come_in_order_and_an_error_cuts_the_stream_short() -> None:
    def write(out: BinaryIO) -> None:
        for i in range(100):
            out.write(f"{i}\n".encode())

    assert b"".join(streams.piped(write)) == b"".join(f"{i}\n".encode() for i in range(100))

    def fail(out: BinaryIO) -> None:
        out.write(b"first")
        raise OSError("the database went away")

    got = streams.piped(fail)
    assert next(got) == b"first"
    with pytest.raises(OSError, match="went away"):
        next(got)


def test_the_writer_waits_for_its_reader_and_stops_when_it_goes() -> None:
    written = []
    done = threading.Event()

    def write(out: BinaryIO) -> None:
        try:
            for i in range(10_000):
                out.write(b"x" * 1024)
                written.append(i)
        finally:
            done.set()

    chunks = streams.piped(write)
    assert next(chunks) == b"x" * 1024
    deadline = time.monotonic() + 5
    while len(written) < streams.DEPTH and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a bounded wait for the writer to fill the queue
    time.sleep(0.2)
    # One taken, DEPTH waiting, one blocked in its put: never the whole file.
    assert len(written) <= streams.DEPTH + 1
    chunks.close()  # the client went away
    assert done.wait(5), "the writer did not stop after its reader went"
    assert len(written) <= streams.DEPTH + 2
