"""The two HTTP routes of the sign-in cookie, served beside the app by server.py's st.App.

A Streamlit script talks to the browser over a WebSocket and cannot set an HttpOnly cookie;
these routes can. The login form checks the password, makes the session and its one-time
ticket (workbench.auth.sessions), and the page fetches :data:`SESSION_PATH` with it (a
same-origin request from the app's own page, so the tab does not move), which trades the
ticket for the cookie. Logging out deletes the session from the script, then the page posts
to :data:`LOGOUT_PATH` to clear the cookie.

Single sign-on leaves the site and comes back to the app's root (Streamlit's /oauth2callback
always answers with a redirect to ``/``), so the address the person opened (a claim link,
``/review?claim=5``) would be lost on the way. The sign-in button therefore goes through
:data:`SSO_PATH`, which keeps that address in a short-lived cookie (:data:`NEXT_COOKIE`)
before sending the browser on to the provider; back in the app, the sign-in navigates to
:data:`SESSION_PATH` with ``next`` set to it, which sets the session cookie, clears this
one, and redirects there.

The cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page or form
sends it; a link from elsewhere still opens signed in, because the app's page then connects
its WebSocket from our own origin), Path=/, Max-Age the session's lifetime, and Secure when
the request came over https (directly, or through a proxy on this machine that says so in
X-Forwarded-Proto, which uvicorn trusts from 127.0.0.1 only).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from workbench.app.paths import both
from workbench.app.sso import provider_login_url
from workbench.auth import sessions
from workbench.config import current_settings
from workbench.db.open import open_database

COOKIE = "workbench_session"
SESSION_PATH = "/_wb/session"
LOGOUT_PATH = "/_wb/logout"
SSO_PATH = "/_wb/sso"
# Where a single sign-on was going (a path on this site with its query), kept across the
# provider's round trip. HttpOnly (no script reads or plants it), SameSite=Lax (a link from
# elsewhere to SSO_PATH still starts a sign-in that keeps its target); the value is only a
# path on this site, and is checked again when read.
NEXT_COOKIE = "workbench_next"
# Long enough for a sign-in at the provider (a password, a second factor), no longer.
NEXT_MAX_AGE = 600
MAX_NEXT_CHARS = 2000
USED_TICKET = (
    "This sign-in link has been used or has expired (it works once, for a minute). "
    "Open the app and sign in again."
)


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    # One engine per URL for the routes' thread pool (the app's own is in st.cache_resource,
    # which belongs to script runs); opening it checks the schema once.
    return open_database(url)


def engine() -> Engine:
    return _engine_for(current_settings().database_url)


def safe_next(raw: str | None) -> str:
    """Where to go after signing in: a path on this site, or ``/``.

    Only a relative path from the root is allowed (``/review?claim=5``): never a scheme or a
    host (``https://evil.example``), a scheme-relative ``//evil.example``, a backslash (which
    browsers read as a slash: ``/\\evil.example``), or a control character. Anything else
    is refused as ``/``: a sign-in link must not send anyone off the site (an open redirect).
    """
    if not raw or len(raw) > MAX_NEXT_CHARS or not raw.isprintable() or "\\" in raw:
        return "/"
    if not raw.startswith("/") or raw.startswith("//"):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def start_session(request: Request) -> Response:
    """GET /_wb/session?ticket=...[&next=...]: the ticket, once, for the session cookie;
    204 for the app's fetch, 303 to ``next`` for a navigation."""
    ticket = request.query_params.get("ticket", "")
    token = sessions.redeem(engine(), ticket)
    if token is None:
        return PlainTextResponse(USED_TICKET, status_code=400, headers=_no_store())
    next_path = request.query_params.get("next")
    # The app's own fetch asks without a next: the cookie is all it needs. A navigation
    # (a link with next) is sent on to the page.
    response: Response
    if next_path is None:
        response = Response(status_code=204, headers=_no_store())
    else:
        response = RedirectResponse(safe_next(next_path), status_code=303)
        response.headers.update(_no_store())
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(sessions.lifetime().total_seconds()),
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    # Any sign-in (password or provider) uses up where a single sign-on was going: a later
    # sign-in must not be sent to an old link.
    if NEXT_COOKIE in request.cookies:
        _clear_next(response, request)
    return response


def start_sso(request: Request) -> Response:
    """GET /_wb/sso?next=...: remember ``next`` (a path on this site, else nothing), then on to
    the identity provider's sign-in (what ``st.login`` would send the browser to).

    Nothing here signs anyone in: the provider's answer still goes through Streamlit's
    callback and :func:`workbench.auth.oidc.sso_login`. A link to this address from elsewhere
    only starts a sign-in the person completes themselves, and can name no other site.
    """
    login_url = provider_login_url()
    if login_url is None:
        return PlainTextResponse("Not Found", status_code=404)
    response = RedirectResponse(login_url, status_code=303)
    response.headers.update(_no_store())
    target = safe_next(request.query_params.get("next"))
    if target == "/":  # nowhere in particular (or refused): forget an older target
        _clear_next(response, request)
    else:
        response.set_cookie(
            NEXT_COOKIE,
            target,
            max_age=NEXT_MAX_AGE,
            path="/",
            secure=_secure(request),
            httponly=True,
            samesite="lax",
        )
    return response


def _clear_next(response: Response, request: Request) -> None:
    response.delete_cookie(
        NEXT_COOKIE, path="/", secure=_secure(request), httponly=True, samesite="lax"
    )


def end_session(request: Request) -> Response:
    """POST /_wb/logout: the cookie's session deleted (if still there), and the cookie cleared.

    POST from our own pages only: a page elsewhere cannot sign a reviewer out (browsers send
    Origin with every POST, and Sec-Fetch-Site when they know it).
    """
    if not _same_origin(request):
        return PlainTextResponse("Forbidden", status_code=403)
    token = request.cookies.get(COOKIE)
    if token:
        sessions.end_token(engine(), token)
    response = Response(status_code=204, headers=_no_store())
    response.delete_cookie(
        COOKIE, path="/", secure=_secure(request), httponly=True, samesite="strict"
    )
    return response


def _same_origin(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return site is not None  # a browser that sent neither header is not one we know
    parts = urlsplit(origin)
    return parts.netloc == request.headers.get("host") and parts.scheme in ("http", "https")


def _no_store() -> dict[str, str]:
    # Neither a redirect carrying a cookie nor an error about a ticket belongs in a cache.
    return {"Cache-Control": "no-store"}


# At the root and under any base path (server.baseUrlPath); the page names them under its own.
ROUTES = [
    *both(SESSION_PATH, start_session, ["GET"]),
    *both(LOGOUT_PATH, end_session, ["POST"]),
    *both(SSO_PATH, start_sso, ["GET"]),
]
