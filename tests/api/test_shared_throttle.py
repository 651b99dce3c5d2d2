"""The bad-token throttle is shared through the database: two `workbench api` processes on one
database (as behind a proxy) pause a client after ten bad tokens in all, not ten each; a good
token costs the throttle nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select

from tests.api.conftest import api_server, assert_error, auth, build_world
from workbench.api import deps
from workbench.api.factory import create_api
from workbench.auth.throttle import CLIENT_FREE_FAILURES
from workbench.db.api_tables import ApiClientFailure
from workbench.db.session import unit_of_work


@pytest.fixture
def two_apps(engine: Engine) -> Iterator[tuple[TestClient, TestClient]]:
    apps = (create_api(), create_api())
    for app in apps:
        app.dependency_overrides[deps.engine] = lambda: engine
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        yield first, second


def test_bad_tokens_spread_over_two_processes_are_throttled_as_one(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    world = build_world(engine)
    bad = auth("wbt_guess")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with api_server(db_url, tmp_path / "a") as one, api_server(db_url, tmp_path / "b") as two:
        statuses = [
            httpx.get(f"{one if n % 2 else two}/me", headers=bad).status_code
            for n in range(CLIENT_FREE_FAILURES)
        ]
        assert statuses == [401] * CLIENT_FREE_FAILURES
        # The eleventh, on either process: paused, with how long to wait.
        for api in (one, two):
            slowed = httpx.get(f"{api}/me", headers=bad)
            assert_error(slowed, 429, "too_many_requests")
            assert int(slowed.headers["Retry-After"]) >= 1
            # ...and a good token from that client too, now that this process knows.
            assert_error(httpx.get(f"{api}/me", headers=auth(world.tokens["rae"])), 429)
    with unit_of_work(engine) as session:
        row = session.scalars(select(ApiClientFailure)).one()
        assert row.failures == CLIENT_FREE_FAILURES and row.paused_until is not None


@pytest.mark.backends("sqlite")
def test_a_good_token_costs_the_throttle_nothing(
    engine: Engine, two_apps: tuple[TestClient, TestClient]
) -> None:
    world = build_world(engine)
    first, _ = two_apps
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", seen)
    assert first.get("/api/v1/me", headers=auth(world.tokens["rae"])).status_code == 200
    assert statements and not any("api_client_failures" in s for s in statements)
    refused = first.get("/api/v1/me", headers=auth("wbt_nope"))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert any("api_client_failures" in s for s in statements)
