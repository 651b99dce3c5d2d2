"""Adjudication (admins): disputed claims, every review side by side, the final verdict.

Everything a reviewer or a source wrote is shown as text (``st.text``, escaped HTML or
escaped Markdown), never interpreted. The service refuses non-admins whatever this page
shows; the page only spares them a form they could not use.

A link ``?claim=<id>`` (the Agreement page's most disputed claims) opens that claim first,
even one that is not waiting: an admin may overrule a consensus.
"""

from __future__ import annotations

import math

import streamlit as st
from sqlalchemy import Engine

from workbench.app import actions, discussion, frame, labels, render, state
from workbench.app.context import ClaimContext, claim_context, context_html
from workbench.auth.policy import Action
from workbench.errors import NotFound, WorkbenchError
from workbench.review.adjudicate import (
    DisputedClaim,
    ReviewSide,
    adjudication_item,
    adjudication_queue,
)
from workbench.schemas import Actor, ClaimStatus, FinalSource

PAGE_SIZE = 10
PAGE = "adjudication_page"
# The query parameter of a link to one claim (``?claim=<id>``, from the Agreement page).
LINK = "claim"
# The address's claim this session last wrote or acted on (the address follows the claim
# picked, so a reload or a copied address reopens it), and the claim a link opened.
SEEN = "adjudicate_link_seen"
LINKED = "adjudicate_linked"


def duration(seconds: float | None) -> str:
    """Time spent on a review, for people: "—", "42 s", "3 min 05 s", "1 h 02 min"."""
    if seconds is None or not math.isfinite(seconds):  # inf from an old, unchecked restore
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
    engine, actor = frame.start()
    st.title("Adjudication")
    if not state.may(Action.adjudicate):  # the role in this project
        st.error("Only admins adjudicate disputed claims.")
        return
    state.show_flash(actions.ADJUDICATE)
    linked = _linked_claim(engine, actor)

    page = st.session_state.get(PAGE, 1)
    try:
        project = state.project_id()
        result = adjudication_queue(
            engine,
            actor,
            page=page if isinstance(page, int) else 1,
            page_size=PAGE_SIZE,
            project=project,
        )
        if result.page > result.pages:  # the last claim of the last page was just decided
            _go_to_page(result.pages)
            result = adjudication_queue(
                engine, actor, page=result.pages, page_size=PAGE_SIZE, project=project
            )
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
        if linked is None:
            _show_in_address(None)
            return

    # A claim opened by a link comes first, whether or not it waits in the queue.
    by_id = {linked.claim.id: linked} if linked is not None else {}
    by_id |= {item.claim.id: item for item in result.items if item.claim.id not in by_id}
    if linked is not None:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].caption(
            f"Opened from a link: claim #{linked.claim.id} is listed first"
            + ("" if _waits(linked) else ": it is not waiting for adjudication")
        )
        cols[1].button("Close the link", key="adjudicate_close_link", on_click=_close_link)
    first = next(iter(by_id))
    # Drawn now: a widget's format_func may run outside the page's run, where the
    # project (and so the scale's labels) is not known.
    shown = {i: _label(item) for i, item in by_id.items()}
    chosen = st.selectbox(
        "Claim to adjudicate",
        list(by_id),
        format_func=shown.__getitem__,
        key=f"adjudicate_choice_{result.page}_{linked.claim.id if linked else 'queue'}",
    )
    _pager(result.page, result.pages)
    item = by_id[int(chosen) if chosen is not None else first]
    _show_in_address(item.claim.id)
    _claim(item)
    _reviews(item.reviews)
    discussion.adjudication_section(item.claim.id, [s.review.reviewer for s in item.reviews])
    _final(item)


def _waits(item: DisputedClaim) -> bool:
    """Whether the claim is in the adjudication queue (its rule, on the claim at hand)."""
    verdicts = {side.review.verdict for side in item.reviews if side.review.verdict}
    adjudicated = item.final is not None and item.final.source == FinalSource.adjudicated
    open_claim = item.claim.status == ClaimStatus.open
    split = len(verdicts) > 1 or item.agreed_after_reveal
    return open_claim and ((split and not adjudicated) or item.reviews_changed)


def _linked_claim(engine: Engine, actor: Actor) -> DisputedClaim | None:
    """The claim a link named (``?claim=<id>``), or None with a warning if it names none.

    A value this page wrote itself (the claim picked) is not a new link: the claim a link
    opened stays listed first until the link is closed or another arrives.
    """
    raw = st.query_params.get(LINK)
    if raw is None:  # opened from the navigation: no link
        st.session_state.pop(LINKED, None)
        st.session_state.pop(SEEN, None)
        return None
    if str(raw) != st.session_state.get(SEEN):  # pasted, reloaded, followed: a new link
        st.session_state[SEEN] = str(raw)
        st.session_state.pop(LINKED, None)
        claim_id = state.parse_claim_id(str(raw))
        if claim_id is None:
            st.warning(
                render.md_escape(
                    f"The link names “{render.shorten(str(raw), 40)}”, which is not a claim "
                    "id: showing the disputed claims instead."
                )
            )
            return None
        st.session_state[LINKED] = claim_id
    linked = st.session_state.get(LINKED)
    if not isinstance(linked, int):
        return None
    try:
        return adjudication_item(engine, actor, linked)
    except NotFound:
        st.warning(
            f"Claim #{linked} does not exist (the link may be out of date): showing the "
            "disputed claims instead."
        )
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
    st.session_state.pop(LINKED, None)
    return None


def _show_in_address(claim_id: int | None) -> None:
    """Make the address name the claim on screen (None: none), as the Review page does."""
    value = None if claim_id is None else str(claim_id)
    if value is None:
        st.session_state.pop(SEEN, None)
        st.query_params.pop(LINK, None)
        return
    st.session_state[SEEN] = value
    if st.query_params.get(LINK) != value:
        st.query_params[LINK] = value


def _close_link() -> None:
    st.session_state.pop(LINKED, None)
    st.session_state.pop(SEEN, None)
    st.query_params.pop(LINK, None)


def _label(item: DisputedClaim) -> str:
    verdicts = sorted({labels.verdict(s.review.verdict) for s in item.reviews if s.review.verdict})
    flag = " · reviews changed since adjudication" if item.reviews_changed else ""
    if item.agreed_after_reveal:
        flag += " · agreed only after the reveal"
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
    """The claim with a sentence or two around it, as on the Review page (a stored paragraph
    may be thousands of characters, which would push the reviews and the verdict form far
    down); the whole paragraph is one click away."""
    st.subheader(f"Claim #{item.claim.id}")
    st.html(render.claim_meta_html(item.claim, item.document_source))
    text, start, end = item.paragraph, item.claim_start, item.claim_end
    bounded = claim_context(text, start, end, (0, len(text)))
    st.html(context_html(text, start, end, bounded))
    if not bounded.whole:
        with st.expander("Whole paragraph"):
            whole = ClaimContext(0, len(text), cut_before=False, cut_after=False)
            st.html(context_html(text, start, end, whole))


def _reviews(sides: list[ReviewSide]) -> None:
    st.markdown("#### Reviews")
    for col, side in zip(st.columns(max(1, len(sides))), sides, strict=False):
        review = side.review
        with col.container(border=True):
            st.text(review.reviewer)
            st.text(f"Verdict: {labels.verdict(review.verdict, none='none')}")
            if review.changed_after_reveal and review.blind_verdict is not None:
                st.text(
                    f"Blind verdict: {labels.verdict(review.blind_verdict)} (changed after seeing "
                    "the "
                    "others' verdicts)"
                )
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
    if item.agreed_after_reveal:
        st.warning(
            "The reviewers agree only after seeing each other's verdicts: their blind "
            "verdicts differ, so no automatic consensus was given. Weigh the reviews and decide."
        )
    # The version this form was drawn against: a save over a newer one is refused.
    st.session_state[actions.final_version_key(claim_id)] = item.final.version if item.final else 0
    current = item.final.verdict if item.final else None
    # The project's scale, in its order and with its labels (a final no longer on it kept).
    names = list(labels.scale().names)
    if current is not None and current not in names:
        names.append(current)
    with st.form(f"adjudicate_form_{claim_id}"):
        st.radio(
            "Final verdict",
            names,
            index=names.index(current) if current else None,
            format_func={name: labels.verdict(name) for name in names}.__getitem__,
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
