"""Processes the `workbench` command starts end when it does, however it is stopped.

Real commands, real signals: `workbench serve` stopped with SIGTERM or SIGINT must take
Streamlit down with it (it used to keep serving the data on the port), and the extraction
workers of a `workbench ingest` killed with SIGKILL must exit (they used to wait forever,
holding the database open).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.backends("sqlite"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

WORKBENCH = str(Path(sys.executable).parent / "workbench")
STARTUP_SECONDS = 60
GONE_SECONDS = 5  # what "workers exit when their parent dies" may take (the watcher polls 1/s)


def _children(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (zombies, which hold nothing, left out)."""
    parents: dict[int, int] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z":
                parents[int(stat_file.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                alive.add(pid)
    return alive


def _wait_gone(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while (left := _alive(pids)) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling a bounded check
    return left


def _kill_all(pids: set[int]) -> None:
    for pid in _alive(pids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _init(url: str) -> None:
    subprocess.run([WORKBENCH, "init", "--db", url], check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return bool(r.read().decode().strip() == "ok")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """`workbench serve` on a free port, answering /_stcore/health; killed whatever happens."""
    _init(db_url)
    port = _free_port()
    log = tmp_path / "serve.log"
    env = os.environ | {"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [WORKBENCH, "serve", "--db", db_url, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    children: set[int] = set()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, f"no health answer:\n{log.read_text()}"
            time.sleep(0.2)  # polling interval of a bounded health check
        children = _children(process.pid)
        assert children, "workbench serve started no Streamlit process"
        yield process, port, log
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(timeout=10)
        _kill_all(children)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_serve_stops_streamlit(
    served: tuple[subprocess.Popen[bytes], int, Path], signum: int
) -> None:
    process, port, log = served
    children = _children(process.pid)
    process.send_signal(signum)  # to the workbench process alone, as `kill PID` does
    process.wait(timeout=20)
    assert not _wait_gone(children, GONE_SECONDS), log.read_text()
    assert not _answers(port)


def test_killing_serve_outright_stops_streamlit(
    served: tuple[subprocess.Popen[bytes], int, Path],
) -> None:
    process, port, log = served
    children = _children(process.pid)
    process.kill()  # SIGKILL: no handler runs; the parent death signal does the work
    process.wait(timeout=10)
    assert not _wait_gone(children, GONE_SECONDS), log.read_text()
    assert not _answers(port)


def test_ingest_workers_exit_when_ingest_is_killed(
    db_url: str, sample_dir: Path, tmp_path: Path
) -> None:
    # Enough distinct articles that the workers are still busy when the parent is killed.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    samples = sorted(sample_dir.glob("*.txt"))
    for i in range(400):
        text = samples[i % len(samples)].read_text(encoding="utf-8")
        (corpus / f"{i:04}.txt").write_text(f"{text}\n\nEdition {i}.\n", encoding="utf-8")
    _init(db_url)
    process = subprocess.Popen(
        [WORKBENCH, "ingest", str(corpus), "--db", db_url, "--workers", "2", "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(workers := _children(process.pid)) < 2:
            assert process.poll() is None, "ingest ended before its workers were seen"
            assert time.monotonic() < deadline, "no worker processes appeared"
            time.sleep(0.02)  # polling a bounded check
        process.kill()
        process.wait(timeout=10)
        assert not _wait_gone(workers, GONE_SECONDS)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait(timeout=10)
        _kill_all(workers)


def test_a_child_asking_to_exit_with_its_parent_does(tmp_path: Path) -> None:
    # The portable watcher alone (no death signal): a grandchild whose parent dies exits.
    script = (
        "import os, sys, time\n"
        "from workbench import process\n"
        "process.set_parent_death_signal = lambda *a: False\n"  # the fallback, as off Linux
        "me = os.getpid()\n"  # taken before the fork, as the pool's initargs are
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    process.exit_with_parent(me, interval=0.1)\n"
        "    time.sleep(60)\n"
        "    os._exit(0)\n"
        "print(pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    try:
        assert _alive({child})
        parent.kill()
        parent.wait(timeout=10)
        assert not _wait_gone({child}, GONE_SECONDS)
    finally:
        _kill_all({child})
