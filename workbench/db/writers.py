"""First come, first served among one process's writers of a SQLite file.

SQLite has one write lock per file, and a transaction that wants it (BEGIN IMMEDIATE, see
``session._sqlite_begin``) polls for it every 2 ms. Polling is not fair: with 20 reviewer
threads of one app saving back to back, the lock went to whichever waiter happened to try
just after a commit, so most saves waited a few transactions and a few waited fifty (stress
save p50 11 ms, p95 170 ms: BENCHMARKS.md "Stress at 20 reviewers"). The 19 pollers also
woke 500 times a second each, taking the GIL from the thread that held the lock.

A :class:`WriterQueue` puts this process's write transactions on one file in the order they
asked: a thread waits on an event of its own (no polling, no GIL) and is woken by the one
before it when that one has committed or rolled back and given its connection back. It is
taken before a connection is checked out of the pool, so a waiting thread holds none.
Writers of other processes (an import from the CLI) are not in it: the head of the queue
still polls for SQLite's lock against them, as every writer did before.

A thread that already has its turn gets it again at once (a nested unit of work: it is
released when the outermost one ends). A wait longer than the timeout (the busy timeout)
raises :class:`TurnTimeout`, never hangs: the holder is stuck, and the message says so.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager


class TurnTimeout(Exception):
    """A writer waited longer than its timeout for the others of its process."""


class WriterQueue:
    """A reentrant, first-in-first-out turn for this process's writers of one database."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        self._mutex = threading.Lock()
        self._waiting: deque[tuple[int, threading.Event]] = deque()
        self._owner: int | None = None  # thread ident of the writer whose turn it is
        self._depth = 0

    @property
    def waiting(self) -> int:
        """How many threads are waiting for their turn (for tests and figures)."""
        with self._mutex:
            return len(self._waiting)

    def acquire(self, timeout: float) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None:  # the queue is empty whenever nobody holds the turn
                self._owner, self._depth = me, 1
                return
            ticket = (me, threading.Event())
            self._waiting.append(ticket)
        if ticket[1].wait(timeout):
            return  # release() made us the owner before setting the event
        with self._mutex:
            if ticket[1].is_set():  # handed over between the timeout and the mutex
                return
            self._waiting.remove(ticket)
            holder = self._owner
        raise TurnTimeout(
            f"waited {timeout:g} s for another writer of this process to finish with "
            f"{self.name or 'the database'} (thread {holder} still holds its turn)"
        )

    def release(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner != me:
                raise RuntimeError("release() by a thread whose turn it is not")
            self._depth -= 1
            if self._depth:
                return
            if self._waiting:
                # Hand the turn over, not just free it: a thread that comes along now
                # queues behind the one woken, however fast it is.
                self._owner, event = self._waiting.popleft()
                self._depth = 1
                event.set()
            else:
                self._owner = None

    @contextmanager
    def turn(self, timeout: float) -> Iterator[None]:
        self.acquire(timeout)
        try:
            yield
        finally:
            self.release()
