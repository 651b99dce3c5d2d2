"""Export filters narrow in SQL to exactly the claims their definition names, on both backends."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.export.conftest import Reviewed
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.errors import InvalidInput
from workbench.export import ExportFormat, export_to_file
from workbench.export.filters import ExportFilter, check, parse_filter
from workbench.export.rows import iter_batches, iter_records
from workbench.schemas import ExportRecord, FinalSource, Verdict

MARCH = datetime(2024, 3, 1, tzinfo=UTC)
APRIL = datetime(2024, 4, 1, tzinfo=UTC)


def decided_in(record: ExportRecord, since: datetime | None, until: datetime | None) -> bool:
    return any(
        r.decided_at is not None
        and (since is None or r.decided_at >= since)
        and (until is None or r.decided_at < until)
        for r in record.reviews
    )


# Each filter, and the same condition written in Python over the unfiltered export.
CASES: list[tuple[str, dict[str, Any], Callable[[ExportRecord], bool]]] = [
    ("verdict", {"verdict": ["disputed"]}, lambda r: r.final_verdict == Verdict.disputed),
    (
        "verdicts",
        {"verdict": ["verified", "unsupported"]},
        lambda r: r.final_verdict in {Verdict.verified, Verdict.unsupported},
    ),
    (
        "final_source",
        {"final_source": ["single"]},
        lambda r: r.final_source == FinalSource.single,
    ),
    ("reviewer", {"reviewer": ["Ben"]}, lambda r: any(v.reviewer == "Ben" for v in r.reviews)),
    ("reviewers", {"reviewer": ["Ana", "Ben"]}, lambda r: bool(r.reviews)),
    ("since", {"since": MARCH}, lambda r: decided_in(r, MARCH, None)),
    ("until", {"until": MARCH}, lambda r: decided_in(r, None, MARCH)),
    (
        "range",
        {"since": "2024-03-02", "until": APRIL},
        lambda r: decided_in(r, MARCH.replace(day=2), APRIL),
    ),
    (
        "reviewer_in_range",
        {"reviewer": ["Ana"], "since": "2024-03-02T00:00:00+00:00"},
        lambda r: any(
            v.reviewer == "Ana" and v.decided_at and v.decided_at >= MARCH.replace(day=2)
            for v in r.reviews
        ),
    ),
    # Cuts inside the kept claims' scores with either scorer: the default (minilm-onnx@4)
    # keeps nothing under its threshold 0.65, linear@1 keeps from 0.29.
    ("min_score", {"min_score": 0.9}, lambda r: r.score >= 0.9),
    ("max_score", {"max_score": 0.8}, lambda r: r.score <= 0.8),
    ("final_only", {"final_only": True}, lambda r: r.final_verdict is not None),
    (
        "combined",
        {"final_source": ["single", "adjudicated"], "min_score": 0.0, "reviewer": ["Ana"]},
        lambda r: r.final_source is not None and any(v.reviewer == "Ana" for v in r.reviews),
    ),
]


@pytest.mark.parametrize(("name", "fields", "keep"), CASES, ids=[c[0] for c in CASES])
def test_each_filter_keeps_exactly_its_claims(
    reviewed: Reviewed, name: str, fields: dict[str, Any], keep: Callable[[ExportRecord], bool]
) -> None:
    everything = list(iter_records(reviewed.engine))
    assert len(everything) == reviewed.total
    expected = [r for r in everything if keep(r)]
    # Not vacuous: each case keeps something and drops something.
    assert 0 < len(expected) < len(everything), name
    got = list(iter_records(reviewed.engine, parse_filter(**fields)))
    assert got == expected  # whole claims, every review kept, in id order


def test_the_scenario_is_what_the_filters_see(reviewed: Reviewed) -> None:
    def ids(**fields: Any) -> set[int]:
        return {r.claim_id for r in iter_records(reviewed.engine, parse_filter(**fields))}

    assert ids(verdict=["disputed"]) == {reviewed.disputed}
    assert ids(final_source=["adjudicated"]) == {reviewed.disputed}
    assert ids(final_only=True) == {reviewed.disputed, reviewed.unsupported, reviewed.verified}
    assert ids(reviewer=["Ben"]) == {reviewed.disputed, reviewed.verified}
    assert ids(reviewer=["Ana"]) == {reviewed.disputed, reviewed.unsupported, reviewed.note_only}
    assert ids(since="2024-03-02") == {reviewed.disputed, reviewed.unsupported}
    assert ids(since="2024-03-02", reviewer=["Ana"]) == {reviewed.unsupported}
    assert ids(until="2024-03-01") == {reviewed.verified}
    # A review without a verdict has no decision time: no date range finds it.
    assert reviewed.note_only not in ids(since="2000-01-01")


def test_pagination_with_a_filter_misses_nothing(reviewed: Reviewed) -> None:
    flt = parse_filter(max_score=0.9)
    whole = [r["claim_id"] for b in iter_batches(reviewed.engine, flt) for r in b]
    paged = list(iter_batches(reviewed.engine, flt, batch=3))
    assert all(len(b) <= 3 for b in paged)
    assert [r["claim_id"] for b in paged for r in b] == whole
    assert whole == sorted(whole) and len(set(whole)) == len(whole)


def test_bad_filters_are_refused_with_a_message(reviewed: Reviewed) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"verdict": ["Maybe so"]}, "verdict"),  # not a verdict's name on any scale
        ({"since": "last week"}, "since"),
        ({"since": "2024-05-01", "until": "2024-04-01"}, "since must be before until"),
        ({"min_score": 1.5}, "min_score"),
        ({"min_score": 0.8, "max_score": 0.2}, "min_score must not be above max_score"),
    ]
    for fields, message in cases:
        with pytest.raises(InvalidInput, match=message):
            parse_filter(**fields)
    with pytest.raises(InvalidInput, match="no reviewer named 'Zed'"):
        check(reviewed.engine, ExportFilter(reviewer=["Ana", "Zed"]))
    with pytest.raises(InvalidInput, match="no document with id 999999"):
        check(reviewed.engine, ExportFilter(document_id=[999999]))
    # A name, but not of the project's scale.
    with pytest.raises(
        InvalidInput,
        match=r"'maybe' is not on project default's scale \(verified, disputed, unsupported\)",
    ):
        check(reviewed.engine, ExportFilter(verdict=["maybe"]), 1)


def test_times_without_an_offset_are_utc() -> None:
    assert parse_filter(since="2024-03-02").since == datetime(2024, 3, 2, tzinfo=UTC)
    assert parse_filter(until="2024-03-02T12:00:00+02:00").until == datetime(
        2024, 3, 2, 10, tzinfo=UTC
    )


def test_a_filtered_export_and_its_manifest(reviewed: Reviewed, tmp_path: Path) -> None:
    document_id = next(iter_records(reviewed.engine)).document.id
    flt = parse_filter(document_id=[document_id], verdict=["disputed", "verified"])
    result = export_to_file(
        reviewed.engine, ExportFormat.jsonl, tmp_path / "f.jsonl", flt=flt, actor=SYSTEM
    )
    lines = (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()
    records = [ExportRecord.model_validate_json(line) for line in lines]
    assert records and all(r.document.id == document_id for r in records)
    assert all(r.final_verdict in {Verdict.disputed, Verdict.verified} for r in records)
    manifest = json.loads((tmp_path / "f.jsonl.manifest.json").read_text())
    assert manifest["filters"]["document_id"] == [document_id]
    assert manifest["filters"]["verdict"] == ["disputed", "verified"]
    assert manifest["claims"] == result.claims == len(records)


def test_cli_options_reach_the_filter(reviewed: Reviewed, db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "cli.jsonl"
    args = [
        "export", "--format", "jsonl", "--out", str(out), "--db", db_url,
        "--verdict", "disputed", "--verdict", "unsupported", "--final-source", "single",
        "--final-source", "adjudicated", "--reviewer", "Ana", "--since", "2024-03-01",
        "--until", "2024-04-01T00:00:00Z", "--min-score", "0", "--max-score", "1",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    first, second = result.stdout.splitlines()
    assert first == f"wrote 2 rows to {out}"
    assert second == f"2 claims, 3 reviews; manifest {out}.manifest.json"
    assert [json.loads(line)["claim_id"] for line in out.read_text().splitlines()] == sorted(
        [reviewed.disputed, reviewed.unsupported]
    )
    filters = json.loads(Path(f"{out}.manifest.json").read_text())["filters"]
    assert filters == {
        "verdict": ["disputed", "unsupported"],
        "final_source": ["single", "adjudicated"],
        "reviewer": ["Ana"],
        "document_id": [],
        "since": "2024-03-01T00:00:00Z",
        "until": "2024-04-01T00:00:00Z",
        "min_score": 0.0,
        "max_score": 1.0,
        "final_only": False,
        "project": "default",  # the project exported, named in the manifest
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reviewer", "Zed"], "no reviewer named 'Zed'"),
        (["--document", "424242"], "no document with id 424242"),
        (["--since", "soon"], "since"),
        (["--history", "--verdict", "verified"], "do not apply to --history"),
    ],
)
def test_cli_refuses_bad_filters_in_one_line(
    reviewed: Reviewed, db_url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(
        app, ["export", "--out", str(tmp_path / "x.jsonl"), "--db", db_url, *args]
    )
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.stderr
    # One error (after the line naming the database, if it got as far as opening it).
    lines = [x for x in result.stderr.splitlines() if not x.startswith("database: ")]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert not list(tmp_path.glob("*x.jsonl*"))
