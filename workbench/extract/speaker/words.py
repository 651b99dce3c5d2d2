"""The speaker rules' word lists: reporting verbs, roles, titles, names, places, bodies.

Data, not logic (exempt from the 600-line rule as tables): what counts as a reporting verb, a
role in front of a name, a given name of known gender, a place or a kind of body. The rules
that use them are in :mod:`~workbench.extract.speaker.sentence`,
:mod:`~workbench.extract.speaker.names` and :mod:`~workbench.extract.speaker.document`.
"""

from __future__ import annotations

import re

VERBS = (
    r"said|says|say|told|tells|tell|claimed|claims|claim|accused|accuses|accuse|denied|denies|"
    r"deny|declared|declares|announced|announces|stated|confirmed|confirms|testified|testifies|"
    # "added that ...", not "added a second from the penalty spot" (an object: no report).
    r"(?:added|adds)(?!\s+(?:a|an|another|the|two|three|four|his|her|their|its|\d)\b)|"
    r"warned|warns|insisted|insists|noted|notes|argued|argues|alleged|alleges|admitted|admits|"
    r"revealed|reveals|explained|explains|described|describes|vowed|vows|threatened|threatens|"
    r"reiterated|reiterates|emphasized|emphasised|emphasizes|stressed|admonished|urged|"
    r"stresses|pointed out|clarified|suggested|characterized|asserted|asserts|wrote|writes|"
    r"replied|responded|acknowledged|countered|concluded|reported|hoped|promised|pledged|"
    r"(?:released|issued) a statement|"
    # Words that are reporting verbs only in some uses: "NATO member states" is a noun,
    # "recalled its ambassador" withdrew someone, "the report" is a noun.
    r"states(?=\s+(?:that|:|“|\"))|recall(?:ed|s)(?=\s+(?:that|how|:|“|\"|,))|"
    r"(?<!\bthe )(?<!\ba )(?<!\ban )report(?=\s+that\b)|"
    # "A survey by the Youth Council found that ...": the finding is the body's claim.
    # "found that", also "found in a study published in March that".
    r"found(?=(?:\s+[\w,]+){0,8}?\s+that\b)|estimates(?=\s+that\b)|"
    r"(?<!\ban )(?<!\bis )(?<!\bwas )estimated|"
    # "..., the study found." closing the sentence: what was found is the source's finding
    # ("The body was found." has no source in front, so it stays the outlet's).
    r"found(?=[.!]\s*$)|"
    # "State records show ...", "Figures show that ...": documents that show report.
    r"(?:(?<=records )|(?<=figures )|(?<=data )|(?<=statistics ))show(?:s|ed)?\b"
)
# "records" stay the source ("according to council records": the labels keep the records).
DOCUMENT_WORDS = frozenset({"data", "figures", "statistics", "report", "estimates"})
# "it" and "they" refer to bodies ("It said Nordnett could be fined"), "he" and "she" to people.
PRONOUNS = frozenset({"he", "she", "they", "it"})
# Subjects that are no source: "it’s worth noting that ...", "there are reports ...".
NON_SOURCE_SUBJECTS = frozenset(
    {"it", "it’s", "it's", "this", "that", "there", "these", "those", "we", "i", "you", "one"}
)
# A word right in front of the source that puts the reporting verb in a subordinate clause.
SUBORDINATORS = frozenset(
    {
        "that", "which", "who", "whom", "whose", "since", "because", "whether", "if", "than",
        "when", "while", "although", "though", "unless", "until", "where", "after", "before",
        "once", "whereas", "despite",
    }
)  # fmt: skip
DETERMINERS = frozenset({"the", "a", "an"})
JOINERS = frozenset({"the", "a", "an", "of", "for", "to", "in", "at", "and", "de", "von", "van"})
LEADING_DROPS = frozenset({"of", "for", "to", "in", "at", "and", "by", "on", "even", "so"})
# Lowercase words a source can contain: roles, bodies, titles ("Kremlin spokesman", "US
# intelligence agencies", "a spokesman for the Russian president").
ROLES = frozenset(
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
        ministries foreign-ministry white house team alliance executive attorney lawyer union
        regulator board member ceo health finance justice education energy interior labor
        labour environment treasury transport transportation city county federal municipal
        candidate commission electoral opposition operator company firm chamber organisation
        organization utility airline association federation institute municipality network
        authority club league study survey researchers researcher scientists scientist group chain
        manager coach captain boss treasurer professor councillor inspector detective
        """,
    )
)
# Role nouns that make a source one person, so "he" or "she" can refer to it.
PERSON_ROLES = frozenset(
    re.findall(
        r"\w+",
        """
        spokesman spokeswoman spokesperson minister adviser advisor official secretary
        president chair chairman chairwoman chief head leader envoy ambassador diplomat
        representative senator governor mayor general commander director prosecutor judge
        officer analyst expert economist scientist researcher lawyer attorney doctor
        candidate lawmaker premier chancellor king queen prince princess pope sheriff
        manager coach captain boss treasurer professor councillor inspector detective
        """,
    )
)
MALE_WORDS = frozenset(
    {"mr", "sir", "lord", "king", "prince", "spokesman", "chairman", "congressman", "he"}
)
FEMALE_WORDS = frozenset(
    {
        "mrs", "ms", "miss", "dame", "lady", "queen", "princess", "spokeswoman", "chairwoman",
        "congresswoman", "she",
    }
)  # fmt: skip
# First names whose gender is unambiguous in news about politics; a hint, not coverage:
# a name not listed leaves the gender unknown, which only matters when a pronoun disagrees.
MALE_NAMES = frozenset(
    re.findall(
        r"\w+",
        """
        Dmitry Dmitri Sergey Sergei Vladimir Jake Joe Joseph Donald Barack George Bill John
        Jens Antony Emmanuel Olaf Boris Rishi Keir Volodymyr Alexei Alexander Alexandr Mikhail
        Konstantin Nikolai Viktor Recep Narendra Benjamin Mike Michael Lloyd Jim James Tom
        Thomas David Peter Paul Mark Robert Richard Charles William Henry Andrew Daniel Kevin
        Chuck Mitch Ron Bernie Marco Ted Rand Lindsey Abdel Mohammed Muhammad Ahmed Ali Omar
        Carlos Luis Jorge Pedro Juan Javier Ivan Igor Oleg Yuri Andriy Dmytro Petro Rustem
        Anders Lars Hans Klaus Friedrich Matteo Pierre Jean Jacques Nitin Rahul Amit
        """,
    )
)
FEMALE_NAMES = frozenset(
    re.findall(
        r"\w+",
        """
        Maria Mariya Anna Ana Annalena Ursula Kamala Hillary Nancy Liz Elizabeth Theresa
        Angela Giorgia Kaja Sanna Jacinda Margaret Madeleine Condoleezza Samantha Linda Karine
        Jen Jennifer Susan Sarah Sara Emma Olena Iryna Olga Natalia Natalya Tatiana Valentina
        Ella Elena Yulia Svetlana Marine Ilhan Alexandria Nikki Kristi Gretchen Janet Gina
        Christine Roberta Mette Magdalena Ingrid Claudia Dilma Cristina Marta Lucia Priya
        Sonia Indira Yuki Fatima Aisha Leila Layla Amina Grace Julia Helena Mira
        """,
    )
)
STOP_NAMES = frozenset(
    re.findall(
        r"\w+",
        """
        The This That These Those It He She They We I You His Her Their Our In On At As For
        With From After Before When While If But And Or So However Although Despite Amid
        Additionally Currently Meanwhile Asked Even Also Then Thus Interestingly Although
        Monday Tuesday Wednesday Thursday Friday Saturday Sunday Yesterday Today Tonight
        Earlier Later Last Next Speaking According Asked Separately Still Now Instead
        January February March April June July August September October November December
        Whether Since Because Unless Until Though Once Where What Why How Who Which Whose
        Nobody Both Not Only Many Some Several All Every Other Such Nor Yet Whatever
        """,
    )
)
TITLE_WORDS = frozenset(
    re.findall(
        r"\w+",
        """
        President Minister Secretary General Spokesman Spokeswoman Adviser Advisor Foreign
        Deputy Prime Vice Chief Director Ambassador Senator Governor Mayor Chancellor King
        Queen Prince Pope Judge Officer Chair Chairman Commander Colonel Mr Mrs Ms Dr Former
        Outgoing Acting National Security Defense Defence State House Kremlin White Office
        Republican Democrat Democratic Sen Rep Gov Lt Col Capt Sgt Sheriff Councilman
        Councilwoman Chancellor Premier
        """,
    )
)
# Capitalised runs that are places, events and bodies rather than people ("Cuban Missile
# Crisis", "North Atlantic", "Saint Petersburg"): kept out of the people of a document.
NON_PERSON_LAST = frozenset(
    re.findall(
        r"\w+",
        """
        War Crisis Union Institute Alliance Forum Agency Party Council Ministry Office
        Department Federation Republic Kingdom States Nations Sea Ocean River Street Square
        Times Post News Press Review Journal Day Week Committee Commission Court Bank Fund
        Group Company Corporation Inc Ltd University College School Hospital Airport Station
        Centre Center Parliament Assembly Congress Senate Army Navy Force Forces Guard Police
        Service Services Network Channel Prize Award Act Bill Law Treaty Accord Agreement
        Summit Games Cup League Club Stadium Bridge Hall Palace Tower Building Island Islands
        Mountains Peninsula Region Province County City Oblast Coast Valley Bay Lake Plan
        Project Programme Program Initiative Strategy Deal Pact Missile Missiles Revolution
        Election Elections Movement Front Atlantic Pacific Asia Europe America Africa East West
        Censorship Views Empire Smile Books Articles Interest Weekly Tech Board Credit Credits
        Photo Photos Images Image Video Chamber Association Federation Network Authority
        Organisation Organization Society Foundation Trust Statistics Research Transit Railway
        Railways Airlines Bureau Secretariat Directorate Inspectorate
        """,
    )
)
NON_PERSON_FIRST = frozenset(
    re.findall(r"\w+", "North South East West New Saint St Cold United European Big Middle Far")
)
# Countries, and the capitals and cities that news names as if they acted ("Moscow vowed",
# "Kiev announced"): places, not sources. Sentences with such a subject are the outlet's
# account of a government's position; the reviewer gains nothing from "Kiev" as a speaker.
# Invented or unlisted places are recognised by how the document uses them (_Places).
PLACE_NAMES = frozenset(
    line.strip()
    for line in """
    Afghanistan|Albania|Algeria|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahrain
    Bangladesh|Belarus|Belgium|Bolivia|Bosnia|Brazil|Britain|Bulgaria|Cambodia|Cameroon|Canada
    Chile|China|Colombia|Congo|Croatia|Cuba|Cyprus|Czechia|Czech Republic|Denmark|Ecuador|Egypt
    Estonia|Ethiopia|Finland|France|Georgia|Germany|Ghana|Greece|Hungary|Iceland|India
    Indonesia|Iran|Iraq|Ireland|Israel|Italy|Japan|Jordan|Kazakhstan|Kenya|Kosovo|Kuwait
    Kyrgyzstan|Latvia|Lebanon|Libya|Lithuania|Luxembourg|Malaysia|Mali|Mexico|Moldova|Mongolia
    Montenegro|Morocco|Myanmar|Nepal|Netherlands|New Zealand|Nigeria|North Korea|Norway|Oman
    Pakistan|Palestine|Panama|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda
    Saudi Arabia|Serbia|Singapore|Slovakia|Slovenia|Somalia|South Africa|South Korea|Spain
    Sri Lanka|Sudan|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Tunisia
    Turkey|Turkmenistan|Uganda|Ukraine|United Kingdom|UK|United States|US|U.S.|USA|America
    Uruguay|Uzbekistan|Venezuela|Vietnam|Yemen|Zambia|Zimbabwe|Europe|Asia|Africa|West
    Washington|Moscow|Kiev|Kyiv|Beijing|London|Paris|Berlin|Brussels|Tokyo|Tehran|Jerusalem
    Ankara|Damascus|Pyongyang|Seoul|Delhi|New Delhi|Islamabad|Kabul|Baghdad|Cairo|Riyadh|Doha
    Minsk|Warsaw|Rome|Madrid|Lisbon|Athens|Vienna|Budapest|Prague|Stockholm|Oslo|Helsinki
    Copenhagen|Amsterdam|The Hague|Ottawa|Canberra|Caracas|Havana|Taipei|Hanoi|Manila|Jakarta
    Bangkok|Nairobi|Pretoria|Abuja|Tripoli|Tbilisi|Yerevan|Baku|Chisinau|Bucharest|Sofia
    Belgrade|Zagreb|Vilnius|Riga|Tallinn|Dublin|Bern|Brasilia|Buenos Aires|Mexico City|Bogota
    Lima|Santiago|Gaza|Tel Aviv|Beirut|Amman|Abu Dhabi|Dubai|Kinshasa|Luanda|Dakar|Algiers
    """.replace("\n", "|").split("|")
    if line.strip()
)
PEOPLES = frozenset(
    re.findall(
        r"\w+",
        "French British Dutch Swiss Irish Welsh Scots Brits Poles Turks Danes Swedes Finns "
        "Greeks Czechs Slovaks Spaniards Allies Westerners Russians",
    )
)
# Adjectives in front of a place that leave it a place: "Neighbouring Estmark reported ...".
PLACE_ADJECTIVES = frozenset(
    {"neighbouring", "neighboring", "nearby", "the"}
)  # fmt: skip
# Nouns for a company or organisation: "..., the operator said" names it without its name,
# and the named subject of the same sentence is the body meant.
BODY_NOUNS = frozenset(
    re.findall(
        r"\w+",
        """
        company firm operator chain group chamber organisation organization utility airline
        association federation institute network bank union agency ministry council office
        department authority commission regulator court municipality party club league
        """,
    )
)
# A study's findings ("the study found", "the researchers said", "according to a large study")
# are its authors' claims: "researchers at the University of Ashgrove" or "the Marrec
# Institute", as the document names them in "a study by ..." or "researchers at ...".
STUDY_NOUNS = frozenset({"study", "research", "researchers", "scientists", "findings", "paper"})
# Common nouns that refer back to a company or a club named by its name alone ("Calder Mills
# ... The company said", "Ferrow United ... The club said").
COMPANY_NOUNS = frozenset(
    {
        "company", "firm", "group", "chain", "retailer", "manufacturer", "producer", "maker",
        "business", "carrier", "insurer", "lender", "brand", "supermarket", "operator",
    }
)  # fmt: skip
CLUB_NOUNS = frozenset({"club", "team"})
# Last words of football and other club names.
TEAM_LAST = frozenset(
    re.findall(r"\w+", "United City Town Rovers Athletic Wanderers Albion Rangers Hotspur FC")
)
# Last words that make a name an institution rather than a company ("Food Standards
# Authority"): "the company" never refers to one.
INSTITUTION_LAST = (NON_PERSON_LAST - {"Company", "Corporation", "Inc", "Ltd", "Group"}) | {
    "Holdings"
}
CLAUSE_WORDS = frozenset(
    {
        "was", "were", "is", "are", "has", "have", "had", "be", "been", "who", "which", "that",
        "when", "after", "before", "if", "because", "said", "told",
    }
)  # fmt: skip
# Lower-case words that describe a named body in front of its name ("grid operator Nordnett",
# "the opposition Green Party").
DESCRIPTORS = (BODY_NOUNS - {"ministry", "council", "court", "party"}) | {
    "opposition",
    "ruling",
    "governing",
}
