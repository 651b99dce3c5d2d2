"""Verdicts are the scale's own strings, end to end (issue 14): a PolitiFact desk of six
verdicts reviews, reviews blind, reaches consensus at k = 2, adjudicates, measures agreement
on six labels and exports; a verdict off a project's scale is refused wherever one enters
(a save, an adjudication, an import, a filter), with nothing written; a scale gains verdicts
while reviews exist, cannot lose one in use, and ``map-verdicts`` merges two."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from workbench.agreement import snapshot
from workbench.agreement.report import build_report
from workbench.agreement.table import audited_table
from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, FinalVerdict, HistoryEntry, Review
from workbench.db.session import unit_of_work
from workbench.errors import InputFileError, InvalidInput
from workbench.export.filters import parse_filter
from workbench.export.service import ExportFormat, render_export
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant
from workbench.projects.scale import parse_scale
from workbench.projects.service import add_project, resolve_project, set_scale
from workbench.projects.settings import set_project_setting
from workbench.review import adjudicate, decisions, queue
from workbench.review.verdict_map import map_verdicts
from workbench.schemas import Actor, DocumentIn, Role
from workbench.transfer import import_reviews

POLITIFACT = ("true", "mostly-true", "half-true", "mostly-false", "false", "pants-on-fire")
TEXT = (
    "Harbour report\n\n"
    "The ministry said 4,000 people were evacuated from the harbour district on Monday. "
    "Officials said 12 bridges closed in 2023 after the storm, according to the city council.\n\n"
    "The mayor said unemployment fell to 4.2% in March, the lowest rate since 2008. "
    "According to the treasury, the city spent $3.5 million on flood defences last year.\n\n"
    "The health board reported 312 new cases of measles in 2024, up from 40 in 2022.\n"
)
TABLES = ("reviews", "final_verdicts", "history", "claims", "projects")


@dataclass(frozen=True)
class Desk:
    engine: Engine
    project_id: int
    claims: list[int]
    ana: Actor
    ben: Actor
    boss: Actor  # admin of the desk


def _actor(engine: Engine, name: str, role: Role, project: str) -> Actor:
    user = accounts.add_user(engine, SYSTEM, name, Role.reviewer)
    grant(engine, SYSTEM, name, project, role)
    return Actor(id=user.id, name=user.name, role=user.role)


def _desk(engine: Engine, name: str, scale: str, k: int = 2) -> Desk:
    project = add_project(engine, SYSTEM, name, scale=parse_scale(scale))
    document = DocumentIn(text=TEXT, title=f"{name} report", source=f"{name}.txt")
    ingest_documents(engine, [document], default_extractor(), project=name)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", k, name)
    with unit_of_work(engine) as session:
        claims = list(
            session.scalars(
                select(Claim.id).where(Claim.project_id == project.id).order_by(Claim.char_start)
            )
        )
    assert len(claims) == 5
    return Desk(
        engine,
        project.id,
        claims,
        _actor(engine, f"Ana-{name}", Role.reviewer, name),
        _actor(engine, f"Ben-{name}", Role.reviewer, name),
        _actor(engine, f"Boss-{name}", Role.admin, name),
    )


@pytest.fixture
def facts(engine: Engine) -> Desk:
    return _desk(engine, "facts", ",".join(POLITIFACT))


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in TABLES
        }


def _final(engine: Engine, claim_id: int) -> tuple[str, str] | None:
    with unit_of_work(engine) as session:
        row = session.execute(
            select(FinalVerdict.verdict, FinalVerdict.source).where(
                FinalVerdict.claim_id == claim_id
            )
        ).first()
        return None if row is None else (row[0], row[1])


def _review(engine: Engine, claim_id: int, reviewer: Actor) -> tuple[str | None, str | None]:
    with unit_of_work(engine) as session:
        row = session.execute(
            select(Review.verdict, Review.blind_verdict).where(
                Review.claim_id == claim_id, Review.reviewer_id == reviewer.id
            )
        ).one()
        return row[0], row[1]


def _reviewed(desk: Desk) -> None:
    """Five claims: consensus, a split adjudicated, agreement after the reveal, one review,
    and a merge to come (mostly-false against false)."""
    e, c, ana, ben = desk.engine, desk.claims, desk.ana, desk.ben
    decisions.set_verdict(e, c[0], ana, "mostly-true")
    decisions.set_verdict(e, c[0], ben, "mostly-true")
    decisions.set_verdict(e, c[1], ana, "true")
    decisions.set_verdict(e, c[1], ben, "half-true")
    adjudicate.adjudicate(e, desk.boss, c[1], "half-true", "the council's minutes say 11")
    decisions.set_verdict(e, c[2], ana, "false")
    decisions.set_verdict(e, c[2], ben, "pants-on-fire")
    decisions.set_verdict(e, c[2], ana, "pants-on-fire")  # after seeing Ben's
    decisions.set_verdict(e, c[3], ana, "pants-on-fire")
    decisions.set_verdict(e, c[4], ana, "mostly-false")
    decisions.set_verdict(e, c[4], ben, "false")


def test_a_politifact_desk_reviews_adjudicates_measures_and_exports(facts: Desk) -> None:
    e, c = facts.engine, facts.claims
    _reviewed(facts)
    assert _final(e, c[0]) == ("mostly-true", "consensus")
    assert _final(e, c[1]) == ("half-true", "adjudicated")
    assert _final(e, c[2]) is None  # agreed only after the reveal: an admin's call
    assert _review(e, c[2], facts.ana) == ("pants-on-fire", "false")
    assert _final(e, c[4]) is None

    table = audited_table(e, SYSTEM, project="facts")
    assert table.labels == POLITIFACT
    report = build_report(table, samples=0)
    assert report.labels == list(POLITIFACT)
    assert [g.key for g in report.by_label] == list(POLITIFACT)
    ana = next(r for r in report.by_reviewer if r.reviewer == facts.ana.name)
    assert ana.labels == {
        "true": 1,
        "mostly-true": 1,
        "half-true": 0,
        "mostly-false": 1,
        "false": 1,  # blind: her verdict before the reveal
        "pants-on-fire": 1,
    }
    current = build_report(audited_table(e, SYSTEM, project="facts", use="current"), samples=0)
    assert (
        next(r for r in current.by_reviewer if r.reviewer == facts.ana.name).labels["pants-on-fire"]
        == 2
    )
    figures = snapshot.figures(e, SYSTEM, project="facts")
    assert figures.report.labels == list(POLITIFACT)

    rows = list(
        csv.DictReader(
            io.StringIO(render_export(e, ExportFormat.csv, actor=SYSTEM, project="facts").decode())
        )
    )
    assert {r["verdict"] for r in rows if r["verdict"]} == set(POLITIFACT)
    lines = [
        json.loads(line)
        for line in render_export(e, ExportFormat.jsonl, actor=SYSTEM, project="facts").splitlines()
    ]
    finals = {line["claim_id"]: line["final_verdict"] for line in lines}
    assert finals[c[0]] == "mostly-true" and finals[c[1]] == "half-true"
    assert {r["blind_verdict"] for line in lines for r in line["reviews"]} >= {"false"}
    graph = json.loads(render_export(e, ExportFormat.claimreview, actor=SYSTEM, project="facts"))
    ratings = {
        item["reviewRating"]["alternateName"]: item["reviewRating"] for item in graph["@graph"]
    }
    scale = resolve_project(e, "facts").scale
    assert set(ratings) == {"Mostly-true", "Half-true"}  # the scale's names, as shown
    for name, rating in (
        ("mostly-true", ratings["Mostly-true"]),
        ("half-true", ratings["Half-true"]),
    ):
        verdict = scale.get(name)
        assert verdict is not None and rating["alternateName"] == verdict.shown
        assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (
            verdict.rating,
            6,
            1,
        )

    # The filters take the scale's verdicts, and refuse others naming the scale.
    only = parse_filter(verdict=["half-true"])
    half = render_export(e, ExportFormat.jsonl, actor=SYSTEM, flt=only, project="facts")
    assert [json.loads(line)["claim_id"] for line in half.splitlines()] == [c[1]]
    with pytest.raises(
        InvalidInput,
        match=r"verdict 'verified' is not on project facts's scale \(true, mostly-true",
    ):
        render_export(
            e,
            ExportFormat.jsonl,
            actor=SYSTEM,
            flt=parse_filter(verdict=["verified"]),
            project="facts",
        )
    page = queue.list_claims(
        e,
        queue.ClaimFilter(state="all", verdict="pants-on-fire", project_id=facts.project_id),
        actor=SYSTEM,
    )
    assert [item.id for item in page.items] == [c[2], c[3]]
    finals_page = queue.list_claims(
        e,
        queue.ClaimFilter(state="all", final="half-true", project_id=facts.project_id),
        actor=SYSTEM,
    )
    assert [item.id for item in finals_page.items] == [c[1]]
    for bad in ({"verdict": "verified"}, {"final": "unsupported"}):
        with pytest.raises(InvalidInput, match="not on project facts's scale"):
            queue.list_claims(
                e, queue.ClaimFilter(state="all", project_id=facts.project_id, **bad), actor=SYSTEM
            )


def test_a_verdict_off_the_scale_is_refused_by_the_services_and_nothing_written(
    engine: Engine,
) -> None:
    """The hole of the release before: a two-verdict desk saved the left-out verdict through a
    direct call of the service (the app's buttons only hid it)."""
    desk = _desk(engine, "health", "verified,disputed")
    before = _counts(engine)
    with pytest.raises(
        InvalidInput,
        match=r"^verdict 'unsupported' is not on project health's scale \(verified, disputed\)",
    ):
        decisions.set_verdict(engine, desk.claims[0], desk.ana, "unsupported")
    with pytest.raises(InvalidInput, match="not on project health's scale"):
        adjudicate.adjudicate(engine, desk.boss, desk.claims[0], "unsupported", "crafted")
    with pytest.raises(InvalidInput, match="not on project health's scale"):
        decisions.set_verdict(engine, desk.claims[0], desk.ana, "pants-on-fire")
    assert _counts(engine) == before
    # A verdict of the scale is saved.
    decisions.set_verdict(engine, desk.claims[0], desk.ana, "verified")
    assert _review(engine, desk.claims[0], desk.ana) == ("verified", "verified")


def test_an_import_refuses_a_verdict_off_the_scale_naming_file_line_and_value(
    facts: Desk, tmp_path: Path
) -> None:
    lines: list[dict[str, Any]] = [
        {"claim_id": facts.claims[0], "reviews": [{"reviewer": "Zoe", "verdict": "half-true"}]},
        {"claim_id": facts.claims[1], "reviews": [{"reviewer": "Zoe", "verdict": "verified"}]},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    before = _counts(facts.engine)
    with pytest.raises(InputFileError) as caught:
        import_reviews(facts.engine, path, actor=SYSTEM, project="facts")
    assert str(caught.value) == (
        f"{path}:2: field 'reviews[0].verdict': must be {', '.join(POLITIFACT)} or null, "
        "not 'verified'"
    )
    assert _counts(facts.engine) == before
    path.write_text(json.dumps(lines[0]) + "\n")
    assert import_reviews(facts.engine, path, actor=SYSTEM, project="facts").reviews_added == 1


def test_a_scale_gains_a_verdict_with_reviews_but_keeps_those_in_use(facts: Desk) -> None:
    e = facts.engine
    decisions.set_verdict(e, facts.claims[0], facts.ana, "half-true")
    grown = set_scale(e, SYSTEM, "facts", parse_scale(",".join((*POLITIFACT, "missing_context"))))
    assert grown.scale.names[-1] == "missing_context"
    decisions.set_verdict(e, facts.claims[1], facts.ana, "missing_context")
    assert _review(e, facts.claims[1], facts.ana) == ("missing_context", "missing_context")
    before = _counts(e)
    for gone in ("half-true", "missing_context"):
        names = [n for n in grown.scale.names if n != gone]
        with pytest.raises(InvalidInput, match=f"{gone} are in use"):
            set_scale(e, SYSTEM, "facts", parse_scale(",".join(names)))
    assert _counts(e) == before
    # Not in use: it may go.
    smaller = set_scale(e, SYSTEM, "facts", parse_scale("half-true,missing_context"))
    assert smaller.scale.names == ("half-true", "missing_context")


def test_map_verdicts_merges_two_and_what_follows_from_them_follows(facts: Desk) -> None:
    e, c = facts.engine, facts.claims
    _reviewed(facts)
    adjudicate.adjudicate(e, facts.boss, c[3], "mostly-false", "one source only")
    with unit_of_work(e) as session:
        split = session.scalar(select(Claim.disagreement).where(Claim.id == c[4]))
    assert split == 1.0
    before_figures = snapshot.figures(e, SYSTEM, project="facts")
    assert before_figures.report.labels == list(POLITIFACT)
    history = _counts(e)["history"]

    report = map_verdicts(e, SYSTEM, "facts", {"mostly-false": "false"})
    assert (report.reviews, report.finals, report.finals_refreshed) == (1, 1, 1)
    assert report.verdicts == ["true", "mostly-true", "half-true", "false", "pants-on-fire"]
    assert resolve_project(e, "facts").scale.names == tuple(report.verdicts)
    # Ana's mostly-false is false now, blind verdict too: with Ben's false, a consensus.
    assert _review(e, c[4], facts.ana) == ("false", "false")
    assert _final(e, c[4]) == ("false", "consensus")
    assert _final(e, c[3]) == ("false", "adjudicated")  # the admin's decision, renamed
    with unit_of_work(e) as session:
        assert session.scalar(select(Claim.disagreement).where(Claim.id == c[4])) == 0.0
        used = set(session.scalars(select(Review.verdict).distinct()))
        assert "mostly-false" not in used
        entries = session.execute(
            select(HistoryEntry.entity, HistoryEntry.before, HistoryEntry.after)
            .where(HistoryEntry.id > history)
            .order_by(HistoryEntry.id)
        ).all()
    kinds = [entity for entity, _, _ in entries]
    # The review, the adjudicated final, the scale, then the consensus that followed.
    assert kinds == ["review", "final_verdict", "project", "final_verdict"]
    assert entries[0][1]["verdict"] == "mostly-false" and entries[0][2]["verdict"] == "false"
    # Agreement: five labels, and the stored figures of six are not reused.
    after = snapshot.figures(e, SYSTEM, project="facts")
    assert after.report.labels == report.verdicts
    assert audited_table(e, SYSTEM, project="facts").labels == tuple(report.verdicts)
    # Counted again from scratch, the figures are those the merge left.
    from workbench.review import stats

    with unit_of_work(e) as session:
        kept = dict(session.execute(select(Claim.id, Claim.disagreement)).all())
        stats.recount(session)
        assert dict(session.execute(select(Claim.id, Claim.disagreement)).all()) == kept


def test_map_verdicts_renames_keeps_the_rest_and_refuses_what_it_cannot_do(facts: Desk) -> None:
    e, c = facts.engine, facts.claims
    decisions.set_verdict(e, c[0], facts.ana, "pants-on-fire")
    before = _counts(e)
    for mapping, spec, problem in (
        ({"verified": "true"}, None, "verified not on its scale"),
        ({"true": "false", "false": "half-true"}, None, "both mapped and mapped to"),
        ({"pants-on-fire": "false"}, "true,mostly-true", "false are in use"),
    ):
        with pytest.raises(InvalidInput, match=problem):
            map_verdicts(e, SYSTEM, "facts", mapping, parse_scale(spec) if spec else None)
    assert _counts(e) == before  # nothing written, nothing locked for good
    report = map_verdicts(e, SYSTEM, "facts", {"pants-on-fire": "lie"})
    assert report.verdicts[-1] == "lie"
    renamed = resolve_project(e, "facts").scale.get("lie")
    assert renamed is not None and renamed.rating == 1 and renamed.key == "6"
    assert _review(e, c[0], facts.ana) == ("lie", "lie")
    assert _final(e, c[0]) is None  # k = 2: one review makes no final
    with unit_of_work(e) as session:
        assert session.scalar(select(func.count()).select_from(FinalVerdict)) == 0
