# ruff: noqa: E402
"""Measure the shipped linear@1 model: file size, load time, sentences/second (one thread).

    python scripts/bench_checkworthy.py [--data ../shared/data] [--model PATH]
    python scripts/bench_checkworthy.py --scorer heuristic   # or blend: throughput only

Throughput: dev-test repeated to 20,000 sentences, median of 5 runs of score_many.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import statistics
import sys
import time
from importlib.resources import as_file, files
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.extract.linear_model import DEFAULT_FILE, LinearCheckworthiness
from workbench.extract.scorers import SentenceScorer, load_scorer
from workbench.extract.train_linear import read_split


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--scorer", default="linear", help="linear, heuristic or blend")
    args = parser.parse_args()
    data = args.data if args.data.is_absolute() else REPO / args.data
    texts = [e.text for e in read_split(data, "dev-test")]
    batch = (texts * (args.n // len(texts) + 1))[: args.n]
    if args.scorer != "linear":
        throughput(load_scorer(args.scorer, args.model), batch)
        return

    with as_file(files("workbench") / "extract" / "models" / DEFAULT_FILE) as shipped:
        path = args.model or shipped
        print(f"file {path.name}: {path.stat().st_size / 1e6:.2f} MB")
        loads = []
        for _ in range(5):
            t0 = time.perf_counter()
            model = LinearCheckworthiness.load(args.model)
            loads.append(time.perf_counter() - t0)
    print(f"load time: median {statistics.median(loads) * 1000:.0f} ms of 5")
    throughput(model, batch)
    t0 = time.perf_counter()
    for text in texts:
        model.score(text)
    print(f"score (one at a time): {len(texts) / (time.perf_counter() - t0):,.0f} sentences/s")


def throughput(model: SentenceScorer, batch: list[str]) -> None:
    rates, cpu_rates = [], []
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        model.score_many(batch)
        rates.append(len(batch) / (time.perf_counter() - t0))
        cpu_rates.append(len(batch) / (time.process_time() - c0))
    print(
        f"score_many: median {statistics.median(rates):,.0f} sentences/s wall "
        f"(runs: {', '.join(f'{r:,.0f}' for r in rates)}) on {len(batch):,} sentences"
        f" [{model.name}]"
    )
    # On a shared machine the wall clock counts other processes' turns; CPU time of this
    # single-threaded process is what one dedicated core would take.
    print(f"score_many: median {statistics.median(cpu_rates):,.0f} sentences per CPU-second")


if __name__ == "__main__":
    main()
