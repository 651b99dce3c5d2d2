"""Adjudication (admins): disputed claims, every review side by side, the final verdict.

Everything a reviewer or a source wrote is shown as text (``st.text``, escaped HTML or
escaped Markdown), never interpreted. The service refuses non-admins whatever this page
shows; the page only spares them a form they could not use.
"""

from __future__ import annotations

import streamlit as st

from workbench.app import actions, frame, render, state
from workbench.auth.permissions import Action, allowed
from workbench.errors import WorkbenchError
from workbench.review.adjudicate import DisputedClaim, ReviewSide, adjudication_queue
from workbench.schemas import Verdict

PAGE_SIZE = 10
PAGE = "adjudication_page"
VERDICTS = [v.value for v in Verdict]


def duration(seconds: float | None) -> str:
    """Time spent on a review, for people: "—", "42 s", "3 min 05 s", "1 h 02 min"."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _go_to_page(page: int) -> None:
    st.session_state[PAGE] = max(1, page)


def main() -> None:
    engine, _ = frame.start()
    actor = state.actor()
    st.title("Adjudication")
    if actor is None or not allowed(actor, Action.adjudicate):
        st.error("Only admins adjudicate disputed claims.")
        return
    state.show_flash(actions.ADJUDICATE)

    page = st.session_state.get(PAGE, 1)
    try:
        result = adjudication_queue(
            engine, actor, page=page if isinstance(page, int) else 1, page_size=PAGE_SIZE
        )
        if result.page > result.pages:  # the last claim of the last page was just decided
            _go_to_page(result.pages)
            result = adjudication_queue(engine, actor, page=result.pages, page_size=PAGE_SIZE)
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        return

    st.caption(
        f"{result.total} claim{'' if result.total == 1 else 's'} waiting · "
        f"page {result.page} of {result.pages} · claims whose reviewers disagree, and "
        "adjudicated claims whose reviews changed since"
    )
    if not result.items:
        st.success("No disputed claim is waiting for a final verdict.")
        return

    by_id = {item.claim.id: item for item in result.items}
    chosen = st.selectbox(
        "Claim to adjudicate",
        list(by_id),
        format_func=lambda i: _label(by_id[i]),
        key=f"adjudicate_choice_{result.page}",
    )
    _pager(result.page, result.pages)
    item = by_id[int(chosen) if chosen is not None else result.items[0].claim.id]
    _claim(item)
    _reviews(item.reviews)
    _final(item)


def _label(item: DisputedClaim) -> str:
    verdicts = sorted({s.review.verdict.value for s in item.reviews if s.review.verdict})
    flag = " · reviews changed since adjudication" if item.reviews_changed else ""
    return f"#{item.claim.id} — {render.shorten(item.claim.text, 70)} — {', '.join(verdicts)}{flag}"


def _pager(page: int, pages: int) -> None:
    if pages <= 1:
        return
    cols = st.columns([1, 1, 4])
    cols[0].button(
        "Previous page",
        key="adjudicate_prev",
        on_click=_go_to_page,
        args=(page - 1,),
        disabled=page <= 1,
    )
    cols[1].button(
        "Next page",
        key="adjudicate_next",
        on_click=_go_to_page,
        args=(page + 1,),
        disabled=page >= pages,
    )


def _claim(item: DisputedClaim) -> None:
    st.subheader(f"Claim #{item.claim.id}")
    st.html(render.claim_meta_html(item.claim, item.document_source))
    st.html(render.highlight_html(item.paragraph, item.claim_start, item.claim_end))


def _reviews(sides: list[ReviewSide]) -> None:
    st.markdown("#### Reviews")
    for col, side in zip(st.columns(max(1, len(sides))), sides, strict=False):
        review = side.review
        with col.container(border=True):
            st.text(review.reviewer)
            st.text(f"Verdict: {review.verdict.value if review.verdict else 'none'}")
            st.text(f"Time spent: {duration(side.seconds_spent)}")
            st.text(f"Updated: {review.updated_at:%Y-%m-%d %H:%M} UTC")
            st.text(f"Note: {review.note}" if review.note else "Note: —")
            for evidence in review.urls:
                st.text(evidence.url)


def _final(item: DisputedClaim) -> None:
    claim_id = item.claim.id
    st.markdown("#### Final verdict")
    if item.final is not None:
        st.info(render.md_escape(actions.describe_final(item.final)))
    if item.reviews_changed:
        st.warning("Reviews changed since adjudication: check them, then confirm or change it.")
    # The version this form was drawn against: a save over a newer one is refused.
    st.session_state[actions.final_version_key(claim_id)] = item.final.version if item.final else 0
    current = item.final.verdict.value if item.final else None
    with st.form(f"adjudicate_form_{claim_id}"):
        st.radio(
            "Final verdict",
            VERDICTS,
            index=VERDICTS.index(current) if current else None,
            key=actions.final_verdict_key(claim_id),
            horizontal=True,
        )
        st.text_area(
            "Reason",
            key=actions.final_reason_key(claim_id),
            placeholder="Why this verdict: which review's evidence holds, what was checked",
            max_chars=10_000,
        )
        st.form_submit_button(
            "Save final verdict",
            type="primary",
            on_click=actions.adjudicate,
            args=(claim_id,),
        )


main()
