"""How far reviewers agree: every coefficient, what it rests on, and notes in plain words.

The figures are computed on the claim × reviewer table (:mod:`workbench.agreement.table`)
by :mod:`workbench.agreement.metrics`. This module decides what a reader sees: which
figures are withheld because they rest on too little, how a value reads on Krippendorff's
scale, and which patterns in the data deserve a sentence of warning.

The scale is Krippendorff's (2004, *Content Analysis*, 2nd ed., p. 241): α ≥ 0.800 lets
conclusions be drawn from the data; 0.667 ≤ α < 0.800 allows tentative conclusions only;
below 0.667 the data are too unreliable to conclude anything.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel
from sqlalchemy import Engine

from workbench.agreement import metrics
from workbench.agreement.figures import (
    AgreementReport,
    Coefficients,
    DisputedClaim,
    GroupAgreement,
    PairAgreement,
    PeriodAgreement,
    QualityNote,
    ReviewerStats,
)
from workbench.agreement.table import VerdictsUsed, VerdictTable, audited_table, scope_of
from workbench.auth.policy import Caller

# Below this many claims reviewed at least twice, a coefficient is withheld: its interval
# would span most of [-1, 1], and a number would look more precise than it is.
MIN_CLAIMS = 10
# Below this many, the coefficient is shown with a warning (the "fewer than 30").
FEW_CLAIMS = 30
RELIABLE = 0.800
TENTATIVE = 0.667
# A label is "rare" under this share of all verdicts or this many uses.
RARE_SHARE = 0.05
RARE_COUNT = 10
# A verdict dominates above this share: κ and α then run low however well people agree.
DOMINANT_SHARE = 0.80
# A reviewer "overuses" a label at twice the others' rate and at least 10 points more,
# once both sides have this many reviews.
OVERUSE_MIN_REVIEWS = 20
DISPUTED_LIMIT = 20
BOOTSTRAP_SAMPLES = 1000
DIGITS = 3

T = TypeVar("T")


def agreement_report(
    engine: Engine,
    actor: Caller,
    *,
    document_id: int | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    use: VerdictsUsed = "blind",
    project: int | str | None = None,
) -> AgreementReport:
    """The whole report (``SYSTEM``: the command line), on the reviews' blind verdicts unless
    ``use`` asks for the current ones; of one ``project``'s claims if given.

    Figures about people, and every reviewer's verdicts: not for reviewers (blind review).
    """
    table = audited_table(engine, actor, document_id=document_id, use=use, project=project)
    return build_report(table, scope=scope_of(table, document_id), samples=samples)


def build_report(
    table: VerdictTable,
    *,
    scope: str = "all documents",
    samples: int = BOOTSTRAP_SAMPLES,
    noted: MemoUse | None = None,
) -> AgreementReport:
    """The report of ``table``; ``noted``, if given, collects the remembered figures it used
    (:func:`memo_json`)."""
    overall = coefficients(table.ratings, len(table.labels), samples=samples)
    pairs = pair_agreement(table)
    by_label = label_agreement(table, samples=samples)
    by_reviewer = reviewer_stats(table, pairs)
    return AgreementReport(
        scope=scope,
        verdicts=table.use,
        changed_after_reveal=table.changed_after_reveal,
        labels=list(table.labels),
        reviewers=table.reviewers,
        overall=overall,
        notes=quality_notes(table, overall, by_label, by_reviewer),
        pairs=pairs,
        by_label=by_label,
        by_reviewer=by_reviewer,
        by_document=document_agreement(table, noted),
        over_time=agreement_over_time(table, noted),
        most_disputed=most_disputed(table),
    )


def coefficients(
    ratings: NDArray[np.float64], n_categories: int, *, samples: int = BOOTSTRAP_SAMPLES
) -> Coefficients:
    """All coefficients of one table, withheld or flagged when they rest on too little."""
    return coefficients_of(metrics.checked_counts(ratings, n_categories), samples=samples)


def coefficients_of(counts: NDArray[np.int64], *, samples: int = BOOTSTRAP_SAMPLES) -> Coefficients:
    """:func:`coefficients` from the table's category counts (``metrics.category_counts``):
    every coefficient is a function of them, so the table is counted once, not per figure."""
    per_claim = counts.sum(axis=1)
    kept = per_claim >= 2
    claims, reviews = int(kept.sum()), int(per_claim[kept].sum())
    if claims < MIN_CLAIMS:
        return Coefficients(
            claims=claims,
            reviews=reviews,
            observed=None,
            fleiss_kappa=None,
            alpha=None,
            ac1=None,
            reading=None,
            warning=(
                f"only {claims} claim{'' if claims == 1 else 's'} reviewed by two or more "
                f"reviewers: at least {MIN_CLAIMS} are needed for a coefficient"
            ),
        )
    alpha = _round(metrics.krippendorff_alpha_of(counts))
    low = high = None
    if alpha is not None and samples > 0:
        low_raw, high_raw = metrics.alpha_bootstrap_of(counts, samples=samples)
        low, high = _round(low_raw), _round(high_raw)
    warning = None
    if claims < FEW_CLAIMS:
        warning = (
            f"rests on only {claims} claims reviewed twice or more (fewer than {FEW_CLAIMS}): "
            "read it as a rough indication"
            + (f"; alpha's 95% interval is {low:.2f} to {high:.2f}" if low is not None else "")
        )
    agreement = metrics.agreement_of(counts)
    return Coefficients(
        claims=claims,
        reviews=reviews,
        observed=_round(agreement[1]),
        fleiss_kappa=_round(metrics.fleiss_kappa_of(*agreement)),
        alpha=alpha,
        alpha_low=low,
        alpha_high=high,
        ac1=_round(metrics.gwet_ac1_of(*agreement)),
        reading=reading(alpha, low, high),
        warning=warning,
    )


def reading(alpha: float | None, low: float | None = None, high: float | None = None) -> str | None:
    """Alpha in words, on Krippendorff's scale; says so when the interval spans a boundary."""
    if alpha is None:
        return None
    if alpha >= RELIABLE:
        words = "reliable: the reviewers agree well enough to draw conclusions (alpha >= 0.800)"
    elif alpha >= TENTATIVE:
        words = "tentative: good enough for tentative conclusions only (0.667 <= alpha < 0.800)"
    else:
        words = "unreliable: the reviewers agree too little to draw conclusions (alpha < 0.667)"
    if low is not None and high is not None:
        crossed = [t for t in (TENTATIVE, RELIABLE) if low < t <= high]
        if crossed:
            bounds = " and ".join(f"{t:.3f}" for t in crossed)
            words += f"; but the 95% interval ({low:.2f} to {high:.2f}) crosses {bounds}"
    return words


def pair_agreement(table: VerdictTable) -> list[PairAgreement]:
    """Cohen's κ, observed agreement and the confusion matrix of every pair of reviewers."""
    k = len(table.labels)
    rated, codes = _columns(table.ratings)
    result = []
    for i, a in enumerate(table.reviewers):
        for j in range(i + 1, len(table.reviewers)):
            both = rated[i] & rated[j]
            shared = int(both.sum())
            confusion = np.bincount(codes[i][both] * k + codes[j][both], minlength=k * k)
            confusion = confusion.reshape(k, k)
            enough = shared >= MIN_CLAIMS
            result.append(
                PairAgreement(
                    a=a,
                    b=table.reviewers[j],
                    claims=shared,
                    observed=_round(float(np.trace(confusion)) / shared) if shared else None,
                    kappa=_round(metrics.cohen_kappa_of(confusion)) if enough else None,
                    confusion=confusion.tolist(),
                )
            )
    return result


def _columns(ratings: NDArray[np.float64]) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Per reviewer (a row each, contiguous: a column of the table is strided), which claims
    they rated and the codes (0 where none): what every per-reviewer figure starts from."""
    columns = np.ascontiguousarray(ratings.T)
    rated = ~np.isnan(columns)
    return rated, np.where(rated, columns, 0).astype(np.int64)


def label_agreement(
    table: VerdictTable, *, samples: int = BOOTSTRAP_SAMPLES
) -> list[GroupAgreement]:
    """Each verdict against the rest: do reviewers agree on *this* label?"""
    counts = metrics.checked_counts(table.ratings, len(table.labels))
    per_claim = counts.sum(axis=1)
    result = []
    for code, label in enumerate(table.labels):
        # The counts of the label against the rest: the same integers as counting the table
        # recoded to 1 (this label) and 0 (any other), without recoding it.
        binary = np.stack([per_claim - counts[:, code], counts[:, code]], axis=1)
        result.append(
            GroupAgreement(key=label, coefficients=coefficients_of(binary, samples=samples))
        )
    return result


def document_agreement(table: VerdictTable, noted: MemoUse | None = None) -> list[GroupAgreement]:
    """Per document, without bootstrap intervals (thousands of documents, each small)."""
    result = []
    order = np.argsort(table.document_ids, kind="stable")
    ids, starts = np.unique(table.document_ids[order], return_index=True)
    bounds = [*starts.tolist(), len(order)]
    # Re-ordered once, so that each document's ratings are a contiguous slice (the same bytes
    # as indexing them out one document at a time, thousands of copies fewer).
    grouped = table.ratings[order]
    for n, doc_id in enumerate(ids.tolist()):
        figures = _remembered(grouped[bounds[n] : bounds[n + 1]], _document_figures, noted)
        title = table.document_titles.get(doc_id, f"document {doc_id}")
        result.append(GroupAgreement(key=title, id=doc_id, coefficients=figures))
    result.sort(key=lambda g: (g.coefficients.alpha is None, g.coefficients.alpha or 0.0, g.key))
    return result


def reviewer_stats(table: VerdictTable, pairs: Sequence[PairAgreement]) -> list[ReviewerStats]:
    k = len(table.labels)
    rated_by, codes_by = _columns(table.ratings)
    spent_by = np.ascontiguousarray(table.seconds.T)
    has_final = ~np.isnan(table.final)
    final_codes = np.where(has_final, table.final, 0).astype(np.int64)
    result = []
    for col, name in enumerate(table.reviewers):
        rated, codes = rated_by[col], codes_by[col]
        counts = np.bincount(codes[rated], minlength=k)
        spent = spent_by[col]
        spent = spent[~np.isnan(spent)]
        kappas = [p.kappa for p in pairs if name in (p.a, p.b) and p.kappa is not None]
        with_final = rated & has_final
        final_claims = int(with_final.sum())
        mine, final = codes[with_final], final_codes[with_final]
        # The table metrics.cohen_kappa counts, counted here without re-checking the codes.
        confusion = np.bincount(mine * k + final, minlength=k * k).reshape(k, k)
        result.append(
            ReviewerStats(
                reviewer=name,
                reviews=int(rated.sum()),
                labels={label: int(c) for label, c in zip(table.labels, counts, strict=True)},
                median_seconds=_round(float(np.median(spent)), 1) if len(spent) else None,
                mean_kappa=_round(float(np.mean(kappas))) if kappas else None,
                final_claims=final_claims,
                agrees_with_final=(_round(float(np.mean(mine == final))) if final_claims else None),
                kappa_with_final=(
                    _round(metrics.cohen_kappa_of(confusion))
                    if final_claims >= MIN_CLAIMS
                    else None
                ),
            )
        )
    return result


def agreement_over_time(table: VerdictTable, noted: MemoUse | None = None) -> list[PeriodAgreement]:
    """Per ISO week of a claim's last decision: is the team converging as it goes?"""
    if table.n_claims == 0:
        return []
    with np.errstate(all="ignore"):
        last = np.nanmax(np.where(np.isnan(table.decided), -np.inf, table.decided), axis=1)
    timed = np.isfinite(last)
    if not timed.any():
        return []
    # The Monday of each claim's week as days since 1970-01-01 (a Thursday, weekday 3), as
    # datetime.fromtimestamp(..., UTC).date() would give it, without a Python loop.
    days = np.floor(np.where(timed, last, 0.0) / 86400.0).astype(np.int64)
    mondays = np.where(timed, days - (days + 3) % 7, np.iinfo(np.int64).min)
    result = []
    for monday in np.unique(mondays[timed]).tolist():
        figures = _remembered(table.ratings[mondays == monday], _week_figures, noted)
        if figures is None:
            continue
        claims, observed, alpha = figures
        week = str(np.datetime64(monday, "D"))
        result.append(PeriodAgreement(week=week, claims=claims, observed=observed, alpha=alpha))
    return result


def _categories(ratings: NDArray[np.float64]) -> int:
    # Its codes' (nominal figures ignore unused categories): remembered figures stay a
    # function of the ratings alone, whatever the scale's length.
    rated = ratings[~np.isnan(ratings)]
    return max(2, int(rated.max()) + 1) if len(rated) else 2


def _document_figures(ratings: NDArray[np.float64]) -> Coefficients:
    return coefficients(ratings, _categories(ratings), samples=0)


def _week_figures(
    ratings: NDArray[np.float64],
) -> tuple[int, float | None, float | None] | None:
    claims, _ = metrics.pairable(ratings)
    if claims == 0:
        return None
    enough = claims >= MIN_CLAIMS
    k = _categories(ratings)
    observed = _round(metrics.observed_agreement(ratings, k))
    alpha = _round(metrics.krippendorff_alpha(ratings, k)) if enough else None
    return claims, observed, alpha


# Figures of parts of the table (a document's claims, a week's), by the SHA-256 of the bytes
# of their ratings: a change of one verdict leaves all but one document as it was, and their
# figures need not be computed again. Keyed by content, so never stale; a function of the
# ratings alone (pure), so the same figures as computing them. A digest, not the bytes, so
# that a week of 100,000 claims costs 32 bytes of key; cleared when full.
MemoKey = tuple[str, tuple[int, ...], bytes]
_MEMO: dict[MemoKey, Any] = {}
_MEMO_LIMIT = 20_000
_memo_clears = 0  # how often it was cleared: a process reloads the stored memo after one


@dataclass
class MemoUse:
    """The remembered figures one report used, and how many of them it had to compute."""

    keys: list[MemoKey] = field(default_factory=list)
    computed: int = 0


def _remembered(
    ratings: NDArray[np.float64],
    compute: Callable[[NDArray[np.float64]], T],
    noted: MemoUse | None = None,
) -> T:
    global _memo_clears
    digest = hashlib.sha256(np.ascontiguousarray(ratings).tobytes()).digest()
    key = (compute.__name__, ratings.shape, digest)
    if noted is not None:
        noted.keys.append(key)
    try:
        return cast(T, _MEMO[key])
    except KeyError:
        pass
    value = compute(ratings)
    if noted is not None:
        noted.computed += 1
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
        _memo_clears += 1
    _MEMO[key] = value
    return value


def forget_memo() -> None:
    """Forget every remembered figure (tests, benchmarks: a process just started)."""
    _MEMO.clear()


def memo_clears() -> int:
    """How often this process's memo was emptied (it was full)."""
    return _memo_clears


# The memo as stored in the database (``workbench.agreement.snapshot``), for a process that
# starts with an empty one: (rows, columns, SHA-256 in hex, figures) per document and week.
# JSON, validated on the way in; the digest of this module's and the metrics' source is part
# of the key it is stored under, so figures computed by other code are never reused.
_StoredDocuments = list[tuple[int, int, str, Coefficients]]
_StoredWeeks = list[tuple[int, int, str, tuple[int, float | None, float | None] | None]]


class _StoredMemo(BaseModel):
    documents: _StoredDocuments
    weeks: _StoredWeeks


def memo_json(keys: Sequence[MemoKey]) -> bytes:
    """The remembered figures of ``keys`` (those still remembered), as JSON."""
    documents: _StoredDocuments = []
    weeks: _StoredWeeks = []
    for memo_key in dict.fromkeys(keys):  # in order, once each
        name, shape, digest = memo_key
        if memo_key not in _MEMO or len(shape) != 2:
            continue
        entry = (shape[0], shape[1], digest.hex(), _MEMO[memo_key])
        if name == _document_figures.__name__:
            documents.append(entry)
        elif name == _week_figures.__name__:
            weeks.append(entry)
    return _StoredMemo(documents=documents, weeks=weeks).model_dump_json().encode()


def remember_json(payload: bytes) -> int:
    """Remember the figures :func:`memo_json` stored; how many. Raises ``ValueError`` on
    anything else (nothing is remembered then)."""
    stored = _StoredMemo.model_validate_json(payload)
    entries: list[tuple[MemoKey, Any]] = []
    for rows, columns, digest, figures in stored.documents:
        entries.append(((_document_figures.__name__, (rows, columns), _digest(digest)), figures))
    for rows, columns, digest, week in stored.weeks:
        entries.append(((_week_figures.__name__, (rows, columns), _digest(digest)), week))
    if len(_MEMO) + len(entries) > _MEMO_LIMIT:
        return 0
    _MEMO.update(entries)
    return len(entries)


def _digest(text: str) -> bytes:
    digest = bytes.fromhex(text)
    if len(digest) != hashlib.sha256().digest_size:
        raise ValueError(f"not a SHA-256 digest: {text!r}")
    return digest


@cache
def memo_code() -> str:
    """The source the remembered figures are a function of (this module and the metrics,
    and the library behind alpha): stored figures of other code are not reused."""
    digest = hashlib.sha256(f"krippendorff {importlib.metadata.version('krippendorff')}".encode())
    for module in (metrics, sys.modules[__name__]):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:32]


def most_disputed(table: VerdictTable, limit: int = DISPUTED_LIMIT) -> list[DisputedClaim]:
    """The claims whose reviewers split most, those with the most verdicts first on a tie."""
    share = metrics.claim_disagreement(table.ratings, len(table.labels))
    votes = (~np.isnan(table.ratings)).sum(axis=1)
    split = np.flatnonzero(np.nan_to_num(share) > 0)
    order = split[np.lexsort((table.claim_ids[split], -votes[split], -share[split]))][:limit]
    result = []
    for row in order.tolist():
        final = table.final[row]
        doc_id = int(table.document_ids[row])
        result.append(
            DisputedClaim(
                claim_id=int(table.claim_ids[row]),
                document_id=doc_id,
                document_title=table.document_titles.get(doc_id, f"document {doc_id}"),
                text=table.claim_texts[row],
                verdicts={
                    table.reviewers[col]: table.labels[int(code)]
                    for col, code in enumerate(table.ratings[row].tolist())
                    if not math.isnan(code)
                },
                disagreement=float(_round(float(share[row])) or 0.0),
                final_verdict=None if np.isnan(final) else table.labels[int(final)],
            )
        )
    return result


def quality_notes(
    table: VerdictTable,
    overall: Coefficients,
    by_label: Sequence[GroupAgreement],
    by_reviewer: Sequence[ReviewerStats],
) -> list[QualityNote]:
    """The patterns a careful reader should know about before quoting a coefficient."""
    notes: list[QualityNote] = []
    if overall.claims < FEW_CLAIMS:
        notes.append(
            QualityNote(
                kind="few_claims",
                message=(
                    f"Only {overall.claims} claims were reviewed by two or more reviewers; "
                    f"agreement figures need at least {FEW_CLAIMS} to mean much. Raise "
                    "reviews per claim or review more claims twice."
                ),
            )
        )
    notes += _label_notes(table)
    notes += _overuse_notes(by_reviewer)
    notes += _outlier_notes(by_reviewer)
    return notes


def _label_notes(table: VerdictTable) -> list[QualityNote]:
    rated = table.ratings[~np.isnan(table.ratings)].astype(int)
    total = len(rated)
    if total == 0:
        return []
    counts = np.bincount(rated, minlength=len(table.labels))
    notes = []
    for label, count in zip(table.labels, counts.tolist(), strict=True):
        share = count / total
        if share > DOMINANT_SHARE:
            notes.append(
                QualityNote(
                    kind="dominant_label",
                    message=(
                        f"'{label}' is {share:.0%} of all verdicts. When one verdict "
                        "dominates, kappa and alpha run low even where reviewers nearly always "
                        "agree (the kappa paradox); Gwet's AC1 is less affected, read it beside "
                        "them."
                    ),
                )
            )
        elif count < RARE_COUNT or share < RARE_SHARE:
            notes.append(
                QualityNote(
                    kind="rare_label",
                    message=(
                        f"'{label}' is rare: {count} of {total} verdicts ({share:.1%}). "
                        "Its one-against-the-rest coefficients rest on too few cases to mean "
                        "much."
                    ),
                )
            )
    return notes


def _overuse_notes(by_reviewer: Sequence[ReviewerStats]) -> list[QualityNote]:
    notes = []
    for stats in by_reviewer:
        others = [s for s in by_reviewer if s.reviewer != stats.reviewer]
        others_total = sum(s.reviews for s in others)
        if stats.reviews < OVERUSE_MIN_REVIEWS or others_total < OVERUSE_MIN_REVIEWS:
            continue
        for label, count in stats.labels.items():
            mine = count / stats.reviews
            theirs = sum(s.labels[label] for s in others) / others_total
            if mine >= 2 * theirs and mine - theirs >= 0.10:
                notes.append(
                    QualityNote(
                        kind="label_overuse",
                        message=(
                            f"{stats.reviewer} gives '{label}' to {mine:.0%} of their claims, "
                            f"the other reviewers to {theirs:.0%}: check they read the "
                            "guidelines for that verdict the same way."
                        ),
                    )
                )
    return notes


def _outlier_notes(by_reviewer: Sequence[ReviewerStats]) -> list[QualityNote]:
    # Median and median absolute deviation: one outlier must not move the yardstick itself.
    scored = [(s.reviewer, s.mean_kappa) for s in by_reviewer if s.mean_kappa is not None]
    if len(scored) < 3:
        return []
    values = np.array([v for _, v in scored])
    notes = []
    for name, value in scored:
        rest = values[[n != name for n, _ in scored]]
        centre = float(np.median(rest))
        spread = float(np.median(np.abs(rest - centre)))
        if abs(value - centre) > max(0.15, 3 * spread):
            direction = "less" if value < centre else "more"
            notes.append(
                QualityNote(
                    kind="outlier",
                    message=(
                        f"{name} agrees {direction} with the others (mean kappa {value:.2f}) "
                        f"than the other reviewers do (median {centre:.2f}): look at their "
                        "disputed claims before pooling their verdicts."
                    ),
                )
            )
    return notes


def _round(value: float, digits: int = DIGITS) -> float | None:
    """NaN (undefined) becomes None; the rest is rounded to what the data can support."""
    if value is None or math.isnan(value):
        return None
    return round(float(value), digits)
