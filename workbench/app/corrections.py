"""The Review page's "Correct extraction" expander: move a claim's boundaries, split it, merge
it with the next claim, or add a sentence the extractor missed.

One call from the page (:func:`panel`, under the decision controls). The expander starts
collapsed and tracks its state, so its content (a query and the paragraph's sentences) runs
only while it is open: the verdict buttons stay where they were and a verdict costs no more.
Every button calls one service function of ``workbench.review.corrections``, which checks the
permission, the offsets and the claim's state; success opens the corrected claim (Previous
comes back) with a message at the top of the claim, a refusal is shown in the expander. Text
from the document is only ever shown as plain text (``st.text``), never as HTML or Markdown.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from workbench.app import actions, render, state
from workbench.auth.policy import Action
from workbench.db.session import retry_busy
from workbench.errors import InvalidInput, WorkbenchError
from workbench.review import correction_form, corrections
from workbench.review.correction_form import CorrectionContext, Span
from workbench.review.corrections import Corrected, NeedsConfirmation
from workbench.review.queue import ClaimDetail
from workbench.schemas import Actor, ClaimStatus

AREA = "correction"
CUSTOM = -1  # the split option "at a character I choose"


def expander_key(claim_id: int) -> str:
    # One per claim: the next claim opens with the expander collapsed again.
    return f"correct_{claim_id}"


def panel(detail: ClaimDetail) -> None:
    """The expander (reviewers and admins), and the note on a claim a correction replaced."""
    claim = detail.claim
    if claim.status == ClaimStatus.superseded:
        st.warning(
            "This claim was replaced by a correction of its text: it is out of the queue, and "
            "its reviews stay with it. The expander below names the claims that replaced it."
        )
    if not state.may(Action.correct_claims):
        return
    box = st.expander(
        "Correct extraction",
        key=expander_key(claim.id),
        on_change="rerun",
        icon=":material/content_cut:",
    )
    with box:
        if box.open:  # lazy: nothing below runs while it is collapsed
            _body(detail)


def _body(detail: ClaimDetail) -> None:
    state.show_flash(AREA)
    try:
        context = correction_form.correction_context(state.engine(), detail.claim.id, _actor())
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        return
    if context.status == ClaimStatus.superseded:
        _replacements(context)
        return
    text = detail.document_text
    if context.status == ClaimStatus.open:
        confirm = _confirmation(context)
        _by_sentence(context, confirm)
        _exact(context, text, confirm)
        _split(context, text, confirm)
    else:
        st.caption("Put the claim back in the queue to correct it; you can still add a sentence.")
    _add(context, text)


def _replacements(context: CorrectionContext) -> None:
    if not context.replaced_by:
        st.caption("The claims that replaced it no longer exist.")
        return
    for target in context.replaced_by:
        st.button(
            f"Open claim #{target}",
            key=f"open_replacement_{context.claim.id}_{target}",
            on_click=state.open_claim,
            args=(target,),
            type="tertiary",
            icon=":material/open_in_new:",
        )


def _confirmation(context: CorrectionContext) -> bool:
    """Others' verdicts would stay behind on this claim: the reviewer says they mean it."""
    n = context.verdicts_by_others
    if not n:
        return False
    return st.checkbox(
        f"{n} verdict{'s' if n > 1 else ''} from other reviewers stay{'' if n > 1 else 's'} with "
        "this claim, which leaves the queue; the corrected claim starts without reviews. "
        "Correct it anyway.",
        key=f"correct_confirm_{context.claim.id}",
    )


def _by_sentence(context: CorrectionContext, confirm: bool) -> None:
    st.caption("By sentence")
    claim_id = context.claim.id
    choices: list[tuple[str, str, Span | None]] = [
        ("prev", "+ Previous sentence", correction_form.extend_to_previous_sentence(context)),
        ("next", "+ Next sentence", correction_form.extend_to_next_sentence(context)),
        ("first", "− First sentence", correction_form.drop_first_sentence(context)),
        ("last", "− Last sentence", correction_form.drop_last_sentence(context)),
    ]
    for row in (choices[:2], choices[2:]):
        cols = st.columns(2)
        for col, (name, label, span) in zip(cols, row, strict=True):
            col.button(
                label,
                key=f"correct_{name}_{claim_id}",
                on_click=_adjust,
                args=(claim_id, span, confirm),
                disabled=span is None,
                width="stretch",
            )
    following = context.next_claim
    st.button(
        f"Merge with the next claim, #{following.id}" if following else "Merge with the next claim",
        key=f"correct_merge_{claim_id}",
        on_click=_merge,
        args=(claim_id, confirm),
        disabled=following is None,
        help=None if following else "No claim follows this one in its paragraph.",
        width="stretch",
    )


def _exact(context: CorrectionContext, text: str, confirm: bool) -> None:
    claim = context.claim
    lo, hi = context.paragraph_start, context.paragraph_end
    if hi - lo < 2:
        return
    start, end = st.slider(
        "Exact characters of the paragraph",
        min_value=lo,
        max_value=hi,
        value=(claim.char_start, claim.char_end),
        key=f"correct_span_{claim.id}",
        help="Drag the ends, or focus one and use the arrow keys for one character at a time.",
    )
    st.text(text[start:end] or "(empty)")
    st.button(
        "Save these boundaries",
        key=f"correct_exact_{claim.id}",
        on_click=_adjust,
        args=(claim.id, (start, end), confirm),
        disabled=(start, end) == (claim.char_start, claim.char_end),
        width="stretch",
    )


def _split(context: CorrectionContext, text: str, confirm: bool) -> None:
    claim = context.claim
    if claim.char_end - claim.char_start < 2:
        return
    boundaries = correction_form.sentence_boundaries(context)
    options = [*boundaries, CUSTOM]
    chosen = st.selectbox(
        "Split in two",
        options,
        format_func=lambda at: (
            "at a character I choose"
            if at == CUSTOM
            else f"before “{render.shorten(text[at:], 40)}”"
        ),
        key=f"correct_split_choice_{claim.id}",
    )
    at = chosen
    if chosen == CUSTOM:
        at = st.number_input(
            "Split before character",
            min_value=claim.char_start + 1,
            max_value=claim.char_end - 1,
            value=_middle_space(text, claim.char_start, claim.char_end),
            step=1,
            key=f"correct_split_at_{claim.id}",
        )
    st.text(f"{text[claim.char_start : at]}\n— — —\n{text[at : claim.char_end]}")
    st.button(
        "Split here",
        key=f"correct_split_{claim.id}",
        on_click=_split_at,
        args=(claim.id, int(at), confirm),
        width="stretch",
    )


def _middle_space(text: str, start: int, end: int) -> int:
    """Where to offer a split by character first: after the word nearest the middle (a cut
    inside a word is never what is meant), else the middle itself."""
    middle = (start + end) // 2
    spaces = [i for i in range(start + 1, end - 1) if text[i].isspace()]
    return min(spaces, key=lambda i: abs(i - middle)) if spaces else middle


def _add(context: CorrectionContext, text: str) -> None:
    missed = correction_form.missed_sentences(context)
    if not missed:
        st.caption("Every sentence of this paragraph is a claim already.")
        return
    spans = {(s.char_start, s.char_end) for s in missed}
    chosen = st.selectbox(
        "A sentence the extractor missed",
        sorted(spans),
        format_func=lambda span: render.shorten(text[span[0] : span[1]], 70),
        key=f"correct_add_choice_{context.claim.id}",
    )
    st.button(
        "Add it as a claim",
        key=f"correct_add_{context.claim.id}",
        on_click=_add_claim,
        args=(context.document_id, chosen),
        width="stretch",
    )


# --- the callbacks: one service call each ---------------------------------------------------


def _actor() -> Actor:
    current = state.actor()
    if current is None:
        raise InvalidInput("sign in first")
    return current


def _done(call: Callable[[], Corrected]) -> None:
    """Run a correction; on success open its (first) claim and say what happened."""
    try:
        result = retry_busy(call)
    except NeedsConfirmation as exc:
        state.flash(AREA, "warning", str(exc))
        return
    except WorkbenchError as exc:
        state.flash(AREA, "error", str(exc))
        return
    state.open_claim(result.created[0].id)
    state.flash(actions.DECISION, "success", result.summary())


def _adjust(claim_id: int, span: Span | None, confirm: bool) -> None:
    if span is None:
        return
    _done(
        lambda: corrections.adjust_claim(state.engine(), claim_id, _actor(), *span, confirm=confirm)
    )


def _merge(claim_id: int, confirm: bool) -> None:
    _done(lambda: corrections.merge_with_next(state.engine(), claim_id, _actor(), confirm=confirm))


def _split_at(claim_id: int, at: int, confirm: bool) -> None:
    _done(lambda: corrections.split_claim(state.engine(), claim_id, _actor(), at, confirm=confirm))


def _add_claim(document_id: int, span: Span) -> None:
    _done(lambda: corrections.add_claim(state.engine(), document_id, _actor(), *span))
