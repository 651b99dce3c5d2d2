"""What the review page's buttons do: one service call each, then the message to show.

These run as Streamlit callbacks, before the script reruns, so the page (and the sidebar's
count) is drawn once, from the database, after every change. Errors a user can fix are
left as a message for the area they came from; nothing here shows a traceback.
"""

from __future__ import annotations

import streamlit as st

from workbench.app import state
from workbench.app.selection import pop_history
from workbench.errors import InvalidInput, StaleEdit, WorkbenchError
from workbench.review import decisions
from workbench.review.queue import next_claim_id
from workbench.schemas import Actor, ReviewOut, Verdict

DECISION = "decision"
NOTE = "note"
URL = "url"


def note_key(claim_id: int) -> str:
    return f"note_{claim_id}"


def url_key(claim_id: int) -> str:
    return f"url_input_{claim_id}"


def _reviewer() -> Actor:
    current = state.actor()
    if current is None:
        raise InvalidInput("enter your name in the sidebar first")
    return current


def _saved(claim_id: int, review: ReviewOut) -> None:
    state.set_seen_version(claim_id, review.version)


def _stale(area: str, claim_id: int, exc: StaleEdit) -> None:
    # Forget what the note box holds so it shows the newer saved value on the rerun.
    st.session_state.pop(note_key(claim_id), None)
    if isinstance(exc.current, ReviewOut):
        _saved(claim_id, exc.current)
    state.flash(area, "warning", f"{exc} The page now shows the newer value.")


def _advance(claim_id: int) -> None:
    """Open the next claim still to review after ``claim_id`` (queue order and filter)."""
    following = next_claim_id(state.engine(), state.current_filter(), after=claim_id)
    state.open_claim(following)


def decide(claim_id: int, verdict: Verdict) -> None:
    try:
        review = decisions.set_verdict(
            state.engine(),
            claim_id,
            _reviewer(),
            verdict,
            expected_version=state.seen_version(claim_id),
        )
    except StaleEdit as exc:
        _stale(DECISION, claim_id, exc)
        return
    except WorkbenchError as exc:
        state.flash(DECISION, "error", str(exc))
        return
    _saved(claim_id, review)
    _advance(claim_id)
    state.flash(DECISION, "success", f"Saved “{verdict.value}” for claim #{claim_id}.")


def clear_verdict(claim_id: int) -> None:
    try:
        review = decisions.set_verdict(
            state.engine(),
            claim_id,
            _reviewer(),
            None,
            expected_version=state.seen_version(claim_id),
        )
    except StaleEdit as exc:
        _stale(DECISION, claim_id, exc)
        return
    except WorkbenchError as exc:
        state.flash(DECISION, "error", str(exc))
        return
    _saved(claim_id, review)
    state.flash(DECISION, "info", f"Your verdict on claim #{claim_id} was cleared.")


def not_a_claim(claim_id: int) -> None:
    try:
        decisions.mark_not_a_claim(state.engine(), claim_id, _reviewer())
    except WorkbenchError as exc:
        state.flash(DECISION, "error", str(exc))
        return
    _advance(claim_id)
    state.flash(DECISION, "success", f"Claim #{claim_id} was taken out of the queue.")


def reopen(claim_id: int) -> None:
    try:
        decisions.reopen_claim(state.engine(), claim_id, _reviewer())
    except WorkbenchError as exc:
        state.flash(DECISION, "error", str(exc))
        return
    state.flash(DECISION, "success", f"Claim #{claim_id} is back in the queue.")


def skip(claim_id: int) -> None:
    following = next_claim_id(state.engine(), state.current_filter(), after=claim_id)
    if following is None or following == claim_id:
        state.flash(DECISION, "info", "No other claim is waiting for review with this filter.")
        return
    state.open_claim(following)


def previous() -> None:
    back, rest = pop_history(state.history())
    if back is None:
        state.flash(DECISION, "info", "This is the first claim you opened in this session.")
        return
    state.set_history(rest)
    state.open_claim(back, remember=False)


def save_note(claim_id: int) -> None:
    note = str(st.session_state.get(note_key(claim_id), ""))
    try:
        review = decisions.set_note(
            state.engine(),
            claim_id,
            _reviewer(),
            note,
            expected_version=state.seen_version(claim_id),
        )
    except StaleEdit as exc:
        _stale(NOTE, claim_id, exc)
        return
    except WorkbenchError as exc:
        state.flash(NOTE, "error", str(exc))
        return
    _saved(claim_id, review)
    state.flash(NOTE, "success", "Note saved.")


def add_url(claim_id: int) -> None:
    raw = str(st.session_state.get(url_key(claim_id), ""))
    try:
        review = decisions.add_url(state.engine(), claim_id, _reviewer(), raw)
    except WorkbenchError as exc:
        state.flash(URL, "error", f"Not added: {exc}.")
        return
    _saved(claim_id, review)
    st.session_state[url_key(claim_id)] = ""
    state.flash(URL, "success", "URL added.")


def remove_url(claim_id: int, url: str) -> None:
    try:
        review = decisions.remove_url(state.engine(), claim_id, _reviewer(), url)
    except WorkbenchError as exc:
        state.flash(URL, "error", str(exc))
        return
    _saved(claim_id, review)
    state.flash(URL, "info", "URL removed.")
