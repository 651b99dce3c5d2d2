"""Review: one claim at a time, beside its source; a decision opens the next one at once."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from workbench.app import actions, frame, render, state
from workbench.app.selection import describe_filter, filter_is_default
from workbench.errors import NotFound
from workbench.review.queue import ClaimDetail, ClaimFilter, get_claim, next_claim_id
from workbench.review.similar import similar_claims
from workbench.schemas import ClaimStatus, ReviewOut, SimilarClaim, Verdict

VERDICT_BUTTONS: list[tuple[Verdict, str, str]] = [
    (Verdict.verified, "Verified", "1"),
    (Verdict.disputed, "Disputed", "2"),
    (Verdict.unsupported, "Unsupported", "3"),
]


def main() -> None:
    engine, reviewer = frame.start()
    flt = state.current_filter()
    _filter_line(engine, flt)

    claim_id = state.claim_id()
    if claim_id is None:
        claim_id = next_claim_id(engine, flt, after=None)
        if claim_id is None:
            _all_done(flt)
            return
        st.session_state[state.CLAIM] = claim_id
    try:
        detail = get_claim(engine, claim_id)
    except NotFound:
        state.open_claim(None, remember=False)
        state.flash(actions.DECISION, "warning", f"Claim #{claim_id} no longer exists.")
        st.rerun()
        return

    mine = next((r for r in detail.reviews if r.reviewer == reviewer), None)
    # The version this page shows; a save checks it, so another tab's change is not lost.
    state.set_seen_version(claim_id, mine.version if mine else 0)

    state.show_flash(actions.DECISION)
    _group_offer(claim_id)
    _claim(detail)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _decision(detail, mine)
    with right:
        _note(claim_id, mine, open_=detail.claim.status == ClaimStatus.open)
        _urls(claim_id, mine, open_=detail.claim.status == ClaimStatus.open)
    _similar(detail, mine, similar_claims(engine, claim_id))
    _others(detail, reviewer)


def _filter_line(engine: Engine, flt: ClaimFilter) -> None:
    if filter_is_default(flt):
        return
    from workbench.review.queue import list_documents

    titles = {d.id: d.title for d in list_documents(engine)}
    scope = describe_filter(flt, titles) or "the queue filter"
    cols = st.columns([5, 1], vertical_alignment="center")
    cols[0].text(f"Next claims come from the queue filter — {scope}")
    if cols[1].button("Clear filter", key="clear_filter", type="tertiary"):
        state.set_filter(ClaimFilter())
        st.rerun()


def _all_done(flt: ClaimFilter) -> None:
    state.show_flash(actions.DECISION)
    st.title("All claims reviewed")
    if filter_is_default(flt):
        st.success("Every claim in the queue has a verdict or was marked not a claim.")
    else:
        st.success("Every claim matching the queue filter has been reviewed.")
    st.page_link(
        state.QUEUE_PAGE_PATH, label="Browse all claims in the Queue", icon=":material/list_alt:"
    )
    st.page_link(state.EXPORT_PAGE, label="Export the reviewed dataset", icon=":material/download:")


def _claim(detail: ClaimDetail) -> None:
    claim = detail.claim
    st.subheader(f"Claim #{claim.id}")
    if claim.status == ClaimStatus.not_a_claim:
        st.warning("This claim was marked “not a check-worthy claim”: it is out of the queue.")
    st.html(render.claim_meta_html(claim, detail.document_source))
    st.html(
        render.highlight_html(
            detail.document_text,
            claim.char_start,
            claim.char_end,
            context=(detail.paragraph_start, detail.paragraph_end),
        )
    )
    with st.expander("Whole document"):
        st.html(render.highlight_html(detail.document_text, claim.char_start, claim.char_end))


def _decision(detail: ClaimDetail, mine: ReviewOut | None) -> None:
    claim_id = detail.claim.id
    current = mine.verdict if mine else None
    if detail.claim.status == ClaimStatus.not_a_claim:
        st.button(
            "Put back in the queue",
            key="reopen",
            on_click=actions.reopen,
            args=(claim_id,),
            type="primary",
        )
    else:
        if current is not None:
            cols = st.columns([3, 1], vertical_alignment="center")
            cols[0].markdown(f"Your verdict: **{current.value}**")
            cols[1].button(
                "Clear verdict",
                key="clear_verdict",
                on_click=actions.clear_verdict,
                args=(claim_id,),
                type="tertiary",
            )
        else:
            st.caption("Your verdict: none yet")
        buttons = st.columns(3)
        for col, (verdict, label, key) in zip(buttons, VERDICT_BUTTONS, strict=True):
            col.button(
                label,
                key=f"verdict_{verdict.value}",
                on_click=actions.decide,
                args=(claim_id, verdict),
                shortcut=key,
                type="primary" if current == verdict else "secondary",
                width="stretch",
                help=f"Save “{verdict.value}” and open the next claim (key {key})",
            )
        st.button(
            "Not a check-worthy claim",
            key="not_a_claim",
            on_click=actions.not_a_claim,
            args=(claim_id,),
            shortcut="X",
            width="stretch",
            help="A bad extraction: take it out of the queue without a verdict (key X)",
        )
    nav = st.columns(2)
    nav[0].button(
        "Previous",
        key="previous",
        on_click=actions.previous,
        shortcut="P",
        icon=":material/arrow_back:",
        width="stretch",
        disabled=not state.history(),
    )
    nav[1].button(
        "Skip",
        key="skip",
        on_click=actions.skip,
        args=(claim_id,),
        shortcut="S",
        icon=":material/arrow_forward:",
        width="stretch",
    )


def _note(claim_id: int, mine: ReviewOut | None, *, open_: bool) -> None:
    st.text_area(
        "Note",
        value=mine.note if mine else "",
        key=actions.note_key(claim_id),
        on_change=actions.save_note,
        args=(claim_id,),
        placeholder="What you checked, and where (saved when you leave the box)",
        height=110,
        disabled=not open_,
    )
    state.show_flash(actions.NOTE)


def _urls(claim_id: int, mine: ReviewOut | None, *, open_: bool) -> None:
    with st.form(f"url_form_{claim_id}", border=False, enter_to_submit=True):
        cols = st.columns([4, 1], vertical_alignment="bottom")
        cols[0].text_input(
            "Corroborating URL",
            key=actions.url_key(claim_id),
            placeholder="https://…",
            disabled=not open_,
        )
        cols[1].form_submit_button(
            "Add", on_click=actions.add_url, args=(claim_id,), disabled=not open_, width="stretch"
        )
    state.show_flash(actions.URL)
    for index, evidence in enumerate(mine.urls if mine else []):
        row = st.columns([6, 1, 1], vertical_alignment="center")
        row[0].text(evidence.url)
        # Stored URLs are normalised http(s) addresses, so a link to them is safe.
        row[1].link_button("Open", evidence.url, key=f"open_url_{claim_id}_{index}")
        row[2].button(
            "Remove",
            key=f"remove_url_{claim_id}_{index}",
            on_click=actions.remove_url,
            args=(claim_id, evidence.url),
            type="tertiary",
        )


def _group_offer(showing: int) -> None:
    """The verdict just given moved the page on: offer it for that claim's similar claims."""
    offer = state.group_offer()
    if offer is None or offer.claim_id == showing:  # on its own page the expander offers it
        return
    many = "claim" if offer.waiting == 1 else "claims"
    cols = st.columns([5, 2, 1], vertical_alignment="center")
    cols[0].text(
        f"Claim #{offer.claim_id}, which you marked “{offer.verdict.value}”, has "
        f"{offer.waiting} similar {many} in other documents without your verdict."
    )
    cols[1].button(
        f"Apply “{offer.verdict.value}” to them",
        key="apply_offer",
        on_click=actions.apply_to_similar,
        args=(offer.claim_id, offer.verdict),
        help="Each similar claim gets its own review from you; verdicts you already gave stay.",
    )
    cols[2].button("Dismiss", key="dismiss_offer", on_click=actions.dismiss_offer, type="tertiary")


def _similar(detail: ClaimDetail, mine: ReviewOut | None, others: list[SimilarClaim]) -> None:
    """The claims of other documents that say the same thing, and one step to decide them."""
    if not others:
        return
    claim_id = detail.claim.id
    count = len(others)
    verdict = mine.verdict if mine else None
    can_apply = verdict is not None and detail.claim.status == ClaimStatus.open
    title = f"{count} similar claim{'' if count == 1 else 's'} in other documents"
    with st.expander(title):
        st.button(
            f"Apply “{verdict.value}” to all {count}"
            if verdict
            else f"Apply your verdict to all {count}",
            key="apply_similar",
            on_click=actions.apply_to_similar,
            args=(claim_id, verdict),
            disabled=not can_apply,
            help="Each similar claim gets its own review from you; verdicts you already gave "
            "there stay as they are."
            if can_apply
            else "Give this claim a verdict first.",
        )
        for other in others:
            st.html(render.similar_claim_html(other))
            st.button(
                f"Open claim #{other.id}",
                key=f"open_similar_{other.id}",
                on_click=actions.open_similar,
                args=(other.id,),
                type="tertiary",
                icon=":material/open_in_new:",
            )


def _others(detail: ClaimDetail, reviewer: str) -> None:
    others = [r for r in detail.reviews if r.reviewer != reviewer]
    if not others:
        return
    st.markdown("#### Other reviewers")
    st.dataframe(
        {
            "reviewer": [r.reviewer for r in others],
            "verdict": [r.verdict.value if r.verdict else "" for r in others],
            "note": [r.note for r in others],
            "urls": [" ".join(e.url for e in r.urls) for r in others],
            "updated": [r.updated_at.strftime("%Y-%m-%d %H:%M") for r in others],
        },
        hide_index=True,
    )


main()
