"""Projects: the current project's description, guidelines, verdict scale and members, for
everyone in it; its admins change the description and guidelines (with a preview); a site
admin adds projects and grants or revokes their members.

Every button calls a workbench.projects service with the signed-in actor, and the service
checks the actor's stored role (a site admin for projects and members, an admin of the
project for its description and guidelines): a refusal is shown here as a message, and
changes nothing.
"""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from workbench.app import frame, guidelines, project, render, state
from workbench.auth.policy import Action
from workbench.errors import InvalidInput, WorkbenchError
from workbench.projects import membership
from workbench.projects.scale import VerdictScale, parse_scale
from workbench.projects.service import (
    ProjectOut,
    add_project,
    list_projects,
    set_description,
    set_guidelines,
)
from workbench.schemas import Role

AREA = "projects"
NEW_NAME = "new_project_name"
NEW_DESCRIPTION = "new_project_description"
NEW_VERDICTS = "new_project_verdicts"
MEMBER_NAME = "member_name"
MEMBER_ROLE = "member_role"
REVOKED = "revoked_member"
ROLES = [Role.reviewer, Role.viewer, Role.admin]
DEFAULT_VERDICTS = "verified,disputed,unsupported"


def description_key(chosen: ProjectOut) -> str:
    return f"project_description_{chosen.id}"


def guidelines_key(chosen: ProjectOut) -> str:
    return f"project_guidelines_{chosen.id}_{chosen.guidelines_version}"


# --- the callbacks: each one service call --------------------------------------------------


def _add() -> None:
    name = str(st.session_state.get(NEW_NAME, "")).strip()
    description = str(st.session_state.get(NEW_DESCRIPTION, ""))
    verdicts = str(st.session_state.get(NEW_VERDICTS, "")).strip() or DEFAULT_VERDICTS

    def add() -> ProjectOut:
        scale = _scale(verdicts)
        return add_project(
            state.engine(), state.signed_in_actor(), name, description=description, scale=scale
        )

    state.run_flashed(
        AREA, add, f"Project {name} added: grant it members below, once you have opened it."
    )


def _scale(verdicts: str) -> VerdictScale:
    try:
        return parse_scale(verdicts)
    except ValidationError as exc:  # say what the scale needs, not pydantic's whole report
        raise InvalidInput(f"verdicts {verdicts!r}: {exc.errors()[0]['msg']}") from exc


def _grant(name: str) -> None:
    user = str(st.session_state.get(MEMBER_NAME, "")).strip()
    role = Role(st.session_state.get(MEMBER_ROLE, Role.reviewer))
    state.run_flashed(
        AREA,
        lambda: membership.grant(state.engine(), state.signed_in_actor(), user, name, role),
        f"{user} is now {role.value} of {name}.",
    )


def _revoke(name: str) -> None:
    user = str(st.session_state.get(REVOKED, "") or "")
    state.run_flashed(
        AREA,
        lambda: membership.revoke(state.engine(), state.signed_in_actor(), user, name),
        f"{user} is no longer a member of {name}.",
    )


def _save_description(chosen: ProjectOut) -> None:
    text = str(st.session_state.get(description_key(chosen), ""))
    state.run_flashed(
        AREA,
        lambda: set_description(state.engine(), state.signed_in_actor(), chosen.name, text),
        "Description saved.",
    )


def _save_guidelines(chosen: ProjectOut) -> None:
    text = str(st.session_state.get(guidelines_key(chosen), ""))
    state.run_flashed(
        AREA,
        lambda: set_guidelines(state.engine(), state.signed_in_actor(), chosen.name, text),
        "Guidelines saved: reviewers see them open until they have read them.",
    )


# --- the page --------------------------------------------------------------------------------


def main() -> None:
    frame.start()
    chosen = project.require().project
    st.title("Projects")
    state.show_flash(AREA)
    site_admin = state.may(Action.manage_projects)
    if site_admin:
        _all_projects()
    _this_project(chosen, site_admin=site_admin)


def _all_projects() -> None:
    rows = list_projects(state.engine(), state.signed_in_actor())
    st.markdown("#### All projects")
    st.dataframe(
        {
            "project": [p.name for p in rows],
            "description": [render.shorten(p.description, 60) for p in rows],
            "verdicts": [", ".join(p.scale.names) for p in rows],
            "documents": [p.documents for p in rows],
            "claims": [p.claims for p in rows],
            "reviews": [p.reviews for p in rows],
            "members": [p.members for p in rows],
        },
        hide_index=True,
    )
    with st.expander("Add a project"), st.form("add_project", border=False):
        st.text_input("Name", key=NEW_NAME, max_chars=64, placeholder="health-desk")
        st.text_input("Description", key=NEW_DESCRIPTION)
        st.text_input(
            "Verdicts, best first",
            key=NEW_VERDICTS,
            placeholder=DEFAULT_VERDICTS,
            help="Names separated by commas; keys 1, 2, 3… and ratings follow the order.",
        )
        st.form_submit_button("Add project", type="primary", on_click=_add)


def _this_project(chosen: ProjectOut, *, site_admin: bool) -> None:
    st.subheader(f"Project {chosen.name}")
    admin = state.may(Action.change_settings)
    st.text_area(
        "Description",
        value=chosen.description,
        key=description_key(chosen),
        disabled=not admin,
        height=80,
    )
    if admin:
        st.button(
            "Save description", key="save_description", on_click=_save_description, args=(chosen,)
        )
    st.markdown("#### Guidelines")
    st.caption(
        f"Version {chosen.guidelines_version}. Markdown (raw HTML is not shown); reviewers "
        "see them on the Review page, open until they have read each new version."
    )
    write, preview = st.columns(2)
    with write:
        text = write.text_area(
            "Guidelines (Markdown)",
            value=chosen.guidelines,
            key=guidelines_key(chosen),
            disabled=not admin,
            height=300,
        )
    with preview, st.container(height=340, border=True):
        guidelines.show(text or "_Nothing yet._")
    if admin:
        st.button(
            "Save guidelines", key="save_guidelines", on_click=_save_guidelines, args=(chosen,)
        )
    st.markdown("#### Verdict scale")
    st.caption("Best first; `workbench projects set` changes it.")
    verdicts = chosen.scale.verdicts
    st.dataframe(
        {
            "key": [v.key for v in verdicts],
            "verdict": [v.name for v in verdicts],
            "button": [v.shown for v in verdicts],
            "rating": [v.rating for v in verdicts],
            "description": [v.description for v in verdicts],
        },
        hide_index=True,
    )
    _members(chosen, site_admin=site_admin)


def _members(chosen: ProjectOut, *, site_admin: bool) -> None:
    st.markdown("#### Members")
    try:
        people = membership.members(state.engine(), state.signed_in_actor(), chosen.name)
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        return
    st.dataframe(
        {"user": [m.user for m in people], "role": [m.role.value for m in people]},
        hide_index=True,
    )
    if not site_admin:
        st.caption("Site admins grant and revoke members.")
        return
    with st.form("grant_member", border=False):
        cols = st.columns([3, 2, 2], vertical_alignment="bottom")
        cols[0].text_input("User", key=MEMBER_NAME, max_chars=100)
        cols[1].selectbox("Role", ROLES, key=MEMBER_ROLE, format_func=lambda r: r.value)
        cols[2].form_submit_button("Grant", on_click=_grant, args=(chosen.name,))
    if people:
        cols = st.columns([5, 2], vertical_alignment="bottom")
        cols[0].selectbox("Member", [m.user for m in people], key=REVOKED)
        cols[1].button("Revoke", key="revoke_member", on_click=_revoke, args=(chosen.name,))


main()
