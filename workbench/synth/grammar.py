"""The sentence grammar of a synthetic article: its facts, claims, attributions and filler.

A claim is a statement (a figure, a change, a plan, a comparison) inside an attribution with
optional clauses of time, place and cause; each piece is drawn on its own from
:mod:`workbench.synth.vocabulary`, so two claims share few 5-grams unless they restate each
other. Every draw comes from the one ``random.Random`` of the article, in a fixed order: the
same ``(seed, index)`` gives the same sentences.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Sequence

from workbench.synth.vocabulary import (
    AREAS,
    BACKGROUNDS,
    BENCHMARKS,
    CAUSES,
    CHANGE_DOWN,
    CHANGE_UP,
    CLAIM_VERBS,
    CONTEXT_EVENTS,
    CONTEXT_OTHERS,
    CONTEXT_TIMES,
    COST_PHRASES,
    COSTINGS,
    COUNT_VERBS,
    FEELING_ENDS,
    FEELING_SUBJECTS,
    FEELING_VERBS,
    FIRM_KINDS,
    FIRST,
    JOINS,
    LAST,
    LATER,
    MONEY_VERBS,
    MONTHS,
    MOODS,
    MULTIPLES,
    NAME_HEADS,
    NAME_TAILS,
    NARRATIVE_ADJECTIVES,
    NARRATIVE_LINKS,
    NARRATIVE_NOUNS,
    NARRATIVE_SUBJECTS,
    NARRATIVE_VERBS,
    NARRATIVE_WHENS,
    OPINIONS,
    OUTLETS,
    PEOPLE,
    PLAN_VERBS,
    PROCEDURE_ENDS,
    PROCEDURES,
    PURPOSES,
    REASONS_WHY,
    RECORDS,
    REPORTS,
    SAY,
    SCENE_ACTIONS,
    SCENE_SUBJECTS,
    SCENE_TIMES,
    SHARE_VERBS,
    SHORTFALLS,
    SIDES,
    SILENCE_ENDS,
    SILENCES,
    SOURCES,
    SPOKESPEOPLE,
    STANDARDS,
    STATEMENT_OPENERS,
    STREET_KINDS,
    SUPERLATIVES,
    TAILS,
    TOPICS,
    TOWN_PREFIXES,
    TREND_VERBS,
    UNITS,
    UNKNOWN_OPENERS,
    UNKNOWNS,
    WEEKDAYS,
    WHENS,
    WHERES,
    WHO_CLAUSES,
)

# scene, quote, procedure, unknown, no comment, background, opinion, narration
FILLER_WEIGHTS = (6, 12, 2, 2, 3, 2, 2, 71)
FRAME_WEIGHTS = (8, 5, 8, 4, 6, 3, 4, 5, 3, 5, 2, 2, 1, 2, 4)
# Claims restate a shared "wire" statement this often: another outlet's report of the same
# words of the same person, with its own attribution, which the similar-claims links find.
# Statements belong to a news cycle of WIRE_CYCLE articles, as a story is reported within a
# few days: a statement is reported a few times, whatever the size of the corpus.
WIRE_SHARE = 0.04
WIRE_CYCLE = 100
WIRE_STATEMENTS = 25  # per cycle
_FORMATTER = string.Formatter()


def cap(words: str) -> str:
    """The first letter upper case, the rest as it is (str.capitalize lowers names)."""
    return words[:1].upper() + words[1:]


def _nice(number: float) -> str:
    return f"{number:,.0f}"


def _the(outlet: str) -> str:
    """An outlet's name as it follows a verb: "the Metro Wire", "The Civic Record"."""
    return outlet if outlet.startswith("The ") else f"the {outlet}"


def _made_name(rng: random.Random) -> str:
    """A surname, a town or a street name that no list holds: a head and a tail."""
    return rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS)


def person(rng: random.Random) -> str:
    last = rng.choice(LAST) if rng.random() < 0.5 else _made_name(rng)
    return f"{rng.choice(FIRST)} {last}"


class Facts:
    """The sentences of one article: its topic, people, places, organisations and figures."""

    def __init__(self, rng: random.Random, seed: int, index: int) -> None:
        self.rng = rng
        self.seed = seed
        self.index = index
        self.topic = rng.choice(TOPICS)
        self.town = rng.choice(TOWN_PREFIXES) + _made_name(rng)
        self.districts = [_made_name(rng) for _ in range(3)]
        self.streets = [f"{_made_name(rng)} {rng.choice(STREET_KINDS)}" for _ in range(3)]
        self.orgs = [f"the {self.town} {b}" for b in rng.sample(self.topic.bodies, 3)]
        self.firms = [f"{_made_name(rng)} {rng.choice(FIRM_KINDS)}" for _ in range(2)]
        self.people = [
            (person(rng), rng.choice(self.topic.roles)) for _ in range(rng.randint(3, 6))
        ]
        self.year = rng.randint(2019, 2025)
        self.outlet = rng.choice(OUTLETS)[0]

    # -- slots -------------------------------------------------------------------------------

    def org(self) -> str:
        return self.rng.choice(self.orgs)

    def count(self) -> str:
        r = self.rng
        return _nice(r.choice((r.randint(3, 99), r.randint(100, 9999), r.randint(10, 900) * 100)))

    def money(self) -> str:
        r = self.rng
        kind = r.random()
        if kind < 0.4:
            return f"${r.randint(2, 950)} million"
        if kind < 0.6:
            return f"${_nice(r.randint(20, 990) * 1000)}"
        if kind < 0.8:
            return f"€{r.randint(2, 400)}.{r.randint(1, 9)} million"
        return f"${r.randint(1, 99)}.{r.randint(1, 9)} billion"

    def percent(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return f"{r.randint(2, 95)}%"
        if r.random() < 0.5:
            return f"{r.randint(1, 40)}.{r.randint(1, 9)}%"
        return f"{r.randint(2, 60)} percent"

    def _format(self, pattern: str) -> str:
        """``pattern`` with its ``{slot}`` fields filled, each drawn as it is needed."""
        r = self.rng
        slots: dict[str, Callable[[], str]] = {
            "weekday": lambda: r.choice(WEEKDAYS),
            "month": lambda: r.choice(MONTHS),
            "month2": lambda: "",
            "day": lambda: str(r.randint(1, 28)),
            "year": lambda: str(r.randint(2008, 2024)),
            "count": self.count,
            "small": lambda: r.choice(("two", "three", "four", "five", "six", "eight", "ten")),
            "quarter": lambda: r.choice(("three", "six", "nine")),
            "half": lambda: r.choice(("first", "second")),
            "outlet": lambda: _the(self.outlet),
            "org": self.org,
            "firm": lambda: r.choice(self.firms),
            "other": lambda: r.choice(self.people)[0],
            "name": lambda: r.choice(self.people)[0],
            "town": lambda: self.town,
            "district": lambda: r.choice(self.districts),
            "street": lambda: r.choice(self.streets),
            "scene": lambda: r.choice(self.topic.scenes),
            "side": lambda: r.choice(SIDES),
            "thing": lambda: r.choice(self.topic.things),
            "measure": lambda: r.choice(self.topic.measures),
            "action": lambda: r.choice(self.topic.actions),
            "cause": lambda: self.pick(CAUSES),
            "people": lambda: r.choice(PEOPLE),
            "later": lambda: r.choice(LATER),
            "when": lambda: self.when() or "this year",
            "percent": self.percent,
            "record": lambda: self.pick(RECORDS),
            "multiple": lambda: r.choice(MULTIPLES),
            "region": lambda: r.choice(("national", "regional", "European", "county")),
            "role": lambda: r.choice(self.people)[1],
            "speaker": lambda: "{}, the {},".format(*r.choice(self.people)),
            "place_phrase": self._place_phrase,
        }
        values: dict[str, str] = {}
        for _, field_name, _, _ in _FORMATTER.parse(pattern):
            if field_name and field_name not in values:
                values[field_name] = slots[field_name]()
        if "month2" in values:  # two different months: "between March and June"
            values["month2"] = r.choice([m for m in MONTHS if m != values.get("month")])
        return pattern.format(**values)

    def _place_phrase(self) -> str:
        r = self.rng
        return r.choice(
            (
                f"the {r.choice(self.topic.scenes)}",
                f"the town hall in {self.town}",
                f"the {r.choice(self.districts)} community centre",
                f"number {r.randint(2, 180)} {r.choice(self.streets)}",
            )
        )

    def pick(self, options: Sequence[str]) -> str:
        return self._format(self.rng.choice(options))

    def when(self) -> str:
        return self.pick(WHENS)

    def where(self) -> str:
        return self.pick(WHERES)

    # -- claims ------------------------------------------------------------------------------

    def statement(self) -> str:
        """A factual proposition, lower case, without final punctuation."""
        r, t = self.rng, self.topic
        thing, measure = r.choice(t.things), r.choice(t.measures)
        when, where = self.when(), self.where()
        part = r.randint(3, 2000)
        forms = (
            lambda: f"{self.count()} {thing} {r.choice(COUNT_VERBS)} {where} {when}",
            lambda: f"{measure} {r.choice(CHANGE_UP)} by {self.percent()} {when} {where}",
            lambda: f"{measure} {where} {r.choice(CHANGE_DOWN)} to {self.percent()} {when}",
            lambda: (
                f"{self.org()} {r.choice(MONEY_VERBS)} {self.money()} {self.pick(PURPOSES)} {when}"
            ),
            lambda: (
                f"{self.org()} {r.choice(PLAN_VERBS)} {r.choice(t.actions)} "
                f"{r.choice(COST_PHRASES)} {self.money()}"
            ),
            lambda: (
                f"the number of {thing} {where} {r.choice(TREND_VERBS)} since "
                f"{r.randint(2005, 2023)}, to {self.count()}"
            ),
            lambda: f"{self.percent()} of {measure} {r.choice(SHARE_VERBS)} {self.pick(SOURCES)}",
            lambda: (
                f"{r.choice(COSTINGS)} {r.choice(t.actions)} "
                f"{r.choice(('would cost', 'will cost', 'could cost', 'has already cost'))} "
                f"{self.money()} {when}"
            ),
            lambda: (
                f"only {_nice(part)} of the {_nice(part * r.randint(2, 30))} {thing} "
                f"{where} {r.choice(STANDARDS)} {when}"
            ),
            lambda: (
                f"{r.choice((self.town, *self.districts))} has the {r.choice(SUPERLATIVES)} "
                f"{measure} {r.choice(('of any', 'of all', 'among', 'for a'))} "
                f"{r.choice(UNITS)} {r.choice(AREAS)}, {self.pick(RECORDS)}"
            ),
            lambda: f"{measure} {where} is {r.choice(MULTIPLES)} {self.pick(BENCHMARKS)}",
            lambda: (
                f"{r.choice(self.firms)} was paid {self.money()} to {r.choice(t.actions)}, "
                f"{self.count()} {thing} {r.choice(SHORTFALLS)}"
            ),
            lambda: (
                f"{measure} reached {self.percent()} in {r.choice(MONTHS)}, {self.pick(RECORDS)}"
            ),
            lambda: (
                f"{self.count()} {thing} will be {r.choice(('added', 'cut', 'replaced', 'moved'))}"
                f" by {r.choice(MONTHS)} {r.randint(2025, 2030)} {where}"
            ),
        )
        text = " ".join(r.choice(forms)().split())
        if r.random() < 0.5:
            text = f"{text}, {self.pick(TAILS)}"
        return text

    def wire(self) -> tuple[str, str, str]:
        """One of the statements of this article's news cycle: (speaker, role, statement),
        the same in every article that reports it."""
        r = self.rng
        cycle = self.index // WIRE_CYCLE - (
            1 if r.random() < 0.3 and self.index >= WIRE_CYCLE else 0
        )
        number = r.randrange(WIRE_STATEMENTS)
        shared = Facts(random.Random(f"synth-wire:{self.seed}:{cycle}:{number}"), self.seed, 0)
        name, role = shared.people[0]
        return name, role, shared.statement()

    def claim_sentence(self) -> tuple[str, str | None]:
        """A check-worthy sentence and who says it (None: the outlet's own statement)."""
        r = self.rng
        name, role = r.choice(self.people)
        if r.random() < WIRE_SHARE:
            name, role, core = self.wire()
        else:
            core = self.statement()
            if r.random() < 0.4:
                core = f"{core}, {r.choice(JOINS)} {self.statement()}"
        org = self.org()
        # The plain attributions ("said", "according to") most often, as in real reporting;
        # the wordier frames now and then.
        frame = r.choices(range(15), weights=FRAME_WEIGHTS)[0]
        if frame == 0:
            return f"{cap(core)}.", None
        if frame == 1:
            return f"According to {self.pick(REPORTS)}, {core}.", None
        if frame == 2:
            return f"{name}, the {role}, {r.choice(SAY)} that {core}.", name
        if frame == 3:
            return f"{cap(role)} {name} {r.choice(CLAIM_VERBS)} that {core}.", name
        if frame == 4:
            return f"“{cap(core)},” said {name}, {role}.", name
        if frame == 5:
            return f"“{self.feeling()}. {cap(core)},” {name} said.", name
        if frame == 6:
            return f"{cap(core)}, {name} told {_the(self.outlet)}.", name
        if frame == 7:
            return f"{cap(org)} {r.choice(SAY)} that {core}.", None
        if frame == 8:
            return f"{name} {r.choice(CLAIM_VERBS)} on {r.choice(WEEKDAYS)} that {core}.", name
        if frame == 9:
            return f"{cap(core)}, according to {name}, the {role}.", name
        if frame == 10:
            return f"Figures from {org} show that {core}.", None
        if frame == 11:
            place = self._place_phrase()
            return (
                f"Speaking at {place} on {r.choice(WEEKDAYS)}, {name} "
                f"{r.choice(CLAIM_VERBS)} that {core}.",
                name,
            )
        if frame == 12:
            medium = r.choice(("a message to staff", "a letter to members", "an op-ed", "a memo"))
            return f"“{cap(core)},” {name} wrote in {medium}.", name
        if frame == 13:
            kind = r.choice(("annual", "quarterly", "latest", "draft"))
            return f"In its {kind} report, {org} said {core}.", None
        return f"{cap(core)}, {name} added.", name

    # -- narrative ---------------------------------------------------------------------------

    def caption(self, outlet: str) -> str:
        """A photo caption with its credit line, as pages print them under a picture."""
        r = self.rng
        people = r.choice(self.people)[0]
        scene = r.choice(self.topic.scenes)
        return (
            f"Photo: {people} at the {scene} in {self.town} on {r.choice(WEEKDAYS)}, "
            f"{r.choice(MONTHS)} {r.randint(1, 28)}. ({person(r)} / {outlet})"
        )

    def feeling(self) -> str:
        """Someone's reaction, as quoted: no figure, nothing to check."""
        return f"{self.pick(FEELING_SUBJECTS)} {self.pick(FEELING_VERBS)}{self.pick(FEELING_ENDS)}"

    def situation(self) -> str:
        """A clause placing a sentence in the story: "days after Ana Silva visited the depot"."""
        r = self.rng
        if r.random() < 0.3:
            return self.pick(CONTEXT_OTHERS)
        return f"{r.choice(CONTEXT_TIMES)} {self.pick(CONTEXT_EVENTS)}"

    def context(self) -> str:
        """Most of the time, a situation clause (with its comma)."""
        return f", {self.situation()}" if self.rng.random() < 0.7 else ""

    def narrative(self) -> str:
        """Who did what to which plan, when and where."""
        r = self.rng
        link = self.pick(NARRATIVE_LINKS)
        thing = f"the {r.choice(NARRATIVE_ADJECTIVES)} {r.choice(NARRATIVE_NOUNS)}"
        thing = f"{thing} {link}" if link else thing
        when = self.pick(NARRATIVE_WHENS)
        when = f" {when}" if when else ""
        return (
            f"{cap(self.pick(NARRATIVE_SUBJECTS))} {r.choice(NARRATIVE_VERBS)} {thing}"
            f"{when}, {self.situation()}."
        )

    def filler(self) -> str:
        """A sentence of narrative, reaction or background."""
        r = self.rng
        # Mostly narration put together from parts; the stock sentences of news writing
        # ("... did not respond to a request for comment") now and then, as in real reports.
        kind = r.choices(range(8), weights=FILLER_WEIGHTS)[0]
        if kind == 7:
            return self.narrative()
        if kind == 0:
            mood = self.pick(MOODS)
            mood = f", {mood}" if mood else ""
            return (
                f"{cap(self.pick(SCENE_SUBJECTS))} {self.pick(SCENE_ACTIONS)} "
                f"{self.pick(SCENE_TIMES)}{mood}, {self.situation()}."
            )
        if kind == 1:
            feeling = f"{self.feeling()}, {self.pick(REASONS_WHY)}"
            if r.random() < 0.6:
                return f"“{feeling},” said {person(r)}, {self.pick(WHO_CLAUSES)}."
            return f"“{feeling},” {r.choice(self.people)[0]} said, {self.situation()}."
        if kind == 2:
            ending = self.pick(PROCEDURE_ENDS)
            return f"{cap(self.org())} {self.pick(PROCEDURES)}{ending}, {self.situation()}."
        if kind == 3:
            return f"{self.pick(UNKNOWN_OPENERS)} {self.pick(UNKNOWNS)}, {self.situation()}."
        if kind == 4:
            who = r.choice((*self.orgs, *self.firms))
            return (
                f"{r.choice(SPOKESPEOPLE)} {who} {r.choice(SILENCES)} "
                f"{self.pick(SILENCE_ENDS)}, {self.situation()}."
            )
        if kind == 5:
            return f"{cap(self.pick(BACKGROUNDS))}, {self.situation()}."
        return f"{self.pick(STATEMENT_OPENERS)} {self.pick(OPINIONS)}, {self.situation()}."
