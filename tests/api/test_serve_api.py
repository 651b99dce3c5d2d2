"""`workbench serve --api`: the HTTP API answers in the review app's own (Streamlit) process,
at the same paths as under `workbench api`, beside the app."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.api.conftest import api_server, assert_error, auth, build_world
from tests.live_server import serving


@pytest.mark.backends("sqlite")
def test_serve_api_mounts_the_api_in_the_streamlit_process(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    with serving(db_url, tmp_path, args=("--api",)) as base:
        health = httpx.get(f"{base}/api/v1/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert httpx.get(f"{base}/_stcore/health").text.strip() == "ok"  # the app, beside it
        projects = httpx.get(f"{base}/api/v1/projects", headers=auth(w.tokens["rae"]))
        assert [p["name"] for p in projects.json()] == ["health"]
        assert_error(httpx.get(f"{base}/api/v1/claims"), 401, "unauthorized")
        assert "/v1/claims" in httpx.get(f"{base}/api/openapi.json").json()["paths"]
        assert "/api/openapi.json" in httpx.get(f"{base}/api/docs").text
    # Without --api the app serves no API (Streamlit answers any other path with its page).
    with serving(db_url, tmp_path) as base:
        answer = httpx.get(f"{base}/api/v1/health")
        assert "json" not in answer.headers.get("content-type", "")


@pytest.mark.backends("sqlite")
def test_workers_each_answer_with_the_same_database(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    with api_server(db_url, tmp_path, "--workers", "2") as api:
        for _ in range(6):  # a new connection each: spread over both workers
            got = httpx.get(f"{api}/projects", headers=auth(w.tokens["eli"]))
            assert [p["name"] for p in got.json()] == ["election"]
