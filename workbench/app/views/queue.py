"""Queue: filter the claims, page through them, open one in the Review page.

Every reader filters by review state against k (unreviewed, needs more reviews, fully
reviewed, not a claim) and by a verdict given, and sees each claim's state. Those who may
see every review (admins) also filter by final verdict and its source, by reviewer and by
disagreement, sort by disagreement (the claims whose reviewers split most first, with that
share as a column), and see each claim's verdicts and final verdict. A blind reviewer gets
none of those: the verdict filter and column are their own verdict's, since a final verdict,
another's verdict, who reviewed what or the order by disagreement would tell them what others
said before they decide (the service refuses those filters too). The filter is kept in the
session, as before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from workbench.app import frame, labels, project, render, state
from workbench.app.selection import (
    DISAGREEMENT,
    FINAL,
    PAGE_SIZE,
    STATE,
    claims_frame,
    clamp_page,
    default_choice,
    filter_is_default,
)
from workbench.auth.policy import Action
from workbench.errors import WorkbenchError
from workbench.review.options import (
    OPTION_LIMIT,
    document_options,
    document_titles,
    find_document,
    find_speaker,
    speaker_options,
)
from workbench.review.queue import (
    REVIEW_STATES,
    ClaimFilter,
    FinalChoice,
    FinalFrom,
    QueueSort,
    corpus_marks,
    list_claims,
)
from workbench.review.queue_rows import reviewer_names

F_STATE = "qf_state"
F_DOCUMENT = "qf_document"
F_SPEAKER = "qf_speaker"
F_SCORE = "qf_score"
F_SEARCH = "qf_search"
F_SORT = "qf_sort"
F_VERDICT = "qf_verdict"
F_FINAL = "qf_final"
F_FINAL_FROM = "qf_final_from"
F_REVIEWER = "qf_reviewer"
F_SPLIT = "qf_split"
FILTER_KEYS = (
    F_STATE,
    F_DOCUMENT,
    F_SPEAKER,
    F_SCORE,
    F_SEARCH,
    F_SORT,
    F_VERDICT,
    F_FINAL,
    F_FINAL_FROM,
    F_REVIEWER,
    F_SPLIT,
)
# The final verdict's filter: these, then the project's verdicts (_finals).
FINALS: dict[FinalChoice, str] = {"any": "Any", "none": "None yet"}
FINAL_FROM: dict[FinalFrom, str] = {
    "any": "Any",
    "automatic": "Agreed (automatic)",
    "adjudicated": "Adjudicated",
}
# What the filters by reviews reset to when a role no longer allows them.
ALL_REVIEWS_DEFAULTS = {
    "sort": "reading",
    "final": "any",
    "final_from": "any",
    "reviewer": None,
    "split": False,
}
SORTS: dict[QueueSort, str] = {
    "reading": "Reading order",
    "disagreement": "Most disagreement first",
}
# A value a labelled filter picks: a review state, a sort, a final verdict or its source.
Choice = TypeVar("Choice", bound=str)


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
    by_reviews: dict[str, object] = {"verdict": st.session_state.get(F_VERDICT)}
    if _may_sort():  # the filters only those who see every review get
        by_reviews |= {
            "final": st.session_state.get(F_FINAL, "any"),
            "final_from": st.session_state.get(F_FINAL_FROM, "any"),
            "reviewer": st.session_state.get(F_REVIEWER),
            "split": bool(st.session_state.get(F_SPLIT, False)),
        }
    try:
        flt = ClaimFilter.model_validate(
            {
                "state": st.session_state[F_STATE],
                "document_id": document,
                "speaker": speaker,
                "min_score": float(low),
                "max_score": float(high),
                "search": search,
                "sort": sort,
                **by_reviews,
            }
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
    found = find_document(state.engine(), typed, project_id=state.project_id())
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
    found = find_speaker(state.engine(), typed, project_id=state.project_id())
    if found is None:
        state.flash("queue", "warning", f"No claim has the speaker “{typed.strip()}”.")
        return current
    return found


def _marks() -> tuple[int, int]:
    """(newest document id, newest claim id): one round trip of primary-key lookups."""
    marks = corpus_marks(state.engine())
    return marks.documents, marks.claims


# The option lists change only when documents or claims are added: cached per process,
# database and project, keyed on the newest ids, so a rerun sends the same few hundred options
# at any corpus size without querying for them. (A title never changes once stored.)
@st.cache_data(ttl=3600, max_entries=32, show_spinner=False)
def _document_options(url: str, project: int | None, newest: int) -> list[tuple[int, str]]:
    return document_options(state.engine(), project_id=project)


@st.cache_data(ttl=3600, max_entries=32, show_spinner=False)
def _speaker_options(url: str, project: int | None, newest_claim: int) -> list[str]:
    return speaker_options(state.engine(), project_id=project)


def _speakers() -> list[str]:
    return _speaker_options(state.database_url(), state.project_id(), _marks()[1])


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
    project = state.project_id()
    titles = dict(_document_options(url, project, newest_document))
    if flt.document_id is not None and flt.document_id not in titles:
        chosen = document_titles(state.engine(), [flt.document_id], project_id=project)
        titles = chosen | titles
    speakers = _speaker_options(url, project, newest_claim)
    document_options_: list[int | None] = [None, *titles]
    speaker_options_: list[str | None] = [None, *speakers]
    if flt.speaker is not None and flt.speaker not in speakers:
        speaker_options_.insert(1, flt.speaker)

    sorting = _may_sort()
    top = st.columns([1, 2, 2, 1] if sorting else [1, 2, 2], vertical_alignment="bottom")
    _labelled_choice(top[0], "Review state", REVIEW_STATES, flt.state, F_STATE)
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
        _labelled_choice(
            top[3],
            "Sort",
            SORTS,
            flt.sort,
            F_SORT,
            help="Most disagreement first: the claims whose verdicts differ most (the share "
            "of pairs of verdicts that differ), then the rest in reading order.",
        )
    _review_filters(flt, sorting)
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


def _finals(current: FinalChoice) -> dict[FinalChoice, str]:
    """The final verdicts to filter by: the project's, in its scale's order and labels."""
    finals: dict[FinalChoice, str] = dict(FINALS)
    finals |= {name: labels.verdict(name) for name in labels.scale().names}
    if current not in finals:  # a verdict the scale no longer has, still filtered by
        finals[current] = current
    return finals


def _labelled_choice(
    column: DeltaGenerator,
    label: str,
    labels: Mapping[Choice, str],
    current: Choice,
    key: str,
    *,
    help: str | None = None,
) -> None:
    """A filter that picks one of ``labels``' keys, each shown as its label (review state,
    sort, final verdict, its source); a change becomes the session's filter."""
    options = list(labels)
    column.selectbox(
        label,
        options,
        index=options.index(current),
        format_func=lambda value: labels[value],
        key=key,
        on_change=_filter_from_widgets,
        help=help,
    )


def _review_filters(flt: ClaimFilter, sees_all: bool) -> None:
    """The filters by what the reviews say: a verdict given (for a blind reviewer, their
    own), and for those who see every review the final verdict, its source, the reviewer
    and disagreement."""
    # The project's verdicts in its scale's order, with its labels.
    verdicts: list[str | None] = [None, *labels.scale().names]
    if flt.verdict is not None and flt.verdict not in verdicts:
        verdicts.append(flt.verdict)
    row = st.columns([1, 1, 1, 1, 1] if sees_all else [1, 4], vertical_alignment="bottom")
    row[0].selectbox(
        "Verdict given" if sees_all else "Your verdict",
        verdicts,
        index=verdicts.index(flt.verdict),
        # Drawn now: a format_func may run outside the page's run, without the project.
        format_func={v: labels.verdict(v, none="Any") for v in verdicts}.__getitem__,
        key=F_VERDICT,
        on_change=_filter_from_widgets,
        help="Claims with a review giving this verdict"
        if sees_all
        else "Claims you gave this verdict (others' verdicts stay hidden until you decide)",
    )
    if not sees_all:
        return
    _labelled_choice(row[1], "Final verdict", _finals(flt.final), flt.final, F_FINAL)
    _labelled_choice(
        row[2],
        "Final from",
        FINAL_FROM,
        flt.final_from,
        F_FINAL_FROM,
        help="Agreed: the reviewers' verdicts agreed (before any saw another's); "
        "adjudicated: an admin decided on the Adjudication page.",
    )
    names: list[str | None] = [None, *reviewer_names(state.engine(), state.require_actor())]
    if flt.reviewer is not None and flt.reviewer not in names:
        names.append(flt.reviewer)
    row[3].selectbox(
        "Reviewer",
        names,
        index=names.index(flt.reviewer),
        format_func=lambda n: "Anyone" if n is None else n,
        key=F_REVIEWER,
        on_change=_filter_from_widgets,
        help="Claims this account gave a verdict on",
    )
    row[4].checkbox(
        "Reviewers disagree",
        value=flt.split,
        key=F_SPLIT,
        on_change=_filter_from_widgets,
        help="Claims whose verdicts differ (disagreement above 0)",
    )


def main() -> None:
    engine, actor = frame.start()
    st.title("Queue")
    flt = state.current_filter()
    if flt.needs_all_reviews and not _may_sort():  # a role changed since they were chosen
        flt = flt.model_copy(update=ALL_REVIEWS_DEFAULTS)
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
    count = (
        f"more than {result.total} claims"
        if result.more
        else (f"{result.total} claim{'' if result.total == 1 else 's'}")
    )
    st.caption(
        f"{count} · page {result.page} of {result.pages}{'+' if result.more else ''} · "
        f"{PAGE_SIZE} a page · k = {result.k} reviews per claim · "
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
    sees_all = _may_sort()
    show_split = sees_all and (state.signed_in_with_password() or by_disagreement or flt.split)
    scope = hashlib.sha1(flt.model_dump_json().encode(), usedforsecurity=False).hexdigest()[:10]
    event = st.dataframe(
        claims_frame(
            result.items,
            disagreement=show_split,
            reviews=result.reviews,
            k=result.k,
            sees_all=sees_all,
            label=labels.verdict,
        ),
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
            STATE: st.column_config.TextColumn(
                STATE, help=f"Against k = {result.k} reviews per claim"
            ),
            FINAL: st.column_config.TextColumn(
                FINAL, help="agreed: the reviewers agreed; adjudicated: an admin decided"
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
        max_value=None if result.more else result.pages,
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
        # Past a capped count the pages go on while they are full.
        disabled=result.page >= result.pages and not (result.more and len(ids) == PAGE_SIZE),
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
        st.switch_page(state.REVIEW_PAGE, query_params=project.query())


main()
