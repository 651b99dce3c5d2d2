"""A real `workbench serve` on a free port, for the tests that talk to it over HTTP.

Uses Streamlit's own e2e waits: `/_stcore/health` answers `ok` before anything is asked of
the app; no sleeps that hope. The server runs in a process group of its own, so stopping it
reaches the Streamlit process it starts.
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

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`workbench serve` exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling interval of a bounded health check, not a wait for state
    pytest.fail(f"the app did not answer /_stcore/health in {STARTUP_SECONDS}s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and the streamlit process it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # a child may outlive its parent briefly
        os.killpg(process.pid, signal.SIGKILL)


@contextlib.contextmanager
def serving(
    db_url: str,
    log_dir: Path,
    cwd: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    port: int | None = None,
    base_path: str = "",
    args: tuple[str, ...] = (),
) -> Iterator[str]:
    """`workbench serve --db db_url` until the block ends; yields its base URL.

    Its output goes to ``log_dir/serve.log``, shown when it fails to start. ``env``: more
    variables for the server (settings); ``port``: a port chosen beforehand (a free one if
    None), for settings that must name the address before the server starts; ``base_path``:
    Streamlit's ``server.baseUrlPath`` (``team``: the app at ``/team/``, in the URL yielded);
    ``args``: more options for `workbench serve` (``--api``).
    """
    port = port or free_port()
    base = f"http://127.0.0.1:{port}" + (f"/{base_path.strip('/')}" if base_path else "")
    if base_path:
        # What a team sets in .streamlit/config.toml or the environment (serve passes it on).
        env = (env or {}) | {"STREAMLIT_SERVER_BASE_URL_PATH": base_path}
    log = log_dir / "serve.log"
    command = [str(Path(sys.executable).parent / "workbench"), "serve", "--db", db_url]
    env = (
        os.environ
        | {
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        }
        | (env or {})
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            cwd=cwd,
        )
    try:
        wait_until_healthy(base, process, log)
        yield base
    finally:
        stop(process)
