"""What the linear scorer reads in a sentence: word and character n-grams, dense features.

Shared by training (``workbench.extract.train_linear`` hands these analysers to
scikit-learn) and scoring (:mod:`workbench.extract.linear_model` re-implements the transform
on the same n-grams), so the two sides cannot drift apart. NumPy and the standard library only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_WHITESPACE = re.compile(r"\s\s+")
WORD = re.compile(r"\b\w\w+\b")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class AnalyzerConfig:
    """How a sentence is cut into n-grams. Stored in the weights file."""

    word_ngram: tuple[int, int] = (1, 2)
    char_ngram: tuple[int, int] = (2, 5)
    digits_to_zero: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "word_ngram": list(self.word_ngram),
            "char_ngram": list(self.char_ngram),
            "digits_to_zero": self.digits_to_zero,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnalyzerConfig:
        w0, w1 = data["word_ngram"]
        c0, c1 = data["char_ngram"]
        return cls((int(w0), int(w1)), (int(c0), int(c1)), bool(data["digits_to_zero"]))


def normalise(text: str, config: AnalyzerConfig) -> str:
    """Lower-case, collapse whitespace and (optionally) map every digit to 0."""
    text = _WHITESPACE.sub(" ", text.lower())
    if config.digits_to_zero:
        text = _DIGIT.sub("0", text)
    return text


def word_ngrams(text: str, config: AnalyzerConfig) -> list[str]:
    """Word n-grams over tokens of two or more word characters (scikit-learn's default)."""
    return word_grams_normalised(normalise(text, config), config)


def char_ngrams(text: str, config: AnalyzerConfig) -> list[str]:
    """Character n-grams inside word boundaries, each word padded with one space either side."""
    lo, hi = config.char_ngram
    grams: list[str] = []
    for word in normalise(text, config).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(lo, hi + 1):
            if n > length:
                break
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
    return grams


_YEAR = re.compile(r"\b(1[6-9]\d\d|20\d\d)s?\b")
_NUMBER = re.compile(r"\d")
_PERCENT = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)
_MONEY = re.compile(r"[$£€]|\b(dollars?|billions?|millions?|trillions?)\b", re.IGNORECASE)
_SCALE = re.compile(r"\b(hundreds?|thousands?|millions?|billions?|trillions?)\b", re.IGNORECASE)
_COMPARATIVE = re.compile(
    r"\b(more|less|fewer|than|most|least|increased?|decreased?|doubled?|tripled?|"
    r"rose|fell|cut|higher|lower|largest|biggest|highest|lowest)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'll|me|my|mine)\b", re.IGNORECASE)
_CAPITALISED = re.compile(r"(?<=\s)[A-Z][a-zA-Z]+")
_TOKEN = re.compile(r"\S+")
DENSE_FEATURES = (
    "has_number",
    "has_year",
    "has_percent",
    "has_money",
    "has_scale_word",
    "n_comparatives",
    "has_first_person",
    "n_capitalised",
    "is_question",
    "log_tokens",
)
# Case-insensitive patterns are slow to search in Python; these substrings, one of which is
# in every text each pattern matches, rule most sentences out first (str.lower() maps every
# character such a pattern matches to an ASCII letter, except the three in _ODD_CASE).
_ODD_CASE = re.compile("[\u0130\u0131\u017f]")
_PERCENT_NEEDLES = ("%", "per")
_MONEY_NEEDLES = ("$", "£", "€", "dollar", "billion", "million", "trillion")
_SCALE_NEEDLES = ("hundred", "thousand", "million", "billion", "trillion")


def _may_match(folded: str | None, needles: tuple[str, ...]) -> bool:
    return folded is None or any(needle in folded for needle in needles)


def dense_features(text: str) -> list[float]:
    """A few hand-made features, in the order of ``DENSE_FEATURES``."""
    n_tokens = len(_TOKEN.findall(text))
    folded = None if _ODD_CASE.search(text) else text.lower()
    has_number = _NUMBER.search(text) is not None  # _YEAR needs a digit too
    return [
        1.0 if has_number else 0.0,
        1.0 if has_number and _YEAR.search(text) else 0.0,
        1.0 if _may_match(folded, _PERCENT_NEEDLES) and _PERCENT.search(text) else 0.0,
        1.0 if _may_match(folded, _MONEY_NEEDLES) and _MONEY.search(text) else 0.0,
        1.0 if _may_match(folded, _SCALE_NEEDLES) and _SCALE.search(text) else 0.0,
        float(min(len(_COMPARATIVE.findall(text)), 3)),
        1.0 if _FIRST_PERSON.search(text) else 0.0,
        float(min(len(_CAPITALISED.findall(text)), 5)),
        1.0 if text.rstrip().endswith("?") else 0.0,
        math.log1p(n_tokens),
    ]


def char_candidates(normalised: str, config: AnalyzerConfig) -> list[str]:
    """A superset of ``char_ngrams``: every n-gram of the space-padded sentence.

    The extra grams cross a word boundary (a space inside the gram), so they are never in a
    vocabulary built by ``char_ngrams`` and drop out at lookup: same scores, fewer Python steps.
    """
    words = normalised.split()
    if not words:
        return []
    padded = f" {' '.join(words)} "
    length = len(padded)
    lo, hi = config.char_ngram
    grams: list[str] = []
    for n in range(lo, hi + 1):
        grams.extend([padded[i : i + n] for i in range(length - n + 1)])
    return grams


def word_grams_normalised(normalised: str, config: AnalyzerConfig) -> list[str]:
    tokens = WORD.findall(normalised)
    lo, hi = config.word_ngram
    grams: list[str] = []
    n_tokens = len(tokens)
    for n in range(lo, min(hi, n_tokens) + 1):
        if n == 1:
            grams.extend(tokens)
        else:
            grams.extend([" ".join(tokens[i : i + n]) for i in range(n_tokens - n + 1)])
    return grams
