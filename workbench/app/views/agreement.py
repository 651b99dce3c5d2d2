"""Agreement (admins): how far reviewers agree, what each figure rests on, where they split.

The figures come from workbench.agreement.report, computed on one read of the claim × reviewer
table, the same table the CSV download holds (built when the download is asked for), so the file
and the numbers never disagree. They are computed once per version of the data and stored
(``workbench.agreement.snapshot``): every rerun, every admin's session and every server process
reuses them until a review, a final verdict, a claim or an account changes.
Each figure says how many claims and verdicts it rests on; one resting on too little is
withheld or flagged in words rather than shown as a precise-looking number.

Reviewer names, document titles and claim texts are untrusted: in charts and tables they are
data, in messages they are escaped Markdown or ``st.text``. The report service re-checks the
actor's stored role: a reviewer who reaches this page by its URL sees the refusal only.

The figures use the reviews' blind verdicts (given before each reviewer could see anyone
else's, ``workbench.review.blind``) unless the admin switches to the current ones; the page
says which it shows, and how many reviews changed after the reveal, above the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from workbench.agreement import snapshot
from workbench.agreement.figures import AgreementReport, Coefficients, GroupAgreement
from workbench.agreement.report import MIN_CLAIMS, RELIABLE, TENTATIVE
from workbench.agreement.table import VERDICTS_USED, VerdictsUsed
from workbench.app import agreement_charts as charts
from workbench.app import frame, labels, project, render, state
from workbench.auth.policy import Action, authorize
from workbench.errors import WorkbenchError
from workbench.review.options import OPTION_LIMIT
from workbench.schemas import Actor

SCOPE = "agreement_scope"
USE = "agreement_use"
USE_LABELS: dict[VerdictsUsed, str] = {
    "blind": "Blind verdicts (before the reveal)",
    "current": "Current verdicts",
}
PAIR_A = "agreement_pair_a"
PAIR_B = "agreement_pair_b"
SAMPLES = snapshot.SAMPLES  # bootstrap resamples of alpha's 95% interval
CSV_NAME = "agreement-table.csv"
# The claim a link opens on the Adjudication page (read there as ``?claim=<id>``).
LINK = "claim"


def figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def rests_on(c: Coefficients) -> str:
    return (
        f"Rests on {c.claims} claim{'' if c.claims == 1 else 's'} reviewed by two or more "
        f"reviewers and their {c.reviews} verdict{'' if c.reviews == 1 else 's'}."
    )


def withheld(c: Coefficients) -> bool:
    return c.alpha is None and c.observed is None


def main() -> None:
    engine, actor = frame.start()
    st.title("Agreement")
    if not state.may(Action.audit_agreement):  # the role in this project
        st.error(
            "Only admins audit agreement: the figures show every reviewer's verdicts, which "
            "reviewers do not see while they review."
        )
        return
    try:
        authorize(engine, actor, Action.audit_agreement, state.project_id())  # as stored
        # What every figure comes from changes only with the reviews, finals, claims and
        # accounts: an open that changes none of them reuses the figures computed before.
        version = snapshot.version(engine)
        use = _use()
        project = state.project_id()
        whole = _figures(state.database_url(), version, use, None, project, actor)
        if whole.claims == 0:
            st.info("No verdict yet: agreement figures appear once claims have been reviewed.")
            return
        document_id = _scope(whole)
        figures = (
            whole
            if document_id is None
            else _figures(state.database_url(), version, use, document_id, project, actor)
        )
    except WorkbenchError as exc:
        st.error(render.md_escape(str(exc)))
        return
    report = figures.report

    _verdicts_used(report)
    _headline(report)
    _download(engine, actor, figures, use, document_id)
    _notes(report)
    _pairs(report)
    _reviewers(report)
    _over_time(report)
    _labels(report)
    if document_id is None:
        _documents(report)
    _disputed(report)


# Per process, for reruns: the stored figures of one version read and parsed once. The
# actor is not part of the key (main() checked the stored role before).
@st.cache_resource(ttl=3600, max_entries=16, show_spinner="Computing the agreement figures…")
def _figures(
    url: str,
    version: str,
    use: VerdictsUsed,
    document_id: int | None,
    project: int | None,
    _actor: Actor,
) -> snapshot.Figures:
    return snapshot.figures(
        state.engine(), _actor, use=use, document_id=document_id, known=version, project=project
    )


def _scope(whole: snapshot.Figures) -> int | None:
    """All documents, or one of those with verdicts (titles shown as plain option text).

    The first ``OPTION_LIMIT`` documents by title are listed, and the one chosen; another is
    typed (#id, or words of its title), so the page sends the same few options at any size.
    """
    titles = whole.titles
    current = st.session_state.get(SCOPE)
    if current is not None and not isinstance(current, int):
        current = _typed_scope(whole, str(current))
        st.session_state[SCOPE] = current
    listed = whole.documents[:OPTION_LIMIT]
    options: list[int | None] = [None, *listed]
    if isinstance(current, int) and current not in listed:
        options.insert(1, current)
    chosen = st.selectbox(
        "Scope",
        options,
        format_func=lambda d: (
            "All documents"
            if d is None
            else f"{render.shorten(titles.get(d, f'document {d}'), 70)} (#{d})"
            if isinstance(d, int)
            else str(d)
        ),
        key=SCOPE,
        accept_new_options=True,
        help="The figures of every claim, or of one document's claims only. The first "
        f"{OPTION_LIMIT} documents by title are listed: type #id or words of a title for "
        "another.",
    )
    state.show_flash(SCOPE)
    return chosen if isinstance(chosen, int) else None


def _typed_scope(whole: snapshot.Figures, typed: str) -> int | None:
    """The reviewed document ``typed`` names (#id, an id, or words of its title)."""
    number = typed.strip().removeprefix("#")
    reviewed = set(whole.documents)
    if number.isascii() and number.isdigit() and int(number) in reviewed:
        return int(number)
    words = typed.casefold().split()
    titles = whole.titles
    for document_id in whole.documents:
        title = titles.get(document_id, "").casefold()
        if words and all(word in title for word in words):
            return document_id
    state.flash(SCOPE, "warning", f"No reviewed document matches “{typed.strip()}”.")
    return None


# --- which verdicts ------------------------------------------------------------------------


def _use() -> VerdictsUsed:
    """Blind verdicts unless the admin asks for the current ones (kept for the session)."""
    chosen = st.radio(
        "Verdicts",
        VERDICTS_USED,
        format_func=lambda use: USE_LABELS[use],
        key=USE,
        horizontal=True,
        help="Blind: each reviewer's verdict as given before they could see anyone else's, "
        "so the figures measure independent judgement. Current: the verdicts as they stand, "
        "including changes made after seeing the others'.",
    )
    return "current" if chosen == "current" else "blind"


def _verdicts_used(report: AgreementReport) -> None:
    changed = report.changed_after_reveal
    after = (
        f"{changed} review{' was' if changed == 1 else 's were'} changed after the reviewer "
        "saw the others' verdicts"
        if changed
        else "no review was changed after the reviewer saw the others' verdicts"
    )
    if report.verdicts == "blind":
        st.info(f"These figures use the **blind verdicts**, given before the reveal ({after}).")
    else:
        st.warning(
            f"These figures use the **current verdicts**, changes after the reveal included "
            f"({after})."
        )


# --- the headline -------------------------------------------------------------------------


def _headline(report: AgreementReport) -> None:
    c = report.overall
    st.caption(render.md_escape(f"Scope: {report.scope} · {len(report.reviewers)} reviewers"))
    if withheld(c):
        st.warning(render.md_escape(f"No coefficient is shown: {c.warning}."))
        st.caption(rests_on(c))
        st.caption(render.md_escape(report.scale))
        return
    cols = st.columns(4)
    cols[0].metric(
        "Krippendorff's α",
        figure(c.alpha),
        help="Nominal alpha: agreement beyond chance, any number of reviewers per claim, "
        "missing verdicts allowed. The interval resamples claims "
        f"({SAMPLES} bootstrap samples).",
    )
    if c.alpha_low is not None and c.alpha_high is not None:
        cols[0].caption(f"95% interval {c.alpha_low:.3f} to {c.alpha_high:.3f}")
    cols[1].metric(
        "Fleiss' κ",
        figure(c.fleiss_kappa),
        help="Agreement beyond chance, from each verdict's overall share.",
    )
    cols[2].metric(
        "Gwet's AC1",
        figure(c.ac1),
        help="Agreement beyond chance, less affected than κ and α when one verdict dominates.",
    )
    cols[3].metric(
        "Observed agreement",
        figure(c.observed),
        help="The share of pairs of verdicts on the same claim that agree, chance not removed.",
    )
    st.caption(rests_on(c))
    _reading(c)
    st.caption(render.md_escape(report.scale))
    if c.warning:
        st.warning(render.md_escape(f"Read with care: this {c.warning}."))


def _reading(c: Coefficients) -> None:
    if c.alpha is None or c.reading is None:
        st.info(
            "Krippendorff's α cannot be computed on these verdicts: they leave no variation "
            "to measure agreement against (one verdict throughout)."
        )
        return
    words = render.md_escape(f"α = {c.alpha:.3f} is {c.reading}.")
    if c.alpha >= RELIABLE:
        st.success(f"**Reading:** {words}")
    elif c.alpha >= TENTATIVE:
        st.info(f"**Reading:** {words}")
    else:
        st.warning(f"**Reading:** {words}")


def _download(
    engine: Engine,
    actor: Actor,
    figures: snapshot.Figures,
    use: VerdictsUsed,
    document_id: int | None,
) -> None:
    rows = figures.rows
    st.download_button(
        "Download the raw table (CSV)",
        # Built on the click, in a thread of its own: a million rows take seconds.
        data=partial(snapshot.csv_bytes, engine, actor, use=use, document_id=document_id),
        file_name=CSV_NAME,
        mime="text/csv",
        key="agreement_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    st.caption(
        f"{rows} row{'' if rows == 1 else 's'}, one per verdict in this scope "
        "(claim_id, document_id, reviewer, verdict, final_verdict): every figure on this page "
        "can be recomputed from it."
    )


def _notes(report: AgreementReport) -> None:
    st.subheader("Data quality")
    if not report.notes:
        st.caption("Nothing to flag: no verdict is rare or dominant, and no reviewer stands apart.")
        return
    for note in report.notes:
        message = render.md_escape(note.message)  # names reviewers: untrusted text
        if note.kind == "rare_label":
            st.info(message)
        else:
            st.warning(message)


# --- pairs of reviewers -------------------------------------------------------------------


def _pairs(report: AgreementReport) -> None:
    st.subheader("Reviewer × reviewer")
    if len(report.reviewers) < 2:
        st.info("Pairs of reviewers need two reviewers or more.")
        return
    st.vega_lite_chart(
        charts.kappa_frame(report.pairs),
        charts.heatmap_spec(report.reviewers),
        width="stretch",
        height=max(200, 44 * len(report.reviewers) + 40),
        key="agreement_heatmap",
        alt="Cohen's kappa of every pair of reviewers",
    )
    st.caption(
        "Each cell: Cohen's κ of the two reviewers on the claims both reviewed (hover for "
        f"how many). A blank cell: they share fewer than {MIN_CLAIMS} claims (κ withheld) or "
        "κ is undefined there (one verdict throughout)."
    )
    with st.expander("Pairs as a table"):
        st.dataframe(
            {
                "reviewer": [p.a for p in report.pairs],
                "with": [p.b for p in report.pairs],
                "claims both reviewed": [p.claims for p in report.pairs],
                "Cohen's κ": [p.kappa for p in report.pairs],
                "observed": [p.observed for p in report.pairs],
            },
            hide_index=True,
            placeholder="—",
            key="agreement_pairs",
        )
    _confusion(report)


def _confusion(report: AgreementReport) -> None:
    st.markdown("#### Confusion matrix of two reviewers")
    names = report.reviewers
    cols = st.columns(2)
    a = cols[0].selectbox("Reviewer (rows)", names, index=0, key=PAIR_A)
    b = cols[1].selectbox("Reviewer (columns)", names, index=1, key=PAIR_B)
    if a is None or b is None or a == b:
        st.info("Choose two different reviewers.")
        return
    pair = next((p for p in report.pairs if (p.a, p.b) in ((a, b), (b, a))), None)
    if pair is None:
        return
    matrix = pair.confusion if pair.a == a else [list(r) for r in zip(*pair.confusion, strict=True)]
    st.dataframe(
        pd.DataFrame(
            matrix,
            index=pd.Index([labels.verdict(v) for v in report.labels], name="rows ↓ · columns →"),
            columns=[labels.verdict(v) for v in report.labels],
        ),
        key="agreement_confusion",
    )
    st.text(
        f"Rows: {a}'s verdict; columns: {b}'s. Rests on {pair.claims} claim"
        f"{'' if pair.claims == 1 else 's'} both reviewed; Cohen's κ {figure(pair.kappa)}, "
        f"observed agreement {figure(pair.observed)}."
    )
    if pair.claims < MIN_CLAIMS:
        st.warning(
            f"κ is withheld: these two share {pair.claims} claim"
            f"{'' if pair.claims == 1 else 's'}, fewer than the {MIN_CLAIMS} a coefficient "
            "needs. The counts above are all there is."
        )


# --- reviewers, time, labels, documents -----------------------------------------------------


def _reviewers(report: AgreementReport) -> None:
    st.subheader("Verdicts per reviewer")
    stats = report.by_reviewer
    order = {label: n for n, label in enumerate(report.labels)}
    rows = [
        {
            "reviewer": s.reviewer,
            "verdict": labels.verdict(label),
            "count": count,
            "reviews": s.reviews,
            "order": order.get(label, len(order)),
        }
        for s in stats
        for label, count in s.labels.items()
    ]
    st.vega_lite_chart(
        pd.DataFrame(rows, columns=["reviewer", "verdict", "count", "reviews", "order"]),
        charts.distribution_spec(report.reviewers, report.labels, labels.verdict),
        width="stretch",
        height=max(120, 40 * len(report.reviewers) + 50),
        key="agreement_distribution",
        alt="Each reviewer's verdicts as shares of all they gave",
    )
    total = sum(s.reviews for s in stats)
    st.caption(
        f"Each bar: one reviewer's verdicts, as shares of all they gave ({total} verdicts in "
        "all; hover for the counts)."
    )
    st.dataframe(
        {
            "reviewer": [s.reviewer for s in stats],
            "reviews": [s.reviews for s in stats],
            **{
                labels.verdict(label): [s.labels.get(label, 0) for s in stats]
                for label in report.labels
            },
            "median s / review": [s.median_seconds for s in stats],
            "mean κ with others": [s.mean_kappa for s in stats],
            "claims with a final": [s.final_claims for s in stats],
            "agrees with final": [s.agrees_with_final for s in stats],
            "κ with final": [s.kappa_with_final for s in stats],
        },
        hide_index=True,
        placeholder="—",
        key="agreement_reviewers",
    )
    st.caption(
        f"Mean κ and κ with the final verdict are left empty under {MIN_CLAIMS} shared claims."
    )


def _over_time(report: AgreementReport) -> None:
    st.subheader("Agreement over time")
    weeks = report.over_time
    if not weeks:
        st.info("No verdict has a decision time yet (reviews imported without one).")
        return
    rows = [
        {"week": w.week, "measure": measure, "value": value, "claims": w.claims}
        for w in weeks
        for measure, value in (("observed", w.observed), ("Krippendorff's α", w.alpha))
        if value is not None
    ]
    st.vega_lite_chart(
        pd.DataFrame(rows, columns=["week", "measure", "value", "claims"]),
        charts.time_spec(),
        width="stretch",
        height=280,
        key="agreement_over_time",
        alt="Observed agreement and Krippendorff's alpha per week",
    )
    st.caption(
        f"Per week of a claim's last verdict (the Monday is shown): {len(weeks)} week"
        f"{'' if len(weeks) == 1 else 's'}, {sum(w.claims for w in weeks)} claims reviewed "
        f"twice or more (hover for each week's). α is left out of weeks with fewer than "
        f"{MIN_CLAIMS} such claims; the dashed lines are {TENTATIVE} and {RELIABLE}."
    )


def _group_table(
    groups: Sequence[GroupAgreement], first: str, key: str, shown: Callable[[str], str] = str
) -> None:
    coefficients = [g.coefficients for g in groups]
    columns: dict[str, list[Any]] = {first: [shown(g.key) for g in groups]}
    if any(g.id is not None for g in groups):
        columns["id"] = [g.id for g in groups]
    columns |= {
        "claims": [c.claims for c in coefficients],
        "verdicts": [c.reviews for c in coefficients],
        "α": [c.alpha for c in coefficients],
        "95% interval": [
            f"{c.alpha_low:.3f} to {c.alpha_high:.3f}"
            if c.alpha_low is not None and c.alpha_high is not None
            else ""
            for c in coefficients
        ],
        "Fleiss' κ": [c.fleiss_kappa for c in coefficients],
        "AC1": [c.ac1 for c in coefficients],
        "observed": [c.observed for c in coefficients],
        "note": [c.warning or "" for c in coefficients],
    }
    if all(not value for value in columns["95% interval"]):
        del columns["95% interval"]
    st.dataframe(columns, hide_index=True, placeholder="—", key=key)


def _labels(report: AgreementReport) -> None:
    st.subheader("Per verdict, one against the rest")
    _group_table(report.by_label, "verdict", "agreement_labels", labels.verdict)
    st.caption(
        "Do reviewers agree on this verdict? Each verdict against all the others, on the same "
        "claims. A note says when a figure is withheld or rests on few claims."
    )


def _documents(report: AgreementReport) -> None:
    st.subheader("Per document")
    # The lowest first, at most OPTION_LIMIT rows: the page sends the same table whatever the
    # number of documents; every document's figures are in `workbench agreement --by document`.
    shown = report.by_document[:OPTION_LIMIT]
    _group_table(shown, "document", "agreement_documents")
    more = len(report.by_document) - len(shown)
    st.caption(
        f"Lowest α first; no bootstrap interval per document. Under {MIN_CLAIMS} claims "
        "reviewed twice or more, a document's figures are withheld."
        + (
            f" The {len(shown)} lowest of {len(report.by_document)} documents are shown; "
            "`workbench agreement --by document` lists them all."
            if more > 0
            else ""
        )
    )


# --- the most disputed claims --------------------------------------------------------------


def _disputed(report: AgreementReport) -> None:
    st.subheader("Most disputed claims")
    if not report.most_disputed:
        st.success("No claim has reviewers who disagree.")
        return
    link = state.may(Action.adjudicate)
    st.caption(
        "The claims whose reviewers split most (the share of pairs of their verdicts that "
        "differ)" + ("; each link opens the claim on the Adjudication page." if link else ".")
    )
    for claim in report.most_disputed:
        title = f"#{claim.claim_id} — {render.shorten(claim.text, 100)}"
        with st.container(border=True):
            if link:
                st.page_link(
                    state.ADJUDICATE_PAGE,
                    label=render.md_escape(title),
                    icon=":material/gavel:",
                    query_params={**project.query(), LINK: str(claim.claim_id)},
                )
            else:
                st.text(title)
            verdicts = ", ".join(
                f"{name}: {labels.verdict(verdict)}" for name, verdict in claim.verdicts.items()
            )
            st.text(
                f"Disagreement {claim.disagreement:.2f} · {verdicts} · final: "
                f"{labels.verdict(claim.final_verdict, none='—')} · "
                f"{render.shorten(claim.document_title, 60)}"
            )


main()
