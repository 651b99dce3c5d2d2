"""Exports: JSONL reads back to what is stored; CSV is one row per claim and review."""

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.export import ExportFormat, export_to_file, render_export
from workbench.export.csv_format import COLUMNS
from workbench.export.filters import ExportFilter
from workbench.export.rows import RowBatch, iter_records, iter_row_batches
from workbench.review import decisions, queue
from workbench.review.adjudicate import adjudicate
from workbench.schemas import ExportRecord, FinalSource, Verdict


def review_some(engine: Engine) -> list[int]:
    ids = [
        c.id
        for c in queue.list_claims(engine, queue.ClaimFilter(), page_size=3, actor=SYSTEM).items
    ]
    decisions.set_verdict(engine, ids[0], local_actor(engine, "Ana"), Verdict.verified)
    decisions.add_url(engine, ids[0], local_actor(engine, "Ana"), "https://example.org/source")
    decisions.add_url(engine, ids[0], local_actor(engine, "Ana"), "https://example.org/second")
    decisions.set_verdict(engine, ids[0], local_actor(engine, "Ben"), Verdict.disputed)
    decisions.set_note(
        engine, ids[0], local_actor(engine, "Ben"), '=HYPERLINK("http://evil.example","click")'
    )
    decisions.mark_not_a_claim(engine, ids[1], local_actor(engine, "Ana"))
    return ids


def test_jsonl_round_trip_equals_what_is_stored(seeded: Engine, tmp_path: Path) -> None:
    review_some(seeded)
    result = export_to_file(seeded, ExportFormat.jsonl, tmp_path / "out.jsonl", actor=SYSTEM)
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    read_back = [ExportRecord.model_validate_json(line) for line in lines]
    assert read_back == list(iter_records(seeded))
    assert (
        result.rows
        == len(lines)
        == queue.list_claims(seeded, queue.ClaimFilter(state="all"), actor=SYSTEM).total
    )


def test_jsonl_record_has_claim_document_and_reviews(seeded: Engine) -> None:
    ids = review_some(seeded)
    records = {
        r["claim_id"]: r
        for r in map(
            json.loads, render_export(seeded, ExportFormat.jsonl, actor=SYSTEM).splitlines()
        )
    }
    record = records[ids[0]]
    assert set(record["document"]) == {"id", "title", "source", "sha256", "url", "published"}
    assert [(r["reviewer"], r["verdict"]) for r in record["reviews"]] == [
        ("Ana", "verified"),
        ("Ben", "disputed"),
    ]
    assert [u["url"] for u in record["reviews"][0]["urls"]] == [
        "https://example.org/source",
        "https://example.org/second",
    ]
    assert records[ids[1]]["status"] == "not_a_claim"


def test_exports_carry_the_final_verdict_and_its_source(seeded: Engine) -> None:
    ids = review_some(seeded)  # claim 0: Ana and Ben disagree; claim 1: not a claim
    decisions.set_verdict(seeded, ids[2], local_actor(seeded, "Ana"), Verdict.unsupported)
    adjudicate(seeded, local_actor(seeded, "Ana"), ids[0], Verdict.disputed, "Ben's source holds")
    records = {r.claim_id: r for r in iter_records(seeded)}
    assert {r.schema_version for r in records.values()} == {5}
    assert (
        records[ids[0]].final_verdict,
        records[ids[0]].final_source,
        records[ids[0]].final_reason,
    ) == (Verdict.disputed, FinalSource.adjudicated, "Ben's source holds")
    assert (records[ids[2]].final_verdict, records[ids[2]].final_source) == (
        Verdict.unsupported,
        FinalSource.single,
    )
    assert records[ids[1]].final_verdict is None and records[ids[1]].final_source is None

    rows = list(
        csv.DictReader(io.StringIO(render_export(seeded, ExportFormat.csv, actor=SYSTEM).decode()))
    )
    finals = {(r["claim_id"], r["reviewer"], r["final_verdict"], r["final_source"]) for r in rows}
    assert {f for f in finals if f[0] in {str(ids[0]), str(ids[2])}} == {
        (str(ids[0]), "Ana", "disputed", "adjudicated"),
        (str(ids[0]), "Ben", "disputed", "adjudicated"),
        (str(ids[2]), "Ana", "unsupported", "single"),
    }
    undecided = [r for r in rows if r["claim_id"] == str(ids[1])]
    assert [(r["final_verdict"], r["final_source"], r["review_id"]) for r in undecided] == [
        ("", "", "")
    ]


def test_jsonl_offsets_index_the_stored_text(seeded: Engine) -> None:
    for record in iter_records(seeded):
        text = queue.get_document_text(seeded, record.document.id)[1]
        assert text[record.char_start : record.char_end] == record.text


def test_csv_has_one_row_per_claim_and_review(seeded: Engine) -> None:
    ids = review_some(seeded)
    reader = csv.DictReader(
        io.StringIO(render_export(seeded, ExportFormat.csv, actor=SYSTEM).decode("utf-8"))
    )
    rows = list(reader)
    assert reader.fieldnames == COLUMNS
    total = queue.list_claims(seeded, queue.ClaimFilter(state="all"), actor=SYSTEM).total
    assert len(rows) == total + 1  # the first claim has two reviews
    first = [r for r in rows if r["claim_id"] == str(ids[0])]
    assert [(r["reviewer"], r["verdict"]) for r in first] == [
        ("Ana", "verified"),
        ("Ben", "disputed"),
    ]
    assert first[0]["urls"].split(" ") == [
        "https://example.org/source",
        "https://example.org/second",
    ]


def test_csv_neutralises_formulas(seeded: Engine) -> None:
    review_some(seeded)
    rows = list(
        csv.DictReader(io.StringIO(render_export(seeded, ExportFormat.csv, actor=SYSTEM).decode()))
    )
    notes = [r["note"] for r in rows if r["note"]]
    assert notes == ['\'=HYPERLINK("http://evil.example","click")']


def test_an_export_that_fails_leaves_no_file(
    seeded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    target = out_dir / "out.csv"

    def broken_batches(
        engine: Engine,
        flt: ExportFilter | None = None,
        *,
        reviews: bool = True,
        project_id: int | None = None,
    ) -> Iterator[RowBatch]:
        yield next(iter_row_batches(engine, flt, batch=3, reviews=reviews, project_id=project_id))
        raise RuntimeError("database went away")

    monkeypatch.setattr("workbench.export.service.iter_row_batches", broken_batches)
    with pytest.raises(RuntimeError):
        export_to_file(seeded, ExportFormat.csv, target, actor=SYSTEM)
    assert list(out_dir.iterdir()) == []


def test_an_export_replaces_an_older_file_whole(seeded: Engine, tmp_path: Path) -> None:
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    target = out_dir / "out.jsonl"
    target.write_text("STALE-EXPORT\n")
    export_to_file(seeded, ExportFormat.jsonl, target, actor=SYSTEM)
    assert "STALE-EXPORT" not in target.read_text()
    assert sorted(p.name for p in out_dir.iterdir()) == ["out.jsonl", "out.jsonl.manifest.json"]
