"""A realistic synthetic corpus for benchmarks and demos: articles, claims, reviewers, reviews.

Two parts:

* :func:`article` makes one news article of about 5 KB from a sentence grammar and a
  vocabulary of fictional places, people and organisations: a headline, a byline, a dateline,
  paragraphs of claims (figures, percentages, dates, plans, comparisons, attributed in a dozen
  ways) and narration, and page furniture (photo captions, share bars, related links, a
  newsletter prompt, tags, a copyright line) at the rate of tests/data/news. Names, towns,
  streets and firms are made from parts and sentences from independently drawn pieces, so
  that articles share about as little wording as real news does (bench/ingest.py measures it
  against tests/data/news: the share of claim pairs the similarity screen lets through), while
  each news cycle of 100 articles has 25 statements that several of its articles report,
  each with its own attribution, for the similar-claims links to find. It is a pure function
  of ``(seed, index)``: the same pair gives the same article on every machine and in every
  process, so a benchmark can make its texts anywhere. Each article also lists the spans of
  its check-worthy sentences (with their speakers), known by construction.
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
import string
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, Table, func, select, text

from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
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
# Share of an article's sentences that are check-worthy claims: about 18 claims an article.
CLAIM_SHARE = 0.62

# --- vocabulary ----------------------------------------------------------------------------
#
# Real news shares little text between unrelated articles: names, places, figures and the
# specific things a story is about make most of a sentence. The vocabulary below is built
# for the same property (measured by bench/ingest.py: the share of claim pairs of different
# articles that the similarity screen lets through, against tests/data/news): people, towns,
# streets and companies are made from parts (tens of thousands of each), every sentence is
# put together from several independently drawn pieces, and each fixed phrase has variants.

FIRST = (
    "Ana", "Ben", "Clara", "Daniel", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas",
    "Karin", "Liam", "Maria", "Nikolai", "Olga", "Pedro", "Quinn", "Rosa", "Samuel", "Tara",
    "Ursula", "Victor", "Wen", "Ximena", "Yusuf", "Zofia", "Amara", "Bruno", "Chloe", "Dmitri",
    "Eva", "Felix", "Greta", "Hassan", "Ida", "Jakob", "Lena", "Marco", "Nadia", "Oscar",
    "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Vera", "Walter", "Yara", "Aidan", "Beatriz",
    "Carmen", "Declan", "Esther", "Fatima", "Gareth", "Helga", "Ivan", "Joanna", "Kofi", "Leila",
    "Mateo", "Nora", "Omar", "Paula", "Rhys", "Selin", "Theo", "Valentina", "Wojciech", "Aisha",
    "Bogdan", "Cecile", "Dario", "Emeka", "Frida", "Giorgos", "Hana", "Imran", "Judith",
    "Kenji", "Lucia", "Mikael", "Nasrin", "Orla", "Pavel", "Renata", "Stefan", "Tamsin",
    "Viktor", "Yasmin", "Anders", "Blessing", "Colm", "Dalia", "Erik", "Flora", "Goran",
)  # fmt: skip
LAST = (
    "Silva", "Okafor", "Jensen", "Moreau", "Kowalski", "Haddad", "Lindqvist", "Novak",
    "Ferreira", "Tanaka", "Delgado", "Whitfield", "Brennan", "Petrov", "Nakamura", "Osei",
    "Castillo", "Fischer", "Marsh", "Varga", "Ibrahim", "Kaur", "Larsen", "Mendes", "Nilsson",
    "Popescu", "Quintero", "Rahman", "Sato", "Thorne", "Ulrich", "Vance", "Weber", "Yilmaz",
    "Zhang", "Abbott", "Bauer", "Costa", "Dunn", "Eriksen", "Gallo", "Horvat", "Iqbal",
    "Keller", "Lopez", "Mbeki", "Novikova", "Ortega", "Park", "Russo", "Adeyemi", "Bianchi",
    "Chowdhury", "Dimitrov", "Engel", "Fonseca", "Gunnarsson", "Hoffmann", "Ivanova", "Jovanovic",
    "Kovacs", "Lehmann", "Mwangi", "Nyberg", "O'Connell", "Pereira", "Quinlan", "Rossi",
    "Schmidt", "Takahashi", "Uddin", "Vasquez", "Wojcik", "Yamamoto", "Zielinski", "Achterberg",
    "Brady", "Carvalho", "Duarte", "Esposito", "Fitzgerald", "Grabowski", "Halvorsen", "Ito",
)  # fmt: skip
# Made-up surnames, towns, streets and firms: a head and a tail each.
NAME_HEADS = (
    "Ash", "Bal", "Bren", "Cal", "Dor", "Ell", "Fair", "Gal", "Hal", "Kem", "Lang", "Mor",
    "Nor", "Pem", "Rad", "Sel", "Tem", "Wal", "Wes", "Yar", "Brad", "Crom", "Dun", "Everd",
    "Fen", "Grim", "Hart", "Kirk", "Lind", "Mar", "Oak", "Pen", "Quen", "Ros", "Stan", "Thorn",
    "Ulver", "Vern", "Wick", "Alden", "Birk", "Cold", "Dray", "Elm", "Frost", "Glen",
)  # fmt: skip
NAME_TAILS = (
    "by", "den", "ford", "ham", "ley", "low", "mer", "ner", "ridge", "ry", "sby", "ton",
    "well", "win", "worth", "field", "wick", "more", "dale", "stead", "haven", "mouth",
    "bury", "gate", "hurst", "cliff", "port", "vale", "brook", "stow", "combe", "thorpe",
    "holme", "wood", "march", "ness", "minster", "shaw",
)  # fmt: skip
TOWN_PREFIXES = ("", "", "", "", "", "", "East ", "West ", "North ", "South ", "Upper ",
                 "Lower ", "Port ", "Saint ", "New ", "Old ", "Great ", "Little ")  # fmt: skip
STREET_KINDS = (
    "Street", "Road", "Avenue", "Lane", "Way", "Square", "Terrace", "Crescent", "Parade",
    "Quay", "Hill", "Row",
)  # fmt: skip
FIRM_KINDS = (
    "Holdings", "Group", "Logistics", "Partners", "Engineering", "Services", "Energy",
    "Construction", "Analytics", "Foods", "Systems", "Capital", "Consulting", "Labs",
    "Transport", "Health", "Property", "Media", "Security", "Utilities",
)  # fmt: skip
OUTLETS = (
    ("Harlow Bay Ledger", "ledger.example.com"),
    ("The Northern Courier", "northerncourier.example.org"),
    ("Valdoria Today", "valdoriatoday.example.net"),
    ("Metro Wire", "metrowire.example.com"),
    ("The Civic Record", "civicrecord.example.org"),
    ("Coastal Times", "coastaltimes.example.com"),
    ("The Evening Sentinel", "eveningsentinel.example.com"),
    ("Riverside Herald", "riversideherald.example.org"),
    ("The County Observer", "countyobserver.example.net"),
    ("Lakeland Post", "lakelandpost.example.com"),
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
    bodies: tuple[str, ...]  # organisations, after "the <town>"
    roles: tuple[str, ...]  # what an official speaking on it is
    things: tuple[str, ...]  # plural nouns that can be counted
    measures: tuple[str, ...]  # what a percentage or a change can be of
    actions: tuple[str, ...]  # what a body does, as "plans to <action>"
    headlines: tuple[str, ...]
    scenes: tuple[str, ...]  # where a story happens: "at the <scene>"


TOPICS = (
    Topic(
        "transit",
        ("Transit Authority", "City Council", "Department of Transport", "Rail Board",
         "Bus Operators' Association", "Regional Transport Partnership"),
        ("transit director", "council member", "transport minister", "union spokesperson",
         "commuter group chair", "rail planner"),
        ("bus routes", "riders a day", "drivers", "rail cars", "stations", "weekend services",
         "ticket machines", "level crossings", "tram stops", "night buses"),
        ("operating costs", "ridership", "fare revenue", "on-time arrivals", "cancelled trips",
         "maintenance spending", "passenger complaints"),
        ("cut three bus routes", "raise fares by 25 cents", "extend the tram line to the harbour",
         "buy 40 electric buses", "close the night service", "rebuild the central interchange",
         "merge the two ticketing systems", "hire more drivers from abroad"),
        ("Council Approves Transit Cut After Late-Night Vote", "Riders Brace for Fewer Buses",
         "Tram Extension Runs Over Budget", "Drivers Threaten Strike Over Rosters"),
        ("bus depot", "central station", "tram works", "interchange", "ticket office"),
    ),
    Topic(
        "health",
        ("Health Department", "Regional Hospital", "Ministry of Health", "Public Health Agency",
         "Ambulance Trust", "Community Care Board"),
        ("chief medical officer", "health minister", "hospital director", "epidemiologist",
         "nurses' union leader", "general practitioner"),
        ("measles cases", "hospital beds", "nurses", "vaccinations", "clinics", "ambulances",
         "operations", "patients waiting", "pharmacies", "doctors in training"),
        ("children vaccinated", "beds occupied", "emergency visits", "staff on sick leave",
         "waiting times", "ambulance response times", "prescription costs"),
        ("open two new clinics", "hire 300 nurses", "extend the vaccination campaign",
         "close the maternity ward at night", "build a new emergency department",
         "bring back free dental checks", "move cancer care to the regional hospital"),
        ("Measles Cases Rise for a Third Week", "Hospital Warns of Winter Bed Shortage",
         "Ambulance Waits Hit New High", "Clinic Closures Leave Villages Without a Doctor"),
        ("emergency department", "children's ward", "vaccination centre", "hospital car park"),
    ),
    Topic(
        "energy",
        ("Grid Operator", "Energy Ministry", "Wind Consortium", "Utilities Commission",
         "District Heating Company", "Solar Cooperative"),
        ("energy minister", "grid operator spokesperson", "plant manager", "energy analyst",
         "consumer advocate", "engineer"),
        ("households", "wind turbines", "megawatts", "outages", "substations", "solar panels",
         "heat pumps", "smart meters", "kilometres of cable"),
        ("electricity from wind", "households affected", "peak demand", "imports",
         "household bills", "gas consumption", "grid losses"),
        ("build a second interconnector", "cap household tariffs", "replace the old substations",
         "close the coal plant early", "subsidise heat pumps", "bury the power lines"),
        ("Storm Knocks Out Power to Thousands", "Wind Farm Output Falls Short of Target",
         "Bills to Rise Again in Spring", "Coal Plant Closure Brought Forward"),
        ("substation", "wind farm", "power station", "control room"),
    ),
    Topic(
        "elections",
        ("Electoral Commission", "Supreme Court", "Interior Ministry", "Election Observers",
         "Boundary Commission", "Returning Office"),
        ("election commissioner", "opposition leader", "party spokesperson", "observer",
         "returning officer", "constitutional lawyer"),
        ("ballots", "polling stations", "votes", "complaints", "districts", "postal ballots",
         "registered voters", "candidates", "counting staff"),
        ("turnout", "the vote", "ballots rejected", "postal votes", "the winning margin",
         "campaign spending", "voter registrations"),
        ("order a partial recount", "publish the full results", "review the complaints",
         "redraw the district boundaries", "extend voting hours", "ban campaign texts"),
        ("Recount Ordered in Three Districts", "Turnout Hits a Twenty-Year Low",
         "Observers Question Postal Vote Count", "Court Hears Challenge to Result"),
        ("counting centre", "polling station", "courthouse", "party headquarters"),
    ),
    Topic(
        "housing",
        ("Housing Agency", "City Council", "Planning Board", "Tenants' Association",
         "Building Society", "Homelessness Trust"),
        ("housing minister", "mayor", "planning officer", "tenant advocate", "developer",
         "estate agent"),
        ("homes", "apartments", "families on the waiting list", "building permits", "evictions",
         "empty properties", "social housing units", "planning appeals"),
        ("rents", "new homes approved", "vacant apartments", "households in arrears",
         "house prices", "mortgage approvals", "rough sleeping"),
        ("build 2,000 affordable homes", "freeze rents for a year", "tax empty apartments",
         "sell the old hospital site", "license all private landlords", "demolish the towers"),
        ("Rents Climb Faster Than Wages, Report Finds", "City Unveils Affordable Housing Plan",
         "Tenants Fight Eviction From Tower Block", "Planning Row Over Riverside Flats"),
        ("building site", "tower block", "housing estate", "planning office"),
    ),
    Topic(
        "economy",
        ("Finance Ministry", "Central Bank", "Chamber of Commerce", "Statistics Office",
         "Enterprise Agency", "Port Authority"),
        ("finance minister", "central bank governor", "economist", "business leader",
         "shop owner", "trade negotiator"),
        ("jobs", "businesses", "factories", "exports", "tax returns", "start-ups",
         "shipping containers", "shop closures", "apprenticeships"),
        ("unemployment", "inflation", "the budget deficit", "economic growth", "wages",
         "business confidence", "retail sales"),
        ("cut the sales tax", "raise interest rates", "freeze public sector hiring",
         "sell its stake in the airline", "open a free trade zone at the port"),
        ("Budget Shortfall Forces Spending Cuts", "Inflation Eases for a Second Month",
         "Factory Closure Puts Hundreds of Jobs at Risk", "Port Traffic Slumps"),
        ("port", "trading floor", "factory gates", "market square"),
    ),
    Topic(
        "schools",
        ("Education Board", "School District", "Teachers' Union", "University Council",
         "Exams Authority", "Parents' Forum"),
        ("education minister", "head teacher", "union representative", "school inspector",
         "university rector", "parent governor"),
        ("pupils", "teachers", "classrooms", "school buses", "graduates", "exam papers",
         "laptops", "teaching assistants", "nursery places"),
        ("pass rates", "class sizes", "absences", "the schools budget", "teacher vacancies",
         "tuition fees", "reading scores"),
        ("close four rural schools", "hire 120 teachers", "provide free school meals",
         "scrap the entrance exam", "shorten the summer holiday", "ban phones in classrooms"),
        ("Parents Protest School Closure Plan", "Exam Results Show Widening Gap",
         "Teacher Shortage Forces Four-Day Week", "University Raises Fees Again"),
        ("school gates", "assembly hall", "university campus", "exam centre"),
    ),
    Topic(
        "crime",
        ("Police Department", "Justice Ministry", "Prosecutor's Office", "Prison Service",
         "Probation Board", "Victims' Commissioner"),
        ("police chief", "justice minister", "prosecutor", "criminologist", "defence lawyer",
         "neighbourhood watch coordinator"),
        ("burglaries", "arrests", "officers", "prison places", "car thefts", "court cases",
         "knife crimes", "fraud reports", "speeding fines"),
        ("violent crime", "the clearance rate", "prison capacity", "response times",
         "reoffending", "shoplifting", "the court backlog"),
        ("put 200 more officers on patrol", "build a new prison", "cut court backlogs",
         "close three police stations", "fit body cameras to every officer"),
        ("Burglaries Fall but Violent Crime Rises", "Police Chief Defends Patrol Cuts",
         "Court Backlog Reaches Record", "Prison Overcrowding Warning"),
        ("police station", "crown court", "prison", "crime scene"),
    ),
    Topic(
        "water",
        ("Water Board", "Environment Agency", "Harbour Authority", "Farmers' Cooperative",
         "Flood Defence Office", "Rivers Trust"),
        ("environment minister", "hydrologist", "farmer", "water board chair", "angler",
         "flood warden"),
        ("litres", "wells", "farms", "pipes", "leaks", "sewage spills", "flood barriers",
         "water meters", "bathing sites"),
        ("reservoir levels", "water use", "river pollution", "leakage", "water bills",
         "nitrate levels", "flood insurance claims"),
        ("ban garden hoses", "replace the old mains", "fine the polluters",
         "build a desalination plant", "raise the flood walls", "meter every household"),
        ("Drought Forces Hosepipe Ban", "Sewage Spills Double in a Year",
         "Flood Defences Fail Second Test", "River Declared Unsafe for Swimming"),
        ("reservoir", "treatment works", "riverbank", "flood barrier"),
    ),
    Topic(
        "farming",
        ("Agriculture Ministry", "Growers' Association", "Food Safety Agency", "Land Registry",
         "Dairy Board", "Veterinary Service"),
        ("agriculture minister", "grower", "food safety inspector", "agronomist", "dairy farmer",
         "vet"),
        ("tonnes of wheat", "cattle", "hectares", "seasonal workers", "farms", "tractors",
         "beehives", "litres of milk", "sheep"),
        ("crop yields", "fertiliser prices", "milk prices", "farm incomes", "land prices",
         "pesticide use", "food exports"),
        ("subsidise fertiliser", "ban the pesticide", "open a new grain terminal",
         "pay farmers to plant hedges", "cull the infected herds"),
        ("Harvest Falls Short After Wet Summer", "Milk Prices Squeeze Small Farms",
         "Bird Flu Outbreak Confirmed", "Farmers Block Roads in Subsidy Protest"),
        ("grain terminal", "cattle market", "dairy farm", "orchard"),
    ),
    Topic(
        "climate",
        ("Climate Council", "Environment Ministry", "Air Quality Board", "Forestry Commission",
         "Coastal Protection Agency", "Recycling Authority"),
        ("climate minister", "air quality scientist", "forester", "campaigner",
         "coastal engineer", "recycling manager"),
        ("trees", "tonnes of carbon", "charging points", "hectares of forest", "heatwave days",
         "recycling bins", "diesel cars", "wildfires"),
        ("emissions", "air pollution", "recycling rates", "forest cover", "landfill waste",
         "electric car sales", "coastal erosion"),
        ("ban diesel cars from the centre", "plant a million trees", "charge for plastic bags",
         "close the landfill", "add a congestion charge"),
        ("Air Pollution Breaches Legal Limit Again", "Town Misses Recycling Target",
         "Heatwave Breaks Local Record", "Coastal Path Lost to Erosion"),
        ("landfill", "forest", "sea wall", "recycling centre"),
    ),
    Topic(
        "labour",
        ("Labour Ministry", "Trade Union Congress", "Employers' Federation", "Pensions Board",
         "Workplace Safety Agency", "Arbitration Service"),
        ("labour minister", "union leader", "employers' representative", "shop steward",
         "pensions expert", "safety inspector"),
        ("workers", "strike days", "contracts", "pensioners", "workplace injuries",
         "zero-hours contracts", "job vacancies", "sick days"),
        ("the minimum wage", "pension payments", "union membership", "overtime pay",
         "the retirement age", "workplace accidents", "staff turnover"),
        ("raise the minimum wage", "raise the retirement age", "ban zero-hours contracts",
         "call in the arbitration service", "freeze public sector pay"),
        ("Strike Shuts Down Hospitals and Schools", "Minimum Wage Rise Agreed",
         "Pension Age Plan Sparks Protests", "Talks Collapse on the Eve of Walkout"),
        ("picket line", "warehouse", "union hall", "factory floor"),
    ),
    Topic(
        "tourism",
        ("Tourism Board", "Heritage Trust", "Airport Authority", "Hoteliers' Association",
         "Museum Service", "Festival Committee"),
        ("tourism minister", "hotel owner", "museum director", "airport chief executive",
         "tour guide", "festival organiser"),
        ("visitors", "hotel rooms", "cruise ships", "flights", "museum tickets",
         "short-term rentals", "festival passes", "restaurants"),
        ("visitor numbers", "hotel occupancy", "tourist spending", "airport traffic",
         "rental prices", "cruise arrivals"),
        ("charge a tourist tax", "cap short-term rentals", "extend the runway",
         "close the old town to cars", "restore the castle walls"),
        ("Tourist Tax Splits Old Town", "Record Summer for Hotels", "Runway Plan Faces Legal Fight",
         "Cruise Ships Banned From Inner Harbour"),
        ("old town", "airport terminal", "castle", "cruise terminal"),
    ),
    Topic(
        "technology",
        ("Digital Agency", "Data Protection Office", "Telecoms Regulator", "Cyber Security Centre",
         "Innovation Fund", "Broadband Partnership"),
        ("digital minister", "data protection commissioner", "software engineer",
         "telecoms analyst", "security researcher", "start-up founder"),
        ("households without broadband", "data breaches", "phone masts", "online services",
         "user accounts", "cyber attacks", "fibre connections", "public wifi points"),
        ("broadband coverage", "mobile data prices", "online fraud", "digital tax receipts",
         "download speeds", "app downloads"),
        ("connect every village to fibre", "fine the phone company", "move all forms online",
         "ban facial recognition cameras", "build a data centre by the river"),
        ("Data Breach Exposes Thousands of Records", "Villages Still Waiting for Broadband",
         "Phone Mast Plan Divides Residents", "Council Systems Down After Cyber Attack"),
        ("data centre", "server room", "phone mast", "tech park"),
    ),
    Topic(
        "roads",
        ("Highways Agency", "Road Safety Partnership", "Public Works Department",
         "Motorists' Association", "Cycling Trust", "Bridge Authority"),
        ("highways chief", "road safety officer", "civil engineer", "cycling campaigner",
         "haulier", "public works director"),
        ("potholes", "road deaths", "speed cameras", "kilometres of cycle lane", "bridges",
         "parking spaces", "lorries a day", "traffic lights"),
        ("traffic volumes", "road repairs", "accident rates", "parking revenue",
         "average speeds", "cycling trips", "journey times"),
        ("lower the speed limit to 30", "rebuild the old bridge", "add a bypass around the town",
         "charge for parking in the centre", "build a cycle bridge"),
        ("Bridge Closed After Cracks Found", "Pothole Repairs Fall Behind",
         "Road Deaths Rise on Rural Routes", "Bypass Plan Approved Despite Protests"),
        ("bypass", "bridge", "ring road", "junction"),
    ),
    Topic(
        "care",
        ("Social Care Board", "Disability Council", "Children's Services", "Care Inspectorate",
         "Carers' Alliance", "Welfare Office"),
        ("social care director", "care home manager", "disability advocate", "social worker",
         "carers' representative", "welfare minister"),
        ("care home beds", "carers", "children in care", "home visits", "benefit claims",
         "foster families", "day centres", "disability grants"),
        ("care costs", "delayed discharges", "benefit payments", "staff vacancies",
         "waiting lists for assessments", "fees paid by families"),
        ("close two care homes", "raise carers' pay", "means-test home care",
         "open a new day centre", "cut the waiting list for assessments"),
        ("Care Home Closure Leaves Residents in Limbo", "Carers Quit Over Low Pay",
         "Children's Services Rated Inadequate", "Benefit Delays Push Families Into Debt"),
        ("care home", "day centre", "welfare office", "family court"),
    ),
)  # fmt: skip

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


# Pieces of the sentence grammar. A claim is a statement (a figure, a change, a plan, a
# comparison) inside an attribution (said, told, according to, a quotation) with optional
# clauses of time, place and cause; each piece is drawn on its own and most fixed phrases
# have several wordings, so two claims share few 5-grams unless they restate each other.
CHANGE_UP = (
    "rose", "climbed", "increased", "jumped", "grew", "surged", "edged up", "went up",
    "soared", "crept up", "rose sharply", "shot up",
)  # fmt: skip
CHANGE_DOWN = (
    "fell", "dropped", "declined", "slipped", "decreased", "plunged", "eased", "went down",
    "shrank", "tumbled", "dipped", "fell back",
)  # fmt: skip
COUNT_VERBS = (
    "were affected", "were recorded", "were reported", "have been lost", "were added",
    "were closed", "were registered", "were cancelled", "were delayed",
    "remain unaccounted for", "were approved", "were inspected", "were turned away",
    "have been put on hold", "were left without cover", "were written off", "were reopened",
    "are still waiting", "were moved elsewhere", "were found to be faulty",
)  # fmt: skip
MONEY_VERBS = (
    "spent", "set aside", "lost", "borrowed", "received", "requested", "returned",
    "was promised", "owes", "has overspent by", "paid out", "wrote off", "raised",
    "put aside", "was refused", "underspent by",
)  # fmt: skip
PURPOSES = (
    "on {thing}", "on repairs", "on consultants", "on agency staff", "on legal fees",
    "for the {scene}", "to {action}", "on overtime", "on a study of {measure}",
    "on temporary contracts", "on IT systems", "in compensation", "on security",
)  # fmt: skip
PLAN_VERBS = (
    "plans to", "voted to", "agreed to", "is expected to", "refused to", "has promised to",
    "is considering whether to", "will be asked to", "has no plan to", "hopes to",
    "was told it must", "has twice failed to", "wants to", "has been ordered to",
)  # fmt: skip
COST_PHRASES = (
    "at a cost of", "in a deal worth", "for an estimated", "with a budget of",
    "for a price of", "under a contract worth", "using a grant of",
)  # fmt: skip
SHARE_VERBS = (
    "comes from", "depends on", "goes to", "is spent on", "is linked to", "is owed to",
    "is covered by", "is paid for by", "is blamed on", "ends up with",
)  # fmt: skip
SOURCES = (
    "state subsidies", "local taxes", "private donors", "federal grants",
    "a single contractor", "emergency funds", "loans from the central bank", "the reserve fund",
    "European funds", "parking charges", "a levy on businesses", "ticket sales",
    "a lottery grant", "the sale of council land", "insurance payouts",
)  # fmt: skip
TREND_VERBS = (
    "has doubled", "has tripled", "has halved", "reached a record", "has fallen by a third",
    "has grown by a quarter", "has barely changed", "has risen every year",
)  # fmt: skip
STANDARDS = (
    "met the standard", "passed inspection", "were finished on time", "met the safety rules",
    "were rated good", "met the legal limit", "were fully staffed", "stayed within budget",
    "passed the stress test", "were signed off by inspectors",
)  # fmt: skip
SUPERLATIVES = (
    "highest", "lowest", "second-highest", "fastest-growing", "worst", "best",
    "third-lowest", "steepest",
)  # fmt: skip
UNITS = ("town", "district", "county", "city", "region", "municipality", "borough")
AREAS = ("in the region", "in the country", "on the coast", "in the north", "in the south",
         "in the province", "of its size", "in the survey")  # fmt: skip
MULTIPLES = (
    "twice", "three times", "half", "a third of", "four times", "nearly double",
    "about a quarter of", "well above", "just below",
)  # fmt: skip
BENCHMARKS = (
    "the national average", "the regional figure", "the level in {year}",
    "what the ministry forecast", "the target set in {year}", "the figure for {other}",
    "the European average", "what was budgeted",
)  # fmt: skip
RECORDS = (
    "the highest level since {year}", "the lowest since records began in {year}",
    "a figure not seen since {year}", "the worst result in {small} years",
    "the best {month} on record", "more than twice the figure for {district}",
    "up from {percent} a year earlier", "down from {percent} in {year}",
    "against a target of {percent}", "compared with {percent} in {district}",
    "roughly {multiple} the {region} average", "{multiple} the level {firm} forecast",
    "a record for {town}", "the {small}th rise in a row",
)  # fmt: skip
SAY = (
    "said", "told reporters", "stated", "said in a statement", "told a news conference",
    "wrote in a letter to members", "said in an interview", "confirmed", "told councillors",
    "said on local radio", "told a hearing", "said in a post online", "told shareholders",
)  # fmt: skip
CLAIM_VERBS = (
    "claimed", "warned", "insisted", "estimated", "argued", "acknowledged", "alleged",
    "pointed out", "noted", "revealed", "disclosed", "conceded", "maintained", "reported",
)  # fmt: skip
TAILS = (
    "{record}", "{record}", "according to figures released on {weekday}",
    "despite earlier promises", "a figure disputed by the opposition",
    "up from {count} in {month}", "down from {count} in {year}",
    "according to an internal audit", "as {firm} had warned",
    "a claim the ministry rejects", "before the latest round of cuts",
    "even after the {month} increase", "twice what was forecast", "as {other} had predicted",
    "the first fall in {small} years", "a rise blamed on {cause}", "largely because of {cause}",
    "partly as a result of {cause}", "although {other} disputes the figure",
)  # fmt: skip
CAUSES = (
    "the cold winter", "staff shortages", "higher interest rates", "a software fault",
    "the storm in {month}", "rising energy costs", "the new rules", "a legal dispute",
    "cuts to central funding", "a surge in demand", "the closure of the {scene}",
    "delays at the supplier", "a change in how the figures are counted", "the strike",
)  # fmt: skip
REPORTS = (
    "a report published {when}", "figures seen by {outlet}", "an audit released {when}",
    "data from the statistics office", "documents obtained by reporters",
    "a survey of {count} residents", "the latest quarterly figures",
    "a leaked memo dated {month} {day}", "minutes of the {month} meeting",
    "a freedom of information request", "the annual report of {org}",
    "an analysis by {firm}", "papers filed with the court",
)  # fmt: skip
WHENS = (
    "on {weekday}", "in {month}", "since {year}", "last year", "by the end of {month}",
    "in {year}", "in the first {quarter} months of {year}", "between {month} and {month2}",
    "over the past {small} years", "this winter", "in the week to {month} {day}",
    "during the summer", "since the {month} election", "in the {half} half of {year}",
    "over the Easter holiday", "in the {small} weeks after the storm", "", "", "",
)  # fmt: skip
WHERES = (
    "in {district}", "across {town}", "at the {scene}", "on {street}", "in {town}'s {side}",
    "around {district}", "", "", "", "", "",
)  # fmt: skip
# Times for narration: no year or date, which would make a sentence of narration look like
# a statement of fact to the extractor.
NARRATIVE_WHENS = (
    "on {weekday}", "in {month}", "last week", "this week", "over the weekend",
    "late on {weekday}", "earlier this month", "at the start of {month}", "last {month}",
    "on {weekday} evening", "before the summer break", "", "", "",
)  # fmt: skip
SIDES = ("north", "south", "east", "west", "old town", "centre", "outskirts", "harbour area")

# Narrative and colour: sentences that set a scene, report a reaction or a procedure. Each is
# several drawn pieces with the article's own names and places in them, as real narration is
# specific to its story; most carry no figure, so the extractor drops many of them.
SCENE_SUBJECTS = (
    "residents", "a small crowd", "protesters", "councillors", "reporters", "parents",
    "shop owners", "several dozen people", "workers in orange vests", "a group of pensioners",
    "students", "neighbours", "volunteers", "commuters", "families from {district}",
    "members of the {district} residents' group", "supporters of {name}",
)  # fmt: skip
SCENE_ACTIONS = (
    "gathered outside {place_phrase}", "waited in the rain at {place_phrase}",
    "held up hand-painted signs near {place_phrase}", "queued along {street}",
    "filled the public gallery at {place_phrase}", "lined the pavement on {street}",
    "stood in silence outside {place_phrase}", "crowded into a side room at {place_phrase}",
    "handed out leaflets by {place_phrase}", "watched from across {street}",
    "marched from {street} to {place_phrase}", "blocked the entrance to {place_phrase}",
    "sang and banged drums outside {place_phrase}", "set up a stall on {street}",
)  # fmt: skip
SCENE_TIMES = (
    "on {weekday} morning", "late on {weekday}", "before the meeting began",
    "as the vote was taken", "long after dark", "during the lunch break",
    "while officials spoke inside", "from early in the day", "throughout the afternoon",
    "on the first warm day of {month}", "as the {scene} closed for the night",
    "hours before {name} arrived",
)  # fmt: skip
MOODS = (
    "some of them angry, others resigned", "many of them carrying children",
    "chanting the name of {name}", "as a brass band played nearby",
    "while police watched from a distance", "sharing flasks of tea",
    "most of them silent", "some wearing union colours", "holding photographs of {district}",
    "waving placards about {measure}", "", "",
)  # fmt: skip
FEELING_SUBJECTS = (
    "We", "My family and I", "People on {street}", "The staff at the {scene}",
    "Families in {district}", "My neighbours and I", "Half the people I know", "Our members",
    "The children", "Most of us",
)  # fmt: skip
FEELING_VERBS = (
    "have been waiting for an answer since {month}", "were never asked about the {thing}",
    "cannot keep paying for {measure} like this", "will not give up on the {scene}",
    "just want someone from {org} to listen", "feel let down by {name}",
    "have heard these promises before", "are tired of being told to wait",
    "do not trust the figures they keep giving us", "would leave {town} if we could",
    "have nowhere else to go", "found out about the plan from a leaflet",
    "still do not know who made the decision", "were told everything would be fine",
    "have given up on going to meetings", "are scared of what comes next for {district}",
)  # fmt: skip
FEELING_ENDS = (
    "", "", "", ", and nobody seems to care", ", honestly", " and it shows",
    ", whatever they say", " and we are not alone",
)  # fmt: skip
REASONS_WHY = (
    "because {org} never answered our letters", "since the {scene} on {street} closed",
    "after what happened in {month}", "and {name} knows it", "not after the {thing} fiasco",
    "when half of {district} is already struggling", "because nobody from {firm} turned up",
    "and the {scene} is the only one we have", "with the {month} bills still unpaid",
    "as long as {name} is in charge", "even with the extra {thing}",
    "until {org} tells us the truth about {measure}",
)  # fmt: skip
WHO_CLAUSES = (
    "who has run a bakery on {street} for two decades", "who moved to {town} as a child",
    "a retired teacher from {district}", "a mother of three", "who drives a taxi at night",
    "a volunteer at the {scene}", "who works at the {scene}", "a pensioner from {district}",
    "who sits on the residents' committee", "a nurse from {district}",
    "who chairs the {district} residents' group", "a student at the local college",
    "whose shop on {street} closed in {month}", "a former employee of {firm}",
)  # fmt: skip
PROCEDURES = (
    "will consider the {thing} again {later}", "is due to publish its response {later}",
    "has asked officials for a fuller report on {measure}",
    "will hold a public consultation on the {scene} {later}",
    "is expected to decide whether to {action} {later}",
    "has referred the question of {measure} to a committee",
    "will meet the unions about the {scene} {later}",
    "has promised to publish the documents behind the decision {later}",
    "declined to set a date for a decision on the {scene}",
    "said it would appeal the ruling on {measure}",
    "has hired {firm} to review the {thing}",
)  # fmt: skip
PROCEDURE_ENDS = (
    "", "", "", ", a spokesperson said", ", according to a notice on its website",
    ", after pressure from {name}", ", {outlet} understands",
)  # fmt: skip
LATER = (
    "next month", "after the summer", "in the autumn", "before the end of the year",
    "early next year", "in the coming weeks", "once the audit is finished",
    "at its {month} meeting",
)  # fmt: skip
UNKNOWN_OPENERS = (
    "It was not immediately clear", "It remains unclear", "Officials would not say",
    "Nobody at {org} could explain", "It is not known", "{name} did not say",
    "The report does not say",
)  # fmt: skip
UNKNOWNS = (
    "whether the plan to {action} would survive a legal challenge",
    "how the shortfall in {measure} would be covered",
    "who would take over the contract from {firm}", "when work at the {scene} would begin",
    "what the change would mean for {people} in {district}",
    "whether other towns would follow {town}",
    "how many of the staff at the {scene} would keep their jobs",
    "who had approved the payments to {firm}", "why the {thing} on {street} were left out",
)  # fmt: skip
PEOPLE = ("residents", "families", "staff", "small businesses", "pensioners", "commuters")
# Narration, put together from a subject, a verb, an object and the circumstances, each drawn
# from lists long enough that two sentences rarely share more than a word or two of glue.
NARRATIVE_VERBS = (
    "criticised", "defended", "questioned", "welcomed", "rejected", "reviewed", "discussed",
    "signed off", "postponed", "cancelled", "backed", "opposed", "unveiled", "presented",
    "challenged", "delayed", "scrapped", "revived", "redrafted", "leaked", "published",
    "withdrew", "tabled", "amended", "praised", "attacked", "ignored", "endorsed",
    "picked apart", "dismissed", "circulated", "shelved", "pushed through", "watered down",
    "defended in public", "quietly dropped", "asked for changes to", "walked away from",
    "raised doubts about", "called for a vote on", "demanded a copy of", "complained about",
)  # fmt: skip
NARRATIVE_ADJECTIVES = (
    "revised", "controversial", "long-delayed", "draft", "final", "new", "updated", "costly",
    "temporary", "unpopular", "leaked", "second", "rushed", "much-criticised", "scaled-back",
    "ambitious", "confidential", "emergency", "three-year", "interim", "rival", "original",
    "joint", "informal", "detailed", "hastily written", "amended", "disputed",
)  # fmt: skip
NARRATIVE_NOUNS = (
    "plan", "proposal", "timetable", "report", "budget", "contract", "deal", "strategy",
    "review", "petition", "agreement", "tender", "consultation", "policy", "scheme", "motion",
    "amendment", "audit", "settlement", "survey", "inquiry", "memo", "roadmap", "bid",
    "business case", "rescue package", "code of conduct", "spending round", "planning bid",
    "staffing plan", "pilot scheme", "funding formula",
)  # fmt: skip
NARRATIVE_LINKS = (
    "for the {scene}", "on {measure}", "with {firm}", "over the {thing}", "for {district}",
    "drawn up by {name}", "covering {street}", "for the {thing}", "agreed in {month}",
    "backed by {org}", "proposed by {firm}", "for the {scene} on {street}",
    "to {action}", "", "",
)  # fmt: skip
NARRATIVE_SUBJECTS = (
    "{name}", "{org}", "{firm}", "councillors from {district}", "{name}'s office",
    "lawyers for {firm}", "the {district} residents' group", "opposition members in {town}",
    "a cross-party group led by {name}", "union officials at the {scene}",
    "officials in {town}", "the committee chaired by {name}", "{speaker}",
    "the {role}", "{firm}'s board", "a group of landlords on {street}",
    "the mayor of neighbouring {district}", "two former colleagues of {name}",
    "traders on {street}", "{org}'s legal team", "the auditors brought in by {org}",
)  # fmt: skip
SPOKESPEOPLE = (
    "A spokesperson for", "A press officer at", "Officials at", "A lawyer for",
    "A senior manager at", "The communications team at",
)  # fmt: skip
# Where a sentence of narrative sits in the story: most narration carries one.
# A context is a time relation and an event ("days after" + "Ana Silva visited the depot"):
# two halves drawn apart, so that two sentences rarely share a whole clause.
CONTEXT_TIMES = (
    "days after", "a week before", "shortly after", "hours before", "not long after",
    "just as", "barely a month after", "on the day", "the morning after", "two days before",
    "soon after", "only weeks after", "the same week", "moments after", "around the time",
)  # fmt: skip
CONTEXT_EVENTS = (
    "{name} visited the {scene}", "{firm} pulled out of the talks",
    "the {scene} on {street} was closed", "the {month} deadline for the {thing} passed",
    "{people} in {district} packed the town hall", "{name} took office",
    "{org} met in private", "a petition from {street} reached {org}",
    "{firm} began work on {street}", "rain flooded parts of {street}",
    "the {scene} reopened", "{name} went on leave", "a letter from {name} leaked",
    "{outlet} revealed the {month} memo", "inspectors arrived at the {scene}",
    "the row over {measure} reached {org}", "talks with {firm} broke down",
    "councillors in {district} voted against it", "{name} resigned from {org}",
    "the {scene} failed its inspection",
)  # fmt: skip
CONTEXT_OTHERS = (
    "amid growing anger in {district}", "against the advice of {firm}",
    "in a move {name} called premature", "without consulting {people} in {district}",
    "under pressure from {org}", "to the anger of {people} on {street}",
    "in a break with the line taken by {name}", "in a {month} letter seen by {outlet}",
    "following complaints from {district}", "while the row over {measure} went on",
    "as {people} in {district} waited for news", "to the surprise of {name}",
)  # fmt: skip
SILENCES = (
    "did not respond to a request for comment", "declined to comment",
    "could not be reached for comment", "referred questions to the ministry",
    "said it would comment once it had seen the report", "did not return calls",
)  # fmt: skip
SILENCE_ENDS = (
    "on {weekday}", "about the {thing}", "about the events on {street}", "when asked about {name}",
    "about the {scene}", "before publication", "about the {month} figures",
)  # fmt: skip
BACKGROUNDS = (
    "{org} has faced criticism over its handling of {measure} before",
    "{name} took up the post in {month} after a long career at {firm}",
    "The question of the {scene} has divided {town} for years",
    "The dispute over the {thing} dates back to a decision made under the previous administration",
    "Similar plans to {action} were dropped after protests in neighbouring {district}",
    "The {scene} on {street} has been a point of contention since it opened",
    "Opposition members walked out of the {month} session before the final vote on the {thing}",
    "The proposal to {action} will now go to a committee chaired by {name}",
    "Critics say the process that led to the decision on the {scene} has been rushed",
    "Supporters of the plan to {action} welcomed the decision, among them {name}",
    "Details of the agreement between {org} and {firm} were not made public",
    "{name} first raised concerns about {measure} in a letter to {org}",
)  # fmt: skip
STATEMENT_OPENERS = (
    "{name} has long argued that", "Critics have questioned whether",
    "Campaigners in {town} say", "Some councillors privately admit that",
    "Local businesses fear that", "Residents of {district} have complained for months that",
    "Opponents of the plan, led by {name}, say", "Even supporters of {org} concede that",
)  # fmt: skip
OPINIONS = (
    "the plan to {action} was rushed through without proper scrutiny",
    "the decision on the {scene} will hit {people} hardest",
    "{org} has lost touch with the people it serves",
    "the changes to {measure} are long overdue",
    "nobody has explained where the money for the {scene} will come from",
    "the consultation on the {thing} was a formality",
    "{district} is being treated unfairly compared with {town}'s centre",
    "the reforms promised by {name} do not go far enough",
    "{firm} should never have been given the contract",
)  # fmt: skip
FURNITURE_NEWSLETTER = (
    "Sign up for our morning newsletter to get the day's local news in your inbox.",
    "Subscribe to our newsletter for the latest news from {town}.",
    "Get our weekly newsletter, with the stories that matter, in your inbox every Friday.",
)  # fmt: skip
FURNITURE_SHARE = ("Share this article", "Share this story", "Share", "Email", "Print")
# Claims restate a shared "wire" statement this often: another outlet's report of the same
# words of the same person, with its own attribution, which the similar-claims links find.
# Statements belong to a news cycle of WIRE_CYCLE articles, as a story is reported within a
# few days: a statement is reported a few times, whatever the size of the corpus.
# scene, quote, procedure, unknown, no comment, background, opinion, narration
FILLER_WEIGHTS = (6, 12, 2, 2, 3, 2, 2, 71)
FRAME_WEIGHTS = (8, 5, 8, 4, 6, 3, 4, 5, 3, 5, 2, 2, 1, 2, 4)
COSTINGS = (
    "the plan to", "the proposal to", "a scheme to", "the council's promise to",
    "the decision to", "an attempt to", "the bid to",
)  # fmt: skip
SHORTFALLS = (
    "fewer than planned", "short of the plan", "below target", "less than promised",
    "under what was agreed", "fewer than the contract required", "behind schedule",
)  # fmt: skip
JOINS = ("while", "and", "even though", "at a time when", "whereas", "just as")
WIRE_SHARE = 0.04
WIRE_CYCLE = 100
WIRE_STATEMENTS = 25  # per cycle
_FORMATTER = string.Formatter()


def _the(outlet: str) -> str:
    """An outlet's name as it follows a verb: "the Metro Wire", "The Civic Record"."""
    return outlet if outlet.startswith("The ") else f"the {outlet}"


def _made_name(rng: random.Random) -> str:
    """A surname, a town or a street name that no list holds: a head and a tail."""
    return rng.choice(NAME_HEADS) + rng.choice(NAME_TAILS)


def _person(rng: random.Random) -> str:
    last = rng.choice(LAST) if rng.random() < 0.5 else _made_name(rng)
    return f"{rng.choice(FIRST)} {last}"


class _Facts:
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
            (_person(rng), rng.choice(self.topic.roles)) for _ in range(rng.randint(3, 6))
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
        shared = _Facts(random.Random(f"synth-wire:{self.seed}:{cycle}:{number}"), self.seed, 0)
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
            return f"{_cap(core)}.", None
        if frame == 1:
            return f"According to {self.pick(REPORTS)}, {core}.", None
        if frame == 2:
            return f"{name}, the {role}, {r.choice(SAY)} that {core}.", name
        if frame == 3:
            return f"{_cap(role)} {name} {r.choice(CLAIM_VERBS)} that {core}.", name
        if frame == 4:
            return f"“{_cap(core)},” said {name}, {role}.", name
        if frame == 5:
            return f"“{self.feeling()}. {_cap(core)},” {name} said.", name
        if frame == 6:
            return f"{_cap(core)}, {name} told {_the(self.outlet)}.", name
        if frame == 7:
            return f"{_cap(org)} {r.choice(SAY)} that {core}.", None
        if frame == 8:
            return f"{name} {r.choice(CLAIM_VERBS)} on {r.choice(WEEKDAYS)} that {core}.", name
        if frame == 9:
            return f"{_cap(core)}, according to {name}, the {role}.", name
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
            return f"“{_cap(core)},” {name} wrote in {medium}.", name
        if frame == 13:
            kind = r.choice(("annual", "quarterly", "latest", "draft"))
            return f"In its {kind} report, {org} said {core}.", None
        return f"{_cap(core)}, {name} added.", name

    # -- narrative ---------------------------------------------------------------------------

    def caption(self, outlet: str) -> str:
        """A photo caption with its credit line, as pages print them under a picture."""
        r = self.rng
        people = r.choice(self.people)[0]
        scene = r.choice(self.topic.scenes)
        return (
            f"Photo: {people} at the {scene} in {self.town} on {r.choice(WEEKDAYS)}, "
            f"{r.choice(MONTHS)} {r.randint(1, 28)}. ({_person(r)} / {outlet})"
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
            f"{_cap(self.pick(NARRATIVE_SUBJECTS))} {r.choice(NARRATIVE_VERBS)} {thing}"
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
                f"{_cap(self.pick(SCENE_SUBJECTS))} {self.pick(SCENE_ACTIONS)} "
                f"{self.pick(SCENE_TIMES)}{mood}, {self.situation()}."
            )
        if kind == 1:
            feeling = f"{self.feeling()}, {self.pick(REASONS_WHY)}"
            if r.random() < 0.6:
                return f"“{feeling},” said {_person(r)}, {self.pick(WHO_CLAUSES)}."
            return f"“{feeling},” {r.choice(self.people)[0]} said, {self.situation()}."
        if kind == 2:
            ending = self.pick(PROCEDURE_ENDS)
            return f"{_cap(self.org())} {self.pick(PROCEDURES)}{ending}, {self.situation()}."
        if kind == 3:
            return f"{self.pick(UNKNOWN_OPENERS)} {self.pick(UNKNOWNS)}, {self.situation()}."
        if kind == 4:
            who = r.choice((*self.orgs, *self.firms))
            return (
                f"{r.choice(SPOKESPEOPLE)} {who} {r.choice(SILENCES)} "
                f"{self.pick(SILENCE_ENDS)}, {self.situation()}."
            )
        if kind == 5:
            return f"{_cap(self.pick(BACKGROUNDS))}, {self.situation()}."
        return f"{self.pick(STATEMENT_OPENERS)} {self.pick(OPINIONS)}, {self.situation()}."


def article(seed: int, index: int, *, size: int = 5000) -> Article:
    """Article ``index`` of the corpus ``seed``: about ``size`` characters (±15%)."""
    rng = random.Random(f"synth:{seed}:{index}")
    facts = _Facts(rng, seed, index)
    outlet, domain = rng.choice(OUTLETS)
    reporter = _person(rng)
    published = EPOCH - timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 1439))
    headline = f"{facts.town}: {rng.choice(facts.topic.headlines)}"
    w = _Writer(rng)
    w.add(f"{headline}\n\n")
    w.add(f"By {reporter} | {published:%b} {published.day}, {published.year}\n\n")
    if rng.random() < 0.5:
        w.add(f"{rng.choice(FURNITURE_SHARE)}\n\n")
    if rng.random() < 0.6:
        w.add(f"{facts.caption(outlet)}\n\n")
    target = size * rng.uniform(0.85, 1.15)
    first = True
    newsletter = rng.random() < 0.6
    while w.size < target:
        if not first:
            roll = rng.random()
            if roll < 0.08:
                w.add(f"{facts.caption(outlet)}\n\n")
            elif roll < 0.13:
                others = rng.sample(rng.choice(TOPICS).headlines, rng.randint(1, 3))
                w.add("".join(f"Read more: {other}\n" for other in others) + "\n")
            elif roll < 0.16 and newsletter:
                w.add(f"{facts.pick(FURNITURE_NEWSLETTER)}\n\n")
                newsletter = False
            elif roll < 0.19:
                w.add("Advertisement\n\n")
        sentences = rng.randint(1, 4)
        for i in range(sentences):
            if i:
                w.add(" ")
            if first:
                w.add(f"{facts.town.upper()} — ")
            if first or rng.random() < CLAIM_SHARE:
                sentence, speaker = facts.claim_sentence()
                w.add(sentence, claim=True, speaker=speaker)
            else:
                w.add(facts.filler())
            first = False
        w.add("\n\n")
    if rng.random() < 0.4:
        w.add(f"(Reporting by {reporter}; editing by {_person(rng)})\n\n")
    if rng.random() < 0.5:
        tags = rng.sample(facts.topic.measures, 2)
        w.add(
            f"Tags: {facts.topic.name.title()}, {facts.town}, {_cap(tags[0])}, {_cap(tags[1])}\n\n"
        )
    if rng.random() < 0.5:
        w.add(f"© {published.year} {outlet}. All rights reserved.\n")
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
            known[name] = add_user(engine, SYSTEM, name, role).id
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
        set_project_setting(engine, SYSTEM, "reviews_per_claim", reviews_per_claim)

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
                        # Synthetic reviewers decide once, blind (workbench.review.blind).
                        "blind_verdict": verdict,
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
