"""A heuristic check-worthiness score: does a sentence state something a fact-checker could check?

Each feature is a precompiled pattern (or a count of names) with a weight in ``WEIGHTS``; the
score is the logistic function of ``BIAS`` plus the weights of the features that fired, so it
always lies in (0, 1) and a feature with a positive weight can only raise it. Positive features
are what a checkable statement is made of (numbers, dates, named actors, attribution,
quotations); negative ones mark opinion, speculation, questions and fragments. The weights were
set by hand on the sample articles and checked against the CheckThat! 2024 English dev-test set;
they are a readable baseline, not a trained model.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

DEFAULT_THRESHOLD = 0.5

_I = re.IGNORECASE
# "May" is left out: alone it is usually the verb. _DATE takes it with a day or a preposition.
_MONTHS = (
    r"January|February|March|April|June|July|August|September|October|November|December|"
    r"Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\."
)
_WEEKDAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_RELATIVE_TIME = (
    r"yesterday|today|tonight|last (?:year|month|week|night)|this (?:year|week|month)|"
    r"earlier this|next (?:week|month|year)|in recent (?:days|weeks|months|years)|"
    r"(?:days|weeks|months|years) ago"
)
_NUMBER_WORDS = (
    r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundreds?|thousands?|millions?|billions?|trillions?|dozens?|twice"
)
_REPORTING = (
    r"(?<!That )said|says|say|told|tells|claimed|claims|claim|accused|accuses|accuse|denied|"
    r"denies|deny|declared|declares|announced|announces|stated|states|confirmed|confirms|"
    r"reported|reports|added|warned|warns|insisted|insists|noted|notes|argued|argues|alleged|"
    r"alleges|admitted|admits|revealed|reveals|estimated|estimates|testified|acknowledged|"
    r"emphasized|emphasised|stressed|explained|described|vowed|threatened|pledged|promised|"
    r"reiterated|recalled|according to|in a statement|clarified|suggested|characterized|"
    r"praised|blamed|called"
)
_OPINION_OPENERS = (
    r"\b(?:I|we) (?:think|believe|feel|guess|suppose|hope|wish)\b|\bin my (?:view|opinion)\b"
    r"|\bto me\b|\bI(?:’|')m (?:sure|convinced)\b|\bpersonally\b"
)

_PATTERNS: dict[str, re.Pattern[str]] = {
    "number": re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", _I),
    "quantity": re.compile(r"\d\s*%|\bper ?cent\b|[$€£¥]\s*\d|\d+(?:\.\d+)? ?(?:million|billion)"),
    "date": re.compile(
        rf"\b(?:{_MONTHS}|{_WEEKDAYS})\b|\bMay \d|\b(?:in|on|since|until|of|by|early|late) May\b"
        rf"|\b(?:1[89]|20)\d\d\b|\b(?:{_RELATIVE_TIME})\b"
    ),
    "multiword_name": re.compile(r"\b[A-Z][a-z][\w’'-]*(?: (?:of |the |de )?[A-Z][\w’'-]+)+"),
    "reporting_verb": re.compile(rf"\b(?:{_REPORTING})\b", _I),
    "quotation": re.compile(r"[“”\"]"),
    "first_person_opinion": re.compile(_OPINION_OPENERS, _I),
    "question": re.compile(r"\?[\"”’)]*\s*$"),
    "hedge": re.compile(
        r"\b(?:might|perhaps|maybe|possibly|could|seem(?:s|ed)?|seemingly|probably|likely|"
        r"unlikely|remains? (?:uncertain|unclear)|it is unclear|whether|apparently|suggests|"
        r"potential(?:ly)?|scenarios?)\b",
        _I,
    ),
    "evaluative": re.compile(
        r"\b(?:should|shouldn(?:’|')t|ought to|obviously|of course|clearly|absolutely|"
        r"undoubtedly|surely|certainly|arguably|extremely|perfectly|ridiculous|"
        r"it(?:’|')s worth noting|interestingly|has the right|nobody can say)\b",
        _I,
    ),
}

# name: weight. The comment says why the feature moves the score.
WEIGHTS: dict[str, float] = {
    "number": 1.2,  # counts and amounts: the most checkable detail a sentence can carry
    "quantity": 0.6,  # percentages and money, on top of a plain number
    "date": 1.0,  # a when (weekday, month, year, "last week") anchors an event
    "named_actor": 1.7,  # a capitalised name (person, country, agency); alone it reaches 0.5
    "several_actors": 0.5,  # three or more different names: a concrete event between parties
    "multiword_name": 0.4,  # "Dmitry Peskov", "Foreign Ministry": a specific actor
    "reporting_verb": 0.9,  # said / told / denied: someone is on record with a claim
    "quotation": 0.5,  # quoted words can be checked against their source
    "first_person_opinion": -2.0,  # "I think", "in my view": the writer's opinion
    "question": -2.5,  # a question asserts nothing
    "hedge": -1.3,  # might / perhaps / could: speculation rather than a statement
    "hedges": -0.8,  # two or more different hedges: the sentence is a guess throughout
    "evaluative": -1.1,  # should / obviously / has the right: a judgement, not a fact
    "evaluatives": -0.8,  # two or more different judgement words: an opinion piece's voice
    "unterminated": -1.0,  # no final punctuation: a headline, a caption or a label
    "short": -1.5,  # fewer than 6 words: a fragment, a label or a reply
    "long": 0.3,  # 15 words or more: room for a concrete statement
}
BIAS = -1.6  # a sentence with no feature at all scores about 0.17

# A capitalised word ("Kiev", "NATO", "Peskov"). The first word of a sentence is capitalised
# anyway: it counts only when it is not a common sentence opener.
_NAME_TOKEN = re.compile(r"\b(?:[A-Z][\w’'-]*[a-z][\w’'-]*|[A-Z]{2,}s?)\b")
_OPENER_WORDS = """
    a an the this that these those it its he she they we you i his her their our my your
    there here and but or so yet nor if when while although though because since as after
    before during despite amid until unless whether why what who whom whose which how where
    in on at by for from with without about of to into over under between among through
    however additionally currently meanwhile moreover furthermore nevertheless nonetheless
    also even still then thus therefore instead indeed only just not no nobody everyone
    some many most several all each every both either neither one such other another
    regarding according asked interestingly unfortunately fortunately finally first second
    last next today yesterday tomorrow recently earlier later now
"""
_OPENERS = frozenset(re.findall(r"\w+", _OPENER_WORDS))
_OPENER_SHAPE = re.compile(r"\w+(?:ly|ing|ed)$")  # "Currently", "Downgrading", "Asked"
_LEADING_PUNCTUATION = "“\"‘'([ "
_TERMINATED = re.compile(r"[.!?…:;][\"'”’)\]]*$|[\"”]$")


@dataclass(frozen=True)
class Score:
    """A sentence's check-worthiness and the features that produced it."""

    value: float
    features: tuple[str, ...]


def actors(sentence: str) -> set[str]:
    """Distinct capitalised words; the first one only when it does not look like an opener."""
    first = len(sentence) - len(sentence.lstrip(_LEADING_PUNCTUATION))
    found: set[str] = set()
    for match in _NAME_TOKEN.finditer(sentence):
        word = match.group()
        key = word.casefold()
        # Openers are skipped anywhere ("Kremlin: We are ready"); the -ly/-ing/-ed shape only
        # at the start, where every word is capitalised.
        if key in _OPENERS or (match.start() == first and _OPENER_SHAPE.match(key)):
            continue
        found.add(word.removesuffix("’s").removesuffix("'s"))
    return found


def features(sentence: str) -> tuple[str, ...]:
    """The names of the features that fire on ``sentence``, in ``WEIGHTS`` order."""
    text = sentence.strip()
    fired = {name for name, pattern in _PATTERNS.items() if pattern.search(text)}
    for name in ("hedge", "evaluative"):
        hits = {m.group().casefold() for m in _PATTERNS[name].finditer(text)}
        if len(hits) >= 2:
            fired.add(name + "s")
    names = len(actors(text))
    if names:
        fired.add("named_actor")
    if names >= 3:
        fired.add("several_actors")
    if text and not _TERMINATED.search(text):
        fired.add("unterminated")
    words = len(text.split())
    if words < 6:
        fired.add("short")
    elif words >= 15:
        fired.add("long")
    return tuple(name for name in WEIGHTS if name in fired)


def score(sentence: str) -> Score:
    """Check-worthiness in (0, 1): logistic of ``BIAS`` plus the weights of the fired features."""
    fired = features(sentence)
    total = BIAS + sum(WEIGHTS[name] for name in fired)
    return Score(value=1.0 / (1.0 + math.exp(-total)), features=fired)
