"""A light check-worthiness scorer: TF-IDF (word + character n-grams) and a logistic regression.

The weights are trained by ``workbench.extract.train_linear`` (scikit-learn, training only) and
shipped as a NumPy ``.npz`` file without any pickled object. At run time this module needs only
NumPy and the standard library: it re-implements the tokenisation, the TF-IDF transform
(sublinear tf, smooth idf, l2 norm per block) and the logistic function, and it matches
scikit-learn's ``predict_proba`` to floating-point rounding.

The analysers (:mod:`workbench.extract.linear_features`) are also the ones handed to
scikit-learn at training time, so the two sides cannot drift apart; this module holds the
weights file and the fast scorer built on them.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import as_file, files
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from workbench.extract.linear_features import (
    DENSE_FEATURES,
    WORD,
    AnalyzerConfig,
    char_candidates,
    dense_features,
    normalise,
    word_grams_normalised,
)

FORMAT = "workbench-linear-checkworthiness"
FORMAT_VERSION = 1
DEFAULT_FILE = "checkworthy_linear.npz"


def _encode_vocabulary(terms: Sequence[str]) -> np.ndarray:
    joined = "\n".join(terms)
    return np.frombuffer(joined.encode("utf-8"), dtype=np.uint8).copy()


def _decode_vocabulary(data: np.ndarray) -> list[str]:
    text = data.tobytes().decode("utf-8")
    return text.split("\n") if text else []


def save_weights(
    path: Path,
    *,
    name: str,
    config: AnalyzerConfig,
    word_vocabulary: Sequence[str],
    word_idf: np.ndarray,
    word_coef: np.ndarray,
    char_vocabulary: Sequence[str],
    char_idf: np.ndarray,
    char_coef: np.ndarray,
    dense_mean: np.ndarray,
    dense_scale: np.ndarray,
    dense_coef: np.ndarray,
    intercept: float,
    threshold: float,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Write the weights as a compressed ``.npz`` of plain arrays (no pickled objects)."""
    for term in (*word_vocabulary, *char_vocabulary):
        if "\n" in term:
            raise ValueError(f"vocabulary term contains a newline: {term!r}")
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "name": name,
        "analyzer": config.to_json(),
        "dense_features": list(DENSE_FEATURES),
        "intercept": float(intercept),
        "threshold": float(threshold),
        **(metadata or {}),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(
            handle,
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8),
            word_vocabulary=_encode_vocabulary(word_vocabulary),
            word_idf=np.asarray(word_idf, dtype=np.float64),
            word_coef=np.asarray(word_coef, dtype=np.float64),
            char_vocabulary=_encode_vocabulary(char_vocabulary),
            char_idf=np.asarray(char_idf, dtype=np.float64),
            char_coef=np.asarray(char_coef, dtype=np.float64),
            dense_mean=np.asarray(dense_mean, dtype=np.float64),
            dense_scale=np.asarray(dense_scale, dtype=np.float64),
            dense_coef=np.asarray(dense_coef, dtype=np.float64),
        )


def _block(vocabulary: list[str], idf: np.ndarray, coef: np.ndarray) -> _Block:
    if not (len(vocabulary) == idf.shape[0] == coef.shape[0]):
        raise ValueError("vocabulary, idf and coefficients differ in length")
    index = dict(zip(vocabulary, range(len(vocabulary)), strict=True))
    # Slot len(vocabulary) is a sentinel for out-of-vocabulary grams: idf 0, coefficient 0.
    return _Block(
        index,
        np.append(idf.astype(np.float64), 0.0),
        np.append(coef.astype(np.float64), 0.0),
    )


@dataclass(frozen=True)
class _Block:
    index: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray

    @property
    def missing(self) -> int:
        return len(self.index)


def _block_scores(grams_per_sentence: list[list[str]], block: _Block) -> np.ndarray:
    """Per sentence: dot product of its l2-normalised sublinear TF-IDF vector with the weights."""
    get = block.index.get
    missing = block.missing
    indices: list[int] = []
    counts: list[int] = []
    rows: list[int] = []
    for row, grams in enumerate(grams_per_sentence):
        counter = Counter(grams)
        indices.extend(map(get, counter, repeat(missing, len(counter))))
        counts.extend(counter.values())
        rows.extend(repeat(row, len(counter)))
    n = len(grams_per_sentence)
    if not indices:
        return np.zeros(n, dtype=np.float64)
    idx = np.asarray(indices, dtype=np.intp)
    value = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * block.idf[idx]
    row_arr = np.asarray(rows, dtype=np.intp)
    dot = np.bincount(row_arr, weights=value * block.coef[idx], minlength=n)
    norm = np.sqrt(np.bincount(row_arr, weights=value * value, minlength=n))
    safe = np.where(norm > 0.0, norm, 1.0)
    return np.where(norm > 0.0, dot / safe, 0.0)


_EMPTY = -1
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing's multiplier (2**64 / golden ratio)


@dataclass(frozen=True)
class _GramTable:
    """The vocabulary of a block as integers, to look n-grams up with array operations.

    Each unit a gram is made of (a character, or a word) gets a digit from 1 to K, every
    unit outside the vocabulary's the digit K + 1, and a gram of n units is the number whose
    base-(K + 2) digits are its units' (the first the least significant). Exact, not a hash:
    two grams have the same number only if they are the same gram (digits are never 0, so
    lengths cannot be confused), and a gram with a unit outside the vocabulary has a digit
    no vocabulary gram has, so it is never found. The numbers are kept in an open-addressing
    table (linear probing, a quarter full at most) and a batch's grams are looked up at once.
    """

    base: int
    shift: np.uint64  # 64 - log2(table size)
    table: npt.NDArray[np.int64]  # a gram number, or _EMPTY
    slots: npt.NDArray[np.intp]  # the vocabulary index of the gram number beside it
    probes: int  # the longest probe sequence of any vocabulary gram

    @classmethod
    def build(
        cls, numbers: npt.NDArray[np.int64], values: npt.NDArray[np.intp], base: int
    ) -> _GramTable:
        bits = max(4, (4 * numbers.size - 1).bit_length())
        size = 1 << bits
        shift = np.uint64(64 - bits)
        table = np.full(size, _EMPTY, dtype=np.int64)
        slots = np.zeros(size, dtype=np.intp)
        # Linear probing, all keys a round at a time: in round p every key not yet placed
        # tries home + p; of the keys trying one free slot the first takes it, and the
        # others (like keys finding it taken) go on. A key's slots from home to its own are
        # then all taken, which is what a lookup relies on.
        home = cls._home(numbers, shift)
        pending = np.arange(numbers.size, dtype=np.intp)
        probe = 0
        while pending.size:
            at = (home[pending] + probe) & (size - 1)
            free = table[at] == _EMPTY
            _, first = np.unique(at[free], return_index=True)
            placed = pending[free][first]
            table[at[free][first]] = numbers[placed]
            slots[at[free][first]] = values[placed]
            taken = np.zeros(numbers.size, dtype=bool)
            taken[placed] = True
            pending = pending[~taken[pending]]
            probe += 1
        return cls(base, shift, table, slots, probe)

    @staticmethod
    def _home(numbers: npt.NDArray[np.int64], shift: np.uint64) -> npt.NDArray[np.intp]:
        mixed = numbers.view(np.uint64) * _MIX
        return (mixed >> shift).astype(np.intp)

    def lookup(self, numbers: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """The vocabulary index of each gram number, or -1 where the gram is not in it."""
        found = np.full(numbers.size, -1, dtype=np.intp)
        at = self._home(numbers, self.shift)
        active = np.arange(numbers.size, dtype=np.intp)
        mask = self.table.size - 1
        for _ in range(self.probes):
            held = self.table[at]
            hit = held == numbers[active]
            found[active[hit]] = self.slots[at[hit]]
            going = (held != _EMPTY) & ~hit
            if not going.any():
                break
            active = active[going]
            at = (at[going] + 1) & mask
        return found

    def scores(
        self,
        digits: npt.NDArray[np.int64],
        lengths: npt.NDArray[np.intp],
        grams: tuple[int, int],
        block: _Block,
    ) -> np.ndarray:
        """``_block_scores`` of the n-grams (n in ``grams``) of each sentence's units.

        ``digits`` are all the sentences' units in order, ``lengths`` how many each has.
        The same arithmetic in the same order as ``_block_scores`` over the grams listed n
        by n, left to right: per sentence, the in-vocabulary grams in the order of their
        first occurrence (out-of-vocabulary grams add exactly 0 and are left out), each
        weighted by (1 + log count) x idf, summed by ``np.bincount``.
        """
        n_rows = lengths.size
        total = digits.size
        lo, hi = grams
        size = block.missing + 1
        # Each in-vocabulary gram gets the number (row * size + vocabulary index) * span +
        # rank, rank being its place in the order of listing (n by n, then left to right):
        # sorting these groups a sentence's occurrences of a gram, its first one first.
        span = (hi - lo + 1) * (total + 1)
        if n_rows * size * span >= 2**62:
            if n_rows > 1:  # too many sentences for one number: halve the batch
                half = n_rows // 2
                cut = int(lengths[:half].sum())
                return np.concatenate(
                    [
                        self.scores(digits[:cut], lengths[:half], grams, block),
                        self.scores(digits[cut:], lengths[half:], grams, block),
                    ]
                )
            raise ValueError("a sentence too long to score")  # pragma: no cover - ~10**13 units
        row_of = np.repeat(np.arange(n_rows, dtype=np.int64), lengths)
        # Gram numbers by n, each from the one before: number_n = number_(n-1) + digit *
        # base^(n-1).
        number = digits
        keyed: list[npt.NDArray[np.int64]] = []
        for n in range(1, hi + 1):
            windows = total - n + 1
            if windows <= 0:
                break
            if n > 1:
                number = number[:windows] + digits[n - 1 :] * self.base ** (n - 1)
            if n < lo:
                continue
            rows = row_of[:windows]
            slot = self.lookup(number)
            keep = np.flatnonzero((slot >= 0) & (rows == row_of[n - 1 :]))  # known, one row
            rank = keep + (n - lo) * (total + 1)
            keyed.append((rows[keep] * size + slot[keep]) * span + rank)
        if not keyed:
            return np.zeros(n_rows, dtype=np.float64)
        ordered = np.sort(np.concatenate(keyed))
        if not ordered.size:
            return np.zeros(n_rows, dtype=np.float64)
        gram = ordered // span
        starts = np.flatnonzero(np.concatenate(([True], gram[1:] != gram[:-1])))
        counts = np.diff(np.append(starts, ordered.size))
        # The distinct grams in order of first occurrence, as ``Counter`` lists them (no
        # two grams share a first rank).
        order = np.argsort(ordered[starts] % span)
        gram, counts = gram[starts][order], counts[order]
        idx = gram % size
        row_arr = gram // size
        value = (1.0 + np.log(counts.astype(np.float64))) * block.idf[idx]
        dot = np.bincount(row_arr, weights=value * block.coef[idx], minlength=n_rows)
        norm = np.sqrt(np.bincount(row_arr, weights=value * value, minlength=n_rows))
        safe = np.where(norm > 0.0, norm, 1.0)
        return np.where(norm > 0.0, dot / safe, 0.0)


def _numbers(
    digits: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64], base: int
) -> npt.NDArray[np.int64]:
    """Each gram's number, from its units' digits (all grams' in a row) and unit counts."""
    starts = np.cumsum(lengths) - lengths
    place = np.arange(digits.size, dtype=np.int64) - np.repeat(starts, lengths)
    result: npt.NDArray[np.int64] = np.add.reduceat(digits * base**place, starts)
    return result


@dataclass(frozen=True)
class _CharCodes:
    """Characters as digits, for a character n-gram block."""

    digits: npt.NDArray[np.int64]  # code point -> digit; the last slot is the "other" digit
    grams: _GramTable

    @classmethod
    def build(cls, index: dict[str, int], longest: int) -> _CharCodes | None:
        """None when the numbers would not fit in 63 bits (a very large alphabet), or a gram
        is empty."""
        vocabulary = list(index)
        lengths = np.fromiter(map(len, vocabulary), dtype=np.int64, count=len(vocabulary))
        joined = "".join(vocabulary)
        alphabet = sorted(map(ord, set(joined)))
        base = len(alphabet) + 2
        if not alphabet or lengths.min() == 0 or base ** int(max(longest, lengths.max())) >= 2**63:
            return None
        digits = np.full(alphabet[-1] + 2, base - 1, dtype=np.int64)
        digits[alphabet] = np.arange(1, len(alphabet) + 1, dtype=np.int64)
        points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        numbers = _numbers(digits[points], lengths, base)
        values = np.fromiter(index.values(), dtype=np.intp, count=len(index))
        return cls(digits, _GramTable.build(numbers, values, base))

    def scores(
        self, normalised: Sequence[str], config: AnalyzerConfig, block: _Block
    ) -> np.ndarray:
        """``_block_scores`` of the sentences' ``char_candidates``."""
        padded = [f" {' '.join(words)} " if (words := text.split()) else "" for text in normalised]
        lengths = np.fromiter(map(len, padded), dtype=np.intp, count=len(padded))
        points = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
        digits = self.digits[np.minimum(points, self.digits.size - 1)]
        return self.grams.scores(digits, lengths, config.char_ngram, block)


@dataclass(frozen=True)
class _WordCodes:
    """Words as digits, for a word n-gram block: each word of the vocabulary's grams."""

    words: dict[str, int]
    other: int  # the digit of a word the vocabulary does not use
    grams: _GramTable

    @classmethod
    def build(cls, index: dict[str, int], longest: int) -> _WordCodes | None:
        """None when the numbers would not fit in 63 bits, or a gram is empty."""
        split = [gram.split(" ") for gram in index]
        words: dict[str, int] = {}
        for parts in split:
            for word in parts:
                words.setdefault(word, len(words) + 1)
        base = len(words) + 2
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        if not words or "" in words or base ** int(max(longest, lengths.max())) >= 2**63:
            return None
        digits = np.fromiter(
            (words[w] for parts in split for w in parts), dtype=np.int64, count=int(lengths.sum())
        )
        values = np.fromiter(index.values(), dtype=np.intp, count=len(index))
        return cls(words, base - 1, _GramTable.build(_numbers(digits, lengths, base), values, base))

    def scores(
        self, normalised: Sequence[str], config: AnalyzerConfig, block: _Block
    ) -> np.ndarray:
        """``_block_scores`` of the sentences' ``word_grams_normalised``."""
        tokens = [WORD.findall(text) for text in normalised]
        lengths = np.fromiter(map(len, tokens), dtype=np.intp, count=len(tokens))
        get, other = self.words.get, self.other
        digits = np.fromiter(
            (get(t, other) for found in tokens for t in found),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        return self.grams.scores(digits, lengths, config.word_ngram, block)


class LinearCheckworthiness:
    """Probability that a sentence is check-worthy, from a linear model over TF-IDF n-grams."""

    def __init__(
        self,
        *,
        name: str,
        threshold: float,
        config: AnalyzerConfig,
        word_block: _Block,
        char_block: _Block,
        dense_mean: np.ndarray,
        dense_scale: np.ndarray,
        dense_coef: np.ndarray,
        intercept: float,
        metadata: dict[str, Any],
    ) -> None:
        n_dense = len(DENSE_FEATURES)
        if not (dense_mean.shape == dense_scale.shape == dense_coef.shape == (n_dense,)):
            raise ValueError("dense feature arrays do not match DENSE_FEATURES")
        self.name = name
        self.threshold = threshold
        self.config = config
        self.metadata = metadata
        self._word = word_block
        self._char = char_block
        # Built on first use (some 50 ms), so that loading the model stays quick.
        self._codes: tuple[_WordCodes | None, _CharCodes | None] | None = None
        self._dense_mean = dense_mean.astype(np.float64)
        self._dense_scale = dense_scale.astype(np.float64)
        self._dense_coef = dense_coef.astype(np.float64)
        self._intercept = intercept

    @classmethod
    def load(cls, path: Path | None = None) -> LinearCheckworthiness:
        """Load weights from ``path``, or the file shipped in ``workbench/extract/models``."""
        if path is None:
            resource = files("workbench") / "extract" / "models" / DEFAULT_FILE
            with as_file(resource) as shipped:
                return cls._load_npz(shipped)
        return cls._load_npz(Path(path))

    @classmethod
    def _load_npz(cls, path: Path) -> LinearCheckworthiness:
        with np.load(path, allow_pickle=False) as data:
            meta: dict[str, Any] = json.loads(data["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != FORMAT or meta.get("version") != FORMAT_VERSION:
                raise ValueError(f"{path}: not a {FORMAT} v{FORMAT_VERSION} file")
            if list(meta["dense_features"]) != list(DENSE_FEATURES):
                raise ValueError(f"{path}: dense features differ from this version's")
            word_block = _block(
                _decode_vocabulary(data["word_vocabulary"]), data["word_idf"], data["word_coef"]
            )
            char_block = _block(
                _decode_vocabulary(data["char_vocabulary"]), data["char_idf"], data["char_coef"]
            )
            dense_mean = data["dense_mean"]
            dense_scale = data["dense_scale"]
            dense_coef = data["dense_coef"]
        return cls(
            name=str(meta["name"]),
            threshold=float(meta["threshold"]),
            config=AnalyzerConfig.from_json(meta["analyzer"]),
            word_block=word_block,
            char_block=char_block,
            dense_mean=dense_mean,
            dense_scale=dense_scale,
            dense_coef=dense_coef,
            intercept=float(meta["intercept"]),
            metadata=meta,
        )

    def decisions(self, sentences: Sequence[str]) -> np.ndarray:
        """The linear scores (log-odds) before the logistic function."""
        config = self.config
        normalised = [normalise(s, config) for s in sentences]
        total = np.full(len(sentences), self._intercept, dtype=np.float64)
        if not sentences:
            return total
        if self._codes is None:
            self._codes = (
                _WordCodes.build(self._word.index, config.word_ngram[1]),
                _CharCodes.build(self._char.index, config.char_ngram[1]),
            )
        words, chars = self._codes
        if words is not None:
            total += words.scores(normalised, config, self._word)
        else:
            grams = [word_grams_normalised(n, config) for n in normalised]
            total += _block_scores(grams, self._word)
        if chars is not None:
            total += chars.scores(normalised, config, self._char)
        else:
            total += _block_scores([char_candidates(n, config) for n in normalised], self._char)
        dense = np.array([dense_features(s) for s in sentences], dtype=np.float64)
        # Row by row (not a matrix-vector product, whose BLAS kernel may round a row
        # differently with the number of rows): a sentence's score is the same in any batch.
        scaled = (dense - self._dense_mean) / self._dense_scale
        total += (scaled * self._dense_coef).sum(axis=1)
        return total

    def score_many(self, sentences: Sequence[str]) -> list[float]:
        """Probabilities in [0, 1] that each sentence is check-worthy."""
        z = self.decisions(sentences)
        # Stable logistic: exp of a non-positive number never overflows.
        e = np.exp(-np.abs(z))
        p = np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))
        return [float(x) for x in p.tolist()]

    def score(self, sentence: str) -> float:
        """Probability in [0, 1] that ``sentence`` is check-worthy."""
        return self.score_many([sentence])[0]

    def is_checkworthy(self, sentence: str) -> bool:
        return self.score(sentence) >= self.threshold

    def features(self, sentence: str, k: int = 5) -> tuple[str, ...]:
        """The word n-grams that raise the score most, strongest first, for ``explain``.

        Character n-grams are left out: "ent " is no explanation a reviewer can use.
        """
        grams = word_grams_normalised(normalise(sentence, self.config), self.config)
        counter = Counter(grams)
        block = self._word
        found = [(g, block.index[g], c) for g, c in counter.items() if g in block.index]
        if not found:
            return ()
        idx = np.array([i for _, i, _ in found], dtype=np.intp)
        counts = np.array([c for _, _, c in found], dtype=np.float64)
        value = (1.0 + np.log(counts)) * block.idf[idx]
        norm = math.sqrt(
            sum(
                ((1.0 + math.log(c)) * block.idf[block.index.get(g, block.missing)]) ** 2
                for g, c in counter.items()
            )
        )
        contribution = value * block.coef[idx] / (norm or 1.0)
        order = np.argsort(-contribution, kind="stable")[:k]
        return tuple(found[i][0] for i in order if contribution[i] > 0.0)
