"""Train the linear check-worthiness model (scikit-learn is needed here, not at run time).

``fit_and_save`` is the reusable entry point: fit on (text, label) pairs, pick nothing by itself
(the threshold is given), export plain arrays that ``LinearCheckworthiness`` loads.
Everything is deterministic: liblinear is seeded and the folds are fixed.
"""

from __future__ import annotations

import csv
import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, ConfigDict

from workbench.extract.evaluation import Evaluation, at_threshold
from workbench.extract.linear_features import (
    AnalyzerConfig,
    char_ngrams,
    dense_features,
    word_ngrams,
)
from workbench.extract.linear_model import save_weights
from workbench.files.atomic import check_target

SEED = 20240501
CT24_DIR = Path("claims") / "checkthat2024_en"
CLAIMBUSTER_DIR = Path("claims") / "claimbuster"
_GLUED = re.compile(r"^(Yes|No)(\d+)$")


@dataclass(frozen=True)
class Example:
    sentence_id: str
    text: str
    label: int  # 1 = Yes (check-worthy)


def read_checkthat_tsv(path: Path) -> list[Example]:
    """Read a CT24 TSV (quoted like csv), splitting rows that hold two records on one line."""
    examples: list[Example] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        if header[:3] != ["Sentence_id", "Text", "class_label"]:
            raise ValueError(f"{path}: unexpected header {header}")
        for row in reader:
            if not row:
                continue
            # A glued line reads as: id, text, "No29286", text, label.
            while len(row) > 3 and (match := _GLUED.match(row[2])):
                examples.append(_example(path, row[0], row[1], match.group(1)))
                row = [match.group(2), *row[3:]]
            if len(row) != 3:
                raise ValueError(f"{path}: malformed row {row!r}")
            examples.append(_example(path, *row))
    return examples


def _example(path: Path, sentence_id: str, text: str, label: str) -> Example:
    if label not in ("Yes", "No"):
        raise ValueError(f"{path}: bad label {label!r} for id {sentence_id}")
    return Example(sentence_id.strip(), text, 1 if label == "Yes" else 0)


def read_split(data_dir: Path, split: str) -> list[Example]:
    return read_checkthat_tsv(data_dir / CT24_DIR / f"CT24_checkworthy_english_{split}.tsv")


def read_debate_ids(data_dir: Path) -> dict[str, str]:
    """Sentence_id -> debate file (File_id) from ClaimBuster's crowdsourced.csv and
    groundtruth.csv (CT24 train and dev), so grouped CV never splits a debate."""
    return read_claimbuster_debates(data_dir / CLAIMBUSTER_DIR)


def read_claimbuster_debates(folder: Path) -> dict[str, str]:
    """``read_debate_ids`` from the folder that holds ClaimBuster's CSV files."""
    ids: dict[str, str] = {}
    for name in ("crowdsourced.csv", "groundtruth.csv"):
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                ids.setdefault(row["Sentence_id"].strip(), row["File_id"])
    return ids


@dataclass(frozen=True)
class Params:
    """Hyperparameters of the model (the analyzer config is stored with the weights)."""

    word_ngram: tuple[int, int] = (1, 2)
    char_ngram: tuple[int, int] = (2, 5)
    digits_to_zero: bool = True
    word_min_df: int = 2
    char_min_df: int = 3
    use_char: bool = True
    use_dense: bool = True
    C: float = 1.0
    class_weight: str | None = None

    @property
    def analyzer(self) -> AnalyzerConfig:
        return AnalyzerConfig(self.word_ngram, self.char_ngram, self.digits_to_zero)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Params:
        """The inverse of ``to_json``; keys this version does not know are ignored."""
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in data.items() if k in known}
        for key in ("word_ngram", "char_ngram"):
            if key in given:
                given[key] = tuple(given[key])
        return cls(**given)


def _dense_matrix(texts: Iterable[str]) -> np.ndarray:
    return np.array([dense_features(t) for t in texts], dtype=np.float64)


def build_pipeline(params: Params) -> Any:
    """An sklearn Pipeline over raw texts: [word tf-idf | char tf-idf | dense] -> LR."""
    # Imported lazily (and untyped): scikit-learn is a training-only dependency.
    text = importlib.import_module("sklearn.feature_extraction.text")
    linear = importlib.import_module("sklearn.linear_model")
    pipeline = importlib.import_module("sklearn.pipeline")
    preprocessing = importlib.import_module("sklearn.preprocessing")
    TfidfVectorizer = text.TfidfVectorizer
    LogisticRegression = linear.LogisticRegression
    FeatureUnion, Pipeline = pipeline.FeatureUnion, pipeline.Pipeline
    FunctionTransformer = preprocessing.FunctionTransformer
    StandardScaler = preprocessing.StandardScaler

    config = params.analyzer

    def tfidf(analyzer: Any, min_df: int) -> Any:
        return TfidfVectorizer(
            analyzer=analyzer,
            lowercase=False,
            min_df=min_df,
            sublinear_tf=True,
            smooth_idf=True,
            norm="l2",
            dtype=np.float64,
        )

    parts: list[tuple[str, Any]] = [
        ("word", tfidf(partial(word_ngrams, config=config), params.word_min_df))
    ]
    if params.use_char:
        parts.append(("char", tfidf(partial(char_ngrams, config=config), params.char_min_df)))
    if params.use_dense:
        parts.append(
            (
                "dense",
                Pipeline(
                    [("features", FunctionTransformer(_dense_matrix)), ("scale", StandardScaler())]
                ),
            )
        )
    return Pipeline(
        [
            ("features", FeatureUnion(parts)),
            (
                "lr",
                LogisticRegression(
                    C=params.C,
                    class_weight=params.class_weight,
                    solver="liblinear",
                    max_iter=1000,
                    tol=1e-6,
                    random_state=SEED,
                ),
            ),
        ]
    )


def best_threshold(labels: ArrayLike, probs: ArrayLike) -> tuple[float, float]:
    """Threshold maximising F1 of the positive class, and that F1 (ties -> lower threshold)."""
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(probs, dtype=np.float64)
    order = np.argsort(-p, kind="stable")
    p_sorted, y_sorted = p[order], y[order]
    tp = np.cumsum(y_sorted)
    k = np.arange(1, len(y) + 1)
    f1 = 2 * tp / (k + y.sum())
    # Only cut between distinct scores.
    valid = np.r_[p_sorted[1:] < p_sorted[:-1], True]
    f1 = np.where(valid, f1, -1.0)
    best = int(np.argmax(f1))
    nxt = p_sorted[best + 1] if best + 1 < len(p_sorted) else 0.0
    return float((p_sorted[best] + nxt) / 2), float(f1[best])


@dataclass
class CVResult:
    params: Params
    fold_f1: list[float] = field(default_factory=list)  # each fold at its own best threshold
    fold_f1_at_global: list[float] = field(default_factory=list)  # at the pooled OOF threshold
    threshold: float = 0.5
    oof_f1: float = 0.0

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_f1_at_global))

    @property
    def sd(self) -> float:
        return float(np.std(self.fold_f1_at_global, ddof=1))


def grouped_folds(groups: Sequence[str], n_splits: int) -> list[np.ndarray]:
    """Deterministic grouped folds: debates shuffled with a fixed seed, then dealt round-robin
    by size (largest first) so the folds are balanced."""
    g = np.asarray(groups)
    names, counts = np.unique(g, return_counts=True)
    rng = np.random.default_rng(SEED)
    perm = rng.permutation(len(names))
    names, counts = names[perm], counts[perm]
    order = np.argsort(-counts, kind="stable")
    sizes = [0] * n_splits
    assignment: dict[str, int] = {}
    for i in order:
        fold = int(np.argmin(sizes))
        assignment[str(names[i])] = fold
        sizes[fold] += int(counts[i])
    fold_of = np.array([assignment[str(x)] for x in g])
    return [np.flatnonzero(fold_of == k) for k in range(n_splits)]


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[int],
    groups: Sequence[str],
    params: Params,
    n_splits: int,
    *,
    extra: Sequence[tuple[str, int]] = (),
) -> tuple[CVResult, np.ndarray]:
    """Grouped k-fold CV. Returns per-fold F1 and the out-of-fold probabilities.

    ``extra`` (text, label) pairs join every fold's training side and are never scored: the
    reviewers' decisions in ``retrain``, which belong to no debate, and whose effect on a new
    debate is what the "after" figure measures.
    """
    x = np.asarray(texts, dtype=object)
    y = np.asarray(labels, dtype=np.int64)
    extra_x = [t for t, _ in extra]
    extra_y = np.asarray([int(v) for _, v in extra], dtype=np.int64)
    oof = np.zeros(len(y), dtype=np.float64)
    folds = grouped_folds(groups, n_splits)
    result = CVResult(params)
    for test_idx in folds:
        train_mask = np.ones(len(y), dtype=bool)
        train_mask[test_idx] = False
        model = build_pipeline(params).fit(
            list(x[train_mask]) + extra_x, np.concatenate([y[train_mask], extra_y])
        )
        oof[test_idx] = model.predict_proba(list(x[test_idx]))[:, 1]
        result.fold_f1.append(best_threshold(y[test_idx], oof[test_idx])[1])
    result.threshold, result.oof_f1 = best_threshold(y, oof)
    result.fold_f1_at_global = [
        at_threshold(y[idx], oof[idx], result.threshold).f1 for idx in folds
    ]
    return result, oof


def export(
    pipeline: Any,
    params: Params,
    path: Path,
    *,
    name: str,
    threshold: float,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Write a fitted pipeline from ``build_pipeline`` as plain arrays."""
    union = pipeline.named_steps["features"]
    lr = pipeline.named_steps["lr"]
    coef = lr.coef_[0].astype(np.float64)
    transformers = dict(union.transformer_list)
    offset = 0
    blocks: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
    for key in ("word", "char"):
        if key not in transformers:
            blocks[key] = ([], np.zeros(0), np.zeros(0))
            continue
        vec = transformers[key]
        terms = vec.get_feature_names_out().tolist()
        n = len(terms)
        blocks[key] = (terms, vec.idf_.astype(np.float64), coef[offset : offset + n])
        offset += n
    n_dense = len(dense_features(""))
    if "dense" in transformers:
        scaler = transformers["dense"].named_steps["scale"]
        dense_mean, dense_scale = scaler.mean_, scaler.scale_
        dense_coef = coef[offset : offset + n_dense]
        offset += n_dense
    else:
        dense_mean, dense_scale, dense_coef = np.zeros(n_dense), np.ones(n_dense), np.zeros(n_dense)
    if offset != coef.shape[0]:
        raise ValueError(f"exported {offset} of {coef.shape[0]} coefficients")
    save_weights(
        path,
        name=name,
        config=params.analyzer,
        word_vocabulary=blocks["word"][0],
        word_idf=blocks["word"][1],
        word_coef=blocks["word"][2],
        char_vocabulary=blocks["char"][0],
        char_idf=blocks["char"][1],
        char_coef=blocks["char"][2],
        dense_mean=dense_mean,
        dense_scale=dense_scale,
        dense_coef=dense_coef,
        intercept=float(lr.intercept_[0]),
        threshold=threshold,
        metadata={"params": params.to_json(), **(metadata or {})},
    )


def fit_and_save(
    texts: Sequence[str],
    labels: Sequence[int],
    path: Path,
    *,
    params: Params | None = None,
    threshold: float = 0.5,
    name: str = "linear@1",
    extra: Iterable[tuple[str, int]] = (),
    metadata: dict[str, Any] | None = None,
) -> Any:
    """Fit on ``texts``/``labels`` plus ``extra`` (text, label) pairs, write weights to ``path``,
    and return the fitted sklearn pipeline."""
    params = params or Params()
    all_texts = list(texts)
    all_labels = [int(v) for v in labels]
    for text, label in extra:
        all_texts.append(text)
        all_labels.append(int(label))
    pipeline = build_pipeline(params).fit(all_texts, np.asarray(all_labels, dtype=np.int64))
    export(
        pipeline,
        params,
        path,
        name=name,
        threshold=threshold,
        metadata={"n_train": len(all_texts), **(metadata or {})},
    )
    return pipeline


# Refitting with the workbench's own decisions (``workbench train-extractor``) --------------

CT24_SPLIT = "CT24_checkworthy_english_{split}.tsv"


def read_ct24(ct24_dir: Path, split: str) -> list[Example]:
    """One CheckThat! 2024 English split from the folder that holds the TSV files."""
    return read_checkthat_tsv(ct24_dir / CT24_SPLIT.format(split=split))


@dataclass(frozen=True)
class WorkbenchExamples:
    """Claims reviewers decided on, as training pairs."""

    examples: list[tuple[str, int]]
    positives: int  # claims with a verdict, or cut or added by a reviewer (still open)
    negatives: int  # claims marked "not a check-worthy claim", or replaced by a correction
    conflicting: int  # both at once (e.g. not a claim although someone gave a verdict): left out
    # Of the positives, claims a reviewer corrected or added (workbench.review.corrections).
    corrected: int = 0
    # Of the negatives, spans a correction replaced (status superseded).
    retired: int = 0


def workbench_examples(engine: Any) -> WorkbenchExamples:
    """The workbench's decisions as labelled sentences.

    Positive: a claim with a verdict from anyone, and a claim a reviewer corrected (moved,
    split, merged) or added, while it is open: a reviewer cut that span as a claim.
    Negative: a claim marked "not a claim", and a span a correction replaced (it was cut
    wrong), unless its replacement contains it (a merge or an extension keeps its words in a
    claim: only its boundaries were too narrow, not its content wrong).
    A claim with both labels is left out: the reviewers disagree and neither can be trusted.
    """
    # The database layer is imported here so that training from files needs no database code.
    from sqlalchemy import and_, exists, or_, select
    from sqlalchemy.orm import aliased

    from workbench.db.models import Claim, Review
    from workbench.db.session import unit_of_work

    has_verdict = exists().where(Review.claim_id == Claim.id, Review.verdict.is_not(None))
    replacement = aliased(Claim)
    kept_inside = exists().where(
        or_(replacement.corrected_from_id == Claim.id, replacement.merged_from_id == Claim.id),
        and_(replacement.char_start <= Claim.char_start, replacement.char_end >= Claim.char_end),
    )
    # "Not a claim" is a person's decision. The sentences the model itself holds out of the
    # queue (status held_out, workbench.review.rescore) are neither label: they would teach
    # it its own decisions.
    query = select(Claim.text, Claim.status, Claim.origin, has_verdict, kept_inside).order_by(
        Claim.id
    )
    examples: list[tuple[str, int]] = []
    positives = negatives = conflicting = corrected = retired = 0
    with unit_of_work(engine) as session:
        for text, status, origin, verdict, inside in session.execute(query):
            cut = origin != "extracted" and status == "open"
            superseded = status == "superseded" and not inside
            positive = bool(verdict) or cut
            negative = status == "not_a_claim" or superseded
            if positive and negative:
                conflicting += 1
            elif positive:
                positives += 1
                corrected += cut
                examples.append((text, 1))
            elif negative:
                negatives += 1
                retired += superseded
                examples.append((text, 0))
    return WorkbenchExamples(examples, positives, negatives, conflicting, corrected, retired)


class GroupedCV(BaseModel):
    """Debate-grouped CV F1 at a fixed threshold: the figure that predicts a new debate."""

    model_config = ConfigDict(frozen=True)

    folds: int
    debates: int
    fold_f1: list[float]

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_f1))

    @property
    def sd(self) -> float:
        return float(np.std(self.fold_f1, ddof=1))


def grouped_cv_at(
    texts: Sequence[str],
    labels: Sequence[int],
    groups: Sequence[str],
    params: Params,
    n_splits: int,
    threshold: float,
    *,
    extra: Sequence[tuple[str, int]] = (),
) -> GroupedCV:
    """``cross_validate``, each fold's F1 taken at ``threshold`` (the model's own, fixed, so
    that two runs differ only by what they were trained on)."""
    _, oof = cross_validate(texts, labels, groups, params, n_splits, extra=extra)
    y = np.asarray(labels, dtype=np.int64)
    folds = grouped_folds(groups, n_splits)
    f1 = [at_threshold(y[idx], oof[idx], threshold).f1 for idx in folds]
    return GroupedCV(folds=n_splits, debates=len(set(groups)), fold_f1=f1)


class RetrainReport(BaseModel):
    """A refit's figures; ``workbench.extract.retraining.Retrained`` prints them."""

    model_config = ConfigDict(frozen=True)

    path: Path
    before: Evaluation  # dev-test P/R/F1 of the model that was replaced
    after: Evaluation  # dev-test P/R/F1 of the new model, at the same threshold
    public_examples: int
    workbench_added: int
    dropped_overlap: int  # workbench sentences that are also in dev-test, left out
    threshold: float
    # Debate-grouped CV on the public data, the recipe without and with the reviews; None
    # when asked not to (folds=0).
    cv_before: GroupedCV | None = None
    cv_after: GroupedCV | None = None


def retrain(
    ct24_dir: Path,
    out: Path,
    *,
    extra: Sequence[tuple[str, int]] = (),
    base: Path | None = None,
    limit: int | None = None,
    folds: int = 5,
    debates_dir: Path | None = None,
) -> RetrainReport:
    """Refit the linear model with the recipe stored in ``base`` (default: the shipped
    weights) on CT24 train + dev plus ``extra``; write it to ``out`` atomically.

    The threshold is the base model's, chosen by cross-validation when it was built: a few
    hundred reviewed claims move the fit too little to justify a new search, and a search
    would take minutes. ``limit`` keeps the first ``limit`` public examples (for tests).

    Before anything is written, the recipe is cross-validated by debate (``folds`` folds,
    0 = skip; the debates come from ClaimBuster's CSV files in ``debates_dir``, by default
    ``claimbuster`` beside ``ct24_dir``) without and with ``extra``: dev-test is one set of
    debates, and a few hundred reviews can move it by chance; the grouped CV says what a new
    debate would see.
    """
    from workbench.extract.linear_model import LinearCheckworthiness

    # Refused before anything is read or fitted: the weights must not replace the database,
    # a device or whatever a link points to, nor may the partial file written beside them.
    partial_path = out.with_name(f".{out.name}.partial")
    check_target(out)
    check_target(partial_path)
    old = LinearCheckworthiness.load(base)
    params = Params.from_json(old.metadata.get("params", {}))
    public = read_ct24(ct24_dir, "train") + read_ct24(ct24_dir, "dev")
    if limit is not None:
        public = public[:limit]
    devtest = read_ct24(ct24_dir, "dev-test")
    held_out = {e.text.strip() for e in devtest}
    # A dev-test sentence reviewed in the workbench would make "after" look better than it is.
    kept = [(t, y) for t, y in extra if t.strip() not in held_out]
    dt_texts, dt_labels = [e.text for e in devtest], [e.label for e in devtest]
    before = at_threshold(dt_labels, old.score_many(dt_texts), old.threshold)
    cv_before = cv_after = None
    if folds:
        folder = debates_dir or ct24_dir.parent / "claimbuster"
        try:
            debates = read_claimbuster_debates(folder)
        except FileNotFoundError as exc:
            raise ValueError(
                f"{exc.filename}: ClaimBuster's debate ids are needed for the grouped "
                "cross-validation (or pass folds=0 to skip it)"
            ) from exc
        missing = [e.sentence_id for e in public if e.sentence_id not in debates]
        if missing:
            raise ValueError(
                f"{folder}: no debate for Sentence_id {missing[0]} "
                f"({len(missing)} of {len(public)} public sentences)"
            )
        groups = [debates[e.sentence_id] for e in public]
        if len(set(groups)) < folds:
            raise ValueError(
                f"{len(set(groups))} debates in the public data, fewer than {folds} folds"
            )
        texts, labels = [e.text for e in public], [e.label for e in public]
        cv_before = grouped_cv_at(texts, labels, groups, params, folds, old.threshold)
        cv_after = grouped_cv_at(texts, labels, groups, params, folds, old.threshold, extra=kept)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        fit_and_save(
            [e.text for e in public],
            [e.label for e in public],
            partial_path,
            params=params,
            threshold=old.threshold,
            name=old.name,
            extra=kept,
            metadata={
                "trained_on": "CT24 train+dev + workbench reviews",
                "workbench_examples": len(kept),
            },
        )
        new = LinearCheckworthiness.load(partial_path)
        partial_path.replace(out)
    finally:
        partial_path.unlink(missing_ok=True)
    after = at_threshold(dt_labels, new.score_many(dt_texts), new.threshold)
    return RetrainReport(
        path=out,
        before=before,
        after=after,
        public_examples=len(public),
        workbench_added=len(kept),
        dropped_overlap=len(extra) - len(kept),
        threshold=old.threshold,
        cv_before=cv_before,
        cv_after=cv_after,
    )
