"""A real `workbench api` on a free port, and a world of two projects to ask it about.

As tests/live_server.py does for Streamlit: the server runs in a process group of its own,
and ``/api/v1/health`` is polled until it answers before anything is asked of it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.live_server import free_port, stop
from workbench.api import deps
from workbench.api.factory import create_api
from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.auth.tokens import create_token
from workbench.db.models import Claim, Document, Project
from workbench.db.session import unit_of_work
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant
from workbench.projects.service import add_project
from workbench.schemas import DocumentIn, Role

STARTUP_SECONDS = 60
TEXT = (
    "Harbour report\n\n"
    "The ministry said 4,000 people were evacuated from the harbour district on Monday. "
    "Officials said 12 bridges closed in 2023 after the storm, according to the city council.\n"
)


@contextlib.contextmanager
def api_server(db_url: str, log_dir: Path, *extra: str) -> Iterator[str]:
    """`workbench api --db db_url` until the block ends; yields its base URL (…/api/v1)."""
    port = free_port()
    log = log_dir / "api.log"
    command = [sys.executable, "-c", "from workbench.cli import app; app()", "api"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--db", db_url, "--port", str(port), *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/api/v1/health", process, log)
        yield f"{base}/api/v1"
    finally:
        stop(process)


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)  # polling interval of a bounded health check, not a wait for state
    pytest.fail(f"{url} did not answer in {STARTUP_SECONDS}s:\n{log.read_text()}")


@dataclass(frozen=True)
class World:
    engine: Engine
    projects: dict[str, int]
    claims: dict[str, list[int]]  # per project, in reading order
    tokens: dict[str, str]  # per account: a token's secret


def build_world(engine: Engine) -> World:
    """Two desks, each with one document of two claims. rae reviews health; vic views
    health; eli reviews election; ada is admin of health; boss is a site admin."""
    projects: dict[str, int] = {}
    claims: dict[str, list[int]] = {}
    for name in ("health", "election"):
        add_project(engine, SYSTEM, name)
        document = DocumentIn(text=TEXT, title=f"{name} report", source=f"{name}.txt")
        ingest_documents(engine, [document], default_extractor(), project=name)
        with unit_of_work(engine) as session:
            project_id = session.scalar(select(Project.id).where(Project.name == name))
            assert project_id is not None
            projects[name] = project_id
            claims[name] = list(
                session.scalars(
                    select(Claim.id)
                    .join(Document)
                    .where(Document.project_id == project_id)
                    .order_by(Claim.char_start)
                )
            )
    for name, role in (("rae", Role.reviewer), ("vic", Role.reviewer), ("eli", Role.reviewer)):
        accounts.add_user(engine, SYSTEM, name, role)
    accounts.add_user(engine, SYSTEM, "ada", Role.reviewer)
    accounts.add_user(engine, SYSTEM, "boss", Role.admin)
    grant(engine, SYSTEM, "rae", "health", Role.reviewer)
    grant(engine, SYSTEM, "vic", "health", Role.viewer)
    grant(engine, SYSTEM, "eli", "election", Role.reviewer)
    grant(engine, SYSTEM, "ada", "health", Role.admin)
    tokens = {
        name: create_token(engine, SYSTEM, name, "tests").secret
        for name in ("rae", "vic", "eli", "ada", "boss")
    }
    return World(engine, projects, claims, tokens)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body["error"]) == {"code", "message", "field"}, body
    if code is not None:
        assert body["error"]["code"] == code, body
    result: dict[str, Any] = body
    return result


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    """The API in process (no server), on the test's database."""
    app = create_api()
    app.dependency_overrides[deps.engine] = lambda: engine
    with TestClient(app) as test_client:
        yield test_client
