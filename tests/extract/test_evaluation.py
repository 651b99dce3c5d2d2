"""Precision, recall and F1, one definition for the CLI, the training code and the benchmark."""

from __future__ import annotations

import pytest

from workbench.extract.evaluation import Evaluation, at_threshold, f1_score, ratio


def test_scores_at_a_threshold_count_ties_as_positive() -> None:
    figures = at_threshold([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1], 0.5)
    assert figures == Evaluation(precision=2 / 3, recall=1.0, f1=0.8)


def test_nothing_predicted_or_nothing_labelled_is_zero_not_an_error() -> None:
    assert at_threshold([1, 0], [0.1, 0.2], 0.5) == Evaluation(precision=0.0, recall=0.0, f1=0.0)
    assert at_threshold([0, 0], [0.9, 0.2], 0.5) == Evaluation(precision=0.0, recall=0.0, f1=0.0)
    assert at_threshold([], [], 0.5) == Evaluation(precision=0.0, recall=0.0, f1=0.0)


def test_a_span_benchmark_counts_found_apart_from_right_predictions() -> None:
    # 3 predictions, 2 of them right; 4 labelled, 3 of them found (one prediction covers two).
    figures = Evaluation.from_counts(true_positives=2, predicted=3, labelled=4, found=3)
    assert figures.precision == pytest.approx(2 / 3)
    assert figures.recall == 0.75
    assert figures.f1 == f1_score(2 / 3, 0.75)


def test_the_helpers_divide_by_nothing_as_zero() -> None:
    assert ratio(0, 0) == 0.0 and ratio(1, 4) == 0.25
    assert f1_score(0.0, 0.0) == 0.0 and f1_score(1.0, 1.0) == 1.0
