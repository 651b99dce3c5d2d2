"""`workbench serve`, and the process and signal handling of the commands that need it.

Streamlit runs as a child in a process group of its own, and every way of stopping this
process (SIGTERM, SIGINT, SIGHUP, SIGKILL through the parent-death signal) takes the whole
group down: before, a SIGTERM left Streamlit serving the data on the port. `export` and
`import` use ``terminate_cleanly`` so that a SIGTERM unwinds them like Ctrl+C does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from workbench.cli.common import (
    DbOption,
    HostOption,
    PortOption,
    echo,
    open_named,
    settings_for,
    user_errors,
)
from workbench.process import set_parent_death_signal
from workbench.review.rescore import BackgroundRescorer

GRACE = 10.0  # seconds Streamlit has to stop before its group is killed


def serve(
    db: DbOption = None,
    port: PortOption = 8501,
    host: HostOption = "127.0.0.1",
    api: Annotated[
        bool,
        typer.Option("--api", help="Serve the HTTP API too, under /api (one server for a team)."),
    ] = False,
) -> None:
    """Open the review app in the browser (Streamlit)."""
    settings = settings_for(db)
    with user_errors():
        engine = open_named(settings.database_url)
    raise typer.Exit(code=run_streamlit(settings.database_url, port, host, engine, api=api))


def run_streamlit(
    database_url: str, port: int, host: str, engine: Engine | None = None, *, api: bool = False
) -> int:
    """Run Streamlit until it ends or this process is told to stop, then stop all of it.

    Streamlit runs in a process group of its own, so stopping it reaches whatever it starts
    too. A SIGTERM, SIGINT (Ctrl+C) or SIGHUP to this process is passed on to that group:
    before, this process died of a SIGTERM at once and left Streamlit serving the data on the
    port. If Streamlit has not ended within GRACE seconds the group is killed.

    With ``engine``, this process re-scores claims in the background meanwhile
    (workbench.review.rescore): here rather than in Streamlit's process, so the transformer
    never competes with a page for Streamlit's interpreter.
    """
    # server.py serves Home.py as an st.App that answers /_stcore/metrics with 404: the
    # metrics need no sign-in and show which pages are used (docs/security.md).
    # With ``api``: workbench/site/server.py, the same app with the HTTP API mounted under /api.
    package = Path(__file__).parents[1]
    app_module = package / "site" / "server.py" if api else package / "app" / "server.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_module),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # Off whatever a .streamlit/config.toml in the working directory says: routes that
        # would answer without the app's sign-in.
        "--server.enableAgentApi",
        "false",
        "--server.enableStaticServing",
        "false",
        # Reviewers are users, not the app's developers: no Deploy button, no Rerun or Clear
        # cache in the menu ("auto" shows them to anyone who opens it as localhost).
        "--client.toolbarMode",
        "viewer",
    ]
    env = os.environ | {"WORKBENCH_DATABASE_URL": database_url}
    echo(f"review app: http://{host}:{port}  (Ctrl+C to stop)")
    if api:
        echo(f"API: http://{host}:{port}/api/v1/  docs: http://{host}:{port}/api/docs")
    # preexec_fn runs between fork and exec, which is unsafe while other threads may hold
    # locks; with this process single-threaded it is not, and a SIGKILL of this process then
    # ends Streamlit too (the death signal survives exec; see workbench/process.py).
    single = threading.active_count() == 1
    process = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        preexec_fn=set_parent_death_signal if single else None,
    )
    # Started after the fork above (which wants this process single-threaded).
    rescorer = BackgroundRescorer(engine).start() if engine is not None else None
    stopping: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        stopping.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)

    signals = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
    previous = {signum: signal.signal(signum, forward) for signum in signals}
    try:
        try:
            code = process.wait(timeout=None)
        except BaseException:
            stop_group(process.pid, signal.SIGTERM)
            raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        stop_group(process.pid, signal.SIGTERM)
        if rescorer is not None:
            rescorer.stop()
    if stopping:  # stopped on request: the usual status of a process ended by that signal
        return 0 if stopping[0] == signal.SIGINT else 128 + stopping[0]
    return code if code >= 0 else 128 - code


def stop_group(pgid: int, signum: int) -> None:
    """Signal every process left in the group ``pgid``; kill them if they outstay GRACE."""
    deadline = time.monotonic() + GRACE
    try:
        os.killpg(pgid, signum)
        while time.monotonic() < deadline:
            os.killpg(pgid, 0)  # raises ProcessLookupError once the group is empty
            time.sleep(0.05)
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return


@contextmanager
def terminate_cleanly() -> Iterator[None]:
    """Let a SIGTERM end an export or a restore like Ctrl-C does: its temporary file removed,
    exit 143."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
