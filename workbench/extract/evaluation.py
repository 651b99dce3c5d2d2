"""Precision, recall and F1 of the positive class, computed once for every evaluation.

`workbench score --eval`, `train-extractor`'s before/after figures, the training scripts and
the extraction benchmark all report these three numbers; they used to compute them in four
copies. The zero-division rules are those copies' own, so every printed figure stays the same:
a ratio over nothing is 0.0 (no prediction: precision 0; nothing labelled: recall 0), and F1 is
0.0 when precision and recall are both 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict

from workbench.reports import SpacedJsonReport


class Evaluation(BaseModel):
    """How well predictions of the positive class match the labels."""

    model_config = ConfigDict(frozen=True)

    precision: float
    recall: float
    f1: float

    @classmethod
    def from_counts(
        cls,
        *,
        true_positives: float,
        predicted: float,
        labelled: float,
        found: float | None = None,
    ) -> Evaluation:
        """From counts: ``predicted`` positives, of which ``true_positives`` are right, and
        ``labelled`` positives, of which ``found`` (default: ``true_positives``) were
        predicted. The two differ where matching is not one to one (a span benchmark)."""
        precision = ratio(true_positives, predicted)
        recall = ratio(true_positives if found is None else found, labelled)
        return cls(precision=precision, recall=recall, f1=f1_score(precision, recall))


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, or 0.0 over nothing."""
    return numerator / denominator if denominator else 0.0


def f1_score(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall, 0.0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def at_threshold(labels: ArrayLike, scores: ArrayLike, threshold: float) -> Evaluation:
    """Labels (truthy = positive) against scores cut at ``threshold`` (``>=`` is positive)."""
    truth = np.asarray(labels).astype(bool)
    predicted = np.asarray(scores, dtype=np.float64) >= threshold
    return Evaluation.from_counts(
        true_positives=float(np.sum(truth & predicted)),
        predicted=float(predicted.sum()),
        labelled=float(truth.sum()),
    )


class FileEvaluation(SpacedJsonReport):
    """A scorer against a labelled sentence file (``workbench score --eval``)."""

    model_config = ConfigDict(frozen=True)

    file: str
    scorer: str
    threshold: float
    sentences: int
    positive: int
    predicted_positive: int
    precision: float
    recall: float
    f1: float

    @classmethod
    def of(
        cls, file: str, scorer: str, labels: list[bool], scores: list[float], threshold: float
    ) -> FileEvaluation:
        """``scores`` cut at ``threshold`` against ``labels``, the sentences of ``file``."""
        figures = at_threshold(labels, scores, threshold)
        return cls(
            file=file,
            scorer=scorer,
            threshold=threshold,
            sentences=len(labels),
            positive=sum(labels),
            predicted_positive=sum(value >= threshold for value in scores),
            precision=figures.precision,
            recall=figures.recall,
            f1=figures.f1,
        )

    def summary(self) -> str:
        return "\n".join(
            [
                f"{self.file}: {self.sentences} sentences, {self.positive} positive",
                f"scorer {self.scorer}, threshold {self.threshold:.4f}: "
                f"{self.predicted_positive} predicted positive",
                f"precision {self.precision:.4f}",
                f"recall    {self.recall:.4f}",
                f"f1        {self.f1:.4f}",
            ]
        )
