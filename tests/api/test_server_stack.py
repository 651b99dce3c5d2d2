"""`workbench api` serves on uvicorn's C HTTP parser (httptools) and event loop (uvloop).

uvicorn picks them only when they are installed, and silently falls back to the pure-Python
h11 parser and asyncio's loop, ~0.4 ms more CPU per save (bench/api.py): the dependencies
being dropped, or the command forcing ``http=``/``loop=``, would pass every other test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.api.conftest import wait_for
from tests.live_server import free_port, stop


@pytest.mark.backends("sqlite")
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/<pid>/maps")
def test_the_api_process_runs_httptools_and_uvloop(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "api.log"
    command = [sys.executable, "-c", "from workbench.cli import app; app()", "api"]
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--db", db_url, "--port", str(port), "--no-webhooks"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
            start_new_session=True,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v1/health", process, log)
        # The extension modules the serving process has loaded (one process: no --workers).
        loaded = Path(f"/proc/{process.pid}/maps").read_text()
    finally:
        stop(process)
    assert "/httptools/" in loaded, "uvicorn serves with h11: is httptools installed?"
    assert "/uvloop/" in loaded, "uvicorn runs asyncio's loop: is uvloop installed?"
