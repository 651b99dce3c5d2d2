"""The synthetic corpus's data tables: names, places, outlets, topics and sentence pieces.

Data, not logic (exempt from the 600-line rule as a table): the grammar in
:mod:`workbench.synth.grammar` draws from these. Changing a table changes every synthetic
article (and the digests pinned in tests/test_synth.py).
"""

from __future__ import annotations

from dataclasses import dataclass

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
COSTINGS = (
    "the plan to", "the proposal to", "a scheme to", "the council's promise to",
    "the decision to", "an attempt to", "the bid to",
)  # fmt: skip
SHORTFALLS = (
    "fewer than planned", "short of the plan", "below target", "less than promised",
    "under what was agreed", "fewer than the contract required", "behind schedule",
)  # fmt: skip
JOINS = ("while", "and", "even though", "at a time when", "whereas", "just as")
