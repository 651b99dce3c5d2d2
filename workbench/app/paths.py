"""The app's own HTTP routes under Streamlit's ``server.baseUrlPath``.

Streamlit serves its pages and its own routes under the base path (``/team/review``), but the
routes an ``st.App`` adds sit where they are declared, from the server's root. So each of the
workbench's routes is declared twice, at the root and under any base path
(:func:`both`), and the page's links and requests name it under the base path the server
runs with (:func:`under_base`). A request under another prefix reaches the same route; that
opens nothing more than the root one does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st
from starlette.routing import BaseRoute, Route


def under_base(path: str, base_path: str | None = None) -> str:
    """``path`` (from the root: ``/_wb/session``) under the base path: ``base_path``, else
    the running server's ``server.baseUrlPath`` (``team`` or ``/team/``: ``/team/_wb/session``)."""
    if base_path is None:
        base_path = str(st.get_option("server.baseUrlPath") or "")
    base = "/".join(part for part in base_path.split("/") if part)
    return f"/{base}{path}" if base else path


def both(path: str, endpoint: Callable[..., Any], methods: Sequence[str]) -> list[BaseRoute]:
    """The route at ``path`` from the root and under any base path."""
    return [
        Route(path, endpoint, methods=list(methods)),
        Route(f"/{{base:path}}{path}", endpoint, methods=list(methods)),
    ]
