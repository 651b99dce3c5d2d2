"""The extraction pipeline: segment -> drop boilerplate -> score -> keep -> attribute speakers.

The score comes from a ``SentenceScorer`` (``workbench.extract.scorers``; the linear model by
default), then is lowered for opinions and predictions (``workbench.extract.stance``), whatever
the scorer: scorers rank political opinion as high as political fact, and a reviewer's queue
should start with what can be checked. The threshold applies to the adjusted score.
``SentenceExtractor.explain`` keeps every sentence with the decision taken about it and why,
so a surprising result can be traced to a rule or a score; ``extract`` is the kept part of it
as ``ClaimCandidate`` records.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from workbench.config import get_settings
from workbench.errors import InvalidInput
from workbench.extract import boilerplate, segment, stance
from workbench.extract.heuristic import DEFAULT_THRESHOLD
from workbench.extract.scorers import (
    HeuristicScorer,
    SentenceScorer,
    load_scorer,
    score_bounded,
)
from workbench.extract.speaker import attribute
from workbench.schemas import ClaimCandidate

KEPT = "kept"
LOW_SCORE = "dropped:low_score"
# Under the threshold, but the scorer's score reaches ``keep_from``: kept out of the queue for
# the re-scorer to judge again (a provisional extractor, see ``ingest_extractor``).
CANDIDATE = "candidate:below_threshold"
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
    # What pushed the score: the rules that fired (heuristic) or the most positive n-grams
    # (linear); empty when the scorer cannot say or explain() was asked not to.
    features: tuple[str, ...]
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


_BREAK = re.compile("[\n\r\u2028\u2029\x85\x0b\x0c]")


def _paragraph_of(
    paragraphs: list[tuple[int, int]], starts: list[int], start: int, end: int
) -> tuple[int, int]:
    """The first paragraph holding offset ``start``, else ``(start, end)``."""
    i = bisect.bisect_right(starts, start) - 1
    # Paragraphs are sorted and disjoint: only the last one starting at or before ``start``
    # can hold it.
    if i >= 0 and start < paragraphs[i][1]:
        return paragraphs[i]
    return start, end


# The most of a sentence's line and paragraph that the furniture rules are shown. Furniture
# lines are short (share bars, bylines, captions, "Read more:" lists); the longest line of the
# news set is 601 characters and its longest paragraph 4,085. Unbounded, a document on one
# line (a 20 MiB file joined from thousands of articles) made every sentence copy, hash and
# search the whole 20 MB line: quadratic, hours for 150,000 sentences, and a crumb separator
# anywhere in the line dropped every sentence of it as navigation. A line longer than this is
# not furniture: its sentences are judged as their own line, as without a context.
CONTEXT_CHARS = 10_000


def furniture_rules(text: str, spans: list[tuple[int, int]]) -> list[str | None]:
    """For each sentence span, the boilerplate rule that drops it, or None for article text.

    Each sentence is judged with its line, its paragraph and its position in the document,
    and against the sentences seen before it (repeated lines are furniture). Lines and
    paragraphs are shown up to ``CONTEXT_CHARS``: the cost is linear in the document.
    """
    paragraphs = segment.paragraphs(text)
    starts = [p[0] for p in paragraphs]
    breaks = [match.start() for match in _BREAK.finditer(text)]
    seen: set[str] = set()
    memo: dict[tuple[str, str], bool] = {}
    rules: list[str | None] = []
    for start, end in spans:
        sentence = text[start:end]
        line_start, line_end = _line_span(text, start, end, breaks)
        p_start, p_end = _paragraph_of(paragraphs, starts, start, end)
        alone = line_end - line_start > CONTEXT_CHARS
        if alone:
            line_start, line_end = p_start, p_end = start, end
        elif p_end - p_start > CONTEXT_CHARS:
            # The lines around this one: a header above a list of titles is within reach.
            p_start = max(p_start, line_start - CONTEXT_CHARS)
            p_end = min(p_end, line_end + CONTEXT_CHARS)
        normalised = boilerplate.normalise(sentence)
        context = boilerplate.Context(
            line=text[line_start:line_end],
            paragraph=text[p_start:p_end],
            position=start / len(text),
            seen=seen,
            # The memo saves judging a line once per sentence on it; a sentence that is its
            # own line is judged once anyway, and ~110,000 of them filled it (six
            # entries each; ~100 MB by estimate).
            memo={} if alone else memo,
            normalised=normalised,
        )
        rules.append(boilerplate.is_boilerplate(sentence, context))
        seen.add(normalised)
    return rules


class SentenceExtractor:
    """Segment, drop page furniture, score every remaining sentence, keep those above the cut."""

    def __init__(
        self,
        scorer: SentenceScorer | None = None,
        threshold: float | None = None,
        *,
        keep_from: float | None = None,
        name: str | None = None,
    ) -> None:
        self.scorer = scorer if scorer is not None else load_scorer()
        # None: the scorer's own threshold, the one it was tuned with.
        self.threshold = self.scorer.threshold if threshold is None else threshold
        if not 0.0 <= self.threshold <= 1.0:
            raise InvalidInput(f"threshold must be within [0, 1], got {self.threshold}")
        # A provisional extractor (ingest with a two-stage scorer) also returns the sentences
        # whose scorer score, before the stance adjustment, reaches ``keep_from``, marked
        # below the threshold: the second stage may find claims among them.
        self.keep_from = keep_from
        # The extractor named on its claims (the final scorer's name for a provisional one)
        # and the scorer of the scores it gives them.
        self.name = name or self.scorer.name
        self.scored_by = self.scorer.name

    def explain(self, text: str, *, with_features: bool = True) -> list[SentenceDecision]:
        """Every sentence with its decision, reason, score and speaker."""
        return self._explain_many([text], with_features=with_features)[0]

    def _explain_many(
        self, texts: Sequence[str], *, with_features: bool
    ) -> list[list[SentenceDecision]]:
        prepared = [_prepare(text) for text in texts]
        # One batch for all the documents: the linear and embedding scorers are much faster
        # on a few hundred sentences at once than on each document's few dozen. A sentence's
        # score does not depend on the others in its batch.
        batch = [
            text[start:end]
            for text, p in zip(texts, prepared, strict=True)
            for start, end in p.article
        ]
        raw = score_bounded(self.scorer, batch)
        scores = iter(zip(stance.adjust_many(raw, batch), raw, strict=True))
        explainer = getattr(self.scorer, "features", None) if with_features else None
        result: list[list[SentenceDecision]] = []
        for text, p in zip(texts, prepared, strict=True):
            decisions: list[SentenceDecision] = []
            for (start, end), rule in zip(p.spans, p.rules, strict=True):
                sentence = text[start:end]
                if rule is not None:
                    decisions.append(
                        SentenceDecision(start, end, sentence, BOILERPLATE + rule, None, (), None)
                    )
                    continue
                adjusted, unadjusted = next(scores)
                value = float(adjusted)
                decision = KEPT if value >= self.threshold else LOW_SCORE
                if decision == LOW_SCORE and self.keep_from is not None:
                    decision = CANDIDATE if unadjusted >= self.keep_from else LOW_SCORE
                features: tuple[str, ...] = tuple(explainer(sentence)) if explainer else ()
                if with_features:
                    features += tuple(f"stance:{cue}" for cue in stance.cues(sentence))
                decisions.append(
                    SentenceDecision(
                        start, end, sentence, decision, value, features, p.speakers[(start, end)]
                    )
                )
            result.append(decisions)
        return result

    def extract(self, text: str) -> list[ClaimCandidate]:
        """The kept sentences as claim candidates, in document order."""
        return self.extract_many([text])[0]

    def extract_many(self, texts: Sequence[str]) -> list[list[ClaimCandidate]]:
        """``[extract(t) for t in texts]``, with one scoring batch for all of them."""
        return [
            [
                ClaimCandidate(
                    text=d.text,
                    char_start=d.start,
                    char_end=d.end,
                    speaker=d.speaker,
                    score=d.score if d.score is not None else 0.0,
                    extractor=self.name,
                    scored_by=self.scored_by if self.scored_by != self.name else None,
                    below_threshold=not d.kept,
                )
                for d in decisions
                if d.kept or d.decision == CANDIDATE
            ]
            for decisions in self._explain_many(texts, with_features=False)
        ]


@dataclass(frozen=True)
class _Prepared:
    """A document's sentences, the furniture rule of each, and the speakers of the rest."""

    spans: list[tuple[int, int]]
    rules: list[str | None]
    article: list[tuple[int, int]]
    speakers: dict[tuple[int, int], str | None]


def _prepare(text: str) -> _Prepared:
    spans = segment.sentences(text)
    rules = furniture_rules(text, spans)
    # Speakers are read from the article sentences only: furniture inside a quotation
    # ("Recommended Books") must not break the chain from a quote to its source.
    article = [span for span, rule in zip(spans, rules, strict=True) if rule is None]
    speakers = dict(zip(article, attribute(text, article), strict=True))
    return _Prepared(spans, rules, article, speakers)


class HeuristicExtractor(SentenceExtractor):
    """The rule-based extractor of the first version (``heuristic@1``), kept for comparison."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        super().__init__(HeuristicScorer(), threshold)


def default_extractor(
    threshold: float | None = None,
    scorer: str | None = None,
    model_path: Path | None = None,
) -> SentenceExtractor:
    """The extractor the CLI and the app use.

    Each argument left None comes from the settings (``WORKBENCH_CLAIM_THRESHOLD``,
    ``WORKBENCH_SCORER``, ``WORKBENCH_SCORER_MODEL``); a threshold None there too means the
    scorer's own.
    """
    settings = get_settings()
    name = scorer if scorer is not None else settings.scorer
    path = model_path if model_path is not None else settings.scorer_model
    cut = threshold if threshold is not None else settings.claim_threshold
    return SentenceExtractor(load_scorer(name, path), cut)


def ingest_extractor(
    threshold: float | None = None,
    scorer: str | None = None,
    model_path: Path | None = None,
) -> SentenceExtractor:
    """The extractor ingest uses: ``default_extractor``'s, except for a two-stage scorer.

    A scorer with a fast first stage (``onnx``: its ``linear`` part and ``cascade_threshold``)
    is too slow to run whole at ingest (about 15 minutes for 10,000 articles against 105 s).
    Ingest then scores with the first stage alone at its own threshold, so claims appear at
    once, and also stores, out of the queue, the sentences the cascade would have shown the
    transformer (first-stage score at least ``cascade_threshold``): the background re-scorer
    (``workbench.review.rescore``) gives every one of them the full model's score and puts it
    in or out of the queue by the full model's threshold. The final result is then the
    cascaded full model's, as ``default_extractor`` would have given.
    """
    full = default_extractor(threshold, scorer, model_path)
    first = getattr(full.scorer, "linear", None)
    cut = getattr(full.scorer, "cascade_threshold", None)
    if first is None or cut is None:
        return full
    return SentenceExtractor(first, None, keep_from=float(cut), name=full.name)


def explain(
    text: str,
    threshold: float | None = None,
    scorer: str | None = None,
    model_path: Path | None = None,
) -> list[SentenceDecision]:
    """Every sentence of ``text`` with the default extractor's decision and reason."""
    return default_extractor(threshold, scorer, model_path).explain(text)
