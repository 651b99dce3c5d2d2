"""The sidebar every page shares: who is reviewing, how far the work is, what verdicts mean."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine
from streamlit.delta_generator import DeltaGenerator

from workbench.app import access, project, render, state
from workbench.auth.accounts import local_actor
from workbench.auth.policy import Action
from workbench.errors import WorkbenchError
from workbench.projects.scale import DEFAULT_SCALE, VerdictScale
from workbench.review.queue import progress
from workbench.review.workload import workload

NAME_INPUT = "reviewer_name_input"
SINGLE_USER_LABEL = "single-user mode — no accounts; anyone with this file can review as any name"
READ_ONLY_NOTE = "Viewer: you can read the queue and the claims, not record verdicts."

NOT_A_CLAIM_HELP = (
    "**not a check-worthy claim** — a bad extraction: takes it out of the queue without a verdict."
)
MOVES_HELP = "**X** not a claim · **S** skip · **P** previous."


def verdict_help(scale: VerdictScale) -> str:
    """What each verdict of the project's scale means (its descriptions), and the keys."""
    lines = [
        f"**{render.md_escape(v.shown)}** — {render.md_escape(v.description)}"
        if v.description
        else f"**{render.md_escape(v.shown)}**"
        for v in scale.verdicts
    ]
    keys = " · ".join(
        f"**{render.md_escape(v.key.upper())}** {render.md_escape(v.shown.lower())}"
        for v in scale.verdicts
        if v.key
    )
    return "\n\n".join(
        [*lines, NOT_A_CLAIM_HELP, f"Keys on the Review page: {keys} · {MOVES_HELP}"]
    )


VERDICT_HELP = verdict_help(DEFAULT_SCALE)


def show(engine: Engine, *, counts: bool = True) -> DeltaGenerator:
    """Draw the sidebar; returns the container of the review counts.

    ``counts=False`` leaves that container empty for the page to fill: the Review page draws
    the counts from its claim view (a fragment), so that they follow a verdict without the
    whole page running again.
    """
    with st.sidebar:
        team = state.signed_in_with_password()  # Home.py lets no one else past in team mode
        if team:
            _account()
        else:
            _reviewer()
        project.switcher()
        slot = st.container()
        if counts:
            with slot:
                progress_counts(engine)
        chosen = state.project()
        scale = chosen.project.scale if chosen is not None else DEFAULT_SCALE
        with st.expander("Verdicts and keys", expanded=state.reviewer() is None):
            st.markdown(verdict_help(scale))
        if not team:
            st.caption(SINGLE_USER_LABEL)
    return slot


def _account() -> None:
    current = state.actor()
    if current is None:
        return
    # st.text, not Markdown: a name is shown exactly as typed.
    # The role in the current project (a member of several may have several).
    st.text(f"Signed in as {current.name} ({state.project_actor(current).role.value})")
    if not state.may(Action.review):
        st.caption(READ_ONLY_NOTE)
    st.button("Log out", key="log_out", on_click=access.log_out, icon=":material/logout:")


def _reviewer() -> None:
    name = state.reviewer()
    if name is not None and not st.session_state.get(state.CHANGING_NAME, False):
        st.text(f"Reviewer: {name}")
        st.button("Change name", key="change_name", type="tertiary", on_click=_start_change)
        return
    with st.form("reviewer_form", border=False):
        st.text_input(
            "Your name",
            value=name or "",
            key=NAME_INPUT,
            max_chars=100,
            placeholder="e.g. Ana Silva",
            help="Stored with every verdict, note and URL you save.",
        )
        st.form_submit_button("Start reviewing", type="primary", on_click=_save_name)
    state.show_flash("reviewer")


def _start_change() -> None:
    st.session_state[state.CHANGING_NAME] = True


def _save_name() -> None:
    try:
        actor = local_actor(state.engine(), str(st.session_state.get(NAME_INPUT, "")))
    except WorkbenchError as exc:
        state.flash("reviewer", "error", str(exc))
        return
    # A browser session too, so the name survives a reload and a new tab (access.py).
    access.signed_in(actor, with_password=False)
    st.session_state[state.CHANGING_NAME] = False


def progress_counts(engine: Engine) -> None:
    """How far the work is, with k (reviews per claim) taken into account.

    For the person reviewing: their verdicts today, the claims leased to them, and the claims
    they could still be handed. For the project: the claims with a final verdict, and the open
    claims that need more reviews. A bar of "claims with a verdict" would be full while
    reviewers are still handed claims for their second or third review.
    """
    project = state.project_id()
    counts = progress(engine, project_id=project)
    current = state.actor()
    load = workload(engine, current if state.may(Action.review) else None, project=project)
    if load.mine is not None:
        own = load.mine
        st.markdown(
            f"**You:** {own.today} reviewed today · {own.assigned} assigned to you · "
            f"{own.left} left for you"
        )
    done = counts.total - load.need_more  # open claims with their k verdicts
    st.markdown(
        f"**Project:** {load.final} with a final verdict · {load.need_more} of "
        f"{counts.total} claims need more reviews (k = {load.k})"
    )
    st.progress(done / counts.total if counts.total else 0.0)
    st.caption(f"{counts.not_a_claim} marked not a claim")
