"""The people, places and bodies a document names, and the one form each person is stored in.

A person is stored in the first form that carries a role ("Kremlin spokesman Dmitry Peskov"),
else the full name; genders come from titles, pronoun-free words and given names. Places and
peoples are never speakers; bodies ("the company", "the ministry") resolve to the one the
document named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from workbench.extract.speaker.sentence import (
    CLAUSE_BREAK,
    NAME_TOKEN,
    WORD,
    clean,
    is_pronoun,
    main_subject,
)
from workbench.extract.speaker.words import (
    BODY_NOUNS,
    DESCRIPTORS,
    DETERMINERS,
    FEMALE_NAMES,
    FEMALE_WORDS,
    INSTITUTION_LAST,
    JOINERS,
    MALE_NAMES,
    MALE_WORDS,
    NON_PERSON_FIRST,
    NON_PERSON_LAST,
    PEOPLES,
    PERSON_ROLES,
    PLACE_ADJECTIVES,
    PLACE_NAMES,
    ROLES,
    STOP_NAMES,
    TEAM_LAST,
    TITLE_WORDS,
)

_NAME_RUN = re.compile(rf"{NAME_TOKEN}(?:[ \t\xa0]+{NAME_TOKEN})+")
_SUBJECT_NAME = re.compile(
    rf"({NAME_TOKEN}(?:[ \xa0]{NAME_TOKEN}){{0,3}}) (?:has|had|is|was|\w+ed|\w+s)\b"
)
_NATIONALITY = re.compile(r"\w+(?:ian|ese)$")
# Plural demonyms and other collective names of peoples ("Europeans and Americans accuse").
_DEMONYM = re.compile(r"[A-Z]\w+(?:ans|ese|is|erners)$")
# In a document, a capitalised name right after one of these is a place ("reporters in
# Velmora", "anchored off Brenholm"): only prepositions that are about space, since "to X"
# and "with X" are said of companies as often as of places.
_LOCATIVE = re.compile(
    r"\b(?:in|near|outside|across|throughout|off|inside|across|around) "
    rf"(?:the )?({NAME_TOKEN}(?:[ \xa0]{NAME_TOKEN})?)"
)
# A name of up to six capitalised words joined by "of", "for", "the": "University of Ashgrove".
_INSTITUTION = r"[A-Z][\w’'-]*(?: (?:of |for |the )*[A-Z][\w’'-]*){0,5}"
_RESEARCHERS = rf"(?:researchers|scientists) (?:at|from) (?:the )?{_INSTITUTION}"
_STUDY_BY = re.compile(
    r"\b(?:study|research|paper|survey|analysis)\b[^.;:“”\"]{0,40}?\bby "
    rf"(?:the )?({_RESEARCHERS}|{_INSTITUTION})"
)
_RESEARCHERS_AT = re.compile(rf"\b({_RESEARCHERS})")


def _study_author(text: str) -> str | None:
    """Who wrote the study the document reports on; None when it does not say."""
    match = _STUDY_BY.search(text) or _RESEARCHERS_AT.search(text)
    return match.group(1) if match else None


_PERSONAL = re.compile(r"\b(?:he|she|his|her|him)\b", re.IGNORECASE)


def document_bodies(sentences: Sequence[str], places: frozenset[str]) -> list[tuple[str, str]]:
    """Companies and clubs a document names by their names alone, as (name, kind) in reading
    order, kind "club" or "company". A club by its name ("Ferrow United"); a company by how
    the sentence naming it goes on: "its" or "it" and no personal pronoun ("Calder Mills, one
    of the country's largest flour producers, is recalling ... from its plant"), which a
    person's name never has."""
    found: list[tuple[str, str]] = []
    for sentence in sentences:
        for run in _NAME_RUN.finditer(sentence):
            words = run.group().split()
            while words and (words[0] in STOP_NAMES or words[0] in {"A", "An"}):
                words.pop(0)
            if not 2 <= len(words) <= 4:
                continue
            name = " ".join(clean(w) for w in words)
            if name in places or name in PLACE_NAMES or gender_of(words) is not None:
                continue
            if words[-1] in TEAM_LAST:
                found.append((name, "club"))
                continue
            rest = sentence[run.end() :]
            if (
                clean(words[-1]) not in INSTITUTION_LAST
                and re.search(r"\bits?\b", rest)
                and not _PERSONAL.search(sentence)
            ):
                found.append((name, "company"))
    return found


# "Trevia's Defence Ministry", "Galvan's foreign minister": a name owning a state's
# institutions is a country, whatever the list of countries says.
_STATE_OWNER = re.compile(
    rf"\b({NAME_TOKEN})[’']s (?:[A-Z]\w+ |[a-z]+ )?(?:Ministry|Minister|minister|ministry|"
    r"government|President|president|Prime|army|military|embassy|parliament|border|capital|"
    r"Foreign|Defence|Defense|Interior)\b"
)


def document_places(text: str) -> frozenset[str]:
    """Names the document uses as places: after a preposition of space ("in Velmora"), or
    owning a state's institutions ("Trevia's Defence Ministry")."""
    return frozenset(match.group(1) for match in _LOCATIVE.finditer(text)) | frozenset(
        match.group(1) for match in _STATE_OWNER.finditer(text)
    )


def is_place_or_group(source: str, places: frozenset[str]) -> bool:
    """Whether ``source`` is only places or peoples: "Kiev", "Copenhagen and Amsterdam",
    "Europeans and Americans", "Neighbouring Estmark", "the United States".

    Each part of a coordination must be one: "Russia and the WHO" keeps its body. A part is a
    place when it is a listed country or city or the document puts it after "in", "near",
    "off", ...; a people when it is a plural demonym. Roles, bodies and names make it no
    place ("Russian embassy", "Kremlin", "Nordnett")."""
    parts = [p.strip() for p in re.split(r",\s*|\s+and\s+|\s*&\s*", source) if p.strip()]
    if not parts:
        return False
    for part in parts:
        words = part.split()
        qualified = False  # "Neighbouring Estmark": the adjective says it is a place
        while words and words[0].lower() in PLACE_ADJECTIVES:
            qualified = qualified or words[0].lower() != "the"
            words = words[1:]
        name = " ".join(words)
        if not name:
            return False
        if len(words) == 1 and (_DEMONYM.match(name) or name in PEOPLES):
            continue
        if name in PLACE_NAMES or name in places or (qualified and len(words) == 1):
            continue
        return False
    return True


def without_descriptor(source: str) -> str:
    """ "grid operator Nordnett" -> "Nordnett", "Supermarket chain FreshWay" -> "FreshWay": a
    common noun for a company in front of its name describes it; the name is the source.
    Person roles stay ("Transport Minister Hedda Sorensen")."""
    words = source.split()
    for k in range(len(words) - 1, 0, -1):
        if words[k - 1].lower() in DESCRIPTORS:
            rest = words[k:]
            if all(w[:1].isupper() for w in rest) and words[k - 1].islower():
                return " ".join(rest)
            break
    return source


def body_subject(sentence: str, noun: str) -> str | None:
    """The named subject of ``sentence`` when "the ``noun``" at its end refers to it:
    "The Kaldera Chamber of Commerce estimated ..., the chamber said", "Network Meridia has
    closed ..., the operator said". The subject must be capitalised and must either contain
    the noun or be a name that is no person ("Network Meridia", not "Daniel Marsh")."""
    subject = main_subject(sentence)
    if subject is None or not subject[:1].isupper() or is_pronoun(subject):
        return None
    words = [clean(w) for w in WORD.findall(subject)]
    if noun in {w.lower() for w in words}:
        return subject
    if noun in BODY_NOUNS and noun not in {"ministry", "agency", "council", "court"}:
        # A generic noun ("the company", "the operator") refers back to a named body; the
        # subject must then not look like a person's name.
        if _person_names(subject) and not NON_PERSON_LAST & set(words):
            return None
        return subject
    return None


def _name_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of "Given Surname" forms in ``text``: capitalised runs, titles in front cut off."""
    for run in _NAME_RUN.finditer(text):
        tokens = list(re.finditer(r"\S+", run.group()))
        kept: list[re.Match[str]] = []
        for token in reversed(tokens):
            word = clean(token.group())
            if word in TITLE_WORDS or word in STOP_NAMES or _NATIONALITY.match(word):
                break
            if word in {"A", "An"}:
                break  # "A Treasury source said": an article, not a given name
            kept.append(token)
        if len(kept) < 2:
            continue
        kept.reverse()
        first, last = clean(kept[0].group()), clean(kept[-1].group())
        if first in NON_PERSON_FIRST or last in NON_PERSON_LAST:
            continue
        start = run.start() + kept[0].start()
        end = run.start() + kept[-1].end()
        yield start, end - (len(kept[-1].group()) - len(last))


def _person_names(text: str) -> list[str]:
    return [text[s:e] for s, e in _name_spans(text)]


def _role_form(before: str, name: str) -> str:
    """``name`` with the role or title written right in front of it, if there is one."""
    segment = CLAUSE_BREAK.split(before)[-1]
    words = list(WORD.finditer(segment))
    kept: list[re.Match[str]] = []
    for match in reversed(words):
        word = clean(match.group())
        if (word[:1].isupper() and word not in STOP_NAMES) or word.lower() in ROLES:
            kept.append(match)
        elif word.lower() == "of" and kept and kept[-1].group()[:1].isupper():
            kept.append(match)  # "Secretary of State"
        else:
            break
    while kept and kept[-1].group().lower() in JOINERS:
        kept.pop()
    role = [clean(m.group()) for m in kept]
    if not any(w.lower() in ROLES or w.rstrip(".") in TITLE_WORDS for w in role):
        return name
    return f"{segment[kept[-1].start() : kept[0].end()]} {name}"


def gender_of(words: Sequence[str]) -> str | None:
    lowered = {w.lower().rstrip(".") for w in words}
    if lowered & MALE_WORDS or any(w in MALE_NAMES for w in words):
        return "m"
    if lowered & FEMALE_WORDS or any(w in FEMALE_NAMES for w in words):
        return "f"
    return None


@dataclass
class _Person:
    name: str  # "Dmitry Peskov"
    form: str  # the stored speaker: "Kremlin spokesman Dmitry Peskov"
    gender: str | None  # "m", "f" or None when the text does not tell


class People:
    """The people a document names, each with one stored form, and the roles given them."""

    def __init__(self, sentences: Sequence[str]) -> None:
        self.by_name: dict[str, _Person] = {}
        # The role words each person is given anywhere in the document, in front of the name
        # ("Transport Minister Hedda Sorensen") or in an apposition ("The Home Secretary,
        # Daniel Marsh,"): "the Home Secretary said" later is that person.
        self.roles: dict[str, set[str]] = {}
        for sentence in sentences:
            for start, end in _name_spans(sentence):
                name = sentence[start:end]
                form = _role_form(sentence[:start], name)
                person = self.by_name.get(name)
                if person is None:
                    words = form.split()
                    self.by_name[name] = _Person(name, form, gender_of(words))
                elif person.form == name and form != name:
                    person.form = form  # the first mention with a role wins
                    person.gender = person.gender or gender_of(form.split())
                roles = self.roles.setdefault(name, set())
                roles |= _role_words(form.removesuffix(name))
                roles |= _role_words(_apposition_role(sentence, start, end))
                roles |= _role_words(_role_form(sentence[:start], name).removesuffix(name))

    def by_role(self, source: str, sentence: str) -> _Person | None:
        """The one person given the role ``source`` names ("the Transport Minister", "the
        commission president"), None when the source names no role of one person, nobody has
        it, or several people do. Every word of the role must have been given to the person
        ("The Russian President" is not "former President Donald Trump"), and a person named
        elsewhere in the sentence is not its subject ("The President called Putin ...")."""
        words = [clean(w) for w in WORD.findall(source)]
        words = [w for w in words if w.lower() not in DETERMINERS]
        # A role of one person: its head is a person's role ("Minister", "president"), and
        # the rest are capitalised or role words ("Home Secretary", "commission president").
        if not words or words[-1].lower() not in PERSON_ROLES:
            return None
        if any(not (w[:1].isupper() or w.lower() in ROLES) for w in words):
            return None
        wanted = _role_words(" ".join(words))
        mentioned = {clean(w) for w in WORD.findall(sentence)}
        found = [
            self.by_name[name]
            for name, roles in self.roles.items()
            if wanted <= roles and name.split()[-1] not in mentioned
        ]
        return found[0] if len(found) == 1 else None

    def surnamed(self, surname: str) -> _Person | None:
        """The one person whose name ends in ``surname``; None when none or several do."""
        found = [p for p in self.by_name.values() if p.name.split()[-1] == surname]
        return found[0] if len(found) == 1 else None

    def of(self, source: str) -> _Person | None:
        """The person a source phrase names ("Peskov", "President Putin", "Dmitry Peskov")."""
        names = _person_names(source)
        if names:
            before = source[: source.rfind(names[-1])].split()
            if before and before[-1].lower() in {"for", "of", "at", "from", "with", "to"}:
                return None  # "a spokeswoman for Calder Mills" is not Calder Mills
            return self.by_name.get(names[-1]) or self.surnamed(names[-1].split()[-1])
        words = [clean(w) for w in WORD.findall(source)]
        if not words or not words[-1][:1].isupper():
            return None
        if all(w in TITLE_WORDS or w.lower() in DETERMINERS for w in words[:-1]):
            return self.surnamed(words[-1])
        return None

    def named_in(self, sentence: str) -> bool:
        """Whether ``sentence`` names any person: by full name or by a known surname."""
        if _person_names(sentence):
            return True
        words = {clean(w) for w in WORD.findall(sentence)}
        return any(p.name.split()[-1] in words for p in self.by_name.values())


def _role_words(phrase: str) -> set[str]:
    """The words of a role phrase, folded, without articles and prepositions: "the Chancellor
    of Lunessa" -> {chancellor, lunessa}, "Transport Minister" -> {transport, minister}."""
    return {
        w.lower()
        for w in (clean(m.group()) for m in WORD.finditer(phrase))
        if w.lower() not in JOINERS and w.lower() not in {"its", "his", "her", "their"}
    }


# "The Home Secretary, Daniel Marsh, ...", "the Fisheries Minister, Kari Lunde, ...",
# "Its chairman, Piet Lorentz, ...": a role in front of a name, set off by commas.
_ROLE_BEFORE = re.compile(
    r"(?:^|\b(?:[Tt]he|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir) )([^,;:“”\"]{2,60}),\s*$"
)


def _apposition_role(sentence: str, start: int, end: int) -> str:
    """The role given to the name at ``sentence[start:end]`` in an apposition before it."""
    if not sentence[end:].lstrip().startswith(","):
        return ""
    match = _ROLE_BEFORE.search(sentence[:start])
    return match.group(1) if match else ""


def _is_person(source: str, person: _Person | None) -> bool:
    if person is not None:
        return True
    words = [w.lower() for w in WORD.findall(source)]
    return bool(words) and (words[-1] in PERSON_ROLES or words[0] in MALE_WORDS | FEMALE_WORDS)


def subject_name(sentence: str) -> str | None:
    """The first name in a sentence followed by a verb ("Trump has faced", "Putin praised")."""
    for match in _SUBJECT_NAME.finditer(sentence):
        words = match.group(1).split()
        while words and (words[0] in STOP_NAMES or words[0].endswith(("ly", "ing"))):
            words.pop(0)
        if words:
            return clean(" ".join(words))
    return None
