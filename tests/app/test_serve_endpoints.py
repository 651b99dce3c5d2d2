"""What a real `workbench serve` answers to someone who has not signed in.

Streamlit serves a few HTTP routes beside the app's page and its WebSocket; none of them goes
through the app's sign-in. This starts the real command on a free port (a team-mode database,
so there is something to hide) and asks each route what a stranger would.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import serving
from workbench.app.server import hidden
from workbench.auth.policy import SYSTEM

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> Answer:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.read().decode(errors="replace"))
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read().decode(errors="replace"))


@pytest.fixture
def served(db_url: str, tmp_path: Path) -> Iterator[str]:
    """`workbench serve` against a team-mode database: an admin named Ada-Admin-7f3."""
    from workbench.auth.accounts import add_user
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.schemas import Role

    add_user(open_database(db_url), SYSTEM, "Ada-Admin-7f3", Role.admin, PASSWORD)
    dispose_all()
    with serving(db_url, tmp_path, cwd=tmp_path) as base:
        # The app's page itself, fetched once, as a browser's first request would be.
        assert fetch(base).status == 200
        yield base


@pytest.mark.backends("sqlite")  # a property of the server's routes, not of the database
def test_routes_without_a_session_say_nothing_about_the_app(served: str) -> None:
    # Metrics: sessions, page script runs (which admin pages are in use), cache sizes.
    for path in ("/_stcore/metrics", "/_stcore/metrics/", "//_stcore//metrics"):
        for accept in ("text/plain", "application/x-protobuf"):
            answer = fetch(served + path, headers={"Accept": accept})
            assert answer.status == 404, path
            assert "# TYPE" not in answer.body and "session" not in answer.body
    # Health answers (proxies and the browser tests rely on it) with nothing but "ok".
    assert fetch(served + "/_stcore/health") == Answer(200, "ok")
    # Client settings, the same for every Streamlit app: nothing of this one's data.
    host_config = fetch(served + "/_stcore/host-config")
    assert host_config.status == 200
    assert "Ada-Admin-7f3" not in host_config.body and "sqlite" not in host_config.body
    # Uploads need a live session's id and its XSRF cookie.
    assert fetch(served + "/_stcore/upload_file/some-session/some-file", "PUT").status == 403
    # The agent API (an experimental way to drive the app over HTTP) stays off.
    assert fetch(served + "/_stcore/agent/interact", "POST").status == 403
    # Media and component files are looked up by name; there are none to find.
    assert fetch(served + "/media/0123456789abcdef.png").status == 404
    assert fetch(served + "/component/anything/index.html").status == 404


@pytest.mark.parametrize(
    ("path", "is_hidden"),
    [
        ("/_stcore/metrics", True),
        ("/_stcore/metrics/", True),
        ("/team/_stcore/metrics", True),  # under server.baseUrlPath
        ("//_stcore///metrics", True),
        ("/_stcore/health", False),
        ("/_stcore/metrics-like", False),
        ("/", False),
    ],
)
def test_the_hidden_endpoints(path: str, is_hidden: bool) -> None:
    assert hidden(path) is is_hidden
