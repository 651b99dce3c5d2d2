"""`workbench api` runs at most ``ROUTE_THREADS`` requests at once per process: anyio's
default of 40 threads cost a quarter more server CPU per save under 50 clients, and on
PostgreSQL more connections than the pool keeps, each opened and closed again."""

from __future__ import annotations

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from workbench.api import main
from workbench.config import env_name
from workbench.db.session import POOL_SIZE


async def _thread_tokens() -> float:
    return anyio.to_thread.current_default_thread_limiter().total_tokens


@pytest.mark.backends("sqlite")
def test_the_api_runs_a_bounded_number_of_routes_at_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(env_name("database_url"), db_url)
    monkeypatch.setenv(env_name("api_webhooks"), "false")
    with TestClient(main.app) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert client.portal is not None
        assert client.portal.call(_thread_tokens) == main.ROUTE_THREADS
    # Fewer than the connections a PostgreSQL engine keeps open (and the webhook worker's).
    assert main.ROUTE_THREADS < POOL_SIZE
