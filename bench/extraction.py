"""Extraction speed, stage by stage, on the sample corpus repeated to N documents.

    python bench/extraction.py [--documents 2000] [--repeats 3] [--scorer linear] [--json]

Stages, each timed on its own over the same texts (median of ``--repeats`` runs):

* ``bare_segmenter``: sentencex alone, the baseline every ratio is against;
* ``segmentation``: our segmentation (paragraphs, offsets, the sentencex workarounds);
* ``boilerplate``: the furniture rules over the segmented sentences;
* ``scoring``: the check-worthiness scorer over the sentences that are left;
* ``speakers``: speaker attribution over the same sentences;
* ``full_extract``: ``SentenceExtractor.extract`` end to end (what ingest runs).

Each line gives sentences/s, documents/s, and the stage's time as a multiple of the bare
segmenter's. One process, one core: ingest can run documents on both cores later.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import sentencex

from workbench.extract import segment
from workbench.extract.pipeline import SentenceExtractor, furniture_rules
from workbench.extract.scorers import load_scorer
from workbench.extract.speaker import attribute

Span = tuple[int, int]


def corpus(documents: int) -> list[str]:
    texts = sorted(
        (
            p.read_text(encoding="utf-8")
            for p in files("workbench").joinpath("sample_data").iterdir()
            if p.name.endswith(".txt")
        ),
    )
    # A distinct first line per copy: no cache anywhere can answer a repeat for free.
    return [f"Copy {i} of the sample corpus.\n\n{texts[i % len(texts)]}" for i in range(documents)]


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scorer", default="linear")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    texts = corpus(args.documents)
    scorer = load_scorer(args.scorer)
    extractor = SentenceExtractor(scorer)
    spans = [segment.sentences(t) for t in texts]
    rules = [furniture_rules(t, s) for t, s in zip(texts, spans, strict=True)]
    article = [
        [span for span, rule in zip(s, r, strict=True) if rule is None]
        for s, r in zip(spans, rules, strict=True)
    ]
    sentences = sum(len(s) for s in spans)
    article_sentences = [[t[a:b] for a, b in doc] for t, doc in zip(texts, article, strict=True)]

    stages: dict[str, Callable[[], object]] = {
        "bare_segmenter": lambda: [list(sentencex.segment("en", t)) for t in texts],
        "segmentation": lambda: [segment.sentences(t) for t in texts],
        "boilerplate": lambda: [furniture_rules(t, s) for t, s in zip(texts, spans, strict=True)],
        "scoring": lambda: [scorer.score_many(doc) for doc in article_sentences],
        "speakers": lambda: [attribute(t, a) for t, a in zip(texts, article, strict=True)],
        "full_extract": lambda: [extractor.extract(t) for t in texts],
    }
    results: dict[str, dict[str, Any]] = {}
    for name, run in stages.items():
        seconds = median_seconds(run, args.repeats)
        results[name] = {
            "seconds": round(seconds, 3),
            "sentences_per_s": round(sentences / seconds),
            "documents_per_s": round(len(texts) / seconds, 1),
        }
    base = results["bare_segmenter"]["seconds"]
    for row in results.values():
        row["x_bare_segmenter"] = round(row["seconds"] / base, 2)

    report = {
        "documents": len(texts),
        "sentences": sentences,
        "scorer": scorer.name,
        "repeats": args.repeats,
        "python": platform.python_version(),
        "stages": results,
    }
    if args.json:
        print(json.dumps(report))
        return
    print(
        f"{len(texts)} documents, {sentences} sentences, scorer {scorer.name}, "
        f"median of {args.repeats}"
    )
    print(f"{'stage':16} {'seconds':>8} {'sent/s':>9} {'docs/s':>8} {'x bare seg':>10}")
    for name, row in results.items():
        print(
            f"{name:16} {row['seconds']:8.3f} {row['sentences_per_s']:9d} "
            f"{row['documents_per_s']:8.1f} {row['x_bare_segmenter']:10.2f}"
        )


if __name__ == "__main__":
    main()
