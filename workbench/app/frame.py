"""What every page starts with: the database, the sidebar, and the reviewer's name.

Each page calls :func:`start` first (rather than Home.py drawing the sidebar) so the sidebar
is drawn as part of the page run and is redrawn on every rerun, in the browser and AppTest.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from workbench.app import access, render, sidebar, state
from workbench.errors import WorkbenchError


def start() -> tuple[Engine, str]:
    """(engine, reviewer); stops the page with a message if either is missing."""
    try:
        engine = state.engine()
    except WorkbenchError as exc:
        st.error(render.md_escape(f"The review app cannot open its database: {exc}"))
        st.stop()
        raise  # st.stop() raises; this keeps the type checker informed
    access.gate()  # in team mode, nothing below runs for a session that has not logged in
    sidebar.show(engine)
    return engine, state.require_reviewer()
