"""This process's writers of a SQLite file take turns first come, first served
(workbench.db.writers): in the order they asked, handed over at commit, reentrant, released
on an exception, and a stuck holder is a clear error after the timeout, never a hang."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Generator

import pytest
from sqlalchemy import Engine, func, select

from workbench.db import session as db_session
from workbench.db.models import ProjectSetting
from workbench.db.session import PG_WRITERS, unit_of_work, writer_queue
from workbench.db.writers import TurnTimeout, WriterQueue
from workbench.errors import DatabaseBusy

LONG = 5.0  # a timeout no passing test waits for


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the threads"
        time.sleep(0.001)


def test_waiters_get_their_turn_in_the_order_they_asked() -> None:
    queue = WriterQueue("test")
    order: list[int] = []

    def writer(i: int) -> None:
        with queue.turn(LONG):
            order.append(i)

    queue.acquire(LONG)
    threads = []
    for i in range(8):
        thread = threading.Thread(target=writer, args=(i,))
        thread.start()
        threads.append(thread)
        wait_until(_equals(lambda: queue.waiting, i + 1))  # each asks after the one before
    queue.release()
    for thread in threads:
        thread.join(LONG)
    assert order == list(range(8))


def test_the_turn_is_handed_over_not_taken_by_whoever_runs_first() -> None:
    """The releasing thread asking again at once queues behind the one it woke."""
    queue = WriterQueue("test")
    order: list[str] = []
    queue.acquire(LONG)

    def other() -> None:
        with queue.turn(LONG):
            order.append("other")

    waiter = threading.Thread(target=other)
    waiter.start()
    wait_until(lambda: queue.waiting == 1)
    queue.release()
    with queue.turn(LONG):
        order.append("me")
    waiter.join(LONG)
    assert order == ["other", "me"]


def test_with_slots_that_many_go_at_once_and_the_rest_in_order() -> None:
    queue = WriterQueue("test", slots=2)
    inside: list[int] = []
    order: list[int] = []
    let_go = [threading.Event() for _ in range(5)]

    def writer(i: int) -> None:
        with queue.turn(LONG):
            inside.append(i)
            order.append(i)
            let_go[i].wait(LONG)
            inside.remove(i)

    threads = []
    for i in range(5):
        thread = threading.Thread(target=writer, args=(i,))
        thread.start()
        threads.append(thread)
        if i < 2:
            wait_until(_equals(lambda: len(order), i + 1))
        else:
            wait_until(_equals(lambda: queue.waiting, i - 1))
    assert sorted(inside) == [0, 1] and queue.waiting == 3
    let_go[1].set()
    wait_until(lambda: order == [0, 1, 2])
    let_go[0].set()
    wait_until(lambda: order == [0, 1, 2, 3])
    assert sorted(inside) == [2, 3]
    for event in let_go:
        event.set()
    for thread in threads:
        thread.join(LONG)
    assert order == [0, 1, 2, 3, 4]


def test_a_stuck_holder_is_a_clear_error_after_the_timeout() -> None:
    queue = WriterQueue("bench.sqlite")
    caught: list[BaseException] = []

    def late() -> None:
        try:
            queue.acquire(0.05)
        except TurnTimeout as exc:
            caught.append(exc)

    queue.acquire(LONG)
    started = time.monotonic()
    thread = threading.Thread(target=late)
    thread.start()
    thread.join(LONG)
    assert time.monotonic() - started < 2
    assert len(caught) == 1 and "bench.sqlite" in str(caught[0]) and "0.05 s" in str(caught[0])
    assert queue.waiting == 0  # the one who gave up left the queue
    queue.release()
    got: list[bool] = []
    thread = threading.Thread(target=_takes_a_turn, args=(queue, got))
    thread.start()
    thread.join(LONG)
    assert got == [True]  # nobody holds it now: the next one gets it at once


def test_a_nested_turn_of_the_same_thread_does_not_wait_and_ends_with_the_outer() -> None:
    queue = WriterQueue("test")
    with queue.turn(LONG), queue.turn(LONG):  # would wait LONG and fail if not reentrant
        pass
    queue.acquire(LONG)
    queue.acquire(LONG)
    queue.release()
    refused: list[bool] = []

    def other() -> None:
        try:
            with queue.turn(0.05):
                refused.append(False)
        except TurnTimeout:
            refused.append(True)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(LONG)
    assert refused == [True]  # still held: one release of two
    queue.release()
    thread = threading.Thread(target=other)
    thread.start()
    thread.join(LONG)
    assert refused == [True, False]


def test_an_exception_in_the_block_releases_the_turn() -> None:
    queue = WriterQueue("test")
    with pytest.raises(ValueError), queue.turn(LONG):
        raise ValueError("boom")
    got: list[bool] = []
    thread = threading.Thread(target=_takes_a_turn, args=(queue, got))
    thread.start()
    thread.join(LONG)
    assert got == [True]
    with pytest.raises(RuntimeError):
        queue.release()  # not this thread's turn


def test_a_turn_closed_from_another_thread_is_still_given_back() -> None:
    queue = WriterQueue("test")

    def writer() -> Generator[int, None, None]:
        with queue.turn(LONG):
            yield 1

    open_turn = writer()
    next(open_turn)  # this thread holds the turn, inside the generator
    closer = threading.Thread(target=open_turn.close)
    closer.start()
    closer.join(LONG)
    got: list[bool] = []
    thread = threading.Thread(target=_takes_a_turn, args=(queue, got))
    thread.start()
    thread.join(LONG)
    assert got == [True]


@pytest.mark.backends("sqlite")
def test_a_waiting_writer_holds_no_connection_and_readers_do_not_wait(engine: Engine) -> None:
    queue = writer_queue(engine)
    assert queue is not None
    holding, done = threading.Event(), threading.Event()
    saved: list[int] = []

    def first() -> None:
        with unit_of_work(engine) as session:
            session.scalar(select(func.count(ProjectSetting.key)))
            holding.set()
            done.wait(LONG)

    def second() -> None:
        with unit_of_work(engine) as session:
            saved.append(session.scalar(select(func.count(ProjectSetting.key))) or 0)

    one = threading.Thread(target=first)
    one.start()
    assert holding.wait(LONG)
    checked_out = engine.pool.checkedout()  # type: ignore[attr-defined]
    two = threading.Thread(target=second)
    two.start()
    wait_until(lambda: queue.waiting == 1)
    assert engine.pool.checkedout() == checked_out  # type: ignore[attr-defined]
    with unit_of_work(engine, read_only=True) as session:  # a read does not queue
        session.scalar(select(func.count(ProjectSetting.key)))
    assert saved == []
    done.set()
    one.join(LONG)
    two.join(LONG)
    assert len(saved) == 1 and queue.waiting == 0


@pytest.mark.backends("sqlite")
def test_a_unit_of_work_that_waits_too_long_for_its_turn_is_database_busy(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_session, "BUSY_TIMEOUT_MS", 50)
    queue = writer_queue(engine)
    assert queue is not None
    caught: list[BaseException] = []

    def late() -> None:
        try:
            with unit_of_work(engine):
                pass
        except DatabaseBusy as exc:
            caught.append(exc)

    with queue.turn(LONG):  # a writer of this process that does not finish
        thread = threading.Thread(target=late)
        thread.start()
        thread.join(LONG)
    assert len(caught) == 1 and "another writer of this process" in str(caught[0])
    with unit_of_work(engine):  # and the queue works again once it has
        pass


@pytest.mark.backends("postgresql")
def test_postgresql_writers_queue_a_few_at_a_time_and_readers_not_at_all(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = writer_queue(engine)
    assert queue is not None and queue.slots == PG_WRITERS > 1
    monkeypatch.setattr(db_session, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(queue, "slots", 0)  # every slot taken
    outcome: list[str] = []

    def unit(read_only: bool) -> None:
        try:
            with unit_of_work(engine, read_only=read_only) as session:
                session.scalar(select(func.count(ProjectSetting.key)))
            outcome.append("done")
        except DatabaseBusy:
            outcome.append("busy")

    for read_only in (True, False):
        thread = threading.Thread(target=unit, args=(read_only,))
        thread.start()
        thread.join(LONG)
    assert outcome == ["done", "busy"]


def _equals(read: Callable[[], int], expected: int) -> Callable[[], bool]:
    return lambda: read() == expected


def _takes_a_turn(queue: WriterQueue, got: list[bool]) -> None:
    """Take a turn within 0.05 s and keep it (a timeout raises, leaving ``got`` as it was)."""
    queue.acquire(0.05)
    got.append(True)
