"""A realistic synthetic corpus for benchmarks and demos: articles, claims, reviewers, reviews.

Two parts:

* :func:`article` makes one news article of about 5 KB from templates and a vocabulary of
  fictional places, people and organisations: a headline, a byline, a dateline, paragraphs of
  news sentences of realistic length (figures, percentages, dates), quotations attributed
  "…, said <Name>, <role>", and some page furniture (photo captions, wire credits). It is a
  pure function of ``(seed, index)``: the same pair gives the same article on every machine
  and in every process, so a benchmark can make its texts anywhere. Each article also lists
  the spans of its check-worthy sentences (with their speakers), known by construction.
* :func:`synthesize` fills a database with ``documents`` such articles, their claims taken from
  those known spans (no extraction: that is what makes 100,000 claims a matter of seconds;
  ``claim.text == document.text[char_start:char_end]`` holds as for extracted claims, and the
  extractor is recorded as ``synth@1``), ``reviewers`` reviewer accounts without passwords, and
  ``reviews_per_claim`` reviews per claim. Each claim has a latent true verdict drawn from the
  verdict mix; each reviewer gives it with probability ``agreement``, else one of the other
  two. Claims whose reviews all agree get the automatic final verdict (``single`` for one
  review a claim, else ``consensus``); a share of the others is adjudicated by the admin
  ``synth-admin`` (the majority verdict, with a reason), the rest wait for adjudication.
  Rows go in with SQLAlchemy Core bulk inserts and explicit ids, a few thousand rows per
  statement and one transaction per batch of documents. No history entries are written for
  the synthetic reviews (the history shows what happens afterwards), and no similarity
  sketches (``workbench rebuild-similarity`` computes them if wanted).
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, select, text

from workbench.auth.accounts import add_user
from workbench.db.models import (
    Base,
    Claim,
    Document,
    Evidence,
    FinalVerdict,
    Review,
    User,
)
from workbench.errors import InvalidInput
from workbench.project import ProjectSettings, set_project_setting
from workbench.review.stats import recount
from workbench.schemas import DocumentIn, Role

EXTRACTOR = "synth@1"
ADMIN = "synth-admin"
VERDICTS = ("verified", "disputed", "unsupported")
DEFAULT_MIX = (0.55, 0.30, 0.15)
DEFAULT_AGREEMENT = 0.8
DEFAULT_ADJUDICATED = 0.5  # share of the claims whose reviews disagree that an admin decides
# Reviews are dated from here on, over REVIEW_WEEKS weeks: fixed, so a seed gives the same rows.
EPOCH = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
REVIEW_WEEKS = 8
ROWS_PER_STATEMENT = 5000
# Share of an article's sentences that are check-worthy claims: about 20 claims an article.
CLAIM_SHARE = 0.42

# --- vocabulary ----------------------------------------------------------------------------

FIRST = (
    "Ana", "Ben", "Clara", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Karin", "Liam", "Maria", "Nikolai", "Olga", "Pedro", "Quinn", "Rosa", "Samuel", "Tara",
    "Ursula", "Victor", "Wen", "Ximena", "Yusuf", "Zofia", "Amara", "Bruno", "Chloe", "Dmitri",
    "Eva", "Felix", "Greta", "Hassan", "Ida", "Jakob", "Lena", "Marco", "Nadia", "Oscar",
    "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Vera", "Walter", "Yara", "Aidan", "Beatriz",
)  # fmt: skip
LAST = (
    "Silva", "Okafor", "Jensen", "Moreau", "Kowalski", "Haddad", "Lindqvist", "Novak",
    "Ferreira", "Tanaka", "Delgado", "Whitfield", "Brennan", "Petrov", "Nakamura", "Osei",
    "Castillo", "Fischer", "Marsh", "Varga", "Ibrahim", "Kaur", "Larsen", "Mendes", "Nilsson",
    "Popescu", "Quintero", "Rahman", "Sato", "Thorne", "Ulrich", "Vance", "Weber", "Yilmaz",
    "Zhang", "Abbott", "Bauer", "Costa", "Dunn", "Eriksen", "Gallo", "Horvat", "Iqbal",
    "Keller", "Lopez", "Mbeki", "Novikova", "Ortega", "Park", "Russo",
)  # fmt: skip
PLACES = (
    "Harlow Bay", "Valdoria", "Nordvik", "Ostria", "Port Selwyn", "Kestrel Falls",
    "Marenburg", "Calloway", "Teskova", "Lindholm", "Brightwater", "Saint Auden",
    "East Carrow", "Velmora", "Dunmore", "Ashgrove", "Redhaven", "Corvallen", "Ilsby",
    "Quarry Hill",
)  # fmt: skip
# Most articles are set in a made-up town: a prefix and a suffix, some 900 of them, so the
# organisations named after a town ("the Velmora Health Department") rarely recur.
PLACE_PREFIXES = (
    "Ash", "Bel", "Brook", "Cald", "Carr", "Dun", "Elm", "Fair", "Glen", "Hart", "Holm",
    "Kings", "Lang", "Marl", "Mill", "North", "Oak", "Pen", "Ravens", "Rock", "Salt", "Stan",
    "Thorn", "Wester", "Whit", "Wolver", "Wyn", "Ald", "Bran", "Cres",
)  # fmt: skip
PLACE_SUFFIXES = (
    "ford", "bury", "field", "ham", "ton", "wick", "more", "dale", "stead", "minster",
    "haven", "mouth", "ley", "worth", "by", "gate", "hurst", "well", "cliff", "port",
    "vale", "brook", "stow", "combe", "thorpe", "holme", "borough", "wood", "march", "ness",
)  # fmt: skip
OUTLETS = (
    ("Harlow Bay Ledger", "ledger.example.com"),
    ("The Northern Courier", "northerncourier.example.org"),
    ("Valdoria Today", "valdoriatoday.example.net"),
    ("Metro Wire", "metrowire.example.com"),
    ("The Civic Record", "civicrecord.example.org"),
    ("Coastal Times", "coastaltimes.example.com"),
)
EVIDENCE_SITES = (
    "https://www.reuters.com/world/",
    "https://apnews.com/article/",
    "https://www.bbc.co.uk/news/",
    "https://data.worldbank.org/indicator/",
    "https://ec.europa.eu/eurostat/web/products-datasets/",
    "https://www.who.int/news/item/",
    "https://fullfact.org/online/",
    "https://www.politifact.com/factchecks/",
    "https://www.census.gov/library/stories/",
    "https://www.oecd.org/en/publications/",
)
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Topic:
    name: str
    bodies: tuple[str, ...]  # organisations, after "the <place>"
    roles: tuple[str, ...]  # what an official speaking on it is
    things: tuple[str, ...]  # plural nouns that can be counted
    measures: tuple[str, ...]  # what a percentage can be of
    actions: tuple[str, ...]  # what a body does, as "plans to <action>"
    headlines: tuple[str, ...]


TOPICS = (
    Topic(
        "transit",
        ("Transit Authority", "City Council", "Department of Transport", "Rail Board"),
        ("transit director", "council member", "transport minister", "union spokesperson"),
        ("bus routes", "riders a day", "drivers", "rail cars", "stations", "weekend services"),
        ("operating costs", "ridership", "fare revenue", "on-time arrivals"),
        (
            "cut three bus routes",
            "raise fares by 25 cents",
            "extend the tram line",
            "buy 40 electric buses",
            "close the night service",
        ),
        ("Council Approves Transit Cut After Late-Night Vote", "Riders Brace for Fewer Buses"),
    ),
    Topic(
        "health",
        ("Health Department", "Regional Hospital", "Ministry of Health", "Public Health Agency"),
        ("chief medical officer", "health minister", "hospital director", "epidemiologist"),
        ("measles cases", "hospital beds", "nurses", "vaccinations", "clinics"),
        ("children vaccinated", "beds occupied", "emergency visits", "staff on sick leave"),
        ("open two new clinics", "hire 300 nurses", "extend the vaccination campaign"),
        ("Measles Cases Rise for a Third Week", "Hospital Warns of Winter Bed Shortage"),
    ),
    Topic(
        "energy",
        ("Grid Operator", "Energy Ministry", "Wind Consortium", "Utilities Commission"),
        ("energy minister", "grid operator spokesperson", "plant manager", "analyst"),
        ("households", "wind turbines", "megawatts", "outages", "substations"),
        ("electricity from wind", "households affected", "peak demand", "imports"),
        ("build a second interconnector", "cap household tariffs", "replace the old substations"),
        ("Storm Knocks Out Power to Thousands", "Wind Farm Output Falls Short of Target"),
    ),
    Topic(
        "elections",
        ("Electoral Commission", "Supreme Court", "Interior Ministry", "Election Observers"),
        ("election commissioner", "opposition leader", "party spokesperson", "observer"),
        ("ballots", "polling stations", "votes", "complaints", "districts"),
        ("turnout", "the vote", "ballots rejected", "postal votes"),
        ("order a partial recount", "publish the full results", "review the complaints"),
        ("Recount Ordered in Three Districts", "Turnout Hits a Twenty-Year Low"),
    ),
    Topic(
        "housing",
        ("Housing Agency", "City Council", "Planning Board", "Tenants' Association"),
        ("housing minister", "mayor", "planning officer", "tenant advocate"),
        ("homes", "apartments", "families on the waiting list", "building permits", "evictions"),
        ("rents", "new homes approved", "vacant apartments", "households in arrears"),
        ("build 2,000 affordable homes", "freeze rents for a year", "tax empty apartments"),
        ("Rents Climb Faster Than Wages, Report Finds", "City Unveils Affordable Housing Plan"),
    ),
    Topic(
        "economy",
        ("Finance Ministry", "Central Bank", "Chamber of Commerce", "Statistics Office"),
        ("finance minister", "central bank governor", "economist", "business leader"),
        ("jobs", "businesses", "factories", "exports", "tax returns"),
        ("unemployment", "inflation", "the budget deficit", "economic growth"),
        ("cut the sales tax", "raise interest rates", "freeze public sector hiring"),
        ("Budget Shortfall Forces Spending Cuts", "Inflation Eases for a Second Month"),
    ),
    Topic(
        "schools",
        ("Education Board", "School District", "Teachers' Union", "University Council"),
        ("education minister", "head teacher", "union representative", "school inspector"),
        ("pupils", "teachers", "classrooms", "school buses", "graduates", "exam papers"),
        ("pass rates", "class sizes", "absences", "the schools budget", "teacher vacancies"),
        ("close four rural schools", "hire 120 teachers", "provide free school meals"),
        ("Parents Protest School Closure Plan", "Exam Results Show Widening Gap"),
    ),
    Topic(
        "crime",
        ("Police Department", "Justice Ministry", "Prosecutor's Office", "Prison Service"),
        ("police chief", "justice minister", "prosecutor", "criminologist"),
        ("burglaries", "arrests", "officers", "prison places", "car thefts", "court cases"),
        ("violent crime", "the clearance rate", "prison capacity", "response times"),
        ("put 200 more officers on patrol", "build a new prison", "cut court backlogs"),
        ("Burglaries Fall but Violent Crime Rises", "Police Chief Defends Patrol Cuts"),
    ),
    Topic(
        "water",
        ("Water Board", "Environment Agency", "Harbour Authority", "Farmers' Cooperative"),
        ("environment minister", "hydrologist", "farmer", "water board chair"),
        ("litres", "wells", "farms", "pipes", "leaks", "sewage spills"),
        ("reservoir levels", "water use", "river pollution", "leakage"),
        ("ban garden hoses", "replace the old mains", "fine the polluters"),
        ("Drought Forces Hosepipe Ban", "Sewage Spills Double in a Year"),
    ),
    Topic(
        "farming",
        ("Agriculture Ministry", "Growers' Association", "Food Safety Agency", "Land Registry"),
        ("agriculture minister", "grower", "food safety inspector", "agronomist"),
        ("tonnes of wheat", "cattle", "hectares", "seasonal workers", "farms", "tractors"),
        ("crop yields", "fertiliser prices", "milk prices", "farm incomes"),
        ("subsidise fertiliser", "ban the pesticide", "open a new grain terminal"),
        ("Harvest Falls Short After Wet Summer", "Milk Prices Squeeze Small Farms"),
    ),
)

FILLER = (
    "The decision came after weeks of debate.",
    "The meeting ran late into the evening.",
    "Residents gathered outside the building before the session began.",
    "It was not immediately clear how the plan would be funded.",
    "Several members asked for more time to study the proposal.",
    "The full report is expected to be published later this month.",
    "Details of the agreement were not made public.",
    "Officials have scheduled a second hearing for next week.",
    "The issue has divided the community for years.",
    "Critics say the process has been rushed.",
    "Supporters of the measure welcomed the vote.",
    "The vote followed a long and at times heated discussion.",
    "Reporters were not allowed into the closed session, which lasted more than three hours.",
    "The proposal will now go to a committee, which is expected to report back before the "
    "summer recess.",
    "Opposition members walked out before the final vote, saying they had not been given "
    "enough time to read the amendments.",
    "The announcement was made at a short press conference outside the main office.",
    "Local business owners said they were still waiting for clear guidance.",
)
QUOTES = (
    "Nobody in this room wanted to make this decision",
    "We cannot keep asking people to pay more for less",
    "The figures speak for themselves",
    "This is the most serious situation we have faced in a decade",
    "We have a plan, and we are going to see it through",
    "People deserve to know exactly where their money is going",
    "We are doing everything we can to keep services running",
    "Nothing in the report surprised us",
    "The numbers we were given last year were simply wrong",
    "We warned about this months ago and nobody listened",
    "This is a temporary measure, not a permanent cut",
    "Families are already feeling the effects",
)
REASONS = (
    "The cited figures match the official statistics.",
    "Two of the three sources confirm the claim.",
    "The original report says something different.",
    "No record of the statement could be found.",
    "The majority view is supported by the attached evidence.",
)
NOTES = (
    "Checked against the annual report.",
    "Figure is from last year's data, not this year's.",
    "Could not reach the office for comment.",
    "Same claim appeared in two other outlets.",
    "Original quote is slightly different.",
    "Official statistics confirm the number.",
)


def _cap(words: str) -> str:
    """The first letter upper case, the rest as it is (str.capitalize lowers names)."""
    return words[:1].upper() + words[1:]


def _nice(number: float) -> str:
    return f"{number:,.0f}"


class _Writer:
    """Assembles one article and remembers where its claims are."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parts: list[str] = []
        self.size = 0
        self.claims: list[tuple[int, int, str | None]] = []

    def add(self, piece: str, *, claim: bool = False, speaker: str | None = None) -> None:
        if claim:
            self.claims.append((self.size, self.size + len(piece), speaker))
        self.parts.append(piece)
        self.size += len(piece)

    def text(self) -> str:
        return "".join(self.parts)


@dataclass(frozen=True)
class SynthClaim:
    char_start: int
    char_end: int
    speaker: str | None
    score: float


@dataclass(frozen=True)
class Article:
    """One synthetic article and its check-worthy sentences."""

    index: int
    title: str
    text: str
    url: str
    source: str
    published: datetime
    outlet: str
    topic: str
    claims: tuple[SynthClaim, ...]

    def document(self) -> DocumentIn:
        """As a reader would produce it, for the real ingest path."""
        return DocumentIn(
            text=self.text,
            title=self.title,
            source=self.source,
            url=self.url,
            published=self.published,
            metadata={"synth": True, "outlet": self.outlet, "topic": self.topic},
        )


# Pieces of the sentence grammar. A claim is a statement (a figure, a change, a plan) inside
# an attribution (said, told, according to, a quotation) with an optional tail clause; each
# slot is drawn on its own, so two claims share few 5-grams unless they restate each other.
CHANGE_UP = ("rose", "climbed", "increased", "jumped", "grew", "surged", "edged up")
CHANGE_DOWN = ("fell", "dropped", "declined", "slipped", "decreased", "plunged", "eased")
COUNT_VERBS = (
    "were affected", "were recorded", "were reported", "have been lost", "were added",
    "were closed", "were registered", "were cancelled", "were delayed", "remain unaccounted for",
    "were approved", "were inspected",
)  # fmt: skip
MONEY_VERBS = (
    "spent", "set aside", "lost", "borrowed", "received", "requested", "returned",
    "was promised", "owes", "has overspent by",
)  # fmt: skip
PLAN_VERBS = (
    "plans to", "voted to", "agreed to", "is expected to", "refused to", "has promised to",
    "is considering whether to", "will be asked to", "has no plan to",
)  # fmt: skip
SHARE_VERBS = (
    "comes from", "depends on", "goes to", "is spent on", "is linked to", "is owed to",
    "is covered by",
)  # fmt: skip
SOURCES = (
    "state subsidies", "local taxes", "private donors", "federal grants", "a single contractor",
    "emergency funds", "loans from the central bank", "the reserve fund",
)  # fmt: skip
SAY = (
    "said", "told reporters", "stated", "said in a statement", "told a news conference",
    "wrote in a letter to members", "said in an interview", "confirmed",
)  # fmt: skip
CLAIM_VERBS = (
    "claimed", "warned", "insisted", "estimated", "argued", "acknowledged", "alleged",
    "pointed out", "noted",
)  # fmt: skip
TAILS = (
    "the highest level in a decade", "the lowest since records began",
    "according to figures released on {weekday}", "despite earlier promises",
    "a figure disputed by the opposition", "up from {count} a year earlier",
    "down from {count} in {year}", "more than twice the national average",
    "well above the target set in {year}", "according to an internal audit",
    "a claim the ministry rejects", "before the latest round of cuts",
)  # fmt: skip
REPORTS = (
    "a report published {when}", "figures seen by the {outlet}", "an audit released {when}",
    "data from the statistics office", "documents obtained by reporters",
    "a survey of {count} residents", "the latest quarterly figures",
)  # fmt: skip
ADJECTIVES = (
    "long", "tense", "brief", "heated", "closed", "public", "emergency", "weekly", "late",
    "revised", "controversial", "delayed", "second", "final", "informal", "lengthy",
)  # fmt: skip
FILLER_VERBS = (
    "declined to comment on", "discussed", "met to review", "asked for more time to study",
    "raised concerns about", "called for a debate on", "did not respond to questions about",
    "welcomed", "criticised", "presented", "spent the afternoon going through",
    "got a briefing on", "wanted changes to", "had yet to see", "questioned the need for",
    "praised", "pushed back against", "left early, skipping", "quietly endorsed",
    "sent a letter about", "promised to look again at", "refused to sign",
)  # fmt: skip
FILLER_OBJECTS = (
    "the proposal", "the {adjective} plan", "the details of the agreement",
    "the report's findings", "the timetable", "the new rules", "the talks with {other}",
    "the decision", "the draft", "what happens next", "the {adjective} session",
    "the latest offer", "the consultation", "the idea", "the wording of the motion",
    "{other}'s amendment", "the {adjective} compromise", "the budget papers",
)  # fmt: skip
# Every narrative sentence carries a date and a time, as news narration often does: two
# sentences built from the same pieces then still differ in their figures, so they are not
# taken for one statement reported twice.
FILLER_TAILS = (
    "before the vote on {month} {day} at {hour}:{minute}",
    "on {month} {day}, shortly after {hour}:{minute}",
    "after a {adjective} meeting that ended at {hour}:{minute} on {month} {day}",
    "behind closed doors on {weekday}, {month} {day}, from {hour}:{minute}",
    "at the town hall at {hour}:{minute} on {month} {day}",
    "in a {minutes}-minute interview on {month} {day}",
    "late on {weekday}, {month} {day}, at {hour}:{minute}",
)  # fmt: skip
# Claims restate a shared "wire" statement this often: other outlets reporting the same thing,
# with their own attribution, which the similar-claims links find.
WIRE_SHARE = 0.03
WIRE_STATEMENTS = 500


class _Facts:
    """The sentences of one article: its topic, people, places and figures."""

    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.seed = seed
        self.topic = rng.choice(TOPICS)
        if rng.random() < 0.2:
            self.place = rng.choice(PLACES)
        else:
            self.place = rng.choice(PLACE_PREFIXES) + rng.choice(PLACE_SUFFIXES)
        self.people = [
            (f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(self.topic.roles))
            for _ in range(rng.randint(2, 5))
        ]
        self.year = rng.randint(2019, 2025)
        self.outlet = rng.choice(OUTLETS)[0]

    def body(self) -> str:
        return f"the {self.place} {self.rng.choice(self.topic.bodies)}"

    def count(self) -> str:
        r = self.rng
        return _nice(r.choice((r.randint(3, 99), r.randint(100, 9999), r.randint(10, 900) * 100)))

    def money(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return f"${r.randint(2, 950)} million"
        return f"${r.randint(1, 99)}.{r.randint(1, 9)} billion"

    def percent(self) -> str:
        r = self.rng
        if r.random() < 0.6:
            return f"{r.randint(2, 95)}%"
        return f"{r.randint(1, 40)}.{r.randint(1, 9)}%"

    def when(self) -> str:
        r = self.rng
        return r.choice(
            (
                f"on {r.choice(WEEKDAYS)}",
                f"in {r.choice(MONTHS)}",
                f"since {self.year}",
                "last year",
                f"by the end of {r.choice(MONTHS)}",
                f"in {r.randint(2015, 2024)}",
                f"in the first {r.choice(('three', 'six', 'nine'))} months of {self.year}",
                f"between {r.choice(MONTHS)} and {r.choice(MONTHS)}",
                "",
            )
        )

    def _fill(self, pattern: str) -> str:
        r = self.rng
        return pattern.format(
            weekday=r.choice(WEEKDAYS),
            count=self.count(),
            year=r.randint(2010, 2024),
            when=self.when() or "this year",
            outlet=self.outlet,
        )

    def statement(self) -> str:
        """A factual proposition, lower case, without final punctuation."""
        r, t = self.rng, self.topic
        thing, measure = r.choice(t.things), r.choice(t.measures)
        when = self.when()
        part = r.randint(3, 2000)
        forms = (
            lambda: f"{self.count()} {thing} {r.choice(COUNT_VERBS)} {when}",
            lambda: f"{measure} {r.choice(CHANGE_UP)} by {self.percent()} {when}",
            lambda: f"{measure} {r.choice(CHANGE_DOWN)} to {self.percent()} {when}",
            lambda: f"{self.body()} {r.choice(MONEY_VERBS)} {self.money()} {when}",
            lambda: (
                f"{self.body()} {r.choice(PLAN_VERBS)} {r.choice(t.actions)} at a cost of "
                f"{self.money()}"
            ),
            lambda: (
                f"the number of {thing} "
                f"{r.choice(('has doubled', 'has tripled', 'has halved', 'reached a record'))} "
                f"since {r.randint(2005, 2023)}, to {self.count()}"
            ),
            lambda: f"{self.percent()} of {measure} {r.choice(SHARE_VERBS)} {r.choice(SOURCES)}",
            lambda: f"the plan to {r.choice(t.actions)} would cost {self.money()}",
            lambda: (
                f"only {_nice(part)} of the {_nice(part * r.randint(2, 30))} {thing} met the "
                f"standard {when}"
            ),
        )
        text = " ".join(r.choice(forms)().split())
        if r.random() < 0.3:
            text = f"{text}, {self._fill(r.choice(TAILS))}"
        return text

    def wire_statement(self) -> str:
        """One of the corpus' shared statements, the same in every article that reports it."""
        number = self.rng.randrange(WIRE_STATEMENTS)
        shared = _Facts(random.Random(f"synth-wire:{self.seed}:{number}"), self.seed)
        return shared.statement()

    def claim_sentence(self) -> tuple[str, str | None]:
        """A check-worthy sentence and who says it (None: the outlet's own statement)."""
        r = self.rng
        name, role = r.choice(self.people)
        core = self.wire_statement() if r.random() < WIRE_SHARE else self.statement()
        if r.random() < 0.3:
            core = f"{core}, while {self.statement()}"
        frame = r.randrange(9)
        if frame == 0:
            return f"{_cap(core)}.", None
        if frame == 1:
            return f"According to {self._fill(r.choice(REPORTS))}, {core}.", None
        if frame == 2:
            return f"{name}, the {role}, {r.choice(SAY)} that {core}.", name
        if frame == 3:
            return f"{_cap(role)} {name} {r.choice(CLAIM_VERBS)} that {core}.", name
        if frame == 4:
            return f"“{_cap(core)},” said {name}, {role}.", name
        if frame == 5:
            quote = r.choice(QUOTES)
            return f"“{quote}. {_cap(core)},” {name} said.", name
        if frame == 6:
            return f"{_cap(core)}, {name} told the {self.outlet}.", name
        if frame == 7:
            return f"{_cap(self.body())} {r.choice(SAY)} that {core}.", None
        return f"{name} {r.choice(CLAIM_VERBS)} on {r.choice(WEEKDAYS)} that {core}.", name

    def filler(self) -> str:
        """A sentence of narrative or context, from short interchangeable pieces."""
        r = self.rng
        name, role = r.choice(self.people)
        other = r.choice([p for p in self.people if p[0] != name] or self.people)[0]
        subject = r.choice(
            (
                name,
                f"the {role}",
                f"a spokesperson for {self.body()}",
                f"residents of {self.place}",
                "officials",
                f"the {self.place} delegation",
                f"{name}'s office",
                other,
                "the committee",
                "local groups",
                f"{r.choice(ADJECTIVES)} critics",
                "opposition members",
            )
        )
        verb = r.choice(FILLER_VERBS)
        thing = r.choice(FILLER_OBJECTS).format(other=other, adjective=r.choice(ADJECTIVES))
        sentence = f"{_cap(subject)} {verb} {thing}"
        tail = r.choice(FILLER_TAILS).format(
            weekday=r.choice(WEEKDAYS),
            month=r.choice(MONTHS),
            day=r.randint(1, 28),
            hour=r.randint(7, 22),
            minute=f"{r.randrange(60):02d}",
            hours=r.randint(2, 9),
            days=r.randint(2, 40),
            minutes=r.randint(5, 90),
            adjective=r.choice(ADJECTIVES),
        )
        sentence = f"{sentence} {tail}"
        if r.random() < 0.1:
            sentence = f"{sentence}, and {r.choice(FILLER).lower()[:-1]}"
        return f"{sentence}."


def article(seed: int, index: int, *, size: int = 5000) -> Article:
    """Article ``index`` of the corpus ``seed``: about ``size`` characters (±15%)."""
    rng = random.Random(f"synth:{seed}:{index}")
    facts = _Facts(rng, seed)
    outlet, domain = rng.choice(OUTLETS)
    reporter = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    published = EPOCH - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1439))
    headline = f"{facts.place}: {rng.choice(facts.topic.headlines)}"
    w = _Writer(rng)
    w.add(f"{headline}\n\n")
    w.add(f"By {reporter} | {published:%b} {published.day}, {published.year}\n\n")
    target = size * rng.uniform(0.85, 1.15)
    first = True
    while w.size < target:
        if not first and rng.random() < 0.06:
            w.add(f"Photo: {facts.place} on {rng.choice(WEEKDAYS)}. ({reporter} / {outlet})\n\n")
        sentences = rng.randint(1, 4)
        for i in range(sentences):
            if i:
                w.add(" ")
            if first:
                w.add(f"{facts.place.upper()} — ")
            if first or rng.random() < CLAIM_SHARE:
                sentence, speaker = facts.claim_sentence()
                w.add(sentence, claim=True, speaker=speaker)
            else:
                w.add(facts.filler())
            first = False
        w.add("\n\n")
    if rng.random() < 0.4:
        w.add(f"(Reporting by {reporter}; editing by {rng.choice(FIRST)} {rng.choice(LAST)})\n")
    body = w.text().rstrip("\n") + "\n"
    slug = "-".join(headline.lower().replace(":", "").split()[:8])
    claims = tuple(
        SynthClaim(start, end, speaker, round(rng.uniform(0.3, 0.99), 4))
        for start, end, speaker in w.claims
    )
    return Article(
        index=index,
        title=headline,
        text=body,
        url=f"https://{domain}/{facts.topic.name}/{slug}-{seed}-{index}",
        source=f"synth://{seed}/{index}",
        published=published,
        outlet=outlet,
        topic=facts.topic.name,
        claims=claims,
    )


def articles(seed: int, count: int, *, start: int = 0) -> Iterator[Article]:
    for index in range(start, start + count):
        yield article(seed, index)


# --- filling a database --------------------------------------------------------------------


@dataclass
class SynthReport:
    documents: int = 0
    claims: int = 0
    reviewers: int = 0
    reviews: int = 0
    urls: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    finals: dict[str, int] = field(default_factory=dict)  # by source
    awaiting_adjudication: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        total = max(sum(self.verdicts.values()), 1)
        mix = ", ".join(f"{v} {100 * n / total:.0f}%" for v, n in self.verdicts.items())
        finals = ", ".join(f"{n} {s}" for s, n in sorted(self.finals.items())) or "none"
        return (
            f"{self.documents} documents, {self.claims} claims, {self.reviewers} reviewers, "
            f"{self.reviews} reviews ({mix}), {self.urls} evidence URLs; final verdicts: "
            f"{finals}; {self.awaiting_adjudication} awaiting adjudication; "
            f"{self.seconds:.1f} s"
        )


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _reviewer_names(seed: int, count: int) -> list[str]:
    rng = random.Random(f"synth-reviewers:{seed}")
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if len(seen) >= len(FIRST) * len(LAST) // 2:
            name = f"{name} {len(names) + 1}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _accounts(engine: Engine, names: Sequence[str], role: Role) -> list[int]:
    """The ids of accounts called ``names``, created (without a password) where missing."""
    ids: list[int] = []
    with engine.connect() as connection:
        rows = connection.execute(select(User.name, User.id).where(User.name.in_(names)))
        known = {name: user_id for name, user_id in rows}
    for name in names:
        if name not in known:
            known[name] = add_user(engine, None, name, role).id
        ids.append(known[name])
    return ids


def _next_ids(connection: Connection) -> dict[str, int]:
    tables = (Document, Claim, Review, Evidence, FinalVerdict)
    return {
        m.__tablename__: (connection.scalar(select(func.max(_table(m).c.id))) or 0) + 1
        for m in tables
    }


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the ids this module inserted explicitly."""
    if connection.dialect.name != "postgresql":
        return
    for model in (Document, Claim, Review, Evidence, FinalVerdict):
        name = model.__tablename__
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )


def _insert(connection: Connection, model: type[Base], rows: list[dict[str, Any]]) -> None:
    table = _table(model)
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        connection.execute(table.insert(), rows[start : start + ROWS_PER_STATEMENT])


def _pick_reviewers(
    rng: np.random.Generator, weights: np.ndarray[Any, Any], claims: int, k: int
) -> np.ndarray[Any, Any]:
    """For each claim, ``k`` distinct reviewer indexes, busier reviewers more often.

    Weighted sampling without replacement (Efraimidis-Spirakis): the k largest u**(1/w).
    """
    keys = np.log(rng.random((claims, len(weights)))) / weights
    return np.argsort(-keys, axis=1)[:, :k]


def synthesize(
    engine: Engine,
    *,
    documents: int,
    reviewers: int,
    reviews_per_claim: int,
    seed: int = 0,
    append: bool = False,
    mix: Sequence[float] = DEFAULT_MIX,
    agreement: float = DEFAULT_AGREEMENT,
    adjudicated: float = DEFAULT_ADJUDICATED,
    on_document: Callable[[int], None] | None = None,
) -> SynthReport:
    """Fill ``engine``'s database with a synthetic corpus (see the module docstring).

    Refuses a database that already holds documents unless ``append``: synthetic rows mixed
    into a real project by accident could not be told apart from real reviews afterwards. With
    ``append`` the new articles continue the numbering after the documents already stored
    (so they are new texts), and accounts of the same names are reused. Not meant to run
    while others write to the same database: ids are assigned here, from the current maxima.
    """
    if documents < 0 or reviewers < 0:
        raise InvalidInput("--documents and --reviewers cannot be negative")
    if not 0 <= reviews_per_claim <= reviewers:
        raise InvalidInput(
            f"--reviews-per-claim must be between 0 and --reviewers ({reviewers}), "
            f"got {reviews_per_claim}"
        )
    if len(mix) != len(VERDICTS) or min(mix) < 0 or sum(mix) <= 0:
        raise InvalidInput("the verdict mix needs three non-negative shares")
    if not 0.0 <= agreement <= 1.0 or not 0.0 <= adjudicated <= 1.0:
        raise InvalidInput("agreement and the adjudicated share are probabilities, in [0, 1]")
    began = time.perf_counter()
    report = SynthReport()
    with engine.connect() as connection:
        existing = connection.scalar(select(func.count()).select_from(_table(Document))) or 0
    if existing and not append:
        raise InvalidInput(
            f"the database already holds {existing} documents; synth fills an empty database "
            "(pass --append to add a synthetic corpus to this one)"
        )
    names = _reviewer_names(seed, reviewers)
    reviewer_ids = _accounts(engine, names, Role.reviewer)
    report.reviewers = len(reviewer_ids)
    admin_id = _accounts(engine, [ADMIN], Role.admin)[0] if reviews_per_claim > 1 else None
    if not existing and 1 <= reviews_per_claim <= _max_k():
        set_project_setting(engine, None, "reviews_per_claim", reviews_per_claim)

    weights_rng = np.random.default_rng([seed, 7])
    weights = np.exp(weights_rng.normal(0.0, 0.5, size=max(reviewers, 1)))[:reviewers]
    shares = latent_mix(mix, agreement)
    # Documents per transaction: about 20,000 review rows, or 200 documents without reviews.
    per_batch = max(1, min(200, 20000 // max(1, 20 * reviews_per_claim)))
    for batch_start in range(existing, existing + documents, per_batch):
        batch_end = min(batch_start + per_batch, existing + documents)
        made = [article(seed, i) for i in range(batch_start, batch_end)]
        with engine.begin() as connection:
            ids = _next_ids(connection)
            rows = _Rows(ids)
            for art in made:
                rows.add_article(
                    art,
                    seed=seed,
                    total=existing + documents,
                    reviewer_ids=reviewer_ids,
                    weights=weights,
                    shares=shares,
                    k=reviews_per_claim,
                    agreement=agreement,
                    adjudicated=adjudicated,
                    admin_id=admin_id,
                    report=report,
                )
            _insert(connection, Document, rows.documents)
            _insert(connection, Claim, rows.claims)
            _insert(connection, Review, rows.reviews)
            _insert(connection, Evidence, rows.evidence)
            _insert(connection, FinalVerdict, rows.finals)
            _advance_sequences(connection)
            # Bulk rows bypass the service layer: the pages' per-claim figures and totals
            # are recomputed for this batch's claims.
            recount(connection, (row["id"] for row in rows.claims))
        report.documents += len(made)
        if on_document is not None:
            for art in made:
                on_document(art.index)
    report.seconds = time.perf_counter() - began
    return report


def latent_mix(mix: Sequence[float], agreement: float) -> np.ndarray[Any, Any]:
    """The distribution of the claims' true verdicts that makes the reviews' verdicts ``mix``.

    A reviewer gives the true verdict with probability a, else one of the other two, so a
    verdict's share among the reviews is m' = a m + (1 - a)(1 - m) / 2 for a true share m;
    inverted here (and clipped at 0 where ``mix`` asks for less than disagreement alone gives).
    """
    asked: np.ndarray[Any, Any] = np.asarray(mix, dtype=float) / float(sum(mix))
    noise = (1.0 - agreement) / (len(VERDICTS) - 1)
    if agreement - noise <= 0:
        return asked
    latent: np.ndarray[Any, Any] = np.clip((asked - noise) / (agreement - noise), 0.0, None)
    shares: np.ndarray[Any, Any] = latent / latent.sum()
    return shares


def _max_k() -> int:
    for meta in ProjectSettings.model_fields["reviews_per_claim"].metadata:
        if hasattr(meta, "le"):
            return int(meta.le)
    return 10


class _Rows:
    """The rows of one batch of articles, with ids assigned from ``next_ids``."""

    def __init__(self, next_ids: dict[str, int]) -> None:
        self.ids = next_ids
        self.documents: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.evidence: list[dict[str, Any]] = []
        self.finals: list[dict[str, Any]] = []

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def add_article(
        self,
        art: Article,
        *,
        seed: int,
        total: int,
        reviewer_ids: Sequence[int],
        weights: np.ndarray[Any, Any],
        shares: np.ndarray[Any, Any],
        k: int,
        agreement: float,
        adjudicated: float,
        admin_id: int | None,
        report: SynthReport,
    ) -> None:
        rng = np.random.default_rng([seed, art.index, 1])
        py = random.Random(f"synth-reviews:{seed}:{art.index}")
        # Ingested over the first half of the period, in order; reviewed in the days after.
        span = REVIEW_WEEKS * 7 * 86400
        ingested = EPOCH + timedelta(seconds=span * 0.5 * art.index / max(total, 1))
        document_id = self._id("documents")
        self.documents.append(
            {
                "id": document_id,
                "title": art.title[:500],
                "source": art.source,
                "url": art.url,
                "text": art.text,
                "sha256": hashlib.sha256(art.text.encode("utf-8")).hexdigest(),
                "published": art.published,
                "metadata": {"synth": True, "outlet": art.outlet, "topic": art.topic},
                "ingested_at": ingested,
            }
        )
        n = len(art.claims)
        report.claims += n
        truth = rng.choice(len(VERDICTS), size=n, p=shares)
        if k:
            chosen = _pick_reviewers(rng, weights, n, k)
            agrees = rng.random((n, k)) < agreement
            shift = rng.integers(1, len(VERDICTS), size=(n, k))
            given = np.where(agrees, truth[:, None], (truth[:, None] + shift) % len(VERDICTS))
            # Seconds after ingest until each decision: most within days, some weeks later.
            delays = rng.exponential(3 * 86400, size=(n, k)) + rng.uniform(600, 7200, (n, k))
            spent = rng.lognormal(math.log(75), 0.8, size=(n, k)).round(1)
            url_count = rng.choice(3, size=(n, k), p=(0.6, 0.3, 0.1))
            noted = rng.random((n, k)) < 0.15
            # Plain lists: indexing NumPy arrays one value at a time is slow.
            table = zip(
                (reviewer_ids[i] for i in chosen.ravel().tolist()),
                given.ravel().tolist(),
                delays.ravel().tolist(),
                spent.ravel().tolist(),
                url_count.ravel().tolist(),
                noted.ravel().tolist(),
                strict=True,
            )
        for c, claim in enumerate(art.claims):
            claim_id = self._id("claims")
            self.claims.append(
                {
                    "id": claim_id,
                    "document_id": document_id,
                    "text": art.text[claim.char_start : claim.char_end],
                    "char_start": claim.char_start,
                    "char_end": claim.char_end,
                    "speaker": claim.speaker,
                    "score": claim.score,
                    "extractor": EXTRACTOR,
                    "status": "open",
                    "created_at": ingested,
                }
            )
            if not k:
                continue
            last = ingested
            votes: list[int] = []
            for j in range(k):
                reviewer, vote, delay, seconds, urls, note = next(table)
                decided = ingested + timedelta(seconds=delay)
                last = max(last, decided)
                votes.append(vote)
                verdict = VERDICTS[vote]
                report.verdicts[verdict] += 1
                review_id = self._id("reviews")
                self.reviews.append(
                    {
                        "id": review_id,
                        "claim_id": claim_id,
                        "reviewer_id": reviewer,
                        "verdict": verdict,
                        "note": py.choice(NOTES) if note else "",
                        "seconds_spent": seconds,
                        "decided_at": decided,
                        "version": 1,
                        "created_at": decided - timedelta(seconds=seconds),
                        "updated_at": decided,
                    }
                )
                for u in range(urls):
                    site = EVIDENCE_SITES[(c + j + u * 3 + art.index) % len(EVIDENCE_SITES)]
                    self.evidence.append(
                        {
                            "id": self._id("evidence"),
                            "review_id": review_id,
                            "url": f"{site}{art.topic}-{art.index}-{c}-{u}",
                            "note": "",
                            "added_at": decided - timedelta(seconds=seconds / 2),
                        }
                    )
                report.urls += urls
            report.reviews += k
            self._final(
                claim_id, votes, last, k, py, adjudicated=adjudicated, admin_id=admin_id,
                report=report,
            )  # fmt: skip

    def _final(
        self,
        claim_id: int,
        values: list[int],
        last: datetime,
        k: int,
        py: random.Random,
        *,
        adjudicated: float,
        admin_id: int | None,
        report: SynthReport,
    ) -> None:
        if len(set(values)) == 1:
            source = "single" if k == 1 else "consensus"
            verdict, reason, by, at = VERDICTS[values[0]], "", None, last
        elif admin_id is not None and py.random() < adjudicated:
            counts = np.bincount(values, minlength=len(VERDICTS))
            source = "adjudicated"
            verdict = VERDICTS[int(np.argmax(counts))]
            reason, by = py.choice(REASONS), admin_id
            at = last + timedelta(hours=py.uniform(2, 72))
        else:
            report.awaiting_adjudication += 1
            return
        report.finals[source] = report.finals.get(source, 0) + 1
        self.finals.append(
            {
                "id": self._id("final_verdicts"),
                "claim_id": claim_id,
                "verdict": verdict,
                "source": source,
                "reason": reason,
                "decided_by_id": by,
                "decided_at": at,
                "version": 1,
            }
        )
