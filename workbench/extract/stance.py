"""Opinions and predictions rank below facts: a score adjustment made after any scorer.

The scorers learn what a check-worthy sentence looks like from its words, and a sentence full
of the words of politics ("Russia", "retaliate", "the US") scores high whether it reports what
happened or guesses what will happen. Column and analysis pieces are mostly the latter, so
without this step an opinion column's first sentence was the first claim of the demo's queue.
A fact-checker can check "rents rose 16% last year"; "the crisis will only get worse" and "the
government should act" cannot be checked, however political.

``stance(sentence)`` counts the cues of judgement, advice and prediction the sentence carries,
less the cues of a checkable fact (figures, dates); ``adjust(score, sentence)`` lowers the
scorer's score by that amount on the log-odds scale, so that the ranking between sentences
without cues is the scorer's own, and a sentence with cues falls by a fixed factor of odds
whatever scorer produced it (and below the keep threshold when its score was not far above
it). Facts never gain: a figure or a date only cancels the weak cues (a hedge, a plain
future), since "the government would spend 40 million crowns" is an announcement while "the
party will win the most seats on 5 April" is still a prediction; so the scorer's precision on
neutral sentences stays what it was.

No parser and no model: cues are patterns on words, weighed by how reliably each marks a
sentence that cannot be checked.

* strong (``STRONG``): first-person belief ("I think", "in my view"), advice and obligation
  ("should", "must", "it is time to", an imperative opening a quotation), the predictive
  forms that editorials use ("will only", "is expected to", "sooner or later", "going
  forward"), evaluative words ("ridiculous", "nonsense", "deserves") and rhetorical frames
  ("of course", "to be clear", "nobody can say"). A question is no claim either.
* weak (``WEAK``): hedges and plain futures ("might", "could", "may", "probably", "would be",
  "will") - common in reported facts too ("the government would spend 40 million crowns"),
  so each counts for less and a figure cancels it.
* facts (``FACT``): a number or a date (month, weekday, year) cancels that much of the weak
  cues (measured on the development articles: cancelling strong cues too kept two more
  opinions and gave a lower AUC, 0.936 against 0.939).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

# Each pattern is one cue, counted at most once per sentence: a sentence with three
# "should"s is no more an opinion than one with one. The stance and weak patterns are written
# in lower case and run on the lower-cased sentence: Python's case-insensitive alternations
# are several times slower, and these run on every sentence of every document.
_STRONG_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "belief",
        re.compile(
            r"\bi(?:’m| am)? (?:\w+ly )?(?:think|believe|suspect|fear|doubt|feel|expect|guess|"
            r"hope|reckon|am (?:sure|convinced|afraid))\b"
            r"|\bin (?:my|our) (?:view|opinion|judgement|judgment)\b|\bto my mind\b",
        ),
    ),
    (
        "obligation",
        re.compile(
            r"\b(?:should|shouldn[’']t|ought to|must(?! have|-)|mustn[’']t|"
            r"(?:has|have) the right to|it is time|it[’']s time|(?:is|are) to blame|"
            r"only (?:themselves|himself|herself|itself) to blame)\b",
        ),
    ),
    (
        "prediction",
        re.compile(
            r"\bwill (?:only|never|surely|inevitably|certainly|likely|probably|soon)\b"
            r"|\bwill lead to\b|\b(?:is|are|was|were) (?:expected|likely|unlikely|bound|set) to\b"
            r"|\bsooner or later\b|\bgoing forward\b|\bin the coming (?:future|years|decades)\b"
            r"|\bif nothing changes\b|\bon current trends\b|\bit remains (?:uncertain|unclear|"
            r"to be seen)\b|\bhas yet to be\b|\brecipe for\b",
        ),
    ),
    (
        "evaluative",
        re.compile(
            r"\b(?:ridiculous|absurd|nonsense|shameful|disgraceful|outrageous|stark|scandalous|"
            r"beautiful|wonderful|terrible|awful|appalling|pathetic|laughable|naive|reckless|"
            r"credible|convoluted|audacious|deserves?|no better|no small matter|"
            r"obviously|undoubtedly|of course|to be (?:perfectly )?"
            r"clear|nobody can say|no one can say|there (?:is|can be) no doubt|"
            r"paying the price|optimistic|pessimistic|fragile|self-respecting)\b",
        ),
    ),
    # Sweeping subjects of wants and knowledge, generic advice: "Nobody wanted this", "no one
    # can say", "you cannot ask people to ..." ("no one was hurt" is a fact: not matched).
    (
        "sweeping",
        re.compile(
            r"\b(?:nobody|no one|everybody|everyone)(?: \w+){0,3} (?:wants?|wanted|knows?|knew|"
            r"can|could|should|believes?|thinks?|likes?|cares?|needs?)\b"
            r"|\byou (?:cannot|can[’']t|have to|need to)\b",
        ),
    ),
    # Advice in a quotation: "“Please leave.", "“Do not wait ...", "“Don’t ...".
    ("imperative", re.compile(r"^\W*(?:please|do not|don[’']t|let us|let[’']s)\b")),
    # A question, or the interviewer's turn of a Q&A ("Q: The commission says ..."), which
    # puts a point to the interviewee rather than asserting it.
    ("question", re.compile(r"\?\W*$|\?[”\"’']\s*(?:,|\w+ said)|^\W*q:\s")),
)
_WEAK_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "hedge",
        re.compile(
            r"\b(?:might|could|may|perhaps|maybe|possibly|probably|likely|unlikely|"
            r"seemingly|apparently|whether)\b",
        ),
    ),
    ("future", re.compile(r"\b(?:will|would|won[’']t|wouldn[’']t|[’']ll)\b")),
)
# A sentence that reports someone's words ("he said the government would ...", "..., she
# warned") states that they were said: a future in it is an announcement or a threat, which
# the labelled set counts as claims, and a hedge is theirs. Its weak cues are ignored and its
# obligation counts half; evaluative words and first-person belief still count in full.
_REPORTED = re.compile(
    r"\b(?:said|says|told|tells|announced|warned|threatened|vowed|pledged|promised|insisted|"
    r"insisting|added|declared|stated|confirmed|recalled|argued|claimed|according to)\b",
)
# For each cue, substrings one of which is in every text its pattern matches (a quick test on
# the lower-cased sentence before the regex, which Python tries at every position: most
# sentences have none of a cue's words). Checked against the patterns on the labelled news
# set by tests/extract/test_stance.py.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "belief": ("i ", "i’m", "in my ", "in our ", "to my mind"),
    "obligation": ("should", "ought", "must", "the right to", "time", "to blame"),
    "prediction": (
        "will ", "expected", "likely", "bound to", "set to", "sooner", "going forward",
        "coming", "nothing changes", "current trends", "remains", "yet to", "recipe",
    ),
    "evaluative": (
        "ridiculous", "absurd", "nonsense", "shameful", "disgraceful", "outrageous", "stark",
        "scandalous", "beautiful", "wonderful", "terrible", "awful", "appalling", "pathetic",
        "laughable", "naive", "reckless", "credible", "convoluted", "audacious", "deserve",
        "no better", "no small", "obviously", "undoubtedly", "of course", "to be ",
        "can say", "no doubt", "paying the price", "optimistic", "pessimistic", "fragile",
        "self-respecting",
    ),
    "sweeping": ("nobody", "no one", "everybody", "everyone", "you "),
    "imperative": ("please", "do not", "don", "let"),
    "question": ("?", "q:"),
    "hedge": (
        "might", "could", "may", "perhaps", "maybe", "possibly", "probably", "likely",
        "seemingly", "apparently", "whether",
    ),
    "future": ("will", "would", "won", "’ll", "'ll"),
}  # fmt: skip


def _has(name: str, pattern: re.Pattern[str], lowered: str) -> bool:
    return any(needle in lowered for needle in _NEEDLES[name]) and bool(pattern.search(lowered))


# The figure pattern runs on the lower-cased sentence, the date pattern on the sentence as
# written (capitals tell the month "March" from the verb).
_FIGURE = "figure"
_FACT_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        _FIGURE,
        re.compile(
            r"\d|\b(?:two|three|four|five|six|seven|eight|nine|ten|dozen|"
            r"hundred|thousand|million|billion|half|third|quarter)\b",
        ),
    ),
    (
        "date",
        re.compile(
            r"\b(?:January|February|March|April|June|July|August|September|October|November|"
            r"December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|"
            r"last (?:week|month|year))\b"
        ),
    ),
)

# Quoted words: between curly or straight double quotes, or from an opening quote to the end
# of the sentence (a quotation that goes on in the next sentence).
_QUOTED = re.compile(r"“([^”]*)(?:”|$)|\"([^\"]*)\"")
_WEAK_NAMES = frozenset(name for name, _ in _WEAK_CUES)
STRONG = 1.0
WEAK = 0.35
FACT = 0.5
# Log-odds removed per unit of net stance: one strong cue with no figure divides the odds by
# e^1.6 (about 5), taking a sentence from 0.5 to 0.17.
SLOPE = 1.6
_MAX_STANCE = 3.0


def cues(sentence: str) -> tuple[str, ...]:
    """The names of the cues in ``sentence``: stance cues as they are, fact cues as "+name"."""
    lowered = sentence.lower()
    found = [name for name, pattern in (*_STRONG_CUES, *_WEAK_CUES) if _has(name, pattern, lowered)]
    found += [f"+{name}" for name in _facts(sentence, lowered)]
    return tuple(found)


_DIGIT = re.compile(r"\d")
_DATE_NEEDLES = (
    "jan", "feb", "march", "april", "june", "july", "aug", "sept", "oct", "nov", "dec", "day",
    "last ",
)  # fmt: skip


def _facts(sentence: str, lowered: str) -> list[str]:
    found = []
    figure, date = _FACT_CUES[0][1], _FACT_CUES[1][1]
    if _DIGIT.search(sentence) or figure.search(lowered):
        found.append(_FIGURE)
    if any(needle in lowered for needle in _DATE_NEEDLES) and date.search(sentence):
        found.append("date")
    return found


def stance(sentence: str) -> float:
    """How much ``sentence`` reads as judgement or prediction rather than checkable fact (>= 0)."""
    lowered = sentence.lower()
    found = {name for name, pattern in (*_STRONG_CUES, *_WEAK_CUES) if _has(name, pattern, lowered)}
    if not found:
        return 0.0
    quoted = " ".join(m.group() for m in _QUOTED.finditer(lowered))
    # The discount is for indirect speech only: words inside quotation marks are the
    # speaker's own, and a judgement quoted is still a judgement.
    reported = bool(_REPORTED.search(lowered))
    amount = weak = 0.0
    for name, pattern in (*_STRONG_CUES, *_WEAK_CUES):
        if name not in found:
            continue
        own_words = bool(quoted) and bool(pattern.search(quoted))
        if name in _WEAK_NAMES:
            weak += 0.0 if reported and not own_words else WEAK
        elif name == "obligation" and reported and not own_words:
            amount += STRONG / 2
        else:
            amount += STRONG
    facts = len(_facts(sentence, lowered))
    return min(_MAX_STANCE, amount + max(0.0, weak - FACT * facts))


def adjust(score: float, sentence: str) -> float:
    """``score`` lowered by the stance of ``sentence`` on the log-odds scale (never raised)."""
    amount = stance(sentence)
    if amount == 0.0 or score <= 0.0:
        return score
    if score >= 1.0:
        score = 1.0 - 1e-9
    logit = math.log(score / (1.0 - score)) - SLOPE * amount
    return 1.0 / (1.0 + math.exp(-logit))


def adjust_many(scores: Sequence[float], sentences: Sequence[str]) -> list[float]:
    return [adjust(float(s), t) for s, t in zip(scores, sentences, strict=True)]
