"""The sign-in cookie's routes over real `workbench serve` processes: the ticket trade, the
cookie's flags, open redirects refused, logout, two processes sharing one database, and the
address a single sign-on keeps across the provider's round trip."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from urllib.parse import quote, urlsplit

import pytest

from tests.live_server import free_port, serving
from workbench.app.paths import under_base
from workbench.app.session_routes import COOKIE, NEXT_COOKIE, NEXT_MAX_AGE, safe_next
from workbench.app.sso import return_to
from workbench.auth import sessions
from workbench.auth.policy import SYSTEM
from workbench.schemas import Actor

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Message
    body: str

    @property
    def cookies(self) -> list[str]:
        return self.headers.get_all("set-cookie") or []


def request(base: str, method: str, path: str, headers: dict[str, str] | None = None) -> Reply:
    """One request, redirects not followed (their Location is what is checked)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, response.msg, response.read().decode(errors="replace"))
    finally:
        connection.close()


@dataclass(frozen=True)
class Served:
    one: str
    two: str
    db_url: str
    rui: Actor


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Two `workbench serve` processes on one SQLite file, in team mode (the routes are the
    same on PostgreSQL; the service tests run on both)."""
    from workbench.auth.accounts import add_user
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all
    from workbench.schemas import Role

    tmp = tmp_path_factory.mktemp("routes")
    db_url = f"sqlite:///{tmp / 'workbench.sqlite'}"
    user = add_user(open_database(db_url), SYSTEM, "Rui", Role.reviewer, PASSWORD)
    dispose_all()
    (tmp / "one").mkdir()
    (tmp / "two").mkdir()
    with serving(db_url, tmp / "one") as one, serving(db_url, tmp / "two") as two:
        yield Served(one, two, db_url, Actor(id=user.id, name=user.name, role=user.role))
    dispose_all()


def ticket_for(served: Served) -> str:
    from workbench.db.open import open_database

    return sessions.start(open_database(served.db_url), served.rui).ticket


def sign_in(served: Served, base: str, next_path: str = "/review?claim=5") -> Reply:
    path = f"/_wb/session?ticket={quote(ticket_for(served))}&next={quote(next_path)}"
    return request(base, "GET", path)


def token_of(reply: Reply) -> str:
    cookie = next(c for c in reply.cookies if c.startswith(f"{COOKIE}="))
    return cookie.split(";", 1)[0].split("=", 1)[1]


def test_a_ticket_sets_the_cookie_and_goes_back_to_the_page(served: Served) -> None:
    reply = sign_in(served, served.one)
    assert reply.status == 303
    assert reply.headers["location"] == "/review?claim=5"
    assert reply.headers["cache-control"] == "no-store"
    [cookie] = reply.cookies
    flags = [part.strip().lower() for part in cookie.split(";")[1:]]
    assert "httponly" in flags
    assert "samesite=strict" in flags
    assert "path=/" in flags
    assert f"max-age={7 * 24 * 3600}" in flags
    assert "secure" not in flags  # plain http


def test_the_apps_own_fetch_gets_the_cookie_and_no_redirect(served: Served) -> None:
    reply = request(served.one, "GET", f"/_wb/session?ticket={quote(ticket_for(served))}")
    assert reply.status == 204
    assert "location" not in reply.headers
    assert "httponly" in reply.cookies[0].lower()


def test_the_cookie_is_secure_behind_an_https_proxy(served: Served) -> None:
    # uvicorn believes X-Forwarded-Proto from 127.0.0.1 only: a proxy on this machine.
    path = f"/_wb/session?ticket={quote(ticket_for(served))}&next=/"
    reply = request(served.one, "GET", path, {"X-Forwarded-Proto": "https"})
    assert reply.status == 303
    assert "secure" in [p.strip().lower() for p in reply.cookies[0].split(";")]


def test_a_ticket_cannot_be_used_twice(served: Served) -> None:
    ticket = ticket_for(served)
    first = request(served.one, "GET", f"/_wb/session?ticket={quote(ticket)}&next=/")
    assert first.status == 303 and first.cookies
    # Again, on the other process too: the ticket is spent in the database.
    for base in (served.one, served.two):
        again = request(base, "GET", f"/_wb/session?ticket={quote(ticket)}&next=/")
        assert again.status == 400
        assert not again.cookies
        assert "used or has expired" in again.body


@pytest.mark.parametrize("ticket", ["", "garbage", "x" * 5000])
def test_a_forged_ticket_sets_no_cookie(served: Served, ticket: str) -> None:
    reply = request(served.one, "GET", f"/_wb/session?ticket={quote(ticket)}&next=/")
    assert reply.status == 400 and not reply.cookies


HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/review",
    "/\\evil.example",
    "\\\\evil.example",
    "/review\\..\\\\evil.example",
    "javascript:alert(1)",
    "http:/evil.example",
    "review",
    "/review\r\nSet-Cookie: x=1",
]


@pytest.mark.parametrize("next_path", HOSTILE_NEXT)
def test_next_leaves_the_site_never(served: Served, next_path: str) -> None:
    reply = sign_in(served, served.one, next_path)
    assert reply.status == 303
    assert reply.headers["location"] == "/"


def test_next_keeps_a_path_and_query_of_the_site() -> None:
    assert safe_next("/adjudication?claim=12") == "/adjudication?claim=12"
    assert safe_next("/") == "/"
    assert safe_next(None) == "/"


def test_a_session_made_on_one_process_is_ended_on_the_other(served: Served) -> None:
    from workbench.db.open import open_database

    engine = open_database(served.db_url)
    token = token_of(sign_in(served, served.one))
    assert sessions.resume(engine, token).actor == served.rui
    cookie = {"Cookie": f"{COOKIE}={token}"}
    # A page elsewhere cannot sign anyone out.
    for hostile in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {}):
        refused = request(served.two, "POST", "/_wb/logout", cookie | hostile)
        assert refused.status == 403
    assert sessions.resume(engine, token).actor == served.rui
    host = urlsplit(served.two).netloc
    reply = request(
        served.two, "POST", "/_wb/logout", cookie | {"Origin": f"http://{host}", "Host": host}
    )
    assert reply.status == 204
    [cleared] = reply.cookies
    assert cleared.startswith(f'{COOKIE}=""') or cleared.startswith(f"{COOKIE}=;")
    assert "max-age=0" in cleared.lower()
    assert sessions.resume(engine, token).actor is None


def test_a_get_of_the_logout_address_signs_no_one_out(served: Served) -> None:
    # A link or an image elsewhere could make a GET: only a POST from our pages logs out.
    from workbench.db.open import open_database

    token = token_of(sign_in(served, served.one))
    reply = request(served.one, "GET", "/_wb/logout", {"Cookie": f"{COOKIE}={token}"})
    assert not [c for c in reply.cookies if c.startswith(COOKIE)]
    assert sessions.resume(open_database(served.db_url), token).actor == served.rui


# --- single sign-on: where the person was going, across the provider's round trip ---------


@pytest.mark.parametrize("raw", [*HOSTILE_NEXT, None, "", "/", "x" * 3000])
def test_a_sign_on_goes_back_to_no_other_site_nor_to_the_root(raw: str | None) -> None:
    # The cookie is HttpOnly, but its value is checked again when read all the same.
    assert return_to(raw) is None


def test_a_sign_on_goes_back_to_a_path_and_query_of_the_site() -> None:
    assert return_to("/review?claim=5") == "/review?claim=5"
    assert return_to("/adjudication?claim=12&x=%2F%2Fevil") == "/adjudication?claim=12&x=%2F%2Fevil"


@pytest.fixture(scope="module")
def sso_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`workbench serve` with single sign-on configured. The provider is never asked here
    (only Streamlit's /auth/login asks it for its metadata), so its address leads nowhere."""
    from workbench.db.open import open_database
    from workbench.db.session import dispose_all

    tmp = tmp_path_factory.mktemp("sso-routes")
    db_url = f"sqlite:///{tmp / 'workbench.sqlite'}"
    open_database(db_url)  # a new database, schema and all
    dispose_all()
    port = free_port()
    env = {
        "WORKBENCH_OIDC_SERVER_METADATA_URL": "http://127.0.0.1:9/.well-known/openid-configuration",
        "WORKBENCH_OIDC_CLIENT_ID": "workbench-test",
        "WORKBENCH_OIDC_CLIENT_SECRET": "unused",
        "WORKBENCH_OIDC_REDIRECT_URI": "http://127.0.0.1:{port}/oauth2callback",
    }
    with serving(db_url, tmp, env=env, port=port) as base:
        yield base


def _next_cookie(reply: Reply) -> list[str]:
    return [c for c in reply.cookies if c.startswith(f"{NEXT_COOKIE}=")]


def test_the_sign_on_route_keeps_the_address_then_goes_to_the_provider(sso_served: str) -> None:
    reply = request(sso_served, "GET", f"/_wb/sso?next={quote('/review?claim=5')}")
    assert reply.status == 303
    # Streamlit's own sign-in route, with its signed provider token (what st.login opens).
    assert reply.headers["location"].startswith("/auth/login?provider=")
    assert reply.headers["cache-control"] == "no-store"
    [cookie] = _next_cookie(reply)
    value, *attributes = [part.strip() for part in cookie.split(";")]
    assert value in (f"{NEXT_COOKIE}=/review?claim=5", f'{NEXT_COOKIE}="/review?claim=5"')
    flags = [flag.lower() for flag in attributes]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert f"max-age={NEXT_MAX_AGE}" in flags
    # Streamlit's route takes the token (it then asks the provider, which is not there).
    onward = request(sso_served, "GET", reply.headers["location"])
    assert onward.status != 404


@pytest.mark.parametrize("next_path", [*HOSTILE_NEXT, "/"])
def test_the_sign_on_route_keeps_no_other_site(sso_served: str, next_path: str) -> None:
    reply = request(
        sso_served,
        "GET",
        f"/_wb/sso?next={quote(next_path)}",
        {"Cookie": f"{NEXT_COOKIE}=/review?claim=1"},
    )
    assert reply.status == 303
    assert reply.headers["location"].startswith("/auth/login?provider=")
    # Nothing kept, and an older address forgotten: this sign-in goes to the root.
    [cleared] = _next_cookie(reply)
    assert "max-age=0" in cleared.lower()


def test_without_single_sign_on_the_route_is_not_there(served: Served) -> None:
    reply = request(served.one, "GET", f"/_wb/sso?next={quote('/review?claim=5')}")
    assert reply.status == 404
    assert not reply.cookies


def test_any_sign_in_uses_up_the_kept_address(served: Served) -> None:
    # A password sign-in after an abandoned single sign-on: a later one must not be sent to
    # the old link.
    path = f"/_wb/session?ticket={quote(ticket_for(served))}&next=/"
    reply = request(served.one, "GET", path, {"Cookie": f"{NEXT_COOKIE}=/review?claim=5"})
    assert reply.status == 303
    [cleared] = _next_cookie(reply)
    assert "max-age=0" in cleared.lower()
    assert any(c.startswith(f"{COOKIE}=") for c in reply.cookies)


# --- under a base path (Streamlit's server.baseUrlPath) ------------------------------------


def test_a_route_is_named_under_the_base_path() -> None:
    assert under_base("/_wb/session", "") == "/_wb/session"
    assert under_base("/_wb/session", "team") == "/team/_wb/session"
    assert under_base("/_wb/session", "/team/") == "/team/_wb/session"
    assert under_base("/_wb/session", "a//b/") == "/a/b/_wb/session"


@pytest.fixture(scope="module")
def based(tmp_path_factory: pytest.TempPathFactory, served: Served) -> Iterator[str]:
    """`workbench serve` with server.baseUrlPath "team", on the same database as ``served``;
    yields the app's address (``http://127.0.0.1:PORT/team``)."""
    tmp = tmp_path_factory.mktemp("based")
    with serving(served.db_url, tmp, base_path="team") as base:
        yield base


def test_the_routes_follow_the_base_path(based: str, served: Served) -> None:
    # The page asks /team/_wb/session: before, only /_wb/session answered, so the sign-in
    # set no cookie and a reload landed on the login form.
    ticket = quote(ticket_for(served))
    reply = request(based, "GET", f"/team/_wb/session?ticket={ticket}&next=/team/review?claim=5")
    assert reply.status == 303
    assert reply.headers["location"] == "/team/review?claim=5"
    token = token_of(reply)
    from workbench.db.open import open_database

    engine = open_database(served.db_url)
    assert sessions.resume(engine, token).actor == served.rui
    host = urlsplit(based).netloc
    logout = request(
        based,
        "POST",
        "/team/_wb/logout",
        {"Cookie": f"{COOKIE}={token}", "Origin": f"http://{host}", "Host": host},
    )
    assert logout.status == 204
    assert sessions.resume(engine, token).actor is None
    # Without single sign-on its route is absent under the base path too.
    assert request(based, "GET", "/team/_wb/sso?next=/team/").status == 404
