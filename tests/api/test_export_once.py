"""``GET /export/manifest`` reads the export once: one pass over the claims into the hash, and
the project and the filters' checks read once each (they were read three times)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from tests.api.conftest import auth, build_world


@pytest.mark.backends("sqlite")
def test_the_manifest_runs_the_export_once(engine: Engine, client: TestClient) -> None:
    world = build_world(engine)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", seen)
    params = {"project": "health", "format": "csv", "verdict": "disputed"}
    headers = auth(world.tokens["ada"])
    manifest = client.get("/api/v1/export/manifest", params=params, headers=headers)
    assert manifest.status_code == 200, manifest.text
    reads = [s for s in statements if s.startswith("SELECT")]
    assert sum(" FROM claims" in s for s in reads) == 1, reads  # the export: one pass
    assert sum(s.startswith("SELECT projects.") for s in reads) == 1, reads
    statements.clear()
    data = client.get("/api/v1/export", params=params, headers=headers)
    assert data.status_code == 200
    assert sum(" FROM claims" in s for s in statements) == 1
    body = manifest.json()
    assert body["sha256"] == hashlib.sha256(data.content).hexdigest()
    assert body["bytes"] == len(data.content)
