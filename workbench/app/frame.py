"""What every page starts with: the database, the sidebar, and the reviewer's name.

Each page calls :func:`start` first (rather than Home.py drawing the sidebar) so the sidebar
is drawn as part of the page run and is redrawn on every rerun, in the browser and AppTest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from streamlit.delta_generator import DeltaGenerator

from workbench.app import access, project, render, sidebar, state
from workbench.errors import DatabaseBusy, WorkbenchError
from workbench.schemas import Actor


def start() -> tuple[Engine, Actor]:
    """(engine, actor); stops the page with a message if either is missing."""
    engine = _engine()
    with _busy_stops_the_page():
        access.gate()  # in team mode, nothing below runs for a session that has not logged in
        _project(engine)
        sidebar.show(engine)
    actor = state.require_actor()
    project.require()  # a project the actor may not open: the message, and nothing of it
    return engine, actor


def start_without_counts() -> tuple[Engine, Actor, DeltaGenerator]:
    """:func:`start` with the sidebar's review counts left to the page: (engine, actor,
    the sidebar container to draw them in, with ``sidebar.progress_counts``)."""
    engine = _engine()
    with _busy_stops_the_page():
        access.gate()
        _project(engine)
        slot = sidebar.show(engine, counts=False)
    actor = state.require_actor()
    project.require()
    return engine, actor, slot


def _project(engine: Engine) -> None:
    """The project of this run (workbench/app/project.py), once someone is reviewing."""
    current = state.actor()
    if current is not None:
        project.ensure(engine, current)


@contextmanager
def _busy_stops_the_page() -> Iterator[None]:
    """The page's first reads, while another process holds the database longer than the
    busy timeout (on SQLite every transaction takes the write lock): the sentence, not a
    traceback, and the page stops there. A button's save is caught in actions.py."""
    try:
        yield
    except DatabaseBusy as exc:
        st.error(render.md_escape(str(exc)))
        st.stop()


def _engine() -> Engine:
    try:
        return state.engine()
    except WorkbenchError as exc:
        st.error(render.md_escape(f"The review app cannot open its database: {exc}"))
        st.stop()
        raise  # st.stop() raises; this keeps the type checker informed
