"""Stored figures (Agreement, Progress) follow every change of the data, on both backends.

The figures are computed once per version of the data and stored in ``figure_snapshots``
(``workbench.db.snapshots``): reused while nothing changed, computed again at the next open
after any change a figure could show, never stale.
"""

from __future__ import annotations

from collections.abc import Collection

import pytest
from sqlalchemy import Engine, select

from tests.review.test_assign import add_claims, add_user, set_k
from workbench.agreement import incremental, snapshot
from workbench.agreement import table as tables
from workbench.db.models import FigureSnapshot
from workbench.db.session import unit_of_work
from workbench.review import decided, decisions, progress
from workbench.schemas import Actor, Role, Verdict


@pytest.fixture
def team(engine: Engine) -> tuple[Actor, list[Actor], list[int]]:
    """An admin, three reviewers, twelve claims each reviewed by all three (some split)."""
    set_k(engine, 3)
    claims = add_claims(engine, [0.9 - i / 100 for i in range(12)], docs=2)
    admin = add_user(engine, "Ada", Role.admin)
    reviewers = [add_user(engine, name) for name in ("Rui", "Rita", "Rosa")]
    for n, claim_id in enumerate(claims):
        for r, reviewer in enumerate(reviewers):
            split = r == 2 and n % 4 == 0
            verdict = Verdict.disputed if split else Verdict.verified
            decisions.set_verdict(engine, claim_id, reviewer, verdict)
    return admin, reviewers, claims


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each read of the claim × reviewer table (whole, or the changed claims' rows) and of
    the decided reviews (whole: "decisions", or the changed claims': "decided claims"), by
    name."""
    calls: list[str] = []
    load_table, read_all = tables.load_table, decided.read_all
    load_claims, read_claims = tables.load_claims, decided.read_claims
    incremental.forget()
    progress.forget()

    def counting_claims(*args: object, **kwargs: object) -> tables.VerdictTable:
        calls.append("claims")
        return load_claims(*args, **kwargs)  # type: ignore[arg-type]

    def counting_table(*args: object, **kwargs: object) -> tables.VerdictTable:
        calls.append("table")
        return load_table(*args, **kwargs)  # type: ignore[arg-type]

    def counting_decisions(engine: Engine, project_id: int | None = None) -> decided.DecidedReviews:
        calls.append("decisions")
        return read_all(engine, project_id)

    def counting_decided_claims(
        engine: Engine, claims: Collection[int], project_id: int | None = None
    ) -> decided.DecidedReviews:
        calls.append("decided claims")
        return read_claims(engine, claims, project_id)

    monkeypatch.setattr(tables, "load_table", counting_table)
    monkeypatch.setattr(tables, "load_claims", counting_claims)
    monkeypatch.setattr(decided, "read_all", counting_decisions)
    monkeypatch.setattr(decided, "read_claims", counting_decided_claims)
    return calls


def test_agreement_figures_are_stored_and_follow_a_changed_verdict(
    engine: Engine, team: tuple[Actor, list[Actor], list[int]], reads: list[str]
) -> None:
    admin, reviewers, claims = team
    first = snapshot.figures(engine, admin)
    assert first.report.overall.claims == 12 and first.rows == 36
    again = snapshot.figures(engine, admin)
    assert reads == ["table"]  # the second open read the stored figures, not the reviews
    assert again.report == first.report and again.version == first.version

    # One reviewer changes a verdict: the next open computes again and shows it, from the
    # table held in memory with that claim's rows read again.
    decisions.set_verdict(engine, claims[1], reviewers[2], Verdict.unsupported)
    after = snapshot.figures(engine, admin)
    assert reads == ["table", "claims"]
    assert after.version != first.version
    # The blind figures keep the verdict as first given, and count the change after the reveal.
    assert (first.report.changed_after_reveal, after.report.changed_after_reveal) == (0, 1)
    assert (
        after.report
        == snapshot.compute(engine, use="blind", document_id=None, version=after.version).report
    )


def test_the_current_figures_show_the_new_verdict_at_the_next_open(
    engine: Engine, team: tuple[Actor, list[Actor], list[int]]
) -> None:
    admin, reviewers, claims = team
    first = snapshot.figures(engine, admin, use="current")
    decisions.set_verdict(engine, claims[1], reviewers[2], Verdict.unsupported)
    after = snapshot.figures(engine, admin, use="current")
    assert first.report.overall.observed is not None
    assert after.report.overall.observed is not None
    assert after.report.overall.observed < first.report.overall.observed


def test_a_change_that_is_not_a_verdict_moves_the_version_too(
    engine: Engine, team: tuple[Actor, list[Actor], list[int]], reads: list[str]
) -> None:
    admin, reviewers, claims = team
    before = snapshot.version(engine)
    snapshot.figures(engine, admin)
    decisions.set_note(engine, claims[0], reviewers[0], "checked the source")
    assert snapshot.version(engine) != before
    snapshot.figures(engine, admin)
    assert reads == ["table", "claims"]


def test_each_choice_of_verdicts_and_scope_is_stored_apart(
    engine: Engine, team: tuple[Actor, list[Actor], list[int]], reads: list[str]
) -> None:
    admin, _, _ = team
    whole = snapshot.figures(engine, admin)
    one = snapshot.figures(engine, admin, document_id=whole.documents[0])
    current = snapshot.figures(engine, admin, use="current")
    assert one.rows < whole.rows and current.report.verdicts == "current"
    with unit_of_work(engine) as session:
        keys = set(session.scalars(select(FigureSnapshot.key)))
    assert keys == {
        "agreement:blind:all",
        f"agreement:blind:{whole.documents[0]}",
        "agreement:current:all",
        # the tables, for a process that holds none (workbench.agreement.copies), and
        # the database's token they were read under (a restore deletes it)
        "agreement-table-copy:blind",
        "agreement-table-copy:current",
        "agreement-token",
    }
    for _ in range(2):
        snapshot.figures(engine, admin, document_id=whole.documents[0])
    # One whole read per choice of verdicts: the document's scope is cut from the held table.
    assert reads == ["table"] * 2


def test_stored_figures_of_an_older_version_are_never_shown(
    engine: Engine, team: tuple[Actor, list[Actor], list[int]]
) -> None:
    """What another process stored before a change (its version older) is not reused."""
    admin, reviewers, claims = team
    old = snapshot.figures(engine, admin)
    decisions.set_verdict(engine, claims[2], reviewers[0], Verdict.disputed)
    with unit_of_work(engine) as session:
        row = session.get_one(FigureSnapshot, "agreement:blind:all")
        assert row.version == old.version  # still there, out of date
    new = snapshot.figures(engine, admin)
    assert (old.report.changed_after_reveal, new.report.changed_after_reveal) == (0, 1)


def test_only_admins_get_the_figures(
    engine: Engine, team: tuple[Actor, list[Actor], list[int]]
) -> None:
    from workbench.errors import PermissionDenied

    _, reviewers, _ = team
    with pytest.raises(PermissionDenied):
        snapshot.figures(engine, reviewers[0])
    with pytest.raises(PermissionDenied):
        snapshot.csv_bytes(engine, reviewers[0])


def test_progress_sums_are_stored_and_follow_a_new_verdict(
    engine: Engine, team: tuple[Actor, list[Actor], list[int]], reads: list[str]
) -> None:
    admin, reviewers, claims = team
    version = progress.data_version(engine)
    first = progress.stored_decisions(engine, version)
    assert progress.stored_decisions(engine, version) == first
    assert reads == ["decisions"]
    assert first[reviewers[0].id].done == 12

    decisions.set_verdict(engine, claims[0], admin, Verdict.verified)  # the admin reviews too
    moved = progress.data_version(engine)
    assert moved != version
    after = progress.stored_decisions(engine, moved)
    # Read again: only the changed claim's reviews, into the reviews this process holds.
    assert reads == ["decisions", "decided claims"]
    assert after[admin.id].done == 1
    figures = progress.reviewer_progress(engine, admin, decided=after)
    assert {f.reviewer: f.done for f in figures}["Ada"] == 1
