"""The agreement report on a real database: what it rests on, what it withholds, its notes."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import krippendorff
import numpy as np
import pytest
from sqlalchemy import Engine

from workbench.agreement.metrics import claim_disagreement
from workbench.agreement.report import (
    MIN_CLAIMS,
    agreement_report,
    build_report,
    reading,
)
from workbench.agreement.table import DEFAULT_LABELS, audited_table, load_table
from workbench.auth.accounts import add_user, set_disabled
from workbench.auth.policy import SYSTEM
from workbench.errors import PermissionDenied
from workbench.projects.settings import set_project_setting
from workbench.review import decisions, queue
from workbench.schemas import Actor, Role, Verdict

V, D, U = Verdict.verified, Verdict.disputed, Verdict.unsupported
# The default scale's labels as the enum, in the table's order.
LABELS = tuple(Verdict(label) for label in DEFAULT_LABELS)

N_CLAIMS = 40
# The seeded engine, its claim ids and the people who reviewed them, by name.
Panel = tuple[Engine, list[int], dict[str, Actor]]


def account(engine: Engine, name: str, role: Role = Role.reviewer) -> Actor:
    user = add_user(engine, SYSTEM, name, role)
    return Actor(id=user.id, name=user.name, role=user.role)


def truth(i: int) -> Verdict:
    return (V, V, D, U, V)[i % 5]


def cy_says(i: int) -> Verdict:
    # Cy parts from the others on every third claim, and always towards "unsupported".
    return U if i % 3 == 0 else truth(i)


@pytest.fixture
def panel(seeded: Engine) -> Iterator[Panel]:
    """Three reviewers on the same 40 claims: Ana and Ben always agree, Cy often does not."""
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 3)
    people = {name: account(seeded, name) for name in ("Ana", "Ben", "Cy")}
    people["Ada"] = account(seeded, "Ada", Role.admin)
    ids = [
        c.id
        for c in queue.list_claims(
            seeded, queue.ClaimFilter(), page_size=N_CLAIMS, actor=SYSTEM
        ).items
    ]
    for i, claim_id in enumerate(ids):
        shown = datetime.now(UTC) - timedelta(seconds=30 + i)
        decisions.set_verdict(seeded, claim_id, people["Ana"], truth(i), shown_at=shown)
        decisions.set_verdict(seeded, claim_id, people["Ben"], truth(i))
        decisions.set_verdict(seeded, claim_id, people["Cy"], cy_says(i))
    yield seeded, ids, people


def expected_matrix() -> np.ndarray:
    code = {label: n for n, label in enumerate(LABELS)}
    return np.array(
        [[code[truth(i)], code[truth(i)], code[cy_says(i)]] for i in range(N_CLAIMS)], dtype=float
    )


def test_the_table_is_claims_by_reviewers_with_the_verdict_codes(panel: Panel) -> None:
    engine, ids, _ = panel
    table = load_table(engine)
    assert table.reviewers == ["Ana", "Ben", "Cy"]
    assert table.claim_ids.tolist() == sorted(ids)
    order = np.argsort(ids)
    np.testing.assert_array_equal(table.ratings, expected_matrix()[order])


def test_the_headline_figures_match_the_reference_library(panel: Panel) -> None:
    engine, _, people = panel
    report = agreement_report(engine, people["Ada"], samples=200)
    overall = report.overall
    assert (overall.claims, overall.reviews) == (N_CLAIMS, 3 * N_CLAIMS)
    reference = krippendorff.alpha(
        reliability_data=expected_matrix().T, level_of_measurement="nominal"
    )
    assert overall.alpha == pytest.approx(reference, abs=5e-4)  # the report rounds to 3 places
    assert overall.alpha is not None
    assert overall.alpha_low is not None and overall.alpha_high is not None
    assert overall.alpha_low <= overall.alpha <= overall.alpha_high
    assert overall.reading is not None and overall.warning is None


def test_pairs_give_kappa_observed_agreement_and_the_confusion_matrix(panel: Panel) -> None:
    engine, _, _ = panel
    pairs = {(p.a, p.b): p for p in build_report(load_table(engine), samples=0).pairs}
    assert pairs["Ana", "Ben"].kappa == 1.0 and pairs["Ana", "Ben"].observed == 1.0
    ana_cy = pairs["Ana", "Cy"]
    assert ana_cy.claims == N_CLAIMS
    assert sum(map(sum, ana_cy.confusion)) == N_CLAIMS
    splits = sum(1 for i in range(N_CLAIMS) if cy_says(i) != truth(i))
    assert ana_cy.observed == pytest.approx(1 - splits / N_CLAIMS, abs=5e-4)
    # Every split lands in the "unsupported" column of Cy.
    off_diagonal = [
        (row, col)
        for row in range(3)
        for col in range(3)
        if row != col and ana_cy.confusion[row][col]
    ]
    assert {col for _, col in off_diagonal} == {LABELS.index(U)}


def test_the_notes_name_the_outlier_and_the_label_they_overuse(panel: Panel) -> None:
    engine, _, _ = panel
    report = build_report(load_table(engine), samples=0)
    kinds = {note.kind: note.message for note in report.notes}
    assert "Cy" in kinds["outlier"] and "less" in kinds["outlier"]
    assert "Cy" in kinds["label_overuse"] and "'unsupported'" in kinds["label_overuse"]
    assert "few_claims" not in kinds  # 40 claims reviewed three times


def test_per_reviewer_figures(panel: Panel) -> None:
    engine, _, _ = panel
    stats = {r.reviewer: r for r in build_report(load_table(engine), samples=0).by_reviewer}
    assert stats["Ana"].reviews == N_CLAIMS
    assert stats["Ana"].labels == {
        label.value: sum(1 for i in range(N_CLAIMS) if truth(i) == label) for label in LABELS
    }
    assert stats["Cy"].labels["unsupported"] > stats["Ana"].labels["unsupported"]
    assert stats["Ana"].mean_kappa is not None and stats["Cy"].mean_kappa is not None
    assert stats["Ana"].mean_kappa > stats["Cy"].mean_kappa
    assert stats["Ana"].median_seconds == pytest.approx(30 + (N_CLAIMS - 1) / 2, abs=1.0)
    assert stats["Ben"].median_seconds is None  # no time shown: nothing to measure from
    # Claims where all three agree have a consensus final verdict, the split ones none yet:
    # Ana matches every final there is.
    assert stats["Ana"].final_claims > 0 and stats["Ana"].agrees_with_final == 1.0


def test_one_label_against_the_rest_and_the_most_disputed_claims(panel: Panel) -> None:
    engine, ids, _ = panel
    report = build_report(load_table(engine), samples=0)
    assert [g.key for g in report.by_label] == ["verified", "disputed", "unsupported"]
    split_ids = {ids[i] for i in range(N_CLAIMS) if cy_says(i) != truth(i)}
    assert {c.claim_id for c in report.most_disputed} == split_ids
    first = report.most_disputed[0]
    assert first.disagreement == pytest.approx(2 / 3, abs=5e-4)  # one of three pairs agrees
    assert set(first.verdicts) == {"Ana", "Ben", "Cy"}


def test_agreement_over_time_buckets_by_week(panel: Panel) -> None:
    engine, _, _ = panel
    weeks = build_report(load_table(engine), samples=0).over_time
    assert len(weeks) == 1 and weeks[0].claims == N_CLAIMS


def test_the_raw_csv_table_recomputes_to_the_same_alpha(panel: Panel) -> None:
    engine, _, _ = panel
    table = load_table(engine)
    out = io.StringIO()
    assert table.write_csv(out) == 3 * N_CLAIMS
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    claims = sorted({r["claim_id"] for r in rows})
    reviewers = sorted({r["reviewer"] for r in rows})
    matrix = np.full((len(reviewers), len(claims)), np.nan)
    for r in rows:
        code = [label.value for label in LABELS].index(r["verdict"])
        matrix[reviewers.index(r["reviewer"]), claims.index(r["claim_id"])] = code
    recomputed = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert build_report(table, samples=0).overall.alpha == pytest.approx(recomputed, abs=5e-4)


def test_too_few_claims_withholds_the_figures_and_says_why(seeded: Engine) -> None:
    set_project_setting(seeded, SYSTEM, "reviews_per_claim", 2)
    ana, ben = account(seeded, "Ana"), account(seeded, "Ben")
    ids = [
        c.id
        for c in queue.list_claims(seeded, queue.ClaimFilter(), page_size=3, actor=SYSTEM).items
    ]
    for claim_id in ids:
        decisions.set_verdict(seeded, claim_id, ana, V)
        decisions.set_verdict(seeded, claim_id, ben, D)
    overall = build_report(load_table(seeded), samples=0).overall
    assert overall.claims == 3 and overall.reviews == 6
    assert overall.alpha is None and overall.fleiss_kappa is None and overall.ac1 is None
    assert overall.warning is not None and str(MIN_CLAIMS) in overall.warning


def test_an_empty_database_gives_an_empty_report_not_an_error(engine: Engine) -> None:
    report = build_report(load_table(engine), samples=0)
    assert report.overall.claims == 0 and report.overall.alpha is None
    assert report.pairs == [] and report.most_disputed == [] and report.over_time == []
    assert [n.kind for n in report.notes] == ["few_claims"]


def test_not_a_claim_and_undecided_reviews_do_not_count(panel: Panel) -> None:
    engine, ids, people = panel
    decisions.mark_not_a_claim(engine, ids[0], people["Ana"])
    table = load_table(engine)
    assert ids[0] not in table.claim_ids.tolist()
    assert table.n_claims == N_CLAIMS - 1


def test_a_document_scope(panel: Panel) -> None:
    engine, _, people = panel
    table = load_table(engine)
    doc = int(table.document_ids[0])
    scoped = agreement_report(engine, people["Ada"], document_id=doc, samples=0)
    assert scoped.scope == table.document_titles[doc]
    assert scoped.overall.reviews == 3 * int((table.document_ids == doc).sum())


@pytest.mark.parametrize("role", [Role.reviewer, Role.viewer])
def test_only_admins_may_audit_agreement(panel: Panel, role: Role) -> None:
    engine, _, _ = panel
    someone = account(engine, f"someone-{role.value}", role)
    with pytest.raises(PermissionDenied):
        agreement_report(engine, someone)
    # Nor the raw table behind it (the command line's --csv goes through the same check).
    with pytest.raises(PermissionDenied):
        audited_table(engine, someone)


def test_the_command_line_audits_as_system_through_the_check(panel: Panel) -> None:
    engine, _, people = panel
    assert audited_table(engine, SYSTEM).ratings.tolist() == load_table(engine).ratings.tolist()
    set_disabled(engine, SYSTEM, "Ada", True)
    with pytest.raises(PermissionDenied):  # the account as stored now, not the caller's copy
        audited_table(engine, people["Ada"])


def test_the_queue_sorts_by_disagreement_for_admins_only(panel: Panel) -> None:
    engine, ids, people = panel
    flt = queue.ClaimFilter(state="reviewed", sort="disagreement")
    page = queue.list_claims(engine, flt, page_size=N_CLAIMS, actor=people["Ada"])
    shares = [c.disagreement for c in page.items]
    assert shares == sorted(shares, key=lambda s: -(s or 0.0))
    split_ids = {ids[i] for i in range(N_CLAIMS) if cy_says(i) != truth(i)}
    assert {c.id for c in page.items[: len(split_ids)]} == split_ids
    assert page.items[0].disagreement == pytest.approx(2 / 3, abs=5e-4)
    assert page.items[-1].disagreement == 0.0
    with pytest.raises(PermissionDenied):
        queue.list_claims(engine, flt, actor=people["Ana"])


def test_the_sql_disagreement_is_the_report_disagreement(panel: Panel) -> None:
    engine, _, people = panel
    table = load_table(engine)
    share = claim_disagreement(table.ratings, len(LABELS))
    by_id = dict(zip(table.claim_ids.tolist(), share.tolist(), strict=True))
    flt = queue.ClaimFilter(state="reviewed", sort="disagreement")
    for claim in queue.list_claims(engine, flt, page_size=N_CLAIMS, actor=people["Ada"]).items:
        assert claim.disagreement == pytest.approx(by_id[claim.id], abs=5e-4)


@pytest.mark.parametrize(
    ("alpha", "low", "high", "words"),
    [
        (0.85, None, None, "reliable"),
        (0.70, None, None, "tentative"),
        (0.40, None, None, "unreliable"),
        (0.82, 0.75, 0.88, "crosses 0.800"),
        (0.70, 0.60, 0.85, "crosses 0.667 and 0.800"),
    ],
)
def test_reading_on_krippendorffs_scale(
    alpha: float, low: float | None, high: float | None, words: str
) -> None:
    text = reading(alpha, low, high)
    assert text is not None and words in text


def test_claim_disagreement_is_nan_under_two_verdicts() -> None:
    ratings = np.array([[0, np.nan, np.nan], [0, 0, 1], [2, 2, 2]], dtype=float)
    share = claim_disagreement(ratings, 3)
    assert math.isnan(share[0])
    assert share[1] == pytest.approx(2 / 3) and share[2] == 0.0
