"""Ingest at scale: synthetic news articles through the same path as `workbench ingest`.

    python bench/ingest.py [--documents 10000] [--workers N] [--db URL] [--repeats 1] [--json]

The articles come from ``workbench.synth.article`` (about 5 KB each, deterministic for the
seed), written as ``.txt`` files to a temporary folder and ingested with
``workbench.ingest.service.ingest_paths`` (reading, extraction in a pool of ``--workers``
processes, storage in batched transactions, similarity links), into a new SQLite file
unless ``--db`` names another database (which must be empty: its tables are used as they
are). The baseline, measured in the same run: the bare sentencex segmenter over the same
texts in one process. Prints documents per second, the seconds for all of them and the
ratio of the ingest time to the baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sentencex

from workbench.database import open_database
from workbench.db.session import forget
from workbench.extract import default_extractor
from workbench.ingest.service import default_workers, ingest_paths
from workbench.synth import article


def write_articles(folder: Path, documents: int, seed: int) -> list[str]:
    texts = []
    for index in range(documents):
        text = article(seed, index).text
        (folder / f"{index:06d}.txt").write_text(text, encoding="utf-8")
        texts.append(text)
    return texts


def bare_segmentation(texts: list[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        list(sentencex.segment("en", text))
    return time.perf_counter() - start


def ingest_once(folder: Path, url: str | None, workers: int) -> tuple[float, Any]:
    with tempfile.TemporaryDirectory(prefix="wb-ingest-db-") as scratch:
        target = url or f"sqlite:///{Path(scratch) / 'bench.sqlite'}"
        engine = open_database(target)
        extractor = default_extractor()
        start = time.perf_counter()
        report = ingest_paths(engine, [folder], extractor, max_bytes=10**7, workers=workers)
        seconds = time.perf_counter() - start
        forget(target)
    return seconds, report


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--db", default=None, help="an empty database (default: a new SQLite)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.db and args.repeats > 1:
        parser.error("--repeats needs a fresh database each time: leave out --db")

    with tempfile.TemporaryDirectory(prefix="wb-ingest-bench-") as tmp:
        folder = Path(tmp)
        texts = write_articles(folder, args.documents, args.seed)
        kilobytes = sum(len(t.encode("utf-8")) for t in texts) / len(texts) / 1024
        runs = []
        for _ in range(args.repeats):
            bare = bare_segmentation(texts)
            seconds, report = ingest_once(folder, args.db, args.workers)
            runs.append((seconds, bare, report))
        seconds = statistics.median(r[0] for r in runs)
        bare = statistics.median(r[1] for r in runs)
        report = runs[-1][2]

    result = {
        "documents": args.documents,
        "kb_per_document": round(kilobytes, 1),
        "workers": args.workers,
        "cores": os.cpu_count(),
        "added": report.added,
        "claims": report.claims,
        "failed": report.failed,
        "seconds": round(seconds, 1),
        "documents_per_s": round(args.documents / seconds, 1),
        "bare_segmentation_seconds": round(bare, 2),
        "x_bare_segmentation": round(seconds / bare, 1),
        "repeats": args.repeats,
        "python": platform.python_version(),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{args.documents} synthetic articles ({kilobytes:.1f} KB each), {args.workers} workers "
        f"on {os.cpu_count()} cores, median of {args.repeats}"
    )
    print(f"ingest: {report.summary()}")
    print(
        f"ingest {seconds:.1f} s, {args.documents / seconds:.1f} documents/s; bare sentence "
        f"segmentation {bare:.2f} s; ratio {seconds / bare:.1f}x"
    )
    if report.failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
