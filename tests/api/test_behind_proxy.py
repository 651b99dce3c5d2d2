"""`workbench api` behind a reverse proxy (docs/deploy.md): the bad-token throttle keys on the
client's address, which only a proxy named by ``--forwarded-allow-ips`` may tell; anyone
else's X-Forwarded-For is ignored."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.api.conftest import api_server, auth, build_world

GUESSER = {"X-Forwarded-For": "203.0.113.5"}
NEIGHBOUR = {"X-Forwarded-For": "203.0.113.6"}


def guess_until_paused(api: str) -> None:
    statuses = [
        httpx.get(f"{api}/me", headers=auth("wbt_guess") | GUESSER).status_code for _ in range(12)
    ]
    assert statuses[-1] == 429, statuses


@pytest.mark.backends("sqlite")
def test_a_trusted_proxy_names_the_client_so_one_guesser_pauses_alone(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    with api_server(db_url, tmp_path, "--forwarded-allow-ips", "127.0.0.1") as api:
        guess_until_paused(api)
        # Another client behind the same proxy is not paused with the guesser...
        mine = httpx.get(f"{api}/me", headers=auth(w.tokens["rae"]) | NEIGHBOUR)
        assert mine.status_code == 200, mine.text
        # ...and the guesser is, whatever token it sends now.
        theirs = httpx.get(f"{api}/me", headers=auth(w.tokens["rae"]) | GUESSER)
        assert theirs.status_code == 429


@pytest.mark.backends("sqlite")
def test_without_a_trusted_proxy_forwarded_for_is_ignored(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    with api_server(db_url, tmp_path) as api:
        guess_until_paused(api)
        # The header chose nothing: the pause is the socket's address, whatever it claims.
        other = httpx.get(f"{api}/me", headers=auth(w.tokens["rae"]) | NEIGHBOUR)
        assert other.status_code == 429
