"""Queue: filter the claims, page through them, open one in the Review page.

Those who may see every review (admins) can also sort by disagreement, the claims whose
reviewers split most first, and see that share in the table; a blind reviewer gets neither,
as the order alone would tell them where others disagreed (the service refuses it too).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from workbench.app import frame, render, state
from workbench.app.selection import (
    DISAGREEMENT,
    PAGE_SIZE,
    claims_frame,
    clamp_page,
    default_choice,
    filter_is_default,
)
from workbench.auth.policy import Action
from workbench.errors import WorkbenchError
from workbench.review.queue import (
    OPTION_LIMIT,
    REVIEW_STATES,
    ClaimFilter,
    QueueSort,
    ReviewState,
    corpus_marks,
    document_options,
    document_titles,
    find_document,
    find_speaker,
    list_claims,
    speaker_options,
)

F_STATE = "qf_state"
F_DOCUMENT = "qf_document"
F_SPEAKER = "qf_speaker"
F_SCORE = "qf_score"
F_SEARCH = "qf_search"
F_SORT = "qf_sort"
FILTER_KEYS = (F_STATE, F_DOCUMENT, F_SPEAKER, F_SCORE, F_SEARCH, F_SORT)
SORTS: dict[QueueSort, str] = {
    "reading": "Reading order",
    "disagreement": "Most disagreement first",
}


def _may_sort() -> bool:
    return state.may(Action.see_all_reviews)


def _filter_from_widgets() -> None:
    """on_change of every filter widget: the widgets' values become the session's filter."""
    low, high = st.session_state[F_SCORE]
    search = str(st.session_state[F_SEARCH] or "")
    sort = st.session_state.get(F_SORT, "reading") if _may_sort() else "reading"
    current = state.current_filter()
    document = _typed_document(st.session_state.get(F_DOCUMENT), current.document_id)
    speaker = _typed_speaker(st.session_state.get(F_SPEAKER), current.speaker)
    try:
        flt = ClaimFilter(
            state=st.session_state[F_STATE],
            document_id=document,
            speaker=speaker,
            min_score=float(low),
            max_score=float(high),
            search=search,
            sort=sort,
        )
    except ValueError as exc:  # the widgets only offer valid values; say so if one is not
        state.flash("queue", "error", f"That filter cannot be used: {exc}")
        return
    state.set_filter(flt)


def _typed_document(value: object, current: int | None) -> int | None:
    """The document a Document box value names: an option (an id), or typed text: ``#id``,
    an id, or words of a title (the first document in ingest order whose title has them)."""
    if value is None or isinstance(value, int):
        return value
    typed = str(value).strip()
    # The box shows what was typed until the next run draws it from the filter again.
    st.session_state.pop(F_DOCUMENT, None)
    found = find_document(state.engine(), typed)
    if found is None:
        state.flash("queue", "warning", f"No document matches “{typed}”: the filter is unchanged.")
        return current
    return found


def _typed_speaker(value: object, current: str | None) -> str | None:
    """The speaker a Speaker box value names: an option, or a name typed (any case)."""
    if value is None:
        return None
    typed = str(value)
    if typed in _speakers():
        return typed
    st.session_state.pop(F_SPEAKER, None)
    found = find_speaker(state.engine(), typed)
    if found is None:
        state.flash("queue", "warning", f"No claim has the speaker “{typed.strip()}”.")
        return current
    return found


def _marks() -> tuple[int, int]:
    """(newest document id, newest claim id): one round trip of primary-key lookups."""
    marks = corpus_marks(state.engine())
    return marks.documents, marks.claims


# The option lists change only when documents or claims are added: cached per process and
# database, keyed on the newest ids, so a rerun sends the same few hundred options at any
# corpus size without querying for them. (A title never changes once stored.)
@st.cache_data(ttl=3600, max_entries=32, show_spinner=False)
def _document_options(url: str, newest_document: int) -> list[tuple[int, str]]:
    return document_options(state.engine())


@st.cache_data(ttl=3600, max_entries=32, show_spinner=False)
def _speaker_options(url: str, newest_claim: int) -> list[str]:
    return speaker_options(state.engine())


def _speakers() -> list[str]:
    return _speaker_options(state.database_url(), _marks()[1])


def _reset_filters() -> None:
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)
    state.set_filter(ClaimFilter())


def _go_to_page(page: int) -> None:
    state.set_queue_page(page)


def _page_from_input(key: str) -> None:
    value = st.session_state.get(key)
    if isinstance(value, int | float):
        state.set_queue_page(int(value))


def _filters(flt: ClaimFilter) -> None:
    url = state.database_url()
    newest_document, newest_claim = _marks()
    titles = dict(_document_options(url, newest_document))
    if flt.document_id is not None and flt.document_id not in titles:
        titles = document_titles(state.engine(), [flt.document_id]) | titles
    speakers = _speaker_options(url, newest_claim)
    document_options_: list[int | None] = [None, *titles]
    speaker_options_: list[str | None] = [None, *speakers]
    if flt.speaker is not None and flt.speaker not in speakers:
        speaker_options_.insert(1, flt.speaker)
    states: list[ReviewState] = list(REVIEW_STATES)

    sorting = _may_sort()
    top = st.columns([1, 2, 2, 1] if sorting else [1, 2, 2], vertical_alignment="bottom")
    top[0].selectbox(
        "Review state",
        states,
        index=states.index(flt.state),
        format_func=lambda s: REVIEW_STATES[s],
        key=F_STATE,
        on_change=_filter_from_widgets,
    )
    top[1].selectbox(
        "Document",
        document_options_,
        index=document_options_.index(flt.document_id)
        if flt.document_id in document_options_
        else 0,
        format_func=lambda d: (
            "All documents"
            if d is None
            else render.shorten(titles[d], 70)
            if isinstance(d, int) and d in titles
            else str(d)
        ),
        key=F_DOCUMENT,
        on_change=_filter_from_widgets,
        accept_new_options=True,
        help=f"The first {OPTION_LIMIT} documents are listed; type words of a title, or "
        "#id, to pick any other.",
    )
    top[2].selectbox(
        "Speaker",
        speaker_options_,
        index=speaker_options_.index(flt.speaker) if flt.speaker in speaker_options_ else 0,
        format_func=lambda s: "All speakers" if s is None else s,
        key=F_SPEAKER,
        on_change=_filter_from_widgets,
        accept_new_options=True,
        help=f"The first {OPTION_LIMIT} speakers A–Z are listed; type a name to pick any other.",
    )
    if sorting:
        sorts: list[QueueSort] = list(SORTS)
        top[3].selectbox(
            "Sort",
            sorts,
            index=sorts.index(flt.sort),
            format_func=lambda s: SORTS[s],
            key=F_SORT,
            on_change=_filter_from_widgets,
            help="Most disagreement first: the claims whose verdicts differ most (the share "
            "of pairs of verdicts that differ), then the rest in reading order.",
        )
    bottom = st.columns([2, 3, 1], vertical_alignment="bottom")
    bottom[0].slider(
        "Check-worthiness score",
        min_value=0.0,
        max_value=1.0,
        value=(flt.min_score, flt.max_score),
        step=0.05,
        key=F_SCORE,
        on_change=_filter_from_widgets,
    )
    bottom[1].text_input(
        "Search claim text and speaker",
        value=flt.search,
        key=F_SEARCH,
        on_change=_filter_from_widgets,
        placeholder="words that must all appear",
    )
    bottom[2].button(
        "Reset filters",
        key="reset_filters",
        on_click=_reset_filters,
        disabled=filter_is_default(flt),
        width="stretch",
    )


def main() -> None:
    engine, actor = frame.start()
    st.title("Queue")
    flt = state.current_filter()
    if flt.sort != "reading" and not _may_sort():  # a role changed since the sort was chosen
        flt = flt.model_copy(update={"sort": "reading"})
        state.set_filter(flt)
    _filters(flt)
    state.show_flash("queue")

    page_number = state.queue_page()
    try:
        result = list_claims(engine, flt, page=page_number, page_size=PAGE_SIZE, actor=actor)
        if page_number > result.pages:
            page_number = clamp_page(page_number, result.pages)
            state.set_queue_page(page_number)
            result = list_claims(engine, flt, page=page_number, page_size=PAGE_SIZE, actor=actor)
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        return

    by_disagreement = flt.sort == "disagreement"
    st.caption(
        f"{result.total} claim{'' if result.total == 1 else 's'} · "
        f"page {result.page} of {result.pages} · "
        f"{PAGE_SIZE} a page · "
        + (
            "most disagreement first, then reading order · the Review page's next claim "
            "follows this filter in reading order"
            if by_disagreement
            else "the Review page's next claim follows this filter"
        )
    )
    if by_disagreement and flt.state == "to_review":
        st.info(
            "Sorted by disagreement, but showing the claims still to review, which mostly lack "
            "the verdicts to disagree on: set Review state to Reviewed or All to see the "
            "claims reviewers split on."
        )
    if not result.items:
        st.info("No claim matches this filter.")
        return

    # Admins see the disagreement in team mode, where several people review a claim, and
    # whenever they sort by it (single-user mode with imported reviews).
    show_split = _may_sort() and (state.signed_in_with_password() or by_disagreement)
    scope = hashlib.sha1(flt.model_dump_json().encode(), usedforsecurity=False).hexdigest()[:10]
    event = st.dataframe(
        claims_frame(result.items, disagreement=show_split),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"queue_table_{scope}_{result.page}",
        column_config={
            "id": st.column_config.NumberColumn("id", width="small"),
            "claim": st.column_config.TextColumn("claim", width="large"),
            "score": st.column_config.NumberColumn("score", format="%.2f", width="small"),
            "reviews": st.column_config.NumberColumn("reviews", width="small"),
            DISAGREEMENT: st.column_config.NumberColumn(
                DISAGREEMENT,
                format="%.2f",
                width="small",
                help="Share of pairs of this claim's verdicts that differ (0: all agree; "
                "empty: fewer than two verdicts)",
            ),
        },
    )
    rows = list(event.selection.rows) if hasattr(event, "selection") else []
    ids = [c.id for c in result.items]
    texts = {c.id: c.text for c in result.items}

    pager = st.columns([1, 1, 1, 3], vertical_alignment="bottom")
    pager[0].button(
        "Previous page",
        key="page_prev",
        on_click=_go_to_page,
        args=(result.page - 1,),
        disabled=result.page <= 1,
        width="stretch",
    )
    page_input = f"page_input_{scope}_{result.page}"
    pager[1].number_input(
        "Page",
        min_value=1,
        max_value=result.pages,
        value=result.page,
        step=1,
        key=page_input,
        on_change=_page_from_input,
        args=(page_input,),
    )
    pager[2].button(
        "Next page",
        key="page_next",
        on_click=_go_to_page,
        args=(result.page + 1,),
        disabled=result.page >= result.pages,
        width="stretch",
    )

    opener = st.columns([4, 1], vertical_alignment="bottom")
    chosen = opener[0].selectbox(
        "Claim to open (or select a row above)",
        ids,
        index=default_choice(ids, rows),
        format_func=lambda i: f"#{i} — {render.shorten(texts[i], 90)}",
        key=f"open_choice_{scope}_{result.page}_{rows[0] if rows else 'none'}",
    )
    if opener[1].button("Open in Review", key="open_claim", type="primary", width="stretch"):
        state.open_claim(int(chosen) if chosen is not None else ids[0])
        st.switch_page(state.REVIEW_PAGE)


main()
