"""The review app with the HTTP API mounted under ``/api``: one server for a small team
(``workbench serve --api``).

A part of its own, above both: the app and the API are siblings that never import each other
(docs/architecture.md), so whatever puts them in one process sits on top of them, as the
command line does for their processes. Streamlit runs this file (``streamlit run`` takes its
``app``), the API's paths the same as under ``workbench api`` (``/api/v1/...``).
"""

from __future__ import annotations

import streamlit as st
from starlette.routing import Mount

from workbench.api.factory import create_api
from workbench.app.server import options

app = st.App(**options([Mount("/api", app=create_api("/v1"))]))
