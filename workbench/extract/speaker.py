"""Who says a sentence: reported speech attributed to the source the text names.

``attribute(text, spans)`` returns one speaker (or None) per sentence span. It reads the
document in order, because much attribution is only in the context: "He added: ..." needs the
last named speaker, "..., Lavrov said" is resolved to the fuller "Sergey Lavrov" mentioned
earlier, and the sentences of a quotation that runs over several sentences or paragraphs
belong to whoever introduced or closed the quotation. None means the outlet's own statement.

No parser: a reporting verb ("said", "told", "denied", ...) is found, and the source is the
noun phrase in front of it, cut back to the words a source can be made of (names, titles and
roles, determiners), or, after a closing quotation mark, the phrase that follows the verb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.extract.segment import paragraphs

_VERBS = (
    r"said|says|say|told|tells|tell|claimed|claims|claim|accused|accuses|accuse|denied|denies|"
    r"deny|declared|declares|announced|announces|stated|states|confirmed|confirms|added|adds|"
    r"warned|warns|insisted|insists|noted|notes|argued|argues|alleged|alleges|admitted|admits|"
    r"revealed|reveals|explained|explains|described|describes|vowed|vows|threatened|threatens|"
    r"reiterated|reiterates|recalled|recalls|emphasized|emphasised|emphasizes|stressed|"
    r"stresses|pointed out|clarified|suggested|characterized|asserted|asserts|wrote|writes|"
    r"replied|responded|acknowledged|countered|concluded|reported|hoped|promised|pledged|"
    r"(?:released|issued) a statement"
)
# Auxiliaries and adverbs allowed between the source and its verb: "has also said",
# "confidently stated", "implicitly threatened".
_BETWEEN = r"(?:(?:has|have|had|will|would|did|does|also|then|later|again|just|\w+ly)\s+){0,3}"
_REPORTING = re.compile(rf"\b{_BETWEEN}(?:{_VERBS})\b")
_ACCORDING = re.compile(r"\baccording to ((?:the |a |an )?[A-Z][^,.;:“”\"]{1,60})")
_COLON_SOURCE = re.compile(r"^((?:[A-Z][\w’'.-]*\s?){1,4}):\s+\S")
_AFTER_VERB = re.compile(r"^\s*((?:a|an|the|[A-Z])[^,.;:“”\"!?]{0,70})")
_QUOTE_END = re.compile(r"[”\"]\s*,?\s*$|,\s*$")

_PRONOUNS = frozenset({"he", "she", "they"})
_JOINERS = frozenset({"the", "a", "an", "of", "for", "to", "in", "at", "and", "de", "von", "van"})
_LEADING_DROPS = frozenset({"of", "for", "to", "in", "at", "and", "by", "on", "even", "so"})
# Lowercase words a source can contain: roles, bodies, titles ("Kremlin spokesman", "US
# intelligence agencies", "a spokesman for the Russian president").
_ROLES = frozenset(
    re.findall(
        r"\w+",
        """
        spokesman spokeswoman spokesperson spokespeople minister ministry adviser advisor
        advisers advisors official officials secretary president vice prime deputy chair
        chairman chairwoman chief head leader leaders envoy ambassador diplomat diplomats
        embassy agency agencies intelligence government report military army police office
        department representative representatives lawmakers senator governor mayor general
        commander foreign national security defence defense state director prosecutor
        prosecutors court judge campaign party analysts experts sources source officer
        officers staff spokespersons press secretariat authorities administration statement
        senior top former outgoing acting interim council committee service services
        ministries foreign-ministry white house team alliance
        """,
    )
)
_STOP_NAMES = frozenset(
    re.findall(
        r"\w+",
        """
        The This That These Those It He She They We I You His Her Their Our In On At As For
        With From After Before When While If But And Or So However Although Despite Amid
        Additionally Currently Meanwhile Asked Even Also Then Thus Interestingly Although
        """,
    )
)
_TITLE_WORDS = frozenset(
    re.findall(
        r"\w+",
        """
        President Minister Secretary General Spokesman Spokeswoman Adviser Advisor Foreign
        Deputy Prime Vice Chief Director Ambassador Senator Governor Mayor Chancellor King
        Queen Prince Pope Judge Officer Chair Chairman Commander Colonel Mr Mrs Ms Dr Former
        Outgoing Acting National Security Defense Defence State House Kremlin White Office
        Republican Democrat Democratic Sen Rep Gov Lt Col Capt Sgt
        """,
    )
)
# Capitalised words joined by spaces on one line; a period only as an initial ("Jens A. Smith").
_NAME_TOKEN = r"[A-Z](?:\.|[\w’'-]*)"
_NAME_RUN = re.compile(rf"{_NAME_TOKEN}(?:[ \t\xa0]+{_NAME_TOKEN})+")
_SUBJECT_NAME = re.compile(
    rf"({_NAME_TOKEN}(?:[ \xa0]{_NAME_TOKEN}){{0,3}}) (?:has|had|is|was|\w+ed|\w+s)\b"
)
_WORD = re.compile(r"[\w’'.-]+")
_NATIONALITY = re.compile(r"\w+(?:ian|ese)$")


def _clean(word: str) -> str:
    return word.removesuffix("’s").removesuffix("'s")


def _source_phrase(prefix: str) -> str | None:
    """The source at the end of ``prefix`` (the words before a reporting verb), or None."""
    segment = prefix.strip()
    if segment.endswith(","):
        # "Jake Sullivan, national security adviser to ..., told": skip the apposition.
        parts = [p.strip() for p in segment.rstrip(", ").split(",")]
        segment = parts[-2] if len(parts) >= 2 else parts[-1]
    else:
        segment = segment.rsplit(",", 1)[-1]
    segment = re.split(r"[“”\"—–:;()]", segment)[-1]
    words = _WORD.findall(segment)
    kept: list[str] = []
    for word in reversed(words):
        bare = _clean(word)
        if bare.lower() in _PRONOUNS:
            return None if kept else bare
        if bare[:1].isupper() or bare.lower() in _ROLES or bare.lower() in _JOINERS:
            kept.append(word)
        else:
            break
    kept.reverse()
    # Leading prepositions and openers are not part of the source; nor is a definite article
    # ("the Foreign Ministry" -> "Foreign Ministry"); "a spokesman ..." keeps its article.
    while kept and (
        kept[0].lower() in _LEADING_DROPS or kept[0] in _STOP_NAMES or kept[0].lower() == "the"
    ):
        kept.pop(0)
    if not kept:
        return None
    last = _clean(kept[-1])
    if last.lower() in _JOINERS or not (last[:1].isupper() or last.lower() in _ROLES):
        return None
    if len(kept) > 12:
        return None
    start = segment.find(kept[0])
    end = segment.rfind(kept[-1]) + len(kept[-1])
    return segment[start:end] if start >= 0 and end > start else " ".join(kept)


def own_attribution(sentence: str) -> str | None:
    """The source a sentence names for itself, possibly a pronoun; None when it names none."""
    if match := _ACCORDING.search(sentence):
        return match.group(1).strip()
    if match := _COLON_SOURCE.match(sentence):
        return match.group(1).strip()
    for verb in _REPORTING.finditer(sentence):
        prefix = sentence[: verb.start()]
        if source := _source_phrase(prefix):
            return source
        # "“…,” said a spokesman for the Russian president."
        if _QUOTE_END.search(prefix) and (after := _AFTER_VERB.match(sentence[verb.end() :])):
            phrase = after.group(1).strip()
            if phrase.split()[0] in {"a", "an", "the"} or phrase[:1].isupper():
                return phrase
    return None


def _is_pronoun(source: str) -> bool:
    return source.lower() in _PRONOUNS


def _is_named(source: str) -> bool:
    """A definite source that a later "he" can refer to (not "a White House adviser")."""
    first = source.split()[0].lower()
    return not _is_pronoun(source) and first not in {"a", "an"}


def _person_names(text: str) -> list[str]:
    """ "Given Surname" forms in ``text``: capitalised runs with the titles in front cut off."""
    names: list[str] = []
    for run in _NAME_RUN.finditer(text):
        words = [_clean(w) for w in run.group().split()]
        kept: list[str] = []
        for word in reversed(words):
            if word in _TITLE_WORDS or word in _STOP_NAMES or _NATIONALITY.match(word):
                break
            kept.append(word)
        if len(kept) >= 2:
            names.append(" ".join(reversed(kept)))
    return names


def _fuller(source: str, names: Sequence[str]) -> str:
    """A lone surname ("Lavrov") becomes the longest earlier name ending in it ("Sergey Lavrov")."""
    if " " in source or not source[:1].isupper():
        return source
    matches = [n for n in names if n.endswith(" " + source)]
    return max(matches, key=len) if matches else source


def _subject_name(sentence: str) -> str | None:
    """The first name in a sentence followed by a verb ("Trump has faced", "Putin praised")."""
    for match in _SUBJECT_NAME.finditer(sentence):
        words = match.group(1).split()
        while words and (words[0] in _STOP_NAMES or words[0].endswith(("ly", "ing"))):
            words.pop(0)
        if words:
            return _clean(" ".join(words))
    return None


@dataclass
class _Quote:
    start: int
    end: int


def _quotations(text: str, paragraph_spans: Sequence[tuple[int, int]]) -> list[_Quote]:
    """Curly-quoted stretches. An opening quote runs to the next closing one; when another
    opening quote comes first, it ran to the end of its paragraph (left unclosed)."""
    marks = [(m.start(), m.group()) for m in re.finditer(r"[“”]", text)]
    quotes: list[_Quote] = []
    for index, (position, mark) in enumerate(marks):
        if mark != "“":
            continue
        following = marks[index + 1] if index + 1 < len(marks) else None
        if following and following[1] == "”":
            quotes.append(_Quote(position, following[0] + 1))
        else:
            end = next((e for s, e in paragraph_spans if s <= position < e), len(text))
            quotes.append(_Quote(position, end))
    return quotes


def attribute(text: str, spans: Sequence[tuple[int, int]]) -> list[str | None]:
    """One speaker per sentence span of ``text`` (None: the outlet's own statement)."""
    paragraph_spans = paragraphs(text)
    quotes = _quotations(text, paragraph_spans)
    sentences = [text[s:e] for s, e in spans]
    own = [own_attribution(sentence) for sentence in sentences]
    speakers: list[str | None] = [None] * len(spans)
    last_named: str | None = None
    for i, (_start, end) in enumerate(spans):
        names = _person_names(text[:end]) or _person_names(text)
        source = own[i]
        if source is None:
            source = _from_quotation(i, spans, sentences, own, speakers, quotes)
        if source is not None and _is_pronoun(source):
            previous = speakers[i - 1] if i else None
            lead = _subject_name(sentences[i - 1]) if i else None
            if previous and _is_named(previous):
                source = previous
            elif lead and own[i - 1] is None:
                source = _fuller(lead, names)
            else:
                source = last_named
        if source is not None:
            source = _fuller(source, names)
            if _is_named(source):
                last_named = source
        speakers[i] = source
    return speakers


def _from_quotation(
    i: int,
    spans: Sequence[tuple[int, int]],
    sentences: Sequence[str],
    own: Sequence[str | None],
    speakers: Sequence[str | None],
    quotes: Sequence[_Quote],
) -> str | None:
    """The source of the quotation that sentence ``i`` is part of, taken from a neighbour."""
    start, end = spans[i]
    quote = next((q for q in quotes if q.start <= start < q.end or start <= q.start < end), None)
    if quote is None:
        return None
    opener = next((j for j, (s, e) in enumerate(spans) if s <= quote.start < e), i)
    # Introduced before: by the sentence that opens the quotation ("He added: “..."), or by
    # the one just before it when that one ends on a colon ("... told CNN the following:").
    if opener < i and speakers[opener] is not None:
        return speakers[opener]
    intro = opener - 1
    if intro >= 0 and sentences[intro].rstrip().endswith(":") and speakers[intro] is not None:
        return speakers[intro]
    # Closed after: the first later sentence of the quotation that names a source.
    for j in range(i + 1, len(spans)):
        if spans[j][0] > quote.end:
            break
        if own[j] is not None:
            return own[j]
    return None
