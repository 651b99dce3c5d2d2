"""The extraction pipeline: segment -> drop boilerplate -> score -> keep -> attribute speakers.

``HeuristicExtractor.explain`` keeps every sentence with the decision taken about it and why,
so a surprising result can be traced to a rule or a score; ``extract`` is the kept part of it
as ``ClaimCandidate`` records.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Protocol

from workbench.extract import boilerplate, segment
from workbench.extract.score import DEFAULT_THRESHOLD, score
from workbench.extract.speaker import attribute
from workbench.schemas import ClaimCandidate

KEPT = "kept"
LOW_SCORE = "dropped:low_score"
BOILERPLATE = "dropped:boilerplate:"  # followed by the rule name


class Extractor(Protocol):
    """Anything that finds claim candidates in a document's text."""

    name: str  # "name@version", stored with every claim it finds

    def extract(self, text: str) -> list[ClaimCandidate]: ...


@dataclass(frozen=True)
class SentenceDecision:
    """One sentence of a document and what the extractor did with it."""

    start: int
    end: int
    text: str
    decision: str  # "kept", "dropped:low_score" or "dropped:boilerplate:<rule>"
    score: float | None  # None when boilerplate dropped it before scoring
    features: tuple[str, ...]  # score features that fired
    speaker: str | None  # attributed for every sentence that was not boilerplate

    @property
    def kept(self) -> bool:
        return self.decision == KEPT


def _line_span(text: str, start: int, end: int, breaks: list[int]) -> tuple[int, int]:
    """The line(s) around ``text[start:end]``, given the sorted positions of line breaks."""
    i = bisect.bisect_left(breaks, start)
    line_start = breaks[i - 1] + 1 if i else 0
    j = bisect.bisect_left(breaks, end)
    line_end = breaks[j] if j < len(breaks) else len(text)
    return line_start, line_end


class HeuristicExtractor:
    """Rules and a hand-weighted score; pure Python, no model to load."""

    name = "heuristic@1"

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], got {threshold}")
        self.threshold = threshold

    def explain(self, text: str) -> list[SentenceDecision]:
        """Every sentence with its decision, reason, score and speaker."""
        spans = segment.sentences(text)
        paragraphs = segment.paragraphs(text)
        breaks = [i for i, char in enumerate(text) if char in "\n\r\u2028\u2029\x85\x0b\x0c"]
        seen: set[str] = set()
        rules: list[str | None] = []
        for start, end in spans:
            sentence = text[start:end]
            line_start, line_end = _line_span(text, start, end, breaks)
            p_start, p_end = next(((s, e) for s, e in paragraphs if s <= start < e), (start, end))
            context = boilerplate.Context(
                line=text[line_start:line_end],
                paragraph=text[p_start:p_end],
                position=start / len(text),
                seen=seen,
            )
            rules.append(boilerplate.is_boilerplate(sentence, context))
            seen.add(boilerplate.normalise(sentence))
        # Speakers are read from the article sentences only: furniture inside a quotation
        # ("Recommended Books") must not break the chain from a quote to its source.
        article = [span for span, rule in zip(spans, rules, strict=True) if rule is None]
        speakers = dict(zip(article, attribute(text, article), strict=True))
        decisions: list[SentenceDecision] = []
        for (start, end), rule in zip(spans, rules, strict=True):
            sentence = text[start:end]
            if rule is not None:
                decisions.append(
                    SentenceDecision(start, end, sentence, BOILERPLATE + rule, None, (), None)
                )
                continue
            result = score(sentence)
            decision = KEPT if result.value >= self.threshold else LOW_SCORE
            speaker = speakers[(start, end)]
            decisions.append(
                SentenceDecision(
                    start, end, sentence, decision, result.value, result.features, speaker
                )
            )
        return decisions

    def extract(self, text: str) -> list[ClaimCandidate]:
        """The kept sentences as claim candidates, in document order."""
        return [
            ClaimCandidate(
                text=d.text,
                char_start=d.start,
                char_end=d.end,
                speaker=d.speaker,
                score=d.score if d.score is not None else 0.0,
                extractor=self.name,
            )
            for d in self.explain(text)
            if d.kept
        ]


def default_extractor(threshold: float | None = None) -> Extractor:
    """The extractor the CLI and the app use; ``threshold`` None means the default (0.5)."""
    return HeuristicExtractor(DEFAULT_THRESHOLD if threshold is None else threshold)


def explain(text: str, threshold: float | None = None) -> list[SentenceDecision]:
    """Every sentence of ``text`` with the default extractor's decision and reason."""
    return HeuristicExtractor(DEFAULT_THRESHOLD if threshold is None else threshold).explain(text)
