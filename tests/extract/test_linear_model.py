"""The light check-worthiness model: shipped weights, runtime == sklearn, sanity, dev-test F1."""

from __future__ import annotations

import json
import random
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.extract.linear_features import (
    AnalyzerConfig,
    char_candidates,
    char_ngrams,
    normalise,
)
from workbench.extract.linear_model import DEFAULT_FILE, LinearCheckworthiness

REPO = Path(__file__).resolve().parents[2]
DATA = REPO.parent / "shared" / "data"
CT24 = DATA / "claims" / "checkthat2024_en"
ODD_TEXTS = [
    "",
    " ",
    "\n\t",
    "?",
    "é ü ß 中文 🙂 — “quotes”",
    "3.5% $4 billion 1,000,000",
    "A" * 5000,
    "the the the the the the",
]


@pytest.fixture(scope="module")
def model() -> LinearCheckworthiness:
    return LinearCheckworthiness.load()


def test_shipped_file_is_plain_arrays() -> None:
    with as_file(files("workbench") / "extract" / "models" / DEFAULT_FILE) as path:
        assert path.stat().st_size < 5_000_000
        with np.load(path, allow_pickle=False) as data:
            for key in data.files:
                assert data[key].dtype != object, key
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
    assert meta["name"] == "linear@1"
    assert 0.0 < meta["threshold"] < 1.0


def test_load_default_and_path_agree(model: LinearCheckworthiness) -> None:
    with as_file(files("workbench") / "extract" / "models" / DEFAULT_FILE) as path:
        other = LinearCheckworthiness.load(path)
    assert other.name == model.name == "linear@1"
    assert other.threshold == model.threshold
    assert other.score_many(ODD_TEXTS) == model.score_many(ODD_TEXTS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=300), max_size=5))
def test_scores_are_probabilities(sentences: list[str]) -> None:
    model = LinearCheckworthiness.load()
    scores = model.score_many(sentences)
    assert len(scores) == len(sentences)
    for sentence, score in zip(sentences, scores, strict=True):
        assert 0.0 <= score <= 1.0
        assert model.score(sentence) == pytest.approx(score, abs=1e-12)


def test_empty_batch(model: LinearCheckworthiness) -> None:
    assert model.score_many([]) == []


@given(st.text(max_size=200))
def test_char_candidates_cover_char_ngrams(text: str) -> None:
    """The runtime's fast superset contains every training n-gram, with the same counts."""
    config = AnalyzerConfig()
    grams = char_ngrams(text, config)
    candidates = [g for g in char_candidates(normalise(text, config), config) if " " not in g[1:-1]]
    assert sorted(grams) == sorted(candidates)


@pytest.mark.parametrize(
    "sentence",
    [
        "The unemployment rate fell to 3.5% in 2019.",
        "We have cut taxes for 95 percent of working families.",
        "Crime has gone up 40 percent in the last five years.",
    ],
)
def test_factual_claims_score_high(model: LinearCheckworthiness, sentence: str) -> None:
    assert model.score(sentence) >= model.threshold


@pytest.mark.parametrize(
    "sentence",
    ["Thank you very much.", "Good evening, everyone.", "I think that's right.", ""],
)
def test_pleasantries_score_low(model: LinearCheckworthiness, sentence: str) -> None:
    assert model.score(sentence) < model.threshold


def _small_corpus() -> tuple[list[str], list[int]]:
    if CT24.is_dir():
        from workbench.extract.train_linear import read_split

        examples = read_split(DATA, "train")[:3000]
        return [e.text for e in examples], [e.label for e in examples]
    rng = random.Random(0)
    claims = ["rate fell to {n}% in {y}", "we spent ${n} billion in {y}", "{n} million jobs lost"]
    other = ["thank you", "I believe in {w}", "let me say this about {w}", "good night"]
    words = ["America", "freedom", "jobs", "families", "the future"]
    texts, labels = [], []
    for _ in range(400):
        label = rng.random() < 0.3
        template = rng.choice(claims if label else other)
        texts.append(
            template.format(n=rng.randint(1, 999), y=rng.randint(1960, 2024), w=rng.choice(words))
        )
        labels.append(int(label))
    return texts, labels


def test_runtime_equals_sklearn(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from workbench.extract.train_linear import Params, fit_and_save

    texts, labels = _small_corpus()
    path = tmp_path / "model.npz"
    pipeline = fit_and_save(
        texts,
        labels,
        path,
        params=Params(word_min_df=1, char_min_df=1),
        threshold=0.4,
        extra=[("An extra pair with 12 numbers.", 1)],
    )
    runtime = LinearCheckworthiness.load(path)
    assert runtime.threshold == 0.4
    sample = texts[:500] + ODD_TEXTS + ["The unemployment rate fell to 3.5% in 2019."]
    expected = pipeline.predict_proba(sample)[:, 1]
    assert np.max(np.abs(np.asarray(runtime.score_many(sample)) - expected)) < 1e-9


def test_reader_splits_glued_rows(tmp_path: Path) -> None:
    from workbench.extract.train_linear import read_checkthat_tsv

    path = tmp_path / "x.tsv"
    path.write_text(
        'Sentence_id\tText\tclass_label\n1\t"Say ""hi"" now."\tYes\n'
        "24098\tWe've got to invest and grow.\tNo29286\tYou can't bring back jobs.\tNo\n",
        encoding="utf-8",
    )
    rows = [(e.sentence_id, e.text, e.label) for e in read_checkthat_tsv(path)]
    assert rows == [
        ("1", 'Say "hi" now.', 1),
        ("24098", "We've got to invest and grow.", 0),
        ("29286", "You can't bring back jobs.", 0),
    ]


@pytest.mark.skipif(not CT24.is_dir(), reason="../shared/data is not present")
def test_dev_test_f1(model: LinearCheckworthiness) -> None:
    from workbench.extract.evaluation import at_threshold
    from workbench.extract.train_linear import read_split

    examples = read_split(DATA, "dev-test")
    scores = model.score_many([e.text for e in examples])
    metrics = at_threshold([e.label for e in examples], scores, model.threshold)
    assert metrics.f1 >= 0.78, metrics


def test_grouped_cv_with_extra_examples_trains_on_them_and_never_scores_them() -> None:
    """``train-extractor``'s before/after figure: the same debate folds, the reviews added to
    every fold's training side only."""
    pytest.importorskip("sklearn")
    from workbench.extract.train_linear import Params, cross_validate, grouped_cv_at

    texts, labels = _small_corpus()
    groups = [f"debate{i % 6}" for i in range(len(texts))]
    params = Params(word_min_df=1, char_min_df=1)
    _, plain = cross_validate(texts, labels, groups, params, 3)
    # Reviews that contradict the public labels: "after" must be worse, which it can only be
    # if they were trained on.
    flipped = [(t, 1 - y) for t, y in zip(texts[:300], labels[:300], strict=True)]
    _, with_extra = cross_validate(texts, labels, groups, params, 3, extra=flipped)
    assert plain.shape == with_extra.shape == (len(texts),)
    assert not np.allclose(plain, with_extra)
    before = grouped_cv_at(texts, labels, groups, params, 3, 0.5)
    after = grouped_cv_at(texts, labels, groups, params, 3, 0.5, extra=flipped)
    assert (before.folds, before.debates, len(before.fold_f1)) == (3, 6, 3)
    assert after.mean < before.mean
    assert before.sd >= 0.0
