"""The pass over a whole document: quotations, carried speakers, pronouns, descriptions.

Attribution often lives in the context ("He added: ...", a quotation over several
paragraphs, "the ministry" named earlier); the attribution pass reads the sentences in order
and keeps what the earlier ones established (see the package docstring for the rules).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.extract.segment import paragraphs
from workbench.extract.speaker.names import (
    People,
    _is_person,
    _Person,
    _study_author,
    body_subject,
    document_bodies,
    document_places,
    gender_of,
    is_place_or_group,
    subject_name,
    without_descriptor,
)
from workbench.extract.speaker.sentence import is_pronoun, main_subject, own_attribution
from workbench.extract.speaker.words import (
    BODY_NOUNS,
    CLUB_NOUNS,
    COMPANY_NOUNS,
    DETERMINERS,
    PERSON_ROLES,
    ROLES,
    STUDY_NOUNS,
)

# How many sentences back a pronoun may look for its antecedent.
_LOOKBACK = 3


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


class _Attribution:
    """The state of one pass over a document: sentences, people, speakers found so far."""

    def __init__(self, text: str, spans: Sequence[tuple[int, int]]) -> None:
        self.spans = spans
        self.sentences = [text[s:e] for s, e in spans]
        self.people = People(self.sentences)
        paragraph_spans = paragraphs(text)
        self.quotes = _quotations(text, paragraph_spans)
        self.paragraph = [
            next((k for k, (ps, pe) in enumerate(paragraph_spans) if ps <= s < pe), -1)
            for s, _ in spans
        ]
        self.own = [own_attribution(sentence) for sentence in self.sentences]
        self.places = document_places(text)
        self.interviewee = self._interviewee()
        self._study_author: str | bool | None = False  # False: not looked for yet
        self.text = text
        self._bodies: list[list[tuple[str, str]]] | None = None  # see bodies
        self.speakers: list[str | None] = [None] * len(spans)
        # Whether each speaker is a person, and which one, for pronouns to agree with.
        self.persons: list[_Person | None] = [None] * len(spans)
        self.is_person: list[bool] = [False] * len(spans)

    def run(self) -> list[str | None]:
        answering = False  # inside an answer of a Q&A, see _interviewee
        for i in range(len(self.spans)):
            source = self.own[i]
            marker = self._qa_marker(i)
            if marker is not None:
                answering = marker == "A"
                source = self.interviewee if answering else None
            elif answering and source is None and self.interviewee is not None:
                source = self.interviewee  # the answer goes on: "We lost 23 people ..."
            else:
                answering = False
            if source is None:
                source = _from_quotation(
                    i, self.spans, self.sentences, self.own, self.speakers, self.quotes
                )
            if source is None:
                self._continue_quote(i)
                continue
            if is_pronoun(source):
                self._resolve_pronoun(i, source.lower())
                continue
            if (earlier := self._named_body(i, source)) is not None:
                self._copy(earlier, i)
                continue
            if (body := self._body_of_sentence(i, source)) is not None:
                source = body
            elif (named := self._by_description(i, source)) is not None:
                source = named
            source = without_descriptor(source)
            person = self.people.of(source) or self.people.by_role(source, self.sentences[i])
            # "Kiev announced ...": the outlet's account, no speaker. A person found only
            # because the phrase itself looks like a name ("Neighbouring Estmark") is none.
            if (person is None or person.name == source) and is_place_or_group(source, self.places):
                continue
            self.speakers[i] = person.form if person else source
            self.persons[i] = person
            self.is_person[i] = _is_person(source, person)
        return self.speakers

    def _qa_marker(self, i: int) -> str | None:
        """ "Q" or "A" when sentence ``i`` opens a question or an answer of a Q&A layout."""
        if self.interviewee is None:
            return None
        match = re.match(r"\s*([QA]):\s", self.sentences[i])
        return match.group(1) if match else None

    def _interviewee(self) -> str | None:
        """Who answers in a Q&A ("Q: ... A: ..."): the first person the article names, since
        an interview's introduction presents its subject before the first question. None
        when the document is no Q&A (fewer than two answers) or names nobody."""
        answers = sum(1 for s in self.sentences if re.match(r"\s*A:\s", s))
        questions = sum(1 for s in self.sentences if re.match(r"\s*Q:\s", s))
        if answers < 2 or questions < 1 or not self.people.by_name:
            return None
        return next(iter(self.people.by_name.values())).form

    def _body_of_sentence(self, i: int, source: str) -> str | None:
        """ "..., the chamber said" after "The Kaldera Chamber of Commerce estimated ...": a
        bare "the <body noun>" is the named body that is the subject of the same sentence, else
        the last body of that kind named in an earlier sentence ("the council said" after "a
        former finance director of Harwick County Council")."""
        words = source.split()
        if len(words) != 1 or not words[0].islower() or words[0] not in BODY_NOUNS | ROLES:
            return None
        sentence = self.sentences[i]
        if re.search(rf"\b(?:their|its|his|her|our) {words[0]}\b", sentence):
            # "Train drivers ... will strike, their union has announced": the union of the
            # subject, not the subject.
            return self._named_before(i, words[0])
        return body_subject(sentence, words[0]) or self._named_before(i, words[0])

    @property
    def study_author(self) -> str | None:
        """The study's authors (_study_author), looked for only when a sentence needs them."""
        if self._study_author is False:
            self._study_author = _study_author(self.text)
        return self._study_author if isinstance(self._study_author, str) else None

    @property
    def bodies(self) -> list[list[tuple[str, str]]]:
        """Companies and clubs named by name alone, per sentence (so a sentence only looks at
        those named before it). Found only when a sentence says "the company" or "the club":
        most documents never do, and the search reads every capitalised run."""
        if self._bodies is None:
            self._bodies = [
                [
                    (name, kind)
                    for name, kind in document_bodies([s], self.places)
                    if self._no_person(name)
                ]
                for s in self.sentences
            ]
        return self._bodies

    def _no_person(self, name: str) -> bool:
        """Whether a name taken for a company is no person: people get a role in front of
        their name ("Chief executive Laura Brenner") or are called by their surname alone
        ("Brenner said"); a company's last word never stands alone ("Calder Mills")."""
        person = self.people.by_name.get(name)
        if person is not None and person.form != name:
            return False
        first, last = name.split()[0], name.split()[-1]
        return re.search(rf"(?<!{re.escape(first)} )\b{re.escape(last)}\b", self.text) is None

    def _by_description(self, i: int, source: str) -> str | None:
        """ "the study found" -> the study's authors; "the company said", "The Chicago-based
        company reported" -> the company named by its name alone before (Calder Mills); "the
        club said" -> the club. When several were named, the one named most often so far (the
        one the story is about), then the latest. None when the source is no such description
        or the document names nothing of that kind: the source then stays as written."""
        words = [w for w in source.split() if w.lower() not in DETERMINERS]
        if not words or any(w[:1].isupper() and "-" not in w for w in words):
            return None  # a name ("Brightline Foods"), not a description
        head = words[-1].lower()
        if head in STUDY_NOUNS or (head == "survey" and self.study_author):
            return self.study_author
        if head not in COMPANY_NOUNS | CLUB_NOUNS:
            return None
        # "Environmental group Clearwater Alliance ... The group said": the name the noun was
        # put in front of, latest first, is the most direct evidence.
        described = re.compile(rf"\b{head} ((?:[A-Z][\w’'-]*)(?: [A-Z][\w’'-]*){{0,3}})")
        for j in range(i, -1, -1):
            if found := described.findall(self.sentences[j]):
                return str(found[-1])
        kind = "club" if head in CLUB_NOUNS else "company"
        named = [name for j in range(i + 1) for name, k in self.bodies[j] if k == kind]
        if not named:
            return None
        # How often the name's first word appears up to here, furniture included: "Ferrow"
        # (headline, "Ferrow manager", ...) over "Dunmore Athletic" named once in passing.
        seen = self.text[: self.spans[i][1]]
        counts = {name: seen.count(name.split()[0]) for name in named}
        latest = {name: at for at, name in enumerate(named)}
        return max(counts, key=lambda name: (counts[name], latest[name]))

    def _named_before(self, i: int, noun: str) -> str | None:
        if noun not in BODY_NOUNS:
            return None
        head = noun.capitalize()
        # "Harwick County Council", "Ministry of Transport": the noun capitalised, with the
        # capitalised words in front of it or an "of ..." name after it.
        pattern = re.compile(
            rf"\b((?:[A-Z][\w’'-]+ ){{1,4}}{head}|{head} of(?: the)?(?: [A-Z][\w’'-]+){{1,3}})\b"
        )
        for j in range(i - 1, -1, -1):
            found = [m.group(1) for m in pattern.finditer(self.sentences[j])]
            names = [f.removeprefix("The ") for f in found if f.removeprefix("The ") != head]
            if names:
                return names[-1]
        return None

    def _copy(self, j: int, i: int) -> None:
        self.speakers[i], self.persons[i] = self.speakers[j], self.persons[j]
        self.is_person[i] = self.is_person[j]

    def _continue_quote(self, i: int) -> None:
        """“A,” Lindqvist said. “B.”: a quotation right after an attributed one, in the same
        paragraph, goes on in the same voice."""
        if i == 0 or self.paragraph[i] != self.paragraph[i - 1]:
            return
        opens_quote = self.sentences[i].lstrip().startswith("“")
        if opens_quote and "”" in self.sentences[i - 1] and self.speakers[i - 1] is not None:
            self._copy(i - 1, i)

    def _named_body(self, i: int, source: str) -> int | None:
        """ "the agency said" after "the National Health Agency said": the sentence that named
        the body in full, found by its head noun among the earlier speakers."""
        words = source.split()
        if words and words[0].lower() == "the":
            words = words[1:]
        if len(words) != 1 or not words[0].islower():
            return None
        for j in range(i - 1, -1, -1):
            earlier = self.speakers[j]
            if earlier is None or self.persons[j] is not None:
                continue
            # "Foreign Ministry", and "Ministry of Transport" too: the head noun is any
            # capitalised word of the body's name ("the ministry" is no "ministry spokesman").
            named = earlier.split()
            if named[-1].lower() == words[0] or (
                named[0][:1].isupper()
                and words[0] in {w.lower() for w in named}
                and named[-1].lower() not in PERSON_ROLES
            ):
                return j
        return None

    def _candidate(self, j: int, i: int) -> tuple[str, _Person | None, bool] | None:
        """What a pronoun in sentence ``i`` could refer to in sentence ``j``: its speaker, or
        its subject when that is a person and ``j`` is in the same paragraph."""
        if self.speakers[j] is not None:
            return self.speakers[j] or "", self.persons[j], self.is_person[j]
        if self.own[j] is not None or self.paragraph[j] != self.paragraph[i]:
            return None  # an unresolved source breaks the chain; so does a subject elsewhere
        sentence = self.sentences[j]
        subjects = (subject_name(sentence), main_subject(sentence))
        person = next((p for s in subjects if s and (p := self.people.of(s))), None)
        return (person.form, person, True) if person else None

    def _resolve_pronoun(self, i: int, pronoun: str) -> None:
        for j in range(i - 1, max(i - 1 - _LOOKBACK, -1), -1):
            candidate = self._candidate(j, i)
            if candidate is None:
                if self.own[j] is not None or self.people.named_in(self.sentences[j]):
                    return  # somebody else is named in between: too risky to skip over
                continue
            speaker, person, is_person = candidate
            if pronoun in {"they", "it"}:
                agrees = not is_person
            else:
                gender = person.gender if person else gender_of(speaker.split())
                wanted = "m" if pronoun == "he" else "f"
                agrees = is_person and gender in {None, wanted}
                if agrees and person is not None and person.gender is None:
                    person.gender = wanted  # later pronouns must agree with this one
            if agrees:
                self.speakers[i], self.persons[i], self.is_person[i] = speaker, person, is_person
            return


def attribute(text: str, spans: Sequence[tuple[int, int]]) -> list[str | None]:
    """One speaker per sentence span of ``text`` (None: the outlet's own statement)."""
    return _Attribution(_curl_quotes(text), spans).run()


_STRAIGHT_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*")


def _curl_quotes(text: str) -> str:
    """Straight double quotes turned into curly ones, opening and closing in turn within each
    paragraph ('"A," she said' -> '“A,” she said'): the rules read quotations by their curly
    marks, and many pages use straight ones. One character for one, so offsets hold."""
    if '"' not in text:
        return text

    def curl(paragraph: re.Match[str]) -> str:
        marks = iter("“”" * (paragraph.group().count('"') // 2 + 1))
        return re.sub('"', lambda _: next(marks), paragraph.group())

    return _STRAIGHT_PARAGRAPH.sub(curl, text)


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
