"""What the review page's buttons do: one service call each, then the message to show.

These run as Streamlit callbacks, before the script reruns, so the page (and the sidebar's
count) is drawn once, from the database, after every change. Errors a user can fix are
left as a message for the area they came from; nothing here shows a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum, auto
from typing import Any, TypeVar

import streamlit as st

from workbench.app import labels, state
from workbench.app.selection import pop_history
from workbench.db.session import retry_busy
from workbench.errors import InvalidInput, StaleEdit, WorkbenchError
from workbench.review import adjudicate as adjudication
from workbench.review import assign, decisions, recent, similar
from workbench.review.queue import next_claim_id
from workbench.schemas import Actor, ClaimStatus, FinalVerdictOut, ReviewOut
from workbench.similarity.query import similar_claims
from workbench.urls import normalise_url

T = TypeVar("T")
DECISION = "decision"
NOTE = "note"
URL = "url"


def note_key(claim_id: int) -> str:
    return f"note_{claim_id}"


def url_key(claim_id: int) -> str:
    return f"url_input_{claim_id}"


class _Failed(Enum):
    """What :func:`_attempt` returns when the save failed and its message is left."""

    FAILED = auto()


FAILED = _Failed.FAILED


def _attempt(
    area: str,
    save: Callable[[], T],
    *,
    on_stale: Callable[[StaleEdit], None] | None = None,
    error: str = "{}",
) -> T | _Failed:
    """``save()``'s result, or :data:`FAILED` with the message left for ``area``.

    The one way a button saves: run again a few times while the database is busy (a long
    import on SQLite holds its write lock between short pauses; nothing of a failed attempt
    was written), then :class:`DatabaseBusy`, whose sentence is shown like any other error.
    A :class:`StaleEdit` goes to ``on_stale`` when given (to show the newer value), else it
    is an error like the others; ``error`` formats the message of one (``{}``: the error).
    """
    try:
        return retry_busy(save)
    except StaleEdit as exc:
        if on_stale is None:
            state.flash(area, "error", error.format(exc))
        else:
            on_stale(exc)
    except WorkbenchError as exc:
        state.flash(area, "error", error.format(exc))
    return FAILED


def _reviewer() -> Actor:
    current = state.actor()
    if current is None:
        raise InvalidInput("enter your name in the sidebar first")
    return current


def _saved(claim_id: int, review: ReviewOut) -> None:
    state.set_seen_version(claim_id, review.version)


def _stale(area: str, claim_id: int) -> Callable[[StaleEdit], None]:
    """What a stale save of ``claim_id``'s review does: show the newer value, and say so."""

    def show_newer(exc: StaleEdit) -> None:
        # Forget what the note box holds so it shows the newer saved value on the rerun.
        st.session_state.pop(note_key(claim_id), None)
        if isinstance(exc.current, ReviewOut):
            _saved(claim_id, exc.current)
        state.flash(area, "warning", f"{exc} The page now shows the newer value.")

    return show_newer


def _edit_review(
    area: str,
    claim_id: int,
    edit: Callable[..., ReviewOut],
    value: object,
    *,
    error: str = "{}",
    **extra: Any,
) -> ReviewOut | None:
    """One change to our review of ``claim_id`` (a ``decisions`` function), made against the
    version the page showed; the saved review, else None (the message, or the newer value,
    shown)."""
    review = _attempt(
        area,
        lambda: edit(
            state.engine(),
            claim_id,
            _reviewer(),
            value,
            expected_version=state.seen_version(claim_id),
            **extra,
        ),
        on_stale=_stale(area, claim_id),
        error=error,
    )
    if review is FAILED:
        return None
    _saved(claim_id, review)
    return review


def _advance(claim_id: int) -> None:
    """Open the next claim: the one assigned next in team mode, else the next still to review
    after ``claim_id`` in queue order and filter."""
    if state.team_reviewing():
        state.open_claim(_assigned(exclude=()))
        return
    following = next_claim_id(state.engine(), state.current_filter(), after=claim_id)
    state.open_claim(following)


def _assigned(exclude: tuple[int, ...]) -> int | None:
    """The claim assignment hands this reviewer next (and leases to them); None: none free."""
    try:
        return assign.next_claim(
            state.engine(), _reviewer(), exclude=exclude, project=state.project_id()
        )
    except WorkbenchError as exc:
        state.flash(DECISION, "error", str(exc))
        return None


def decide(claim_id: int, verdict: str) -> None:
    shown_at = state.shown_at(claim_id)
    if not _edit_review(DECISION, claim_id, decisions.set_verdict, verdict, shown_at=shown_at):
        return
    _advance(claim_id)
    state.flash(DECISION, "success", f"Saved “{labels.verdict(verdict)}” for claim #{claim_id}.")
    _offer_group(claim_id, verdict)


def _offer_group(claim_id: int, verdict: str) -> None:
    """After a verdict, remember it if the claim has similar claims still without one of
    ours, so the next page can offer to apply it to them (the page has moved on)."""
    try:
        others = similar_claims(state.engine(), claim_id, _reviewer())
    except WorkbenchError:
        return
    name = state.reviewer()
    waiting = [
        s.id
        for s in others
        if s.status == ClaimStatus.open and all(v.reviewer != name for v in s.verdicts)
    ]
    state.set_group_offer(claim_id, verdict, len(waiting))


def apply_to_similar(claim_id: int, verdict: str | None) -> None:
    """Give our verdict on ``claim_id`` to every claim similar to it (one review each)."""
    if verdict is None:
        state.flash(DECISION, "info", f"Give claim #{claim_id} a verdict first.")
        return
    result = _attempt(
        DECISION,
        lambda: similar.apply_verdict_to_similar(state.engine(), claim_id, _reviewer(), verdict),
    )
    if result is FAILED:
        return
    state.clear_group_offer()
    state.flash(
        DECISION, "success", f"Claims similar to #{claim_id}: {result.summary(labels.verdict)}"
    )


def dismiss_offer() -> None:
    state.clear_group_offer()


def open_similar(target: int) -> None:
    """Open a similar claim; Previous comes back to the one it was listed under."""
    state.open_claim(target)


def clear_verdict(claim_id: int) -> None:
    if not _edit_review(DECISION, claim_id, decisions.set_verdict, None):
        return
    state.flash(DECISION, "info", f"Your verdict on claim #{claim_id} was cleared.")


def not_a_claim(claim_id: int) -> None:
    if (
        _attempt(
            DECISION, lambda: decisions.mark_not_a_claim(state.engine(), claim_id, _reviewer())
        )
        is FAILED
    ):
        return
    _advance(claim_id)
    state.flash(DECISION, "success", f"Claim #{claim_id} was taken out of the queue.")


def reopen(claim_id: int) -> None:
    if (
        _attempt(DECISION, lambda: decisions.reopen_claim(state.engine(), claim_id, _reviewer()))
        is FAILED
    ):
        return
    state.flash(DECISION, "success", f"Claim #{claim_id} is back in the queue.")


def skip(claim_id: int) -> None:
    if state.team_reviewing():
        # Give the slot back first, so skipping never keeps a claim from the others.
        assign.release(state.engine(), _reviewer(), claim_id)
        assigned = _assigned(exclude=(claim_id,))
        if assigned is None:
            state.open_claim(_assigned(exclude=()))  # the skipped one again, if still free
            state.flash(DECISION, "info", "No other claim is waiting for your review.")
            return
        state.open_claim(assigned)
        return
    following = next_claim_id(state.engine(), state.current_filter(), after=claim_id)
    if following is None or following == claim_id:
        state.flash(DECISION, "info", "No other claim is waiting for review with this filter.")
        return
    state.open_claim(following)


def previous() -> None:
    back, rest = pop_history(state.history())
    if back is None:
        # This visit's history is empty (a reload, a new tab): the claims reviewed before,
        # from the database.
        back = stored_previous(state.claim_id())
        if back is None:
            state.flash(DECISION, "info", "There is no claim you reviewed before this one.")
            return
    state.set_history(rest)
    state.open_claim(back, remember=False)


def stored_previous(current: int | None) -> int | None:
    """The claim reviewed before ``current``, from the reviewer's stored reviews."""
    try:
        stored = recent.recent_claims(state.engine(), _reviewer(), project=state.project_id())
        return recent.before(stored, current)
    except WorkbenchError:
        return None


def save_note(claim_id: int) -> None:
    note = str(st.session_state.get(note_key(claim_id), ""))
    if not _edit_review(NOTE, claim_id, decisions.set_note, note):
        return
    state.flash(NOTE, "success", "Note saved.")


def add_url(claim_id: int) -> None:
    raw = str(st.session_state.get(url_key(claim_id), ""))
    shown = state.seen_version(claim_id)
    saved = _edit_review(URL, claim_id, decisions.add_url, raw, error="Not added: {}.")
    if saved is None:
        return
    st.session_state[url_key(claim_id)] = ""
    url = normalise_url(raw)  # what the service stored (it refused the raw text otherwise)
    if shown and saved.version == shown:  # a URL already there changes nothing, not even this
        state.flash(URL, "info", f"Already among your URLs: {url}")
    elif url != raw.strip():
        state.flash(URL, "success", f"URL added as {url}")
    else:
        state.flash(URL, "success", "URL added.")


def remove_url(claim_id: int, url: str) -> None:
    if not _edit_review(URL, claim_id, decisions.remove_url, url):
        return
    state.flash(URL, "info", "URL removed.")


# --- adjudication (the Adjudication page's form) --------------------------------------------

ADJUDICATE = "adjudicate"


def final_version_key(claim_id: int) -> str:
    """Where the page keeps the final verdict's version it showed for ``claim_id``."""
    return f"final_version_{claim_id}"


def final_verdict_key(claim_id: int) -> str:
    return f"final_verdict_{claim_id}"


def final_reason_key(claim_id: int) -> str:
    return f"final_reason_{claim_id}"


def adjudicate(claim_id: int) -> None:
    chosen = st.session_state.get(final_verdict_key(claim_id))
    reason = str(st.session_state.get(final_reason_key(claim_id)) or "")
    seen = st.session_state.get(final_version_key(claim_id))

    def save() -> FinalVerdictOut:
        if not chosen:
            raise InvalidInput("choose the final verdict")
        return adjudication.adjudicate(
            state.engine(),
            _reviewer(),
            claim_id,
            str(chosen),
            reason,
            expected_version=seen if isinstance(seen, int) else None,
        )

    def show_newer(exc: StaleEdit) -> None:
        # The newer value goes into the message itself: once decided, the claim may have
        # left the queue, so the page cannot be relied on to show it. The reason typed
        # stays in its box, to be reused once the admin has read the newer value.
        state.flash(ADJUDICATE, "warning", f"{exc} {describe_final(exc.current)}")

    final = _attempt(ADJUDICATE, save, on_stale=show_newer)
    if final is FAILED:
        return
    st.session_state.pop(final_reason_key(claim_id), None)
    st.session_state.pop(final_version_key(claim_id), None)
    state.flash(
        ADJUDICATE,
        "success",
        f"Final verdict for claim #{claim_id}: “{labels.verdict(final.verdict)}” (adjudicated).",
    )


def describe_final(final: object) -> str:
    """The final verdict in words, for messages (plain text)."""
    if not isinstance(final, FinalVerdictOut):
        return "The claim has no final verdict now."
    by = f" by {final.decided_by}" if final.decided_by else ""
    why = f"; reason: {final.reason}" if final.reason else ""
    return (
        f"The final verdict is now “{labels.verdict(final.verdict)}” ({final.source.value}{by}, "
        f"{final.decided_at:%Y-%m-%d %H:%M:%S} UTC, version {final.version}){why}."
    )
