"""Review: one claim at a time, beside its source; a decision opens the next one at once.

The claim and everything done with it is a fragment (:func:`claim_view`): a verdict, a note,
a URL, Skip or Previous reruns that alone, not the whole page; the sidebar's review counts are
drawn from it, so they follow each verdict. The rest (the account check, the sidebar, the
queue-filter line) runs on full runs; the fragment asks for one only when the account
changed under it.

The address names the claim on screen (``/review?claim=ID``, see :func:`state.show_in_address`):
a link pasted into a chat, a reload or a link kept through the login opens that claim when
``get_claim`` lets the actor see it (:func:`_open_link`); otherwise a message says why and the
queue goes on.
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st
from sqlalchemy import Engine
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import get_script_run_ctx

from workbench.app import (
    access,
    actions,
    discussion,
    frame,
    guidelines,
    labels,
    project,
    render,
    sidebar,
    state,
)
from workbench.app.context import ClaimContext, claim_context, context_html, document_html
from workbench.app.corrections import panel as correct_extraction
from workbench.app.selection import describe_filter, filter_is_default
from workbench.audit import describe_change
from workbench.auth.policy import Action
from workbench.errors import NotFound, PermissionDenied
from workbench.review import assign
from workbench.review.history import visible_claim_history
from workbench.review.options import document_titles
from workbench.review.queue import ClaimDetail, ClaimFilter, get_claim, next_claim_id
from workbench.schemas import Actor, ClaimStatus, ReviewOut, SimilarClaim
from workbench.similarity.query import similar_claims

READ_ONLY_NOTE = (
    "You are signed in as a viewer: you can read the claims, but not record verdicts, "
    "notes or URLs. Ask an admin for the reviewer role to review."
)


def verdict_buttons() -> list[tuple[str, str, str]]:
    """The current project's verdicts in its scale's order, with its labels and keys."""
    return [(v.name, v.shown, v.key) for v in labels.scale().verdicts]


# What the claim's box shows (see _claim).
AROUND_CLAIM = "Around the claim"
WHOLE_PARAGRAPH = "Whole paragraph"
WHOLE_DOCUMENT = "Whole document"
# What the verdict buttons do, under them (see _decision); the sidebar's "Verdicts and keys"
# says what each verdict means.
DECISION_HELP = (
    "A verdict is saved and the next claim opens. “Not a check-worthy claim” is for a bad "
    "extraction: it leaves the queue without a verdict."
)
# The fragment's key: `st.rerun(FRAGMENT)` from elsewhere would rerun it alone.
FRAGMENT = "review_claim"


def main() -> None:
    engine, _, counts = frame.start_without_counts()
    if not state.team_reviewing():  # in team mode assignment, not the queue filter, picks
        _filter_line(engine, state.current_filter())  # the next claim
    claim_view(counts)


def _fragment_rerun() -> bool:
    """Whether this run is the fragment's own (a click inside it), not a full run."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


@st.fragment(key=FRAGMENT)
def claim_view(counts: DeltaGenerator) -> None:
    """The claim view, then the sidebar's counts: drawn after the claim is chosen, so that
    "assigned to you" counts the lease the view has just taken."""
    _claim_view()
    with counts:
        sidebar.progress_counts(state.engine())


def _claim_view() -> None:
    """The open claim, its source, the decision, note, URLs, similar claims and history."""
    if _fragment_rerun():
        # A full run checks the account in frame.start(); a click in here checks it too
        # (one short query), and a disabled account or a changed role needs the whole page:
        # the login form, or another navigation.
        before = state.actor()
        _, now = access.check()
        if now is None or now != before:
            st.rerun(scope="app")
    engine = state.engine()
    actor = state.require_actor()
    reviewer = actor.name
    flt = state.current_filter()
    team = state.team_reviewing()

    _open_link(engine, actor)
    claim_id = state.claim_id()
    if claim_id is None:
        claim_id = _first_claim(engine, flt, team=team)
        if claim_id is None:
            state.show_in_address(None)
            _all_done(flt, team=team)
            return
        st.session_state[state.CLAIM] = claim_id
    try:
        # With the actor, so blind review hides others' work until this reviewer decides.
        detail = get_claim(engine, claim_id, actor)
    except NotFound:
        state.open_claim(None, remember=False)
        state.flash(actions.DECISION, "warning", f"Claim #{claim_id} no longer exists.")
        # (A fragment-scoped rerun is refused during a full run: then the whole page.)
        st.rerun(scope="fragment" if _fragment_rerun() else "app")
        return
    # The address bar names the claim on screen: a link to paste, and what a reload opens.
    state.show_in_address(claim_id)

    mine = next((r for r in detail.reviews if r.reviewer == reviewer), None)
    # The version this page shows; a save checks it, so another tab's change is not lost.
    state.set_seen_version(claim_id, mine.version if mine else 0)

    state.mark_shown(claim_id)  # the time spent on a review is counted from here
    state.show_flash(actions.DECISION)
    _group_offer(claim_id)
    _claim(detail)
    if team:
        _lease_line(engine, claim_id)
    talk = discussion.for_review(claim_id)
    # Above the verdicts: a question sent back is on the first screen, whatever the context.
    discussion.question_callout(talk)
    left, right = st.columns([3, 2], gap="large")
    with left:
        _decision(detail, mine)
        # Under the verdicts, beside the note: the answer box, the comments, the claims sent back.
        discussion.review_section(claim_id, talk)
        correct_extraction(detail)  # collapsed: the verdicts stay on the first screen
    with right:
        # Beside the decision, in a box of bounded height: never above the verdict buttons.
        guidelines.panel()
        # Viewers see the boxes disabled; the service would refuse their writes anyway.
        writable = detail.claim.status == ClaimStatus.open and state.may(Action.review)
        _note(claim_id, mine, open_=writable)
        _urls(claim_id, mine, open_=writable)
    _similar(detail, mine, _blind(similar_claims(engine, claim_id, actor)))
    _others(detail, reviewer)
    _history(engine, claim_id)


def _open_link(engine: Engine, actor: Actor) -> None:
    """Open the claim a new link names (``?claim=<id>``: pasted, reloaded, kept through the
    login), if the services let this actor see it; otherwise say why, and go on with the queue.
    """
    raw = state.new_link()
    if raw is None:
        return
    target = state.parse_claim_id(raw)
    instead = "showing the next claim of your queue instead."
    if target is None:
        state.flash(
            actions.DECISION,
            "warning",
            f"The link names “{render.shorten(raw, 40)}”, which is not a claim id "
            f"(a positive whole number): {instead}",
        )
        return
    if target == state.claim_id():
        return
    try:
        get_claim(engine, target, actor)  # the service's answer: may this actor see it?
    except NotFound:
        state.flash(
            actions.DECISION,
            "warning",
            f"Claim #{target} does not exist (the link may be out of date): {instead}",
        )
        return
    except PermissionDenied as exc:
        state.flash(
            actions.DECISION, "warning", f"You may not see claim #{target} ({exc}): {instead}"
        )
        return
    # In team mode the link takes the claim's lease, as "next claim" would, but only if a
    # slot is free: a link must not take the slot someone else was handed.
    if state.team_reviewing() and not assign.lease_claim(engine, actor, target):
        state.flash(
            actions.DECISION,
            "info",
            f"Claim #{target} is closed or its review slots are all taken by other reviewers: "
            "you can read it, and your next claim comes from the queue.",
        )
    state.open_claim(target)


def _filter_line(engine: Engine, flt: ClaimFilter) -> None:
    if filter_is_default(flt):
        return
    wanted = [flt.document_id] if flt.document_id is not None else []
    titles = document_titles(engine, wanted, project_id=state.project_id())
    scope = describe_filter(flt, titles) or "the queue filter"
    cols = st.columns([5, 1], vertical_alignment="center")
    cols[0].text(f"Next claims come from the queue filter — {scope}")
    if cols[1].button("Clear filter", key="clear_filter", type="tertiary"):
        state.set_filter(ClaimFilter())
        st.rerun()


def _first_claim(engine: Engine, flt: ClaimFilter, *, team: bool) -> int | None:
    current = state.actor()
    if team and current is not None:
        return assign.next_claim(engine, current, project=state.project_id())
    return next_claim_id(engine, flt, after=None)


def _lease_line(engine: Engine, claim_id: int) -> None:
    current = state.actor()
    until = assign.lease_of(engine, current, claim_id) if current else None
    if until is not None and until > datetime.now(UTC):
        st.caption(f"Reserved for you until {until:%H:%M} UTC.")


def _all_done(flt: ClaimFilter, *, team: bool = False) -> None:
    state.show_flash(actions.DECISION)
    if team:
        st.title("Nothing to review right now")
        st.success(
            "Every open claim has its reviews, or is with other reviewers at the moment. "
            "Claims they leave come back after a while."
        )
        return
    st.title("All claims reviewed")
    if filter_is_default(flt):
        st.success("Every claim in the queue has a verdict or was marked not a claim.")
    else:
        st.success("Every claim matching the queue filter has been reviewed.")
    st.page_link(
        state.QUEUE_PAGE_PATH,
        label="Browse all claims in the Queue",
        icon=":material/list_alt:",
        query_params=project.query(),
    )
    if state.may(Action.export):  # the page is not in the navigation of other roles
        st.page_link(
            state.EXPORT_PAGE,
            label="Export the reviewed dataset",
            icon=":material/download:",
            query_params=project.query(),
        )


def _claim(detail: ClaimDetail) -> None:
    """The claim in its source, in one box of bounded height whatever is shown in it: a
    sentence or two around the claim (see workbench.app.context), its whole paragraph, or the
    whole document opened at the claim. So the decision below stays on the first screen."""
    claim = detail.claim
    text, start, end = detail.document_text, claim.char_start, claim.char_end
    paragraph = (detail.paragraph_start, detail.paragraph_end)
    bounded = claim_context(text, start, end, paragraph)
    views = [AROUND_CLAIM, *([WHOLE_PARAGRAPH] if not bounded.whole else []), WHOLE_DOCUMENT]
    # The heading and the choice of view share a row: a row less above the buttons.
    heading, choice = st.columns([1, 2], vertical_alignment="bottom")
    heading.subheader(f"Claim #{claim.id}")
    with choice.container(horizontal_alignment="right"):
        view = st.segmented_control(
            "Show",
            views,
            default=AROUND_CLAIM,
            required=True,
            key=f"source_view_{claim.id}",
            label_visibility="collapsed",
        )
    if claim.status == ClaimStatus.not_a_claim:
        st.warning("This claim was marked “not a check-worthy claim”: it is out of the queue.")
    elif claim.status == ClaimStatus.held_out:
        # Reached by a link only: the queue never lists these (workbench.review.rescore).
        st.warning(
            "The extractor scored this sentence below its threshold: it is out of the queue."
        )
    st.html(render.claim_meta_html(claim, detail.document_source))
    if view == WHOLE_DOCUMENT:
        st.html(document_html(text, start, end, paragraph))
    else:
        whole = ClaimContext(*paragraph, cut_before=False, cut_after=False)
        shown = whole if view == WHOLE_PARAGRAPH else bounded
        st.html(context_html(text, start, end, shown))


def _decision(detail: ClaimDetail, mine: ReviewOut | None) -> None:
    claim_id = detail.claim.id
    current = mine.verdict if mine else None
    # Shown disabled rather than hidden, so a viewer sees what reviewers decide with.
    read_only = not state.may(Action.review)
    if read_only:
        st.info(READ_ONLY_NOTE)
    if detail.claim.status in (ClaimStatus.not_a_claim, ClaimStatus.held_out):
        st.button(
            "Put back in the queue",
            key="reopen",
            on_click=actions.reopen,
            args=(claim_id,),
            type="primary",
            disabled=read_only,
        )
    else:
        if current is not None:
            cols = st.columns([3, 1], vertical_alignment="center")
            cols[0].markdown(f"Your verdict: **{render.md_escape(labels.verdict(current))}**")
            cols[1].button(
                "Clear verdict",
                key="clear_verdict",
                on_click=actions.clear_verdict,
                args=(claim_id,),
                type="tertiary",
                disabled=read_only,
            )
        else:
            st.caption("Your verdict: none yet")
        choices = verdict_buttons()
        buttons = st.columns(len(choices))
        for col, (verdict, label, key) in zip(buttons, choices, strict=True):
            col.button(
                label,
                key=f"verdict_{verdict}",
                on_click=actions.decide,
                args=(claim_id, verdict),
                shortcut=key or None,
                type="primary" if current == verdict else "secondary",
                width="stretch",
                disabled=read_only,
            )
        st.button(
            "Not a check-worthy claim",
            key="not_a_claim",
            on_click=actions.not_a_claim,
            args=(claim_id,),
            shortcut="X",
            width="stretch",
            disabled=read_only,
        )
    nav = st.columns(2)
    nav[0].button(
        "Previous",
        key="previous",
        on_click=actions.previous,
        shortcut="P",
        icon=":material/arrow_back:",
        width="stretch",
        # After a reload this visit's history is empty; the stored reviews still lead back.
        disabled=not state.history() and actions.stored_previous(claim_id) is None,
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
    if not read_only and detail.claim.status == ClaimStatus.open:
        # A caption, not the buttons' tooltips: a tooltip opened above "Not a check-worthy
        # claim" covered the verdict row while the pointer rested there, and blocked a click.
        st.caption(DECISION_HELP)


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
        # The address itself is the link (a new tab): no "Open" button to squeeze beside it,
        # and "Remove" keeps the width of its word.
        row = st.columns([2, 1], vertical_alignment="center")  # "Remove" whole at 1280 px
        row[0].html(render.evidence_link_html(evidence.url))
        row[1].button(
            "Remove",
            key=f"remove_url_{claim_id}_{index}",
            on_click=actions.remove_url,
            args=(claim_id, evidence.url),
            type="tertiary",
            width="content",
            disabled=not state.may(Action.review),
        )


def _group_offer(showing: int) -> None:
    """The verdict just given moved the page on: offer it for that claim's similar claims."""
    offer = state.group_offer()
    if offer is None or offer.claim_id == showing:  # on its own page the expander offers it
        return
    many = "claim" if offer.waiting == 1 else "claims"
    cols = st.columns([5, 2, 1], vertical_alignment="center")
    cols[0].text(
        f"Claim #{offer.claim_id}, which you marked “{labels.verdict(offer.verdict)}”, has "
        f"{offer.waiting} similar {many} in other documents without your verdict "
        "(each gets a review of its own; verdicts you already gave stay)."
    )
    # No tooltip on these buttons: none may cover another control (the claim below).
    cols[1].button(
        f"Apply “{render.md_escape(labels.verdict(offer.verdict))}” to them",
        key="apply_offer",
        on_click=actions.apply_to_similar,
        args=(offer.claim_id, offer.verdict),
    )
    cols[2].button("Dismiss", key="dismiss_offer", on_click=actions.dismiss_offer, type="tertiary")


def _blind(others: list[SimilarClaim]) -> list[SimilarClaim]:
    """Blind review: only admins see other reviewers' verdicts on the similar claims."""
    if state.may(Action.see_all_reviews):
        return others
    me = state.reviewer()
    return [
        o.model_copy(update={"verdicts": [v for v in o.verdicts if v.reviewer == me]})
        for o in others
    ]


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
            f"Apply “{render.md_escape(labels.verdict(verdict))}” to all {count}"
            if verdict
            else f"Apply your verdict to all {count}",
            key="apply_similar",
            on_click=actions.apply_to_similar,
            args=(claim_id, verdict),
            disabled=not can_apply,
        )
        # A caption rather than a tooltip, which would cover the expander's header.
        st.caption(
            "Each similar claim gets its own review from you; verdicts you already gave "
            "there stay as they are."
            if can_apply
            else "Give this claim a verdict first."
        )
        for other in others:
            st.html(render.similar_claim_html(other, labels.verdict))
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
    if detail.hidden_reviews:
        n = detail.hidden_reviews
        reviews = f"{n} other review{'s' if n > 1 else ''}"
        # A viewer never decides: "until you decide" would promise what cannot come.
        if state.may(Action.review):
            st.caption(f"{reviews} hidden until you decide.")
        else:
            st.caption(
                f"{reviews} hidden: blind review shows reviewers' verdicts only to those who "
                "have given their own, and to admins."
            )
    if not others:
        return
    st.markdown("#### Other reviewers")
    mine = next((r for r in detail.reviews if r.reviewer == reviewer), None)
    if mine is not None and mine.blind_verdict is not None and any(r.verdict for r in others):
        # Blind review stays blind (workbench.review.blind): say what a change now means.
        st.caption(
            f"Your blind verdict, given before you saw these, is kept: "
            f"{render.md_escape(labels.verdict(mine.blind_verdict))}. You may still change "
            "your verdict; the change is "
            "recorded as made after seeing the others' and the claim goes to adjudication."
        )
    st.dataframe(
        {
            "reviewer": [r.reviewer for r in others],
            "verdict": [labels.verdict(r.verdict) for r in others],
            "note": [r.note for r in others],
            "urls": [" ".join(e.url for e in r.urls) for r in others],
            "updated": [r.updated_at.strftime("%Y-%m-%d %H:%M") for r in others],
        },
        hide_index=True,
    )


def _history(engine: Engine, claim_id: int) -> None:
    current = state.actor()
    if current is None:
        return
    # The service filters for blind review: before their own verdict a reviewer sees only
    # their own entries, never another reviewer's values.
    entries = visible_claim_history(engine, current, claim_id)
    with st.expander(f"History ({len(entries)})"):
        if not entries:
            st.caption("Nothing recorded yet.")
            return
        st.dataframe(
            {
                "when": [e.at.strftime("%Y-%m-%d %H:%M:%S") for e in entries],
                "who": [e.actor or "system" for e in entries],
                "what": [f"{e.entity.replace('_', ' ')} {e.action}" for e in entries],
                "change": [describe_change(e, labels.verdict) for e in entries],
            },
            hide_index=True,
            key=f"history_{claim_id}",
        )


main()
