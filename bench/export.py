"""Export speed and memory at scale: our writers against a bare pandas / pyarrow call.

    python bench/export.py [--claims 100000] [--reviews-per-claim 10] [--formats csv,jsonl,...]
                           [--db /tmp/wb-export-bench-100000x10.sqlite] [--repeats 1] [--json]

It builds (once, then reuses) a SQLite database under /tmp with ``--claims`` claims, each with
``--reviews-per-claim`` reviews by distinct reviewers, one or two evidence URLs per review
and a final verdict on 80% of the claims, written with bulk Core inserts (no extraction).

Then, for each format, in a child process of its own (so that its peak memory is its own):

* ``ours``: ``workbench.export.export_to_file`` — what ``workbench export`` runs, manifest
  and sha256 included;
* ``bare``: the same rows with one SQL query read by ``pandas.read_sql`` into a DataFrame
  (one row per claim and review, URLs joined by a space) and written by ``df.to_csv``,
  ``df.to_json(orient="records", lines=True)``, ``pyarrow.parquet.write_table`` or, for
  ClaimReview, ``json.dump`` of the equivalent dicts.

Each line gives the seconds, review rows per second (claim-review pairs: the same count for
every format), the child's peak RSS, and ``ours/bare``: the bare call's time over ours, so
1.0 is as fast and the target is at least 0.5. Import time is not counted, reading the
database is. Medians of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from workbench.auth.policy import SYSTEM

FORMATS = ("csv", "jsonl", "parquet", "claimreview")
VERDICTS = ("verified", "disputed", "unsupported")
SOURCES = ("single", "consensus", "adjudicated")
PROSE = (
    "the ministry said that 4,000 people were evacuated on Monday after the river rose by "
    "two metres, and officials expect “further closures” of bridges; the mayor's office "
    "reported 12 injuries while police said unemployment fell to 5.1% in March"
)
WORDS = PROSE.split()


# --- the database -----------------------------------------------------------------------


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize() + "."


def build(path: Path, claims: int, per_claim: int, seed: int = 6) -> None:
    """A database of ``claims`` claims with ``per_claim`` reviews each, by bulk inserts."""
    from sqlalchemy import insert

    from workbench.db.models import Claim, Document, Evidence, FinalVerdict, Review, User
    from workbench.db.open import open_database
    from workbench.db.session import forget

    tmp = path.with_name(path.name + ".building")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{tmp}"
    engine = open_database(url)
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    reviewers = max(per_claim, 20)
    per_document = 20
    with engine.begin() as connection:
        connection.execute(
            insert(User),
            [
                {"id": i + 1, "name": f"reviewer{i + 1:02d}", "role": "reviewer"}
                for i in range(reviewers)
            ],
        )
    review_id = evidence_id = 0
    chunk = 5_000  # claims a transaction
    for first in range(0, claims, chunk):
        documents: list[dict[str, Any]] = []
        claim_rows: list[dict[str, Any]] = []
        reviews: list[dict[str, Any]] = []
        evidence: list[dict[str, Any]] = []
        finals: list[dict[str, Any]] = []
        texts: dict[int, list[str]] = {}
        for claim_id in range(first + 1, min(first + chunk, claims) + 1):
            document_id = (claim_id - 1) // per_document + 1
            parts = texts.setdefault(document_id, [])
            text = sentence(rng, 8, 30)
            if rng.random() < 0.05:
                text = '"' + text + '", he said\nthen =SUM(A1)'
            offset = sum(len(p) + 1 for p in parts)
            parts.append(text)
            at = start + timedelta(minutes=claim_id)
            claim_rows.append(
                {
                    "id": claim_id,
                    "document_id": document_id,
                    "project_id": 1,
                    "text": text,
                    "char_start": offset,
                    "char_end": offset + len(text),
                    "speaker": rng.choice([None, "Jane Doe", "the ministry", "Mayor O'Neil"]),
                    "score": rng.random(),
                    "extractor": "linear@1",
                    "status": "open",
                    "created_at": at,
                }
            )
            who = rng.sample(range(1, reviewers + 1), per_claim)
            for n, reviewer in enumerate(who):
                review_id += 1
                decided = at + timedelta(hours=1 + n)
                verdict = rng.choice(VERDICTS) if rng.random() < 0.95 else None
                reviews.append(
                    {
                        "id": review_id,
                        "claim_id": claim_id,
                        "reviewer_id": reviewer,
                        "verdict": verdict,
                        "blind_verdict": verdict,  # decided once, blind (review.blind)
                        "note": sentence(rng, 0, 12) if rng.random() < 0.5 else "",
                        "seconds_spent": rng.uniform(5, 300) if verdict else None,
                        "decided_at": decided if verdict else None,
                        "version": 1,
                        "created_at": decided,
                        "updated_at": decided,
                    }
                )
                for u in range(rng.randint(1, 2)):
                    evidence_id += 1
                    evidence.append(
                        {
                            "id": evidence_id,
                            "review_id": review_id,
                            "url": f"https://example.org/{claim_id}/{n}/{u}?q=a&b=c",
                            "note": "",
                            "added_at": decided,
                        }
                    )
            if rng.random() < 0.8:
                finals.append(
                    {
                        "claim_id": claim_id,
                        "verdict": rng.choice(VERDICTS),
                        "source": rng.choice(SOURCES),
                        "reason": "The sources agree." if rng.random() < 0.3 else "",
                        "decided_at": at + timedelta(days=1),
                        "version": 1,
                    }
                )
        for document_id, parts in texts.items():
            documents.append(
                {
                    "id": document_id,
                    "title": f"Article {document_id}",
                    "source": f"https://news.example.com/{document_id}",
                    "url": f"https://news.example.com/{document_id}",
                    "text": "\n".join(parts),
                    "project_id": 1,
                    "sha256": f"{document_id:064x}",
                    "published": start + timedelta(hours=document_id),
                    "metadata_": {},
                    "ingested_at": start,
                }
            )
        with engine.begin() as connection:
            connection.execute(insert(Document), documents)
            connection.execute(insert(Claim), claim_rows)
            connection.execute(insert(Review), reviews)
            connection.execute(insert(Evidence), evidence)
            if finals:
                connection.execute(insert(FinalVerdict), finals)
    forget(url)  # the last connection to close checkpoints the WAL into the file
    os.replace(tmp, path)
    Path(f"{tmp}-wal").unlink(missing_ok=True)
    Path(f"{tmp}-shm").unlink(missing_ok=True)


# --- one measurement, in a child process ----------------------------------------------------

# One row per claim and review, URLs joined by a space: what the CSV export holds.
BARE_SQL = """
SELECT c.id AS claim_id, c.text AS claim_text, c.char_start, c.char_end, c.speaker, c.score,
       c.extractor, c.status AS claim_status, d.id AS document_id, d.title AS document_title,
       d.source AS document_source, d.sha256 AS document_sha256, r.id AS review_id,
       u.name AS reviewer, r.verdict, r.note,
       (SELECT group_concat(e.url, ' ') FROM evidence e WHERE e.review_id = r.id) AS urls,
       r.created_at AS review_created_at, r.updated_at AS review_updated_at,
       f.verdict AS final_verdict, f.source AS final_source, f.reason AS final_reason
FROM claims c
JOIN documents d ON d.id = c.document_id
LEFT JOIN reviews r ON r.claim_id = c.id
LEFT JOIN users u ON u.id = r.reviewer_id
LEFT JOIN final_verdicts f ON f.claim_id = c.id
ORDER BY c.id, r.id
"""

CLAIMREVIEW_SQL = """
SELECT c.id AS claim_id, c.text, c.speaker, d.title, d.url, d.published,
       f.verdict, f.decided_at
FROM claims c
JOIN documents d ON d.id = c.document_id
JOIN final_verdicts f ON f.claim_id = c.id
ORDER BY c.id
"""


def run_bare(fmt: str, url: str, out: Path) -> int:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        df = pd.read_sql(text(CLAIMREVIEW_SQL if fmt == "claimreview" else BARE_SQL), connection)
    if fmt == "csv":
        df.to_csv(out, index=False)
    elif fmt == "jsonl":
        df.to_json(out, orient="records", lines=True, force_ascii=False)
    elif fmt == "parquet":
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), out)
    else:
        rating = {"verified": 3, "disputed": 1, "unsupported": 2}
        graph = [
            {
                "@type": "ClaimReview",
                "claimReviewed": row["text"],
                "itemReviewed": {
                    "@type": "Claim",
                    "author": {"@type": "Person", "name": row["speaker"]},
                    "appearance": {"@type": "CreativeWork", "url": row["url"]},
                },
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": rating[row["verdict"]],
                    "alternateName": row["verdict"],
                },
                "datePublished": row["decided_at"],
                "url": row["url"],
            }
            for row in df.to_dict("records")
        ]
        with out.open("w", encoding="utf-8") as handle:
            json.dump({"@context": "https://schema.org", "@graph": graph}, handle)
    reviews = int(df["review_id"].notna().sum()) if "review_id" in df else len(df)
    return reviews


def run_ours(fmt: str, url: str, out: Path) -> int:
    from workbench.db.open import open_database
    from workbench.export import ExportFormat, export_to_file

    engine = open_database(url, migrate=False)
    result = export_to_file(engine, ExportFormat(fmt), out, actor=SYSTEM)
    # The rows of the bare call: claim-review pairs, or ClaimReview items.
    return result.rows if fmt == "claimreview" else result.reviews or 0


def worker(kind: str, fmt: str, url: str, out: Path) -> None:
    run = run_ours if kind == "ours" else run_bare
    start = time.perf_counter()
    reviews = run(fmt, url, out)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = out.stat().st_size
    print(
        json.dumps(
            {"seconds": seconds, "reviews": reviews, "peak_mb": peak_kb / 1024, "bytes": size}
        )
    )


def measure(kind: str, fmt: str, url: str, out: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            kind,
            "--formats",
            fmt,
            "--url",
            url,
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"{kind} {fmt} failed:\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--reviews-per-claim", type=int, default=10)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--db", type=Path, help="the SQLite file (built if missing)")
    parser.add_argument("--out-dir", type=Path, default=Path("/tmp/wb-export-bench-out"))
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", choices=["ours", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    if args.worker:
        worker(args.worker, formats[0], args.url, args.out)
        return

    db = args.db or Path(f"/tmp/wb-export-bench-{args.claims}x{args.reviews_per_claim}.sqlite")
    if not db.exists():
        start = time.perf_counter()
        build(db, args.claims, args.reviews_per_claim)
        print(f"built {db} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    url = f"sqlite:///{db}"
    args.out_dir.mkdir(parents=True, exist_ok=True)

    results: dict[str, dict[str, Any]] = {}
    for fmt in formats:
        runs: dict[str, list[dict[str, Any]]] = {"ours": [], "bare": []}
        for _ in range(args.repeats):
            for kind in ("bare", "ours"):
                out = args.out_dir / f"{kind}.{fmt}"
                runs[kind].append(measure(kind, fmt, url, out))
        row: dict[str, Any] = {}
        for kind, measured in runs.items():
            seconds = statistics.median(m["seconds"] for m in measured)
            row[kind] = {
                "seconds": round(seconds, 2),
                "rows_per_s": round(measured[0]["reviews"] / seconds),
                "peak_mb": round(max(m["peak_mb"] for m in measured)),
                "mb": round(measured[0]["bytes"] / 2**20, 1),
                "reviews": measured[0]["reviews"],
            }
        row["ours_over_bare"] = round(row["bare"]["seconds"] / row["ours"]["seconds"], 2)
        results[fmt] = row
        for kind in ("bare", "ours"):
            (args.out_dir / f"{kind}.{fmt}").unlink(missing_ok=True)
        (args.out_dir / f"ours.{fmt}.manifest.json").unlink(missing_ok=True)

    report = {
        "claims": args.claims,
        "reviews_per_claim": args.reviews_per_claim,
        "repeats": args.repeats,
        "python": platform.python_version(),
        "formats": results,
    }
    if args.json:
        print(json.dumps(report))
        return
    print(
        f"{args.claims} claims x {args.reviews_per_claim} reviews, SQLite, "
        f"median of {args.repeats}; rows = claim-review pairs"
    )
    print(
        f"{'format':12} {'ours s':>7} {'ours rows/s':>11} {'ours MB':>8} {'peak MB':>8} "
        f"{'bare s':>7} {'bare rows/s':>11} {'bare peak':>9} {'ours/bare':>9}"
    )
    for fmt, row in results.items():
        ours, bare = row["ours"], row["bare"]
        print(
            f"{fmt:12} {ours['seconds']:7.2f} {ours['rows_per_s']:11d} {ours['mb']:8.1f} "
            f"{ours['peak_mb']:8d} {bare['seconds']:7.2f} {bare['rows_per_s']:11d} "
            f"{bare['peak_mb']:9d} {row['ours_over_bare']:9.2f}"
        )


if __name__ == "__main__":
    main()
