"""Sentence scorers the extractor can use, chosen by name (the ``WORKBENCH_SCORER`` setting).

- ``linear``: TF-IDF n-grams and a logistic regression, NumPy only
  (``workbench.extract.linear_model``); ``model_path`` points at retrained weights.
- ``heuristic``: the hand-weighted rules of ``workbench.extract.heuristic``; no model file.
- ``blend``: ``linear``, raised to the rule score for statements the text attributes to a
  named source (see ``BlendScorer``); for news, where the linear model misses reported speech.
- ``minilm``: a sentence-embedding model, installed with the ``ml`` extra and imported only
  when asked for, so the base package never pays for torch.
- ``onnx`` (default): the same kind of fine-tuned MiniLM as int8 ONNX, run with onnxruntime (base
  dependencies, no torch), blended with and cascaded behind ``linear``
  (``workbench.extract.onnx_model``). Ingest runs its ``linear`` stage alone and the
  transformer re-scores the claims afterwards (``workbench.review.rescore``).

A scorer is loaded once per (name, weights file) and process: loading the weights is the slow
part, and the app and the CLI ask for the default scorer many times.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from workbench.config import SCORER_NAMES, ScorerName
from workbench.errors import WorkbenchError
from workbench.extract import heuristic
from workbench.extract.linear_model import LinearCheckworthiness
from workbench.extract.slices import by_characters

DEFAULT_SCORER: ScorerName = "onnx"
# The names are declared with the settings (WORKBENCH_SCORER is one of them); _LOADERS below
# has one loader for each (tests/test_settings_docs.py holds them together).
SCORERS: tuple[ScorerName, ...] = SCORER_NAMES


class ScorerError(WorkbenchError):
    """A scorer cannot be loaded: unknown name, missing extra, unreadable weights."""


@runtime_checkable
class SentenceScorer(Protocol):
    """Check-worthiness of sentences, as probabilities (or probability-like) in [0, 1]."""

    name: str  # "name@version", stored with every claim the extractor keeps
    threshold: float  # the scorer's own cut: a sentence scoring at least this is check-worthy

    def score_many(self, texts: Sequence[str]) -> Sequence[float]: ...


# The most characters handed to one ``score_many`` call. The linear scorer builds arrays of
# character n-gram codes for its whole batch (tens of bytes per character), so a batch of one
# 20 MB document's sentences took 2.7 GB, and a 1 M-character slice still ~130 MB at the peak
# of a 20 MiB document's ingest. An ingest chunk of 16 normal articles (~80 K characters) is
# well under this, so ingest's batches of documents keep their speed.
SCORE_BATCH_CHARS = 250_000


def score_bounded(scorer: SentenceScorer, texts: Sequence[str]) -> list[float]:
    """``scorer.score_many(texts)``, in slices of at most ``SCORE_BATCH_CHARS`` characters
    (a sentence is never split; segment bounds each one), so memory does not grow with the
    batch. A sentence's score does not depend on the others in its batch."""
    return [
        float(x)
        for part in by_characters(texts, SCORE_BATCH_CHARS)
        for x in scorer.score_many(part)
    ]


class HeuristicScorer:
    """The hand-weighted rule score (``workbench.extract.heuristic``) behind the scorer protocol."""

    name = "heuristic@1"

    def __init__(self, threshold: float = heuristic.DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold

    def score_many(self, texts: Sequence[str]) -> list[float]:
        return [heuristic.score(text).value for text in texts]

    def features(self, text: str) -> tuple[str, ...]:
        """The rules that fired, for ``explain``."""
        return heuristic.features(text)


class BlendScorer:
    """The linear model, plus the rule score for statements attributed to someone in the text.

    The linear model learnt check-worthiness from debate transcripts, where a speaker states
    things in the first person; news reports them ("… Jake Sullivan said", "the ministry
    declared …") and the model gives such sentences low scores. When the rules see a reporting
    verb with a named actor or a quotation and score the sentence at least ``RULE_CUT``, the
    blend takes the higher of the two scores, the rule score mapped so that ``RULE_CUT`` lands
    on the linear threshold. Everything else is the linear score unchanged.
    """

    RULE_CUT = 0.8  # the rule score of the attributed claims the linear model misses: 0.82-0.94

    def __init__(self, linear: SentenceScorer, rules: HeuristicScorer | None = None) -> None:
        self.linear = linear
        self.rules = rules or HeuristicScorer()
        self.threshold = linear.threshold
        self.name = f"blend@1({linear.name}+{self.rules.name})"

    def _mapped(self, rule: float) -> float:
        cut, t = self.RULE_CUT, self.threshold
        if rule >= cut:
            return t + (rule - cut) * (1.0 - t) / (1.0 - cut)
        return rule * t / cut

    def score_many(self, texts: Sequence[str]) -> list[float]:
        base = [float(v) for v in self.linear.score_many(texts)]
        out: list[float] = []
        for text, value in zip(texts, base, strict=True):
            rule = heuristic.score(text)
            fired = set(rule.features)
            if "reporting_verb" in fired and fired & {"named_actor", "quotation"}:
                value = max(value, self._mapped(rule.value))
            out.append(value)
        return out


def _load_linear(model_path: Path | None) -> SentenceScorer:
    if model_path is not None and not model_path.is_file():
        raise ScorerError(f"{model_path}: no such weights file for the linear scorer")
    try:
        return LinearCheckworthiness.load(model_path)
    except (OSError, ValueError, KeyError) as exc:
        where = model_path or "the shipped linear weights"
        raise ScorerError(f"{where}: cannot load the linear scorer: {exc}") from exc


def _load_heuristic(model_path: Path | None) -> SentenceScorer:
    if model_path is not None:
        raise ScorerError("the heuristic scorer has no model file; unset WORKBENCH_SCORER_MODEL")
    return HeuristicScorer()


def _load_blend(model_path: Path | None) -> SentenceScorer:
    return BlendScorer(_load_linear(model_path))


def _load_minilm(model_path: Path | None) -> SentenceScorer:
    try:
        module = importlib.import_module("workbench.extract.minilm")
    except ImportError as exc:
        raise ScorerError(
            f"the minilm scorer needs the ml extra: pip install '.[ml]' ({exc})"
        ) from exc
    try:
        scorer: SentenceScorer = module.MiniLMCheckworthiness.load(model_path)
    except ImportError as exc:
        raise ScorerError(
            f"the minilm scorer needs the ml extra: pip install '.[ml]' ({exc})"
        ) from exc
    except (OSError, ValueError) as exc:
        where = model_path or "the shipped minilm weights"
        raise ScorerError(f"{where}: cannot load the minilm scorer: {exc}") from exc
    return scorer


def _load_onnx(model_path: Path | None) -> SentenceScorer:
    from workbench.extract import onnx_model

    where = model_path or "the shipped onnx model"
    try:
        return onnx_model.OnnxCheckworthiness.load(model_path)
    except ImportError as exc:
        raise ScorerError(f"the onnx scorer cannot run: {exc}") from exc
    except FileNotFoundError as exc:
        raise ScorerError(f"cannot load the onnx scorer: {exc.args[0]}") from exc
    except (OSError, ValueError, KeyError) as exc:
        raise ScorerError(f"{where}: cannot load the onnx scorer: {exc}") from exc


_LOADERS: dict[str, Callable[[Path | None], SentenceScorer]] = {
    "linear": _load_linear,
    "heuristic": _load_heuristic,
    "minilm": _load_minilm,
    "blend": _load_blend,
    "onnx": _load_onnx,
}
_CACHE: dict[tuple[str, Path | None], SentenceScorer] = {}
_LOCK = threading.Lock()


def load_scorer(name: str = DEFAULT_SCORER, model_path: Path | None = None) -> SentenceScorer:
    """The scorer called ``name`` (one of ``SCORERS``), loaded once per process.

    ``model_path`` replaces the scorer's shipped weights (a file written by
    ``workbench train-extractor``, for instance).
    """
    key = name.strip().lower()
    loader = _LOADERS.get(key)
    if loader is None:
        raise ScorerError(f"unknown scorer {name!r}; choose one of: {', '.join(SCORERS)}")
    path = Path(model_path).expanduser().resolve() if model_path is not None else None
    # Streamlit serves sessions from threads: without the lock two could load the same weights.
    with _LOCK:
        cached = _CACHE.get((key, path))
        if cached is None:
            cached = _CACHE[(key, path)] = loader(path)
    return cached


def clear_cache() -> None:
    """Forget loaded scorers (after the weights file was replaced, for instance)."""
    with _LOCK:
        _CACHE.clear()


# Reading pre-split sentences (``workbench score``) ------------------------------------------

TABLE_SUFFIXES = {".tsv": "\t", ".csv": ","}
_POSITIVE = frozenset({"yes", "1", "true"})
_NEGATIVE = frozenset({"no", "0", "false"})
# CheckThat! 2024 train line 16877: "24098<TAB>text<TAB>No29286<TAB>text<TAB>No".
_GLUED_LABEL = re.compile(r"^(yes|no|true|false|[01])(\S+)$", re.IGNORECASE)


class SentenceFileError(WorkbenchError):
    """A sentences file cannot be read; the message names the file and, if known, the line."""


@dataclass(frozen=True)
class SentenceRow:
    id: str
    text: str
    label: str | None  # as written; None when the file has no class_label column
    line: int  # 1-based line of the file where the record starts

    def is_positive(self, path: Path) -> bool:
        """The label as a class (Yes/1/true is positive); an error naming the line if unclear."""
        label = parse_label(self.label or "")
        if label is None:
            raise SentenceFileError(
                f"{path}:{self.line}: class_label {self.label!r} is not Yes/No, 1/0 or true/false"
            )
        return label


@dataclass
class SentenceFile:
    path: Path
    rows: list[SentenceRow]
    has_labels: bool
    warnings: list[str] = field(default_factory=list)


def parse_label(raw: str) -> bool | None:
    """Yes/No, 1/0, true/false in any case; None for anything else."""
    value = raw.strip().lower()
    if value in _POSITIVE:
        return True
    if value in _NEGATIVE:
        return False
    return None


def read_sentence_file(path: Path) -> SentenceFile:
    """Sentences to score from a CheckThat!-style table or a text file with one sentence a line.

    A ``.tsv``/``.csv`` file, or any file whose first line is a header naming ``Sentence_id``
    and ``Text``, is a table (``class_label`` optional). Anything else is plain text: each
    non-blank line is a sentence whose id is its line number.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SentenceFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SentenceFileError(f"{path}:{line}: not UTF-8 text") from exc
    if "\x00" in content:
        raise SentenceFileError(f"{path}: binary file, not sentences")
    first = content.split("\n", 1)[0]
    delimiter = TABLE_SUFFIXES.get(path.suffix.lower())
    if delimiter is None and "sentence_id" in first.lower():
        delimiter = "\t" if "\t" in first else ","
    if delimiter is None:
        return _read_lines(path, content)
    return _read_table(path, content, delimiter)


def _read_lines(path: Path, content: str) -> SentenceFile:
    # Split on "\n" only: str.splitlines also breaks at form feeds and U+2028, which would
    # shift the ids away from the line numbers an editor shows.
    rows = [
        SentenceRow(str(number), line.strip(), None, number)
        for number, line in enumerate(content.split("\n"), start=1)
        if line.strip()
    ]
    return SentenceFile(path, rows, has_labels=False)


def _read_table(path: Path, content: str, delimiter: str) -> SentenceFile:
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise SentenceFileError(f"{path}:1: {exc}") from exc
    if header is None:
        raise SentenceFileError(f"{path}: empty file, expected a header with Sentence_id, Text")
    columns = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [name for name in ("Sentence_id", "Text") if name.lower() not in columns]
    if missing:
        raise SentenceFileError(
            f"{path}:1: no {' and no '.join(missing)} column in the header {header!r}"
        )
    id_col, text_col = columns["sentence_id"], columns["text"]
    label_col = columns.get("class_label")
    width = len(header)
    result = SentenceFile(path, [], has_labels=label_col is not None)
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:
            raise SentenceFileError(f"{path}:{line}: {exc}") from exc
        if record is None:
            break
        if record and any(cell.strip() for cell in record):
            for fields in _split_glued(path, line, record, width, label_col, result.warnings):
                result.rows.append(_row(path, line, fields, id_col, text_col, label_col))
        line = reader.line_num + 1
    return result


def _split_glued(
    path: Path,
    line: int,
    record: list[str],
    width: int,
    label_col: int | None,
    warnings: list[str],
) -> list[list[str]]:
    """One record, or the several that a missing line break glued into one (CT24 train)."""
    if len(record) == width:
        return [record]
    records: list[list[str]] = []
    rest = record
    # Only the CT24 layout (id, text, label last) can be split without guessing.
    while (
        label_col == width - 1
        and len(rest) > width
        and (match := _GLUED_LABEL.match(rest[label_col]))
    ):
        records.append([*rest[:label_col], match.group(1)])
        rest = [match.group(2), *rest[width:]]
    if len(rest) != width:
        raise SentenceFileError(f"{path}:{line}: {len(record)} fields where the header has {width}")
    records.append(rest)
    ids = ", ".join(r[0] for r in records)
    warnings.append(f"{path}:{line}: {len(records)} records on one line (ids {ids}); split")
    return records


def _row(
    path: Path,
    line: int,
    fields: list[str],
    id_col: int,
    text_col: int,
    label_col: int | None,
) -> SentenceRow:
    sentence_id = fields[id_col].strip()
    if not sentence_id:
        raise SentenceFileError(f"{path}:{line}: empty Sentence_id")
    label = fields[label_col].strip() if label_col is not None else None
    return SentenceRow(sentence_id, fields[text_col].strip(), label, line)
