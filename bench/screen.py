"""What the signature screen of claim linking keeps, as a function of the true similarity.

    python bench/screen.py [--margins 0.15 0.10 0.08]

A pair of claims with 5-gram Jaccard J is linked at ingest when it shares a MinHash band key
(becomes a candidate) *and* its 96-value signature estimate is at least
THRESHOLD - margin (is scored exactly). Each signature value of the two claims is equal with
probability J, independently (the MinHash idealisation); the table gives, for each J, the
probability of being a candidate and of being a candidate that passes the screen, computed
exactly by convolving the 32 bands' distributions (no sampling). The share of candidates
*below* the threshold that a margin spares from exact scoring is where its speed comes from;
the share of candidates *at or above* it that it drops is what it costs in recall.
"""

from __future__ import annotations

import argparse
from math import comb

import numpy as np

from workbench.similarity import measure


def candidate_and_screened(similarity: float, margin: float) -> tuple[float, float]:
    """P(shares a band), P(shares a band and its estimate passes the screen)."""
    rows, bands = measure.ROWS, measure.BANDS
    per_band = [
        comb(rows, k) * similarity**k * (1 - similarity) ** (rows - k) for k in range(rows + 1)
    ]
    # table[count, shared]: the probability of `count` equal values so far, with or without a
    # band entirely equal.
    table = np.zeros((bands * rows + 1, 2))
    table[0, 0] = 1.0
    for _ in range(bands):
        grown = np.zeros_like(table)
        for equal, p in enumerate(per_band):
            moved = table[: table.shape[0] - equal] * p
            grown[equal:, 1] += moved[:, 1]
            grown[equal:, 1 if equal == rows else 0] += moved[:, 0]
        table = grown
    counts = np.arange(table.shape[0])
    passes = counts / measure.PERMUTATIONS >= measure.THRESHOLD - margin
    return float(table[:, 1].sum()), float(table[passes, 1].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--margins", type=float, nargs="+", default=[0.15, 0.10, 0.08])
    args = parser.parse_args()
    print(
        f"threshold {measure.THRESHOLD}, {measure.BANDS} bands of {measure.ROWS}; "
        f"margin in use {measure.ESTIMATE_MARGIN}"
    )
    header = "Jaccard  candidate  " + "  ".join(f"screened@{m:.2f} (kept)" for m in args.margins)
    print(header)
    for similarity in (0.10, 0.15, 0.20, 0.25, 0.30, 0.32, 0.35, 0.40, 0.50):
        cells = []
        candidate = 0.0
        for margin in args.margins:
            candidate, screened = candidate_and_screened(similarity, margin)
            kept = screened / candidate if candidate else 0.0
            cells.append(f"{screened:8.4f} ({kept:6.1%})    ")
        print(f"{similarity:7.2f}  {candidate:9.4f}  " + "  ".join(cells))


if __name__ == "__main__":
    main()
