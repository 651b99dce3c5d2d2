"""Ingest at scale: synthetic news articles through the same path as `workbench ingest`.

    python bench/ingest.py [--documents 10000] [--workers N] [--batch N] [--db URL]
                           [--repeats 1] [--json] [--stages] [--no-pairs]

The articles come from ``workbench.synth.article`` (about 5 KB each, deterministic for the
seed), written as ``.txt`` files to a temporary folder and ingested with
``workbench.ingest.service.ingest_paths`` (reading, extraction in a pool of ``--workers``
processes, storage in batched transactions, similarity links), into a new SQLite file
unless ``--db`` names another database (which must be empty: its tables are used as they
are). The baseline, measured in the same run: the bare sentencex segmenter over the same
texts in one process.

Printed: documents per second, the seconds for all of them and the ratio of the ingest time
to the baseline's; where the CPU went (this process, which reads, stores and links, against
the extraction workers, from ``getrusage``) and how many cores that kept busy, and this
process's peak resident memory; the load
average before and after, since the machine may be shared. Unless ``--no-pairs``: how alike
the synthetic claims are across articles next to real news (``tests/data/news``), as the
share of claim pairs of different articles that share a MinHash band key (and so are looked
up) and that pass the signature screen (and so are compared exactly); synthetic text much
more alike than news would make linking cost more than it does on real input. ``--stages``
adds the CPU time of each extraction step per document, in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sentencex

from workbench.db.open import open_database
from workbench.db.session import forget
from workbench.extract import default_extractor, ingest_extractor, segment
from workbench.extract.pipeline import furniture_rules
from workbench.extract.speaker import attribute
from workbench.ingest.extraction import extract_texts
from workbench.ingest.service import BATCH_DOCUMENTS, default_workers, ingest_paths
from workbench.similarity import measure
from workbench.synth import article

REPO = Path(__file__).resolve().parent.parent
NEWS = REPO / "tests" / "data" / "news"


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


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of this process and of its reaped children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def ingest_once(folder: Path, url: str | None, workers: int, batch: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="wb-ingest-db-") as scratch:
        target = url or f"sqlite:///{Path(scratch) / 'bench.sqlite'}"
        engine = open_database(target)
        # What `workbench ingest` runs: a two-stage scorer's first stage only (the rest is
        # re-scored in the background, workbench.review.rescore).
        extractor = ingest_extractor()
        load_before = os.getloadavg()
        main_before, children_before = _cpu()
        start = time.perf_counter()
        report = ingest_paths(
            engine, [folder], extractor, max_bytes=10**7, workers=workers, batch_documents=batch
        )
        seconds = time.perf_counter() - start
        main_after, children_after = _cpu()  # the pool's workers are reaped by now
        load_after = os.getloadavg()
        forget(target)
    return {
        "seconds": seconds,
        "report": report,
        "main_cpu": main_after - main_before,
        "workers_cpu": children_after - children_before,
        "load_before": load_before,
        "load_after": load_after,
        # Peak resident memory of this process so far (kilobytes on Linux): the article texts
        # it wrote, the batch waiting to be stored and the signatures kept between batches.
        "main_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def claim_pairs(texts: list[str], samples: int = 300_000, seed: int = 0) -> dict[str, Any]:
    """How alike the claims of different articles are, over all pairs or a random sample."""
    extractor = default_extractor()
    owners: list[int] = []
    claims: list[str] = []
    for index, found in enumerate(extractor.extract_many(texts)):
        owners += [index] * len(found)
        claims += [c.text for c in found]
    sketches = measure.sketches(claims)
    documents = np.asarray(owners)
    signatures = np.stack([s.signature for s in sketches])
    keys = [set(s.band_keys) for s in sketches]
    n = len(claims)
    if n * (n - 1) // 2 <= samples:
        first, second = np.triu_indices(n, 1)
    else:
        rng = np.random.default_rng(seed)
        first, second = rng.integers(0, n, samples), rng.integers(0, n, samples)
    apart = documents[first] != documents[second]
    first, second = first[apart], second[apart]
    estimate = (signatures[first] == signatures[second]).mean(axis=1)
    shared = np.fromiter(
        (bool(keys[a] & keys[b]) for a, b in zip(first.tolist(), second.tolist(), strict=True)),
        dtype=bool,
        count=first.size,
    )
    pairs = max(first.size, 1)
    return {
        "articles": len(texts),
        "claims": n,
        "claims_per_kb": round(n / (sum(len(t.encode()) for t in texts) / 1024), 2),
        "pairs": int(first.size),
        "share_a_key_pct": round(100 * float(shared.sum()) / pairs, 3),
        "pass_screen_pct": round(
            100 * float((estimate >= measure.THRESHOLD - measure.ESTIMATE_MARGIN).sum()) / pairs, 3
        ),
    }


def stages(texts: list[str]) -> dict[str, float]:
    """CPU milliseconds per document of each extraction step, in this process."""
    extractor = default_extractor()

    def cpu(step: Callable[[], object]) -> float:
        runs = []
        for _ in range(3):
            start = time.process_time()
            step()
            runs.append(time.process_time() - start)
        return 1000 * statistics.median(runs) / len(texts)

    spans = [segment.sentences(t) for t in texts]
    rules = [furniture_rules(t, s) for t, s in zip(texts, spans, strict=True)]
    article_spans = [
        [span for span, rule in zip(s, r, strict=True) if rule is None]
        for s, r in zip(spans, rules, strict=True)
    ]
    sentences = [t[a:b] for t, found in zip(texts, article_spans, strict=True) for a, b in found]
    claims = [c.text for found in extractor.extract_many(texts) for c in found]
    chunk = 16

    def chunks(step: Callable[[list[Any]], object], items: list[Any], size: int) -> None:
        for start in range(0, len(items), size):
            step(items[start : start + size])

    per_chunk = max(1, len(sentences) * chunk // len(texts))
    return {
        "segment": cpu(lambda: [segment.sentences(t) for t in texts]),
        "furniture": cpu(
            lambda: [furniture_rules(t, s) for t, s in zip(texts, spans, strict=True)]
        ),
        "speakers": cpu(
            lambda: [attribute(t, a) for t, a in zip(texts, article_spans, strict=True)]
        ),
        "score": cpu(lambda: chunks(extractor.scorer.score_many, sentences, per_chunk)),
        "sketch": cpu(
            lambda: chunks(measure.sketches, claims, max(1, len(claims) * chunk // len(texts)))
        ),
        "worker_task": cpu(lambda: chunks(lambda c: extract_texts(extractor, c), texts, chunk)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--db", default=None, help="an empty database (default: a new SQLite)")
    parser.add_argument(
        "--batch", type=int, default=BATCH_DOCUMENTS, help="documents per transaction"
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--stages", action="store_true", help="time each extraction step")
    parser.add_argument("--no-pairs", action="store_true", help="skip the claim-pair measure")
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
            run = ingest_once(folder, args.db, args.workers, args.batch)
            run["bare"] = bare
            runs.append(run)
        runs.sort(key=lambda r: r["seconds"])
        run = runs[len(runs) // 2]  # the median run (the upper one of an even count)
        bare = statistics.median(r["bare"] for r in runs)
    seconds, report = run["seconds"], run["report"]
    cpu_total = run["main_cpu"] + run["workers_cpu"]
    result: dict[str, Any] = {
        "documents": args.documents,
        "kb_per_document": round(kilobytes, 1),
        "workers": args.workers,
        "batch_documents": args.batch,
        "cores": os.cpu_count(),
        "added": report.added,
        "claims": report.claims,
        "failed": report.failed,
        "seconds": round(seconds, 1),
        "documents_per_s": round(args.documents / seconds, 1),
        "bare_segmentation_seconds": round(bare, 2),
        "x_bare_segmentation": round(seconds / bare, 1),
        "main_cpu_ms_per_doc": round(1000 * run["main_cpu"] / args.documents, 1),
        "workers_cpu_ms_per_doc": round(1000 * run["workers_cpu"] / args.documents, 1),
        "cores_busy": round(cpu_total / seconds, 2),
        "main_peak_mb": round(run["main_peak_mb"]),
        "load_before": [round(x, 2) for x in run["load_before"]],
        "load_after": [round(x, 2) for x in run["load_after"]],
        "repeats": args.repeats,
        "python": platform.python_version(),
    }
    if not args.no_pairs:
        sample = texts[: min(len(texts), 300)]
        news = [p.read_text(encoding="utf-8") for p in sorted(NEWS.glob("*.txt"))]
        result["pairs_synthetic"] = claim_pairs(sample)
        result["pairs_news"] = claim_pairs(news)
    if args.stages:
        result["stages_ms_per_doc"] = {
            k: round(v, 2) for k, v in stages(texts[: min(len(texts), 200)]).items()
        }
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{args.documents} synthetic articles ({kilobytes:.1f} KB each), {args.workers} workers "
        f"on {os.cpu_count()} cores, {args.batch} documents per transaction, median of "
        f"{args.repeats}; load average "
        f"{result['load_before'][0]:.2f} before, {result['load_after'][0]:.2f} after"
    )
    print(f"ingest: {report.summary()}")
    print(
        f"ingest {seconds:.1f} s, {args.documents / seconds:.1f} documents/s; bare sentence "
        f"segmentation {bare:.2f} s; ratio {seconds / bare:.1f}x"
    )
    print(
        f"CPU: this process (read, store, link) {result['main_cpu_ms_per_doc']} ms/doc, "
        f"extraction workers {result['workers_cpu_ms_per_doc']} ms/doc; "
        f"{result['cores_busy']} cores busy on average; this process peaked at "
        f"{result['main_peak_mb']} MB resident"
    )
    for label in ("synthetic", "news"):
        found = result.get(f"pairs_{label}")
        if found:
            print(
                f"claim pairs ({label}: {found['articles']} articles, {found['claims']} claims, "
                f"{found['claims_per_kb']}/KB, {found['pairs']} cross-article pairs): "
                f"{found['share_a_key_pct']}% share a band key, "
                f"{found['pass_screen_pct']}% pass the signature screen"
            )
    if args.stages:
        steps = ", ".join(f"{k} {v}" for k, v in result["stages_ms_per_doc"].items())
        print(f"extraction steps, CPU ms/doc in one process: {steps}")
    if report.failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
