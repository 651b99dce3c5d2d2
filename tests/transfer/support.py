"""Helpers for the import tests: seeding reviews, and what a database holds, id-free."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.db.models import Evidence, FinalVerdict, HistoryEntry, Review, User
from workbench.db.session import unit_of_work
from workbench.export.rows import iter_records
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_paths
from workbench.review import decisions, queue
from workbench.review.adjudicate import adjudicate
from workbench.schemas import Verdict

# A claim as both databases know it: its document's sha256 and its offsets.
Key = tuple[str, int, int]


def ingest_reversed(engine: Engine, sample_dir: Path) -> None:
    files = sorted(sample_dir.glob("*.txt"), reverse=True)
    for path in files:
        report = ingest_paths(engine, [path], default_extractor(), max_bytes=10**7)
        assert report.added == 1 and not report.errors


def open_claims(engine: Engine, n: int) -> list[int]:
    ids = [
        c.id
        for c in queue.list_claims(engine, queue.ClaimFilter(), page_size=n, actor=SYSTEM).items
    ]
    assert len(ids) == n
    return ids


def review_three(engine: Engine) -> list[int]:
    """Reviews by Ana, Ben and Cleo on five claims (k = 1), every kind of outcome:

    0. Ana verified (two URLs), Ben disputed (a note): they disagree; adjudicated "disputed";
    1. Ben unsupported alone: a single final;
    2. Ana and Cleo verified: a consensus final;
    3. Cleo a note only, no verdict;
    4. Ana verified, then the claim marked "not a claim".
    """
    ids = open_claims(engine, 5)
    ana, ben, cleo = (local_actor(engine, name) for name in ("Ana", "Ben", "Cleo"))
    decisions.set_verdict(engine, ids[0], ana, Verdict.verified)
    decisions.add_url(engine, ids[0], ana, "https://example.org/source?utm_source=x")
    decisions.add_url(engine, ids[0], ana, "www.example.org/second")
    decisions.set_verdict(engine, ids[0], ben, Verdict.disputed)
    decisions.set_note(engine, ids[0], ben, "the ministry's own figures say otherwise")
    adjudicate(engine, ana, ids[0], Verdict.disputed, "Ben's source holds")
    decisions.set_verdict(engine, ids[1], ben, Verdict.unsupported)
    decisions.set_verdict(engine, ids[2], ana, Verdict.verified)
    decisions.set_verdict(engine, ids[2], cleo, Verdict.verified)
    decisions.set_note(engine, ids[3], cleo, "need to find the original report")
    decisions.set_verdict(engine, ids[4], ana, Verdict.verified)
    decisions.mark_not_a_claim(engine, ids[4], ana)
    return ids


def reviews_of(engine: Engine) -> set[tuple[Any, ...]]:
    """Every review, by claim key: reviewer, verdict, note, URLs and timing."""
    return {
        (
            record.document.sha256,
            record.char_start,
            record.char_end,
            review.reviewer,
            review.verdict,
            review.note,
            tuple(sorted(u.url for u in review.urls)),
            review.decided_at,
            review.seconds_spent,
        )
        for record in iter_records(engine)
        for review in record.reviews
    }


def verdicts_of(engine: Engine) -> set[tuple[str, int, int, str, Verdict | None]]:
    return {
        (r[0], r[1], r[2], r[3], r[4])
        for r in reviews_of(engine)  # sha256, offsets, reviewer, verdict
    }


def finals_of(engine: Engine) -> dict[Key, tuple[Any, ...]]:
    return {
        (record.document.sha256, record.char_start, record.char_end): (
            record.final_verdict,
            record.final_source,
            record.final_reason,
        )
        for record in iter_records(engine)
        if record.final_verdict is not None
    }


def key_of(engine: Engine, claim_id: int) -> Key:
    record = next(r for r in iter_records(engine) if r.claim_id == claim_id)
    return (record.document.sha256, record.char_start, record.char_end)


def claim_at(engine: Engine, key: Key) -> int:
    return next(
        r.claim_id
        for r in iter_records(engine)
        if (r.document.sha256, r.char_start, r.char_end) == key
    )


def row_counts(engine: Engine) -> dict[str, int]:
    with unit_of_work(engine) as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in (User, Review, Evidence, FinalVerdict, HistoryEntry)
        }


def write_jsonl(path: Path, records: Sequence[Mapping[str, object] | str]) -> Path:
    """One line per record: a dict as JSON, a str as it is (for malformed lines)."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def export_lines(engine: Engine) -> list[dict[str, Any]]:
    return [json.loads(r.model_dump_json()) for r in iter_records(engine)]
