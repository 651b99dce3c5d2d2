"""Agreement coefficients' speed on a large synthetic review table.

    python bench/agreement.py [--claims 100000] [--reviewers 5] [--repeats 5] [--samples 1000]
                              [--missing 0.2] [--seed 0] [--json]

The table: ``--claims`` claims × ``--reviewers`` reviewers, three verdicts mixed 60/25/15.
Each claim has a true verdict; each reviewer gives it with probability 0.8 and one of the two
others (evenly) otherwise, so reviewers agree through the truth, not by chance. Then a
``--missing`` share of the reviews (20%) is removed at random.

Each coefficient of :mod:`workbench.agreement.metrics` is timed on it (median of
``--repeats`` runs, input checks included), with its value:

* ``observed``, ``pairwise_cohen``, ``fleiss``, ``ac1``, ``alpha``: target < 1 s each;
* ``alpha+bootstrap``: alpha and its ``--samples``-replicate bootstrap interval, target < 5 s.

Baselines, on the same data: a bare ``krippendorff.alpha`` call (our alpha stages are also
given as a multiple of it); scikit-learn's ``cohen_kappa_score`` over every pair of reviewers;
statsmodels' ``fleiss_kappa`` on the table *before* reviews were removed (it needs the same
number of ratings per claim), from category counts aggregated beforehand, next to our Fleiss
on that same complete table.

Exit status 0 when every target is met, else 1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from itertools import combinations
from typing import Any

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from workbench.agreement import metrics

CATEGORIES = 3
MIX = (0.60, 0.25, 0.15)
ACCURACY = 0.8
TARGETS = {  # seconds
    "observed": 1.0,
    "pairwise_cohen": 1.0,
    "fleiss": 1.0,
    "ac1": 1.0,
    "alpha": 1.0,
    "alpha+bootstrap": 5.0,
}


def review_table(
    claims: int, reviewers: int, missing: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(complete table, the same with ``missing`` of its reviews removed)."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(CATEGORIES, size=claims, p=MIX)
    # A wrong verdict is one of the other two, evenly: truth + 1 or + 2, modulo 3.
    shift = rng.integers(1, CATEGORIES, size=(claims, reviewers))
    wrong = (truth[:, np.newaxis] + shift) % CATEGORIES
    right = rng.random((claims, reviewers)) < ACCURACY
    complete = np.where(right, truth[:, np.newaxis], wrong).astype(np.float64)
    table = complete.copy()
    table[rng.random(table.shape) < missing] = np.nan
    return complete, table


def median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    times = []
    result: object = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def sklearn_pairwise(table: np.ndarray) -> list[float]:
    out = []
    for a, b in combinations(range(table.shape[1]), 2):
        both = ~np.isnan(table[:, a]) & ~np.isnan(table[:, b])
        out.append(float(cohen_kappa_score(table[both, a], table[both, b])))
    return out


def describe(value: object) -> str:
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], np.ndarray):
        kappa = value[0]
        upper = kappa[np.triu_indices_from(kappa, k=1)]
        return f"mean {np.nanmean(upper):.4f} ({len(upper)} pairs)"
    if isinstance(value, tuple):
        return "[" + ", ".join(f"{v:.4f}" for v in value) + "]"
    if isinstance(value, list):
        return f"mean {np.mean(value):.4f} ({len(value)} pairs)"
    assert isinstance(value, float)
    return f"{value:.4f}"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--samples", type=int, default=1000, help="bootstrap replicates")
    parser.add_argument("--missing", type=float, default=0.2, help="share of reviews removed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    complete, table = review_table(args.claims, args.reviewers, args.missing, args.seed)
    k = CATEGORIES
    complete_counts = np.stack([(complete == c).sum(axis=1) for c in range(k)], axis=1)

    def alpha_with_bootstrap() -> tuple[float, float, float]:
        low, high = metrics.alpha_bootstrap(table, k, samples=args.samples)
        return metrics.krippendorff_alpha(table, k), low, high

    stages: dict[str, Callable[[], object]] = {
        "observed": lambda: metrics.observed_agreement(table, k),
        "pairwise_cohen": lambda: metrics.pairwise_cohen(table, k),
        "fleiss": lambda: metrics.fleiss_kappa(table, k),
        "ac1": lambda: metrics.gwet_ac1(table, k),
        "alpha": lambda: metrics.krippendorff_alpha(table, k),
        "alpha+bootstrap": alpha_with_bootstrap,
        "bare krippendorff.alpha": lambda: float(
            krippendorff.alpha(
                reliability_data=table.T,
                level_of_measurement="nominal",
                value_domain=list(range(k)),
            )
        ),
        "sklearn cohen, all pairs": lambda: sklearn_pairwise(table),
        "fleiss, complete table": lambda: metrics.fleiss_kappa(complete, k),
        "statsmodels fleiss, complete": lambda: float(statsmodels_fleiss(complete_counts)),
    }
    results: dict[str, dict[str, Any]] = {}
    for name, run in stages.items():
        seconds, value = median_seconds(run, args.repeats)
        results[name] = {"seconds": seconds, "value": describe(value)}
    bare = results["bare krippendorff.alpha"]["seconds"]
    for name in ("alpha", "alpha+bootstrap", "bare krippendorff.alpha"):
        results[name]["x_bare_alpha"] = results[name]["seconds"] / bare
    for name, limit in TARGETS.items():
        results[name]["target_s"] = limit
        results[name]["met"] = results[name]["seconds"] < limit
    met = all(results[name]["met"] for name in TARGETS)

    claims_pairable, reviews_pairable = metrics.pairable(table)
    report = {
        "claims": args.claims,
        "reviewers": args.reviewers,
        "reviews": int((~np.isnan(table)).sum()),
        "pairable_claims": claims_pairable,
        "pairable_reviews": reviews_pairable,
        "bootstrap_samples": args.samples,
        "repeats": args.repeats,
        "machine": {
            "cpu": cpu_model(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
        "stages": results,
        "targets_met": met,
    }
    if args.json:
        print(json.dumps(report))
    else:
        machine = report["machine"]
        print(
            f"{args.claims} claims × {args.reviewers} reviewers, {report['reviews']} reviews "
            f"({args.missing:.0%} removed), {claims_pairable} pairable claims; "
            f"bootstrap {args.samples} samples; median of {args.repeats}"
        )
        print(
            f"{machine['cpu']}, {machine['cpus']} cpus, Python {machine['python']}, "
            f"numpy {machine['numpy']}"
        )
        print(f"{'stage':30} {'value':>28} {'seconds':>8} {'x bare α':>9} {'target':>7} {'met':>4}")
        for name, row in results.items():
            ratio = f"{row['x_bare_alpha']:9.2f}" if "x_bare_alpha" in row else " " * 9
            target = f"< {row['target_s']:g} s" if "target_s" in row else ""
            verdict = ("yes" if row["met"] else "NO") if "met" in row else ""
            print(
                f"{name:30} {row['value']:>28} {row['seconds']:8.3f} {ratio} "
                f"{target:>7} {verdict:>4}"
            )
        print(f"targets met: {'yes' if met else 'NO'}")
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
