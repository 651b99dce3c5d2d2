"""The project a session works in: named by the address, else the one it was in, else the
user's only (or first) project; its name kept in the address, and the sidebar's switcher.

Every run finds it again (:func:`find`, one short query: a revoked membership or a new role
applies at the next click) from, in turn: the address's ``?project=NAME`` (a link; a name the
user may not open is refused with a message, and nothing of that project is shown); the
project this session was in (Streamlit's navigation opens a page at its own address, without
the query, so a page change keeps the project); else the only project the user may open, or
the first of theirs by name (with the switcher to go to another). The name goes back into the
address whenever the database holds more than one project, so every address the app shows
(``/review?project=NAME&claim=ID``) opens the same thing for whoever it is sent to; on a
database of one project the addresses stay as they were (``/review?claim=ID``).

The role the UI goes by is the actor's role in this project (``state.may``); the services check
again, against the stored membership.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from workbench.app import render, state
from workbench.projects.choice import Choice, Choices, choices
from workbench.schemas import Actor

PARAM = state.PROJECT_PARAM  # the query parameter: ``?project=NAME``
CHOICES = "project_choices"  # the projects this run found the actor may open
SWITCH = "project_switch"  # the switcher's widget key
FOUND = "project_found"  # Home.py found the project for this run already
REFUSED = "project_refused"  # why this run has no project (a message), if it has none


def find(engine: Engine, actor: Actor) -> Choice | None:
    """This run's project (kept in session state, its name put in the address), or None with
    the reason kept for :func:`require` to show."""
    found = choices(engine, actor)
    st.session_state[CHOICES] = found
    st.session_state.pop(REFUSED, None)
    held = state.project()
    raw = st.query_params.get(PARAM)
    chosen: Choice | None
    if raw is not None and str(raw).strip():
        name = str(raw).strip()
        chosen = found.named(name)
        if chosen is None:
            st.session_state[REFUSED] = (
                f"You cannot open the project “{render.shorten(name, 64)}”: there is no "
                "project of that name you are a member of. Ask an admin to add you, or open "
                "one of yours."
            )
    else:
        chosen = found.named(held.project.name) if held is not None else None
        if chosen is None and held is not None:
            state.flash("project", "warning", f"You are no longer a member of {held.project.name}.")
        if chosen is None and found.mine:
            chosen = found.mine[0]
        if chosen is None:
            st.session_state[REFUSED] = (
                "You are not a member of any project of this workbench yet: ask an admin "
                "to add you to one."
            )
    if chosen is not None and held is not None and chosen.project.id != held.project.id:
        state.leave_claim(keep_link=True)  # the address's claim, if any, is of the new one
    state.set_project(chosen)
    named = raw is not None or found.total > 1
    if chosen is not None and named and st.query_params.get(PARAM) != chosen.project.name:
        st.query_params[PARAM] = chosen.project.name
    return chosen


def find_for_run(engine: Engine, actor: Actor) -> None:
    """:func:`find`, marked as done for this run: Home.py finds the project for the navigation,
    and the page's ``frame.start()`` (:func:`ensure`) need not ask again."""
    find(engine, actor)
    st.session_state[FOUND] = True


def ensure(engine: Engine, actor: Actor) -> None:
    """:func:`find`, unless Home.py has just done it for this run."""
    if not st.session_state.pop(FOUND, False):
        find(engine, actor)


def require() -> Choice:
    """The project :func:`find` found; without one, the reason, the user's own projects to
    open, and the page stops there."""
    chosen = state.project()
    if chosen is not None:
        return chosen
    st.title("Fact-check workbench")
    st.error(render.md_escape(str(st.session_state.get(REFUSED, "No project is open."))))
    mine = found_choices().mine
    if mine:
        st.caption("Your projects:")
        for choice in mine:
            st.button(
                choice.project.name,
                key=f"open_project_{choice.project.name}",
                on_click=switch_to,
                args=(choice.project.name,),
                type="tertiary",
                icon=":material/folder_open:",
            )
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def found_choices() -> Choices:
    value = st.session_state.get(CHOICES)
    return value if isinstance(value, Choices) else Choices((), 0)


def switch_to(name: str) -> None:
    """Open project ``name``: its name in the address, the claim on screen forgotten."""
    state.leave_claim()
    st.query_params[PARAM] = name
    chosen = found_choices().named(name)
    if chosen is not None:
        state.set_project(chosen)


def switcher() -> None:
    """The sidebar's choice of project, for a user who may open several."""
    found = found_choices()
    chosen = state.project()
    if len(found.mine) < 2 or chosen is None:
        if chosen is not None and found.total > 1:
            st.text(f"Project: {chosen.project.name}")
        return
    names = [c.project.name for c in found.mine]
    roles = {c.project.name: c.role.value for c in found.mine}
    st.session_state[SWITCH] = chosen.project.name  # what the run found, not a stale choice
    st.selectbox(
        "Project",
        names,
        key=SWITCH,
        on_change=_switched,
        format_func=lambda name: f"{name} ({roles.get(name, '')})",
    )
    state.show_flash("project")


def _switched() -> None:
    switch_to(str(st.session_state.get(SWITCH, "")))


def query() -> dict[str, str]:
    """The current project as a page link's query (``{"project": NAME}``), or nothing on a
    database of one project, whose addresses need none."""
    chosen = state.project()
    if chosen is None or (found_choices().total <= 1 and st.query_params.get(PARAM) is None):
        return {}
    return {PARAM: chosen.project.name}
