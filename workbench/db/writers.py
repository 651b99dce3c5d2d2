"""First come, first served among one process's write transactions on a database.

SQLite has one write lock per file, and a transaction that wants it (BEGIN IMMEDIATE, see
``session._sqlite_begin``) polls for it every 2 ms. Polling is not fair: with 20 reviewer
threads of one app saving back to back, the lock went to whichever waiter happened to try
just after a commit, so most saves waited a few transactions and a few waited fifty (stress
save p50 11 ms, p95 170 ms: BENCHMARKS.md "Stress at 20 reviewers"). The 19 pollers also
woke 500 times a second each, taking the GIL from the thread that held the lock.

A :class:`WriterQueue` lets ``slots`` transactions go at once (1 for a SQLite file) and puts
the others in the order they asked: a thread waits on an event of its own (no polling, no
GIL) and is handed its turn by one that has committed or rolled back and given its
connection back. The turn is taken before a connection is checked out of the pool, so a
waiting thread holds none. Writers of other processes (an import from the CLI) are not in
it: on SQLite the head of the queue still polls for the lock against them, as before.

On PostgreSQL, where transactions do run side by side, the same queue with a few slots
keeps 20 threads from all being in flight at once: they and their server backends fought
over the machine's cores, and the GIL went to whichever thread asked, not the one waiting
longest (``session.PG_WRITERS``).

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
    """Reentrant, first-in-first-out turns for this process's writers of one database,
    ``slots`` of them at a time."""

    def __init__(self, name: str = "", slots: int = 1) -> None:
        self.name = name
        self.slots = slots
        self._mutex = threading.Lock()
        self._waiting: deque[tuple[int, threading.Event]] = deque()
        self._owners: dict[int, int] = {}  # thread ident -> depth, of those whose turn it is

    @property
    def waiting(self) -> int:
        """How many threads are waiting for their turn (for tests and figures)."""
        with self._mutex:
            return len(self._waiting)

    def acquire(self, timeout: float) -> None:
        me = threading.get_ident()
        with self._mutex:
            if me in self._owners:
                self._owners[me] += 1
                return
            if len(self._owners) < self.slots:  # nobody waits while a slot is free
                self._owners[me] = 1
                return
            ticket = (me, threading.Event())
            self._waiting.append(ticket)
        if ticket[1].wait(timeout):
            return  # release() made us the owner before setting the event
        with self._mutex:
            if ticket[1].is_set():  # handed over between the timeout and the mutex
                return
            self._waiting.remove(ticket)
            holders = ", ".join(map(str, self._owners))
        raise TurnTimeout(
            f"waited {timeout:g} s for another writer of this process to finish with "
            f"{self.name or 'the database'} (still held by thread {holders})"
        )

    def release(self) -> None:
        self._release(threading.get_ident())

    def _release(self, me: int) -> None:
        with self._mutex:
            depth = self._owners.get(me)
            if depth is None:
                raise RuntimeError("release() by a thread whose turn it is not")
            if depth > 1:
                self._owners[me] = depth - 1
                return
            del self._owners[me]
            if self._waiting:
                # Hand the turn over, not just free it: a thread that comes along now
                # queues behind the one woken, however fast it is.
                ident, event = self._waiting.popleft()
                self._owners[ident] = 1
                event.set()

    @contextmanager
    def turn(self, timeout: float) -> Iterator[None]:
        # Released for the thread that took it, even if the block is closed from another
        # (a generator finalised by the garbage collector): a turn must never stay taken.
        me = threading.get_ident()
        self.acquire(timeout)
        try:
            yield
        finally:
            self._release(me)
