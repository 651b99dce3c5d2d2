"""The discussion of a claim on the Review and Adjudication pages (``workbench.review.discussion``).

Review page, read once per claim (:func:`for_review`): a question an admin sent this claim
back with stands between the claim and the verdict buttons (:func:`question_callout`), on the
first screen whatever the claim's context; under the decision, a compact "Discussion"
expander (:func:`review_section`), collapsed unless there is such a question: the comments
the reader may see (blind review: the service decides), the box to answer the question, and a
box for a comment to the adjudicator. Above it, one line names the other claims sent back to
the reader and opens them.

Adjudication page (:func:`adjudication_section`): every comment of the claim, and "Send back
to <reviewer> with a question".

Everything people wrote is shown as text (``st.text``; names in captions Markdown-escaped),
never as HTML or Markdown. Each button's work runs in a callback (one service call), as the
Review page's own (``actions``): the page is drawn once, after the change, with its message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from workbench.app import render, state
from workbench.auth.policy import Action
from workbench.db.session import retry_busy
from workbench.errors import WorkbenchError
from workbench.review import discussion
from workbench.review.discussion import (
    MAX_COMMENT_CHARS,
    ClaimDiscussion,
    CommentKind,
    CommentOut,
)

REVIEW_AREA = "discussion"
ADJUDICATE_AREA = "discussion_adjudicate"
WAITING_SHOWN = 3  # claims sent back named on the Review page's line; "and N more" after


def comment_key(claim_id: int) -> str:
    return f"discussion_comment_{claim_id}"


def answer_key(question_id: int) -> str:
    return f"discussion_answer_{question_id}"


def question_key(claim_id: int) -> str:
    return f"discussion_question_{claim_id}"


def send_to_key(claim_id: int) -> str:
    return f"discussion_send_to_{claim_id}"


# --- the Review page --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDiscussion:
    """What the Review page shows of the discussion, read once for the claim on screen."""

    talk: ClaimDiscussion
    elsewhere: list[CommentOut]  # questions sent back to the reader on other claims


def for_review(claim_id: int) -> ReviewDiscussion | None:
    """The claim's discussion as the signed-in reader may see it, and the questions sent back
    to them on the current project's other claims; None (with the reason shown) if unreadable.
    """
    actor = state.actor()
    if actor is None:
        return None
    engine = state.engine()
    try:
        talk = discussion.claim_discussion(engine, actor, claim_id)
        # The current project's only: a question on another desk's claim is that desk's.
        questions = discussion.open_questions(engine, actor, state.project_id())
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        return None
    return ReviewDiscussion(talk, [q for q in questions if q.claim_id != claim_id])


def question_callout(seen: ReviewDiscussion | None) -> None:
    """The question this claim was sent back with, between the claim and the verdict buttons:
    on the first screen whatever the claim's context (under the decision, a claim with a long
    context pushed it below the fold at 1280x800)."""
    asked = seen.talk.open_question if seen is not None else None
    if asked is None:
        return
    with st.container(border=True, key="sent_back_question"):
        sent = f"{asked.author} sent this claim back to you with a question · {_when(asked)}"
        st.caption(render.md_escape(sent))
        st.html(render.question_html(asked.body))


def review_section(claim_id: int, seen: ReviewDiscussion | None) -> None:
    """The claim's discussion (``seen``, from :func:`for_review`) and what the reader may add."""
    if seen is None:
        return
    talk, elsewhere = seen.talk, seen.elsewhere
    if elsewhere:
        _sent_back_line(elsewhere)
    asked = talk.open_question
    label = "Discussion"
    if talk.comments:
        label += f" ({len(talk.comments)})"
    if asked is not None:
        label += " · a question for you"
    # Open for a question, and after a comment or an answer (its message is inside; the
    # label changed with the count, so the browser takes this as a new expander).
    with st.expander(label, expanded=asked is not None or _message_for(REVIEW_AREA)):
        state.show_flash(REVIEW_AREA)
        if asked is not None:  # its text is above the verdicts (question_callout)
            _answer_form(asked)
        for item in talk.comments:
            if item != asked:
                _show(item)
        if talk.hidden:
            many = "comment" if talk.hidden == 1 else "comments"
            # A viewer never decides: "until you decide" would promise what cannot come.
            if state.may(Action.review):
                st.caption(f"{talk.hidden} {many} of other reviewers hidden until you decide.")
            else:
                st.caption(
                    f"{talk.hidden} {many} hidden: blind review shows reviewers' comments only "
                    "to those who have given their own verdict, and to admins."
                )
        if not talk.comments and not talk.hidden:
            st.caption("No comments yet.")
        if state.may(Action.comment):
            _comment_form(claim_id)


def _sent_back_line(questions: list[CommentOut]) -> None:
    claims = list(dict.fromkeys(q.claim_id for q in questions))
    many = "a claim" if len(claims) == 1 else f"{len(claims)} claims"
    shown = claims[:WAITING_SHOWN]
    cols = st.columns([3, *([1] * len(shown))], vertical_alignment="center")
    more = f" (and {len(claims) - len(shown)} more)" if len(claims) > len(shown) else ""
    cols[0].caption(f"An admin sent {many} back to you with a question{more}.")
    for col, claim_id in zip(cols[1:], shown, strict=True):
        col.button(
            f"Open claim #{claim_id}",
            key=f"discussion_open_{claim_id}",
            on_click=state.open_claim,
            args=(claim_id,),
            type="tertiary",
        )


def _answer_form(question: CommentOut) -> None:
    st.caption(
        "Answer the question above, or change your verdict if it changes your mind: either "
        "resolves it. Until then the claim comes first in your queue."
    )
    with st.form(f"discussion_answer_form_{question.id}", border=False):
        st.text_area(
            "Your answer",
            key=answer_key(question.id),
            max_chars=MAX_COMMENT_CHARS,
            placeholder="What you checked again, and what you found",
            height=90,
        )
        st.form_submit_button("Send answer", type="primary", on_click=_answer, args=(question.id,))


def _comment_form(claim_id: int) -> None:
    with st.form(f"discussion_comment_form_{claim_id}", border=False):
        st.text_area(
            "Comment for the adjudicator",
            key=comment_key(claim_id),
            max_chars=MAX_COMMENT_CHARS,
            placeholder="Something the adjudicator should know about this claim",
            height=90,
        )
        st.form_submit_button("Post comment", on_click=_comment, args=(claim_id,))


def _comment(claim_id: int) -> None:
    key = comment_key(claim_id)
    body = str(st.session_state.get(key) or "")
    if _save(REVIEW_AREA, lambda actor: discussion.comment(state.engine(), actor, claim_id, body)):
        st.session_state[key] = ""
        state.flash(REVIEW_AREA, "success", "Comment posted.")


def _answer(question_id: int) -> None:
    key = answer_key(question_id)
    body = str(st.session_state.get(key) or "")
    if _save(
        REVIEW_AREA, lambda actor: discussion.answer(state.engine(), actor, question_id, body)
    ):
        st.session_state[key] = ""
        state.flash(REVIEW_AREA, "success", "Answer sent: the question is resolved.")


# --- the Adjudication page --------------------------------------------------------------------


def adjudication_section(claim_id: int, reviewers: list[str]) -> None:
    """The claim's comments, and a form to send it back to one of ``reviewers``."""
    actor = state.actor()
    if actor is None:
        return
    st.markdown("#### Discussion")
    state.show_flash(ADJUDICATE_AREA)
    try:
        talk = discussion.claim_discussion(state.engine(), actor, claim_id)
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        return
    for item in talk.comments:
        _show(item)
    if not talk.comments:
        st.caption("No comments on this claim.")
    names = list(dict.fromkeys(reviewers))
    if not names or not state.may(Action.send_back):
        return
    to = st.selectbox("Send back to", names, key=send_to_key(claim_id))
    with st.form(f"discussion_send_back_form_{claim_id}", border=False):
        st.text_area(
            "Question",
            key=question_key(claim_id),
            max_chars=MAX_COMMENT_CHARS,
            placeholder="What should the reviewer look at again?",
            height=90,
        )
        st.form_submit_button(
            f"Send back to {to} with a question", on_click=_send_back, args=(claim_id,)
        )


def _send_back(claim_id: int) -> None:
    key = question_key(claim_id)
    body = str(st.session_state.get(key) or "")
    to = str(st.session_state.get(send_to_key(claim_id)) or "")
    if _save(
        ADJUDICATE_AREA,
        lambda actor: discussion.send_back(state.engine(), actor, claim_id, to, body),
    ):
        st.session_state[key] = ""
        state.flash(
            ADJUDICATE_AREA,
            "success",
            f"Claim #{claim_id} sent back to {to}: it comes first in their queue until they "
            "answer or change their verdict.",
        )


# --- shared -----------------------------------------------------------------------------------


def _message_for(area: str) -> bool:
    """Whether a message waits to be shown in ``area`` (``state.flash``)."""
    pending = st.session_state.get(state.FLASH)
    return isinstance(pending, state.Flash) and pending.area == area


def _save(area: str, call: Callable[..., object]) -> bool:
    """Run ``call(actor)`` (retried while the database is busy); False with the message left
    for ``area`` when it was refused."""
    actor = state.actor()
    if actor is None:
        state.flash(area, "error", "Sign in first.")
        return False
    try:
        retry_busy(lambda: call(actor))
    except WorkbenchError as exc:
        state.flash(area, "error", str(exc))
        return False
    return True


def heading(item: CommentOut) -> str:
    """Who wrote what to whom, and when, on one line (plain text)."""
    when = _when(item)
    if item.kind == CommentKind.question:
        status = "open" if item.is_open else "answered"
        return f"{item.author} sent it back to {item.addressed_to} · {when} · {status}"
    if item.kind == CommentKind.answer:
        return f"{item.author} answered · {when}"
    return f"{item.author} · {when}"


def _when(item: CommentOut) -> str:
    return f"{item.created_at:%Y-%m-%d %H:%M} UTC"


def _show(item: CommentOut) -> None:
    st.caption(render.md_escape(heading(item)))
    st.text(item.body)
