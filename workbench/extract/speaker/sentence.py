"""Who one sentence names as its source, read on its own (no document context).

A reporting verb is found and the source is the noun phrase in front of it, cut back to the
words a source can be made of, or, after a closing quotation mark, the phrase after the verb;
"according to X", "X: ..." and unnamed sources ("Two diplomats familiar with the talks") too.
A verb in a subordinate clause does not make its subject the speaker of the sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workbench.extract.speaker.words import (
    BODY_NOUNS,
    CLAUSE_WORDS,
    DETERMINERS,
    DOCUMENT_WORDS,
    JOINERS,
    LEADING_DROPS,
    NON_SOURCE_SUBJECTS,
    PRONOUNS,
    ROLES,
    STOP_NAMES,
    SUBORDINATORS,
    VERBS,
)

# Auxiliaries and adverbs allowed between the source and its verb: "has also said",
# "confidently stated", "implicitly threatened".
_BETWEEN = r"(?:(?:has|have|had|will|would|did|does|also|then|later|again|just|\w+ly)\s+){0,3}"
_REPORTING = re.compile(rf"\b{_BETWEEN}(?:{VERBS})\b")
# Participles report for the subject of the main clause: "..., saying", "... stance stating".
_PARTICIPLE = re.compile(
    r"\b(?:saying|insisting|warning|claiming|stating|noting|arguing|adding|accusing|denying|"
    r"alleging|asserting|stressing|explaining|describing|speaking|telling)\b"
)
# A participle after a determiner or an adjective is a noun: "issued an amber warning", "a
# stark warning". Tested on the words in front of a participle found (a lookbehind in the
# pattern itself would be tried at every position of every sentence).
_NOUN_USE = re.compile(r"\b(?:an|a|the|its|their|his|her|amber|red|yellow|stark|final)\s+$")
# "according to the Central Election Commission"; "according to the agency’s report" gives
# "the agency", which is then resolved to the agency named before.
_ACCORDING = re.compile(
    r"\b[Aa]ccording to ((?:the |a |an )?[A-Z][^,.;:“”\"]{1,60}|the [a-z]+(?=’s\b|'s\b|[.,;]|$)"
    # "according to the national port authority", "according to official statistics"
    # "according to researchers at the University of Ashgrove": the group with its institution
    r"|(?:[a-z-]+ ){0,2}(?:researchers|scientists|experts|economists|analysts) (?:at|from) "
    r"(?:the )?[A-Z][^,.;:“”\"]{1,60}"
    r"|(?:the )?(?:[a-z’'-]+ ){0,3}(?:authority|authorities|office|agency|ministry|police|"
    r"officials|records|statistics|data|figures|counts|estimates|sources|commission|council|bank|"
    r"institute|service|department|regulator|researchers|scientists|analysts|survey|study)"
    r"(?=[.,;]|$|\s(?:for|from|of|on|in|published|by)\b))"
)
_DOCUMENT_OF = re.compile(
    r"(.+?)[’']s (?:[\w-]+ ){0,2}(?:report|statement|data|figures|survey|study|analysis|"
    r"estimates?|records?)$"
)
_FIGURES_FROM = re.compile(
    r" (?:from|by|of) (?:the )?([A-Z][\w’'-]*(?: (?:of |for |the )*[A-Z][\w’'-]*){0,5})"
)
_COLON_SOURCE = re.compile(r"^((?:[A-Z][\w’'.-]*\s?){1,4}):\s+\S")
_AFTER_VERB = re.compile(r"^\s*([A-Za-z][^,.;:“”\"!?]{0,70})")
_QUOTE_END = re.compile(r"[”\"]\s*,?\s*$|,\s*$")
# Dashes and brackets set off an aside ("– which Washington has threatened –"); what the aside
# says does not change who the main clause is about.
_ASIDE = re.compile(r"\s[–—]\s[^–—]*\s[–—]\s|\([^()]*\)")
# Capitalised words joined by spaces on one line; a period only as an initial ("Jens A. Smith").
NAME_TOKEN = r"[A-Z](?:\.|[\w’'-]*)"
WORD = re.compile(r"[\w’'.-]+")
CLAUSE_BREAK = re.compile(r"[,“”\"—–:;()]")


def clean(word: str) -> str:
    return word.removesuffix("’s").removesuffix("'s")


# An unnamed group opening the sentence, with where it is from: "Parents at one of the affected
# schools", "Residents of the flooded streets". A plural noun, a preposition, a short phrase
# without a clause break, then the reporting verb.
_GROUP_SOURCE = re.compile(r"^\s*([A-Z][a-z]+s (?:at|from|of|in|near) [^,;:“”\"()]{3,60}?)\s*$")
# An unnamed source that opens the sentence with a numeral or an article and a description,
# possibly followed by an aside on its anonymity: "One woman in her eighties, who asked not to
# be named, said", "Two diplomats familiar with the talks said", "One mother said". Stored as
# written (the README's convention for unnamed sources). A finite verb or a relative pronoun
# inside the description means the phrase is a clause, not a source ("A man who was arrested").
_UNNAMED_SOURCE = re.compile(
    r"^\s*((?:A|An|One|Two|Three|Four|Five|Several|Some|Many|Other)\s+[a-z][\w’'-]*"
    r"(?:\s+[\w’'-]+){0,6}?)\s*(?:,\s*(?:who|speaking|citing)\b[^,;:“”\"]*,)?\s*$"
)
# A group named by a capitalised word and a plural noun, the whole subject of the sentence.
_PLURAL_GROUP = re.compile(r"^\s*([A-Z][a-z]+ [a-z]{3,}(?<!ss)s)\s*$")
# "..., said its chair, Linda Osei": a role with a possessive after the verb, then the name.
_POSSESSIVE_APPOSITION = re.compile(
    rf"^\s*(?:its|his|her|their)\s+[a-z][\w -]{{0,40}},\s+"
    rf"({NAME_TOKEN}(?:[ \xa0]{NAME_TOKEN}){{1,3}})"
)


def _unnamed_source(prefix: str) -> str | None:
    """ "One woman in her eighties, who asked not to be named," -> "One woman in her eighties"."""
    match = _UNNAMED_SOURCE.match(prefix)
    if match is None:
        return None
    phrase = match.group(1)
    if {w.lower() for w in WORD.findall(phrase)} & CLAUSE_WORDS:
        return None
    return phrase


def _modifiers(words: Sequence[str], kept: Sequence[str]) -> list[str]:
    """Lower-case words in front of a body noun, back to its determiner or possessive: "the
    country’s civil protection agency" -> "civil protection" (for "civil protection agency").
    Returned last word first, like ``kept``; empty unless a determiner closes them, so that a
    verb or an object in front ("cut the agency") is never taken in."""
    if (
        not kept
        or clean(kept[0]).lower() not in BODY_NOUNS
        or not all(word.islower() for word in kept)
    ):
        return []
    found: list[str] = []
    for word in reversed(words):
        bare = word.lower()
        if bare in {"the", "its", "their", "our"} or bare.endswith(("’s", "'s")):
            return found
        if len(found) == 3 or not re.fullmatch(r"[a-z-]+", word):
            return []
        found.append(word)
    return []


def _source_phrase(prefix: str) -> str | None:
    """The source at the end of ``prefix`` (the words before a reporting verb), or None."""
    segment = prefix.strip()
    if segment.endswith(","):
        # "Jake Sullivan, national security adviser to ..., told": skip the apposition.
        parts = [p.strip() for p in segment.rstrip(", ").split(",")]
        segment = parts[-2] if len(parts) >= 2 else parts[-1]
        if len(parts) >= 2 and re.fullmatch(r"(?:[A-Z][\w’'.-]*\s?){1,6}", parts[-1]):
            segment = parts[-1]  # "The energy regulator, NVE, said": the aside is the name
    else:
        segment = segment.rsplit(",", 1)[-1]
    segment = re.split(r"[“”\"—–:;()]", segment)[-1]
    words = WORD.findall(segment)
    kept: list[str] = []
    for index, word in enumerate(reversed(words)):
        bare = clean(word)
        if bare.lower() in PRONOUNS:
            return None if kept else bare
        if bare[:1].isupper() or bare.lower() in ROLES or bare.lower() in JOINERS:
            kept.append(word)
        else:
            kept += _modifiers(words[: len(words) - index], kept)
            break
    kept.reverse()
    # Leading prepositions and openers are not part of the source; nor is a definite article
    # ("the Foreign Ministry" -> "Foreign Ministry"); "a spokesman ..." keeps its article.
    while kept and (
        kept[0].lower() in LEADING_DROPS or kept[0] in STOP_NAMES or kept[0].lower() == "the"
    ):
        kept.pop(0)
    if not kept:
        return None
    last = clean(kept[-1])
    if last.lower() in JOINERS or not (last[:1].isupper() or last.lower() in ROLES):
        return None
    if len(kept) > 12:
        return None
    start = segment.find(kept[0])
    end = segment.rfind(kept[-1]) + len(kept[-1])
    return segment[start:end] if start >= 0 and end > start else " ".join(kept)


def _is_subordinate(prefix: str, source: str) -> bool:
    """Whether the ``source`` ending ``prefix`` opens a subordinate clause ("that Russia")."""
    at = prefix.rfind(source)
    if at < 0:
        return False
    before = WORD.findall(CLAUSE_BREAK.split(prefix[:at])[-1])
    while before and before[-1].lower() in DETERMINERS:
        before.pop()
    return bool(before) and before[-1].lower() in SUBORDINATORS


_APPOSED_NAME = re.compile(
    rf"(?:The|the|Its|His|Her|Their|its|his|her|their) [^,;:“”\"]{{2,60}}, "
    rf"({NAME_TOKEN}(?:[ \xa0]{NAME_TOKEN}){{1,3}}),"
)


def main_subject(sentence: str) -> str | None:
    """The subject of the main clause, after fronted phrases ("However, he ..."), or None.

    Returns a pronoun as it is; None when the subject is no source ("it’s worth noting").
    """
    starts = [0, *[m.end() for m in re.finditer(r",\s*", sentence)][:2]]
    for start in starts:
        # "The regional governor, Tomás Aguirre, asked ...": the named apposition is the
        # subject, not the role in front of it.
        if named := _APPOSED_NAME.match(sentence, start):
            return named.group(1)
        words = list(WORD.finditer(sentence, start))
        if not words:
            return None
        first = clean(words[0].group())
        if first.lower() in NON_SOURCE_SUBJECTS:
            return None
        if first.lower() in PRONOUNS:
            return first
        if first.capitalize() in STOP_NAMES and first != "The":
            continue  # a fronted phrase: the subject comes after its comma
        if re.match(r"[A-Z][\w’'-]*,", sentence[words[0].start() :]):
            continue  # "Online, posts claiming ...": one fronted word, not the subject
        kept: list[re.Match[str]] = []
        for match in words:
            bare = clean(match.group())
            if not kept and bare.lower() == "the":
                continue
            if bare[:1].isupper() or bare.lower() in ROLES or bare.lower() in JOINERS:
                kept.append(match)
            else:
                break
        while kept and clean(kept[-1].group()).lower() in JOINERS:
            kept.pop()
        if not kept:
            return None
        return sentence[kept[0].start() : kept[-1].end()]
    return None


def own_attribution(sentence: str) -> str | None:
    """The source a sentence names for itself, possibly a pronoun; None when it names none."""
    if match := _ACCORDING.search(sentence):
        source = match.group(1).strip()
        # "according to figures from the Office of Rail Standards": the body, not its figures.
        if origin := _FIGURES_FROM.match(sentence, match.end(1)):
            return origin.group(1)
        # "according to central bank data": the bank; "official statistics" stays.
        words = source.split()
        if len(words) > 1 and words[-1] in DOCUMENT_WORDS and words[-2] in BODY_NOUNS:
            return " ".join(words[:-1])
        # "according to Nordnett’s preliminary report": the body, not its document.
        if owner := _DOCUMENT_OF.match(source):
            return owner.group(1)
        return source
    if match := _COLON_SOURCE.match(sentence):
        return match.group(1).strip()
    # Asides are blanked (same length, so positions hold) before looking for the clause
    # structure: "... Pyongyang – which Washington has threatened – and warned".
    plain = _ASIDE.sub(lambda m: " " * len(m.group()), sentence)
    reporting = sorted(
        [(m, False) for m in _REPORTING.finditer(plain)]
        + [(m, True) for m in _PARTICIPLE.finditer(plain)],
        key=lambda pair: pair[0].start(),
    )
    # A reporting verb inside the quoted words is the quoted speaker's ("“The government
    # promised in 2024 ...,” Ms Quinlan said"): the quotation's own source speaks.
    quoted = [(m.start(), m.end()) for m in re.finditer(r"“[^”]*(?:”|$)", plain)]
    for verb, participle in reporting:
        if any(start < verb.start() < end for start, end in quoted):
            continue
        if participle and _NOUN_USE.search(plain, max(0, verb.start() - 12), verb.start()):
            continue
        prefix = plain[: verb.start()]
        if participle:
            if subject := main_subject(plain):
                return subject
            continue  # "posts claiming", "it’s worth noting": a later verb may still report
        if source := _source_phrase(prefix):
            if _is_subordinate(prefix, source):
                continue
            return source
        if group := _GROUP_SOURCE.match(prefix):
            return group.group(1)  # "Parents at one of the affected schools said"
        if group := _PLURAL_GROUP.match(prefix):
            return group.group(1)  # "Fishing guides said", "Local traders said"
        if unnamed := _unnamed_source(prefix):
            return unnamed  # "One mother, who asked that her name not be used, said"
        if re.search(r"\band\s*$", prefix):
            # "X did this and warned ...": the coordinated verb shares the main subject.
            return main_subject(plain)
        # "“…,” said a spokesman for the Russian president."
        if _QUOTE_END.search(prefix) and (
            named := _POSSESSIVE_APPOSITION.match(plain[verb.end() :])
        ):
            return named.group(1)  # "“…,” said its chair, Linda Osei."
        if _QUOTE_END.search(prefix) and (after := _AFTER_VERB.match(plain[verb.end() :])):
            phrase = after.group(1).strip()
            first = phrase.split()[0]
            if first in DETERMINERS or first[:1].isupper() or first in ROLES:
                return phrase
    return None


def is_pronoun(source: str) -> bool:
    return source.lower() in PRONOUNS
