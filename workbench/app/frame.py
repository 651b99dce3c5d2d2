"""What every page starts with: the database, the sidebar, and the reviewer's name.

Each page calls :func:`start` first (rather than Home.py drawing the sidebar) so the sidebar
is drawn as part of the page run and is redrawn on every rerun, in the browser and AppTest.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.delta_generator import DeltaGenerator

from workbench.app import access, render, sidebar, state
from workbench.errors import WorkbenchError


def start() -> tuple[Engine, str]:
    """(engine, reviewer); stops the page with a message if either is missing."""
    engine = _engine()
    access.gate()  # in team mode, nothing below runs for a session that has not logged in
    sidebar.show(engine)
    return engine, state.require_reviewer()


def start_without_counts() -> tuple[Engine, str, DeltaGenerator]:
    """:func:`start` with the sidebar's review counts left to the page: (engine, reviewer,
    the sidebar container to draw them in, with ``sidebar.progress_counts``)."""
    engine = _engine()
    access.gate()
    slot = sidebar.show(engine, counts=False)
    return engine, state.require_reviewer(), slot


def _engine() -> Engine:
    try:
        return state.engine()
    except WorkbenchError as exc:
        st.error(render.md_escape(f"The review app cannot open its database: {exc}"))
        st.stop()
        raise  # st.stop() raises; this keeps the type checker informed
