"""The ASGI app ``workbench serve`` and ``workbench demo`` run: Home.py, minus the metrics.

Streamlit answers ``/_stcore/metrics`` to anyone, without the app's sign-in: how many
sessions are open, which pages' scripts run and how often (so which admin pages are in use),
cache and session-state sizes. Streamlit 1.67 has no option that turns the route off, so
this module serves the app as an ``st.App`` (Streamlit's supported ASGI entry point; ``streamlit
run`` recognises the ``app`` variable below) with one middleware in front that answers that
path with 404, as if the route did not exist. Nothing in the app reads the metrics; a team
that wants them can scrape the process some other way.

The other routes Streamlit serves without a session, and why they stay (see
docs/security.md for what each answers): ``/_stcore/health`` (says "ok": the browser tests
and a proxy's health check use it), ``/_stcore/host-config`` (static client settings),
``/_stcore/upload_file`` (needs a live session's id and the XSRF cookie; the app uploads
nothing), ``/media`` and ``/component`` (files by unguessable hash or the component's own
static files; the app serves neither data through them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from workbench.app import downloads, session_routes
from workbench.app.sso import streamlit_secrets
from workbench.config import current_settings

# Answered with 404 under any base path (server.baseUrlPath), with or without a final slash.
HIDDEN_ENDPOINTS = ("_stcore/metrics",)


class HideEndpoints:
    """ASGI middleware: the endpoints in :data:`HIDDEN_ENDPOINTS` answer 404 Not Found."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and hidden(str(scope.get("path", ""))):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def hidden(path: str) -> bool:
    """Whether ``path`` names a hidden endpoint (repeated or trailing slashes ignored)."""
    parts = [part for part in path.split("/") if part]
    return any(
        parts[-len(endpoint.split("/")) :] == endpoint.split("/") for endpoint in HIDDEN_ENDPOINTS
    )


def options(routes: Sequence[BaseRoute] = ()) -> dict[str, Any]:
    """``st.App``'s arguments, with ``routes`` beside the app's own (``site/server.py`` adds
    the HTTP API). Each file calls ``st.App`` itself: ``streamlit run`` finds the app by
    reading the file for an ``app = st.App(...)``, without running it."""
    return {
        "script_path": Path(__file__).with_name("Home.py"),
        # The sign-in cookie's routes (a script cannot set an HttpOnly cookie) and the Export
        # page's files, streamed from disk by a one-time link.
        "routes": [*session_routes.ROUTES, *downloads.ROUTES, *routes],
        "middleware": [Middleware(HideEndpoints)],
        # Single sign-on: Streamlit's [auth] section from the WORKBENCH_OIDC_* settings, held
        # in memory rather than written to a secrets file (None without single sign-on).
        "secrets": streamlit_secrets(current_settings()),
    }


app = st.App(**options())
