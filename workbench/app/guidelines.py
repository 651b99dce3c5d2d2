"""The project's guidelines on the Review page: open until the reviewer has read this version,
folded after.

Beside the decision (the Review page's right-hand column, above the note), in a box of
bounded height that scrolls: open or folded, they never push the claim or the verdict buttons
off the first screen. The version a user has read is kept in the history
(``projects.choice.mark_guidelines_read``), so a new version opens again, once, for everyone;
this session remembers it too, so a click on a verdict asks nothing more of the database.

The guidelines are an admin's Markdown, shown with ``st.markdown`` as it is by default: raw
HTML is not rendered (tests/browser/test_guidelines_browser.py checks, in Chromium, that a
script, an ``onerror`` handler or a ``javascript:`` link never reaches the page).
"""

from __future__ import annotations

import re

import streamlit as st

from workbench.app import render, state
from workbench.errors import WorkbenchError
from workbench.projects.choice import guidelines_read, mark_guidelines_read
from workbench.projects.service import ProjectOut

HEADING = re.compile(r"^(#{1,6})(?=\s|$)")
READ = "guidelines_read"  # {project id: the version this session's user has read}
HEIGHT = 260  # pixels: the box scrolls past this
READ_BUTTON = "guidelines_done"


def key_of(project: ProjectOut) -> str:
    """The expander's key: one per version, so a new version opens again."""
    return f"guidelines_{project.id}_{project.guidelines_version}"


def panel() -> None:
    """The current project's guidelines in an expander, open if this version is unread."""
    chosen = state.project()
    current = state.actor()
    if chosen is None or current is None or not chosen.project.guidelines.strip():
        return
    project = chosen.project
    unread = _read_version(project) < project.guidelines_version
    label = f"Guidelines of {project.name}" + (" — new, please read" if unread else "")
    with st.expander(
        render.md_escape(label),
        expanded=unread,
        key=key_of(project),
        on_change=_toggled,
        args=(project,),
        icon=":material/menu_book:",
    ):
        with st.container(height=HEIGHT, border=False):
            show(project.guidelines)
        if unread:
            st.button(
                "I have read them",
                key=READ_BUTTON,
                on_click=_done,
                args=(project,),
                type="tertiary",
                icon=":material/done:",
            )


def show(markdown: str) -> None:
    """Guidelines as Markdown, raw HTML left out (Streamlit's default), no heading anchors,
    headings made smaller (a ``#`` title would otherwise fill the narrow box)."""
    st.markdown(smaller_headings(markdown), anchors=False)


def smaller_headings(markdown: str) -> str:
    """ATX headings three levels down (``#`` → ``####``, at most ``######``), outside fenced
    code blocks."""
    lines, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        match = None if fenced else HEADING.match(line)
        if match:
            level = min(6, len(match.group(1)) + 3)
            line = "#" * level + line[len(match.group(1)) :]
        lines.append(line)
    return "\n".join(lines)


def _read_version(project: ProjectOut) -> int:
    known = _known()
    if project.id not in known:
        current = state.actor()
        known[project.id] = guidelines_read(state.engine(), current, project.id) if current else 0
    return known[project.id]


def _known() -> dict[int, int]:
    value = st.session_state.get(READ)
    if not isinstance(value, dict):
        value = st.session_state[READ] = {}
    return value


def _toggled(project: ProjectOut) -> None:
    """Folding the guidelines counts as having read them."""
    if st.session_state.get(key_of(project)) is False:
        _mark(project)


def _done(project: ProjectOut) -> None:
    _mark(project)
    st.session_state[key_of(project)] = False  # folded at once


def _mark(project: ProjectOut) -> None:
    current = state.actor()
    if current is None:
        return
    try:
        mark_guidelines_read(state.engine(), current, project.id, project.guidelines_version)
    except WorkbenchError:
        return  # (no longer a member: the next run says so) the page goes on
    _known()[project.id] = project.guidelines_version
