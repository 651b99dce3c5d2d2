"""Precision and recall of the claim grouping on the labelled pairs; prints the table.

Run from the repository root: ``python tests/data/similar/evaluate.py``. The pairs are
``pairs.jsonl`` beside this file (hand-labelled: same statement or not); every pair of
claims the extractor finds in two different sample articles is added as a negative,
unless the file labels it. "measure" applies the threshold and the figures check to every
pair; "with blocking" also requires the pair to share a MinHash band key and to pass the
signature estimate, as ingest does.
"""

from __future__ import annotations

import itertools
import json
import sys
from importlib.resources import files
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parents[2]))

from workbench.extract import default_extractor  # noqa: E402
from workbench.similarity import measure as sim  # noqa: E402


def labelled() -> list[tuple[str, str, bool]]:
    rows = [json.loads(line) for line in (HERE / "pairs.jsonl").read_text().splitlines() if line]
    return [(r["a"], r["b"], bool(r["same"])) for r in rows]


def sample_negatives(known: set[frozenset[str]]) -> list[tuple[str, str, bool]]:
    extractor = default_extractor()
    claims: list[tuple[str, str]] = []
    for path in sorted(files("workbench").joinpath("sample_data").iterdir(), key=str):
        claims += [(path.name, c.text) for c in extractor.extract(path.read_text())]
    return [
        (a, b, False)
        for (doc_a, a), (doc_b, b) in itertools.combinations(claims, 2)
        if doc_a != doc_b and frozenset((a, b)) not in known
    ]


def blocked(a: sim.Sketch, b: sim.Sketch) -> bool:
    if not set(a.band_keys) & set(b.band_keys):
        return False
    estimate = float(sim.estimates(a.signature, b.signature[None, :])[0])
    return sim.worth_scoring(estimate)


def scores(pairs: list[tuple[str, str, bool]], threshold: float) -> dict[str, float]:
    tp = fp = fn = tp_b = fp_b = 0
    for a, b, same in pairs:
        sa, sb = sim.sketch(a), sim.sketch(b)
        agree = sim.numbers_agree(sa.numbers, sb.numbers)
        predicted = agree and sim.jaccard(sa.shingles, sb.shingles) >= threshold
        found = predicted and blocked(sa, sb)
        tp += predicted and same
        fp += predicted and not same
        fn += same and not predicted
        tp_b += found and same
        fp_b += found and not same
    positives = tp + fn
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / positives,
        "precision_blocked": tp_b / (tp_b + fp_b) if tp_b + fp_b else 1.0,
        "recall_blocked": tp_b / positives,
        "tp": tp,
        "fp": fp,
        "positives": positives,
    }


def main() -> None:
    pairs = labelled()
    known = {frozenset((a, b)) for a, b, _ in pairs}
    negatives = sample_negatives(known)
    everything = pairs + negatives
    hard = sum(not same for _, _, same in pairs)
    print(
        f"{sum(same for _, _, same in pairs)} same-statement pairs, {hard} hand-made hard "
        f"negatives, {len(negatives)} cross-article pairs of sample claims as negatives"
    )
    print("threshold  precision  recall  F1     | with blocking: precision  recall")
    for threshold in (0.20, 0.25, 0.30, 0.35, 0.40, 0.50, 0.60):
        s = scores(everything, threshold)
        f1 = 2 * s["precision"] * s["recall"] / (s["precision"] + s["recall"])
        mark = "  <- THRESHOLD" if threshold == sim.THRESHOLD else ""
        print(
            f"{threshold:9.2f}  {s['precision']:9.3f}  {s['recall']:6.3f}  {f1:.3f}  |"
            f"                {s['precision_blocked']:9.3f}  {s['recall_blocked']:6.3f}{mark}"
        )


if __name__ == "__main__":
    main()
