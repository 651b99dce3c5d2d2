"""Who says a sentence: reported speech attributed to the source the text names.

``attribute(text, spans)`` returns one speaker (or None) per sentence span. It reads the
document in order, because much attribution is only in the context: "He added: ..." needs the
speaker of the sentence before, "..., Lavrov said" needs the fuller mention made earlier, and
the sentences of a quotation that runs over several sentences or paragraphs belong to whoever
introduced or closed the quotation, or spoke the quotation just before it in the same
paragraph ("“A,” Lindqvist said. “B.”"). None means the outlet's own statement.

No parser: a reporting verb ("said", "told", "denied", ...) is found, and the source is the
noun phrase in front of it, cut back to the words a source can be made of (names, titles and
roles, determiners), or, after a closing quotation mark, the phrase that follows the verb. A
participle ("..., saying") or a verb coordinated with an earlier one ("... and warned") takes
the subject of the main clause. A reporting verb inside a subordinate clause ("..., which
Washington has threatened", "it's no small matter that Russia accused ...") does not make its
subject the speaker of the sentence: the sentence is still the outlet's.

Which form is stored: one form per person per document, the first mention that carries a role
or title in front of the name ("Kremlin spokesman Dmitry Peskov"), else the full name ("Jake
Sullivan"). A later "Peskov said" or "Putin's spokesman Dmitry Peskov said" is stored in that
same form, so a document's claims by one person group under one speaker. Roles given only in
an apposition ("Jake Sullivan, national security adviser to ...") are not kept: they are
often long and mention other people. Sources that are not people ("Foreign Ministry",
"a spokesman for the Russian president") are stored as written, except that a bare "the
ministry" or "the agency" becomes the body of that kind that spoke last ("Foreign Ministry").

Descriptions resolve to what the document named, because news names a body once and then
describes it: "the company" or "the operator" is the company named by its name alone (known as a
company because its sentence goes on with "it"/"its" and no personal pronoun), "the club" a
club name, "the group" the name the noun was put in front of, "the study found" or "the
researchers said" the study's authors. When several fit, the one named most often so far wins:
a story is about one company, and others are named in passing. Unnamed sources ("One woman in
her eighties, who asked not to be named", "Two diplomats familiar with the talks") are stored
as written, as the labels do: a reviewer sees how anonymous the source is. A quotation with no
attribution in it or around it has no speaker (the outlet's).

Pronouns are resolved conservatively, because a wrong speaker misleads a reviewer more than a
missing one: "he"/"she" take the speaker (or the named subject) of the nearest earlier
sentence that has one, only when it is a person whose known gender does not contradict the
pronoun, and only if no sentence in between names somebody else (a named subject counts only
within the pronoun's paragraph); "it" and "they" only take a source that is not a person
("the ministry", "US intelligence agencies"). Otherwise None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from workbench.extract.segment import paragraphs

_VERBS = (
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
# Auxiliaries and adverbs allowed between the source and its verb: "has also said",
# "confidently stated", "implicitly threatened".
_BETWEEN = r"(?:(?:has|have|had|will|would|did|does|also|then|later|again|just|\w+ly)\s+){0,3}"
_REPORTING = re.compile(rf"\b{_BETWEEN}(?:{_VERBS})\b")
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
# "records" stay the source ("according to council records": the labels keep the records).
_DOCUMENT_WORDS = frozenset({"data", "figures", "statistics", "report", "estimates"})
_COLON_SOURCE = re.compile(r"^((?:[A-Z][\w’'.-]*\s?){1,4}):\s+\S")
_AFTER_VERB = re.compile(r"^\s*([A-Za-z][^,.;:“”\"!?]{0,70})")
_QUOTE_END = re.compile(r"[”\"]\s*,?\s*$|,\s*$")
# Dashes and brackets set off an aside ("– which Washington has threatened –"); what the aside
# says does not change who the main clause is about.
_ASIDE = re.compile(r"\s[–—]\s[^–—]*\s[–—]\s|\([^()]*\)")

# "it" and "they" refer to bodies ("It said Nordnett could be fined"), "he" and "she" to people.
_PRONOUNS = frozenset({"he", "she", "they", "it"})
# Subjects that are no source: "it’s worth noting that ...", "there are reports ...".
_NON_SOURCE_SUBJECTS = frozenset(
    {"it", "it’s", "it's", "this", "that", "there", "these", "those", "we", "i", "you", "one"}
)
# A word right in front of the source that puts the reporting verb in a subordinate clause.
_SUBORDINATORS = frozenset(
    {
        "that", "which", "who", "whom", "whose", "since", "because", "whether", "if", "than",
        "when", "while", "although", "though", "unless", "until", "where", "after", "before",
        "once", "whereas", "despite",
    }
)  # fmt: skip
_DETERMINERS = frozenset({"the", "a", "an"})
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
_PERSON_ROLES = frozenset(
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
_MALE_WORDS = frozenset(
    {"mr", "sir", "lord", "king", "prince", "spokesman", "chairman", "congressman", "he"}
)
_FEMALE_WORDS = frozenset(
    {
        "mrs", "ms", "miss", "dame", "lady", "queen", "princess", "spokeswoman", "chairwoman",
        "congresswoman", "she",
    }
)  # fmt: skip
# First names whose gender is unambiguous in news about politics; a hint, not coverage:
# a name not listed leaves the gender unknown, which only matters when a pronoun disagrees.
_MALE_NAMES = frozenset(
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
_FEMALE_NAMES = frozenset(
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
_STOP_NAMES = frozenset(
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
_TITLE_WORDS = frozenset(
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
_NON_PERSON_LAST = frozenset(
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
_NON_PERSON_FIRST = frozenset(
    re.findall(r"\w+", "North South East West New Saint St Cold United European Big Middle Far")
)
# Capitalised words joined by spaces on one line; a period only as an initial ("Jens A. Smith").
_NAME_TOKEN = r"[A-Z](?:\.|[\w’'-]*)"
_NAME_RUN = re.compile(rf"{_NAME_TOKEN}(?:[ \t\xa0]+{_NAME_TOKEN})+")
_SUBJECT_NAME = re.compile(
    rf"({_NAME_TOKEN}(?:[ \xa0]{_NAME_TOKEN}){{0,3}}) (?:has|had|is|was|\w+ed|\w+s)\b"
)
_WORD = re.compile(r"[\w’'.-]+")
_NATIONALITY = re.compile(r"\w+(?:ian|ese)$")
_CLAUSE_BREAK = re.compile(r"[,“”\"—–:;()]")
# Countries, and the capitals and cities that news names as if they acted ("Moscow vowed",
# "Kiev announced"): places, not sources. Sentences with such a subject are the outlet's
# account of a government's position; the reviewer gains nothing from "Kiev" as a speaker.
# Invented or unlisted places are recognised by how the document uses them (_Places).
_PLACE_NAMES = frozenset(
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
# Plural demonyms and other collective names of peoples ("Europeans and Americans accuse").
_DEMONYM = re.compile(r"[A-Z]\w+(?:ans|ese|is|erners)$")
_PEOPLES = frozenset(
    re.findall(
        r"\w+",
        "French British Dutch Swiss Irish Welsh Scots Brits Poles Turks Danes Swedes Finns "
        "Greeks Czechs Slovaks Spaniards Allies Westerners Russians",
    )
)
# Adjectives in front of a place that leave it a place: "Neighbouring Estmark reported ...".
_PLACE_ADJECTIVES = frozenset(
    {"neighbouring", "neighboring", "nearby", "the"}
)  # fmt: skip
# In a document, a capitalised name right after one of these is a place ("reporters in
# Velmora", "anchored off Brenholm"): only prepositions that are about space, since "to X"
# and "with X" are said of companies as often as of places.
_LOCATIVE = re.compile(
    r"\b(?:in|near|outside|across|throughout|off|inside|across|around) "
    rf"(?:the )?({_NAME_TOKEN}(?:[ \xa0]{_NAME_TOKEN})?)"
)
# Nouns for a company or organisation: "..., the operator said" names it without its name,
# and the named subject of the same sentence is the body meant.
_BODY_NOUNS = frozenset(
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
_STUDY_NOUNS = frozenset({"study", "research", "researchers", "scientists", "findings", "paper"})
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


# Common nouns that refer back to a company or a club named by its name alone ("Calder Mills
# ... The company said", "Ferrow United ... The club said").
_COMPANY_NOUNS = frozenset(
    {
        "company", "firm", "group", "chain", "retailer", "manufacturer", "producer", "maker",
        "business", "carrier", "insurer", "lender", "brand", "supermarket", "operator",
    }
)  # fmt: skip
_CLUB_NOUNS = frozenset({"club", "team"})
# Last words of football and other club names.
_TEAM_LAST = frozenset(
    re.findall(r"\w+", "United City Town Rovers Athletic Wanderers Albion Rangers Hotspur FC")
)
# Last words that make a name an institution rather than a company ("Food Standards
# Authority"): "the company" never refers to one.
_INSTITUTION_LAST = (_NON_PERSON_LAST - {"Company", "Corporation", "Inc", "Ltd", "Group"}) | {
    "Holdings"
}
_PERSONAL = re.compile(r"\b(?:he|she|his|her|him)\b", re.IGNORECASE)


def _document_bodies(sentences: Sequence[str], places: frozenset[str]) -> list[tuple[str, str]]:
    """Companies and clubs a document names by their names alone, as (name, kind) in reading
    order, kind "club" or "company". A club by its name ("Ferrow United"); a company by how
    the sentence naming it goes on: "its" or "it" and no personal pronoun ("Calder Mills, one
    of the country's largest flour producers, is recalling ... from its plant"), which a
    person's name never has."""
    found: list[tuple[str, str]] = []
    for sentence in sentences:
        for run in _NAME_RUN.finditer(sentence):
            words = run.group().split()
            while words and (words[0] in _STOP_NAMES or words[0] in {"A", "An"}):
                words.pop(0)
            if not 2 <= len(words) <= 4:
                continue
            name = " ".join(_clean(w) for w in words)
            if name in places or name in _PLACE_NAMES or _gender_of(words) is not None:
                continue
            if words[-1] in _TEAM_LAST:
                found.append((name, "club"))
                continue
            rest = sentence[run.end() :]
            if (
                _clean(words[-1]) not in _INSTITUTION_LAST
                and re.search(r"\bits?\b", rest)
                and not _PERSONAL.search(sentence)
            ):
                found.append((name, "company"))
    return found


# How many sentences back a pronoun may look for its antecedent.
_LOOKBACK = 3


def _clean(word: str) -> str:
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
_CLAUSE_WORDS = frozenset(
    {
        "was", "were", "is", "are", "has", "have", "had", "be", "been", "who", "which", "that",
        "when", "after", "before", "if", "because", "said", "told",
    }
)  # fmt: skip
# "..., said its chair, Linda Osei": a role with a possessive after the verb, then the name.
_POSSESSIVE_APPOSITION = re.compile(
    rf"^\s*(?:its|his|her|their)\s+[a-z][\w -]{{0,40}},\s+"
    rf"({_NAME_TOKEN}(?:[ \xa0]{_NAME_TOKEN}){{1,3}})"
)


def _unnamed_source(prefix: str) -> str | None:
    """ "One woman in her eighties, who asked not to be named," -> "One woman in her eighties"."""
    match = _UNNAMED_SOURCE.match(prefix)
    if match is None:
        return None
    phrase = match.group(1)
    if {w.lower() for w in _WORD.findall(phrase)} & _CLAUSE_WORDS:
        return None
    return phrase


def _modifiers(words: Sequence[str], kept: Sequence[str]) -> list[str]:
    """Lower-case words in front of a body noun, back to its determiner or possessive: "the
    country’s civil protection agency" -> "civil protection" (for "civil protection agency").
    Returned last word first, like ``kept``; empty unless a determiner closes them, so that a
    verb or an object in front ("cut the agency") is never taken in."""
    if (
        not kept
        or _clean(kept[0]).lower() not in _BODY_NOUNS
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
    words = _WORD.findall(segment)
    kept: list[str] = []
    for index, word in enumerate(reversed(words)):
        bare = _clean(word)
        if bare.lower() in _PRONOUNS:
            return None if kept else bare
        if bare[:1].isupper() or bare.lower() in _ROLES or bare.lower() in _JOINERS:
            kept.append(word)
        else:
            kept += _modifiers(words[: len(words) - index], kept)
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


def _is_subordinate(prefix: str, source: str) -> bool:
    """Whether the ``source`` ending ``prefix`` opens a subordinate clause ("that Russia")."""
    at = prefix.rfind(source)
    if at < 0:
        return False
    before = _WORD.findall(_CLAUSE_BREAK.split(prefix[:at])[-1])
    while before and before[-1].lower() in _DETERMINERS:
        before.pop()
    return bool(before) and before[-1].lower() in _SUBORDINATORS


_APPOSED_NAME = re.compile(
    rf"(?:The|the|Its|His|Her|Their|its|his|her|their) [^,;:“”\"]{{2,60}}, "
    rf"({_NAME_TOKEN}(?:[ \xa0]{_NAME_TOKEN}){{1,3}}),"
)


def _main_subject(sentence: str) -> str | None:
    """The subject of the main clause, after fronted phrases ("However, he ..."), or None.

    Returns a pronoun as it is; None when the subject is no source ("it’s worth noting").
    """
    starts = [0, *[m.end() for m in re.finditer(r",\s*", sentence)][:2]]
    for start in starts:
        # "The regional governor, Tomás Aguirre, asked ...": the named apposition is the
        # subject, not the role in front of it.
        if named := _APPOSED_NAME.match(sentence, start):
            return named.group(1)
        words = list(_WORD.finditer(sentence, start))
        if not words:
            return None
        first = _clean(words[0].group())
        if first.lower() in _NON_SOURCE_SUBJECTS:
            return None
        if first.lower() in _PRONOUNS:
            return first
        if first.capitalize() in _STOP_NAMES and first != "The":
            continue  # a fronted phrase: the subject comes after its comma
        if re.match(r"[A-Z][\w’'-]*,", sentence[words[0].start() :]):
            continue  # "Online, posts claiming ...": one fronted word, not the subject
        kept: list[re.Match[str]] = []
        for match in words:
            bare = _clean(match.group())
            if not kept and bare.lower() == "the":
                continue
            if bare[:1].isupper() or bare.lower() in _ROLES or bare.lower() in _JOINERS:
                kept.append(match)
            else:
                break
        while kept and _clean(kept[-1].group()).lower() in _JOINERS:
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
        if len(words) > 1 and words[-1] in _DOCUMENT_WORDS and words[-2] in _BODY_NOUNS:
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
            if subject := _main_subject(plain):
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
            return _main_subject(plain)
        # "“…,” said a spokesman for the Russian president."
        if _QUOTE_END.search(prefix) and (
            named := _POSSESSIVE_APPOSITION.match(plain[verb.end() :])
        ):
            return named.group(1)  # "“…,” said its chair, Linda Osei."
        if _QUOTE_END.search(prefix) and (after := _AFTER_VERB.match(plain[verb.end() :])):
            phrase = after.group(1).strip()
            first = phrase.split()[0]
            if first in _DETERMINERS or first[:1].isupper() or first in _ROLES:
                return phrase
    return None


def _is_pronoun(source: str) -> bool:
    return source.lower() in _PRONOUNS


# "Trevia's Defence Ministry", "Galvan's foreign minister": a name owning a state's
# institutions is a country, whatever the list of countries says.
_STATE_OWNER = re.compile(
    rf"\b({_NAME_TOKEN})[’']s (?:[A-Z]\w+ |[a-z]+ )?(?:Ministry|Minister|minister|ministry|"
    r"government|President|president|Prime|army|military|embassy|parliament|border|capital|"
    r"Foreign|Defence|Defense|Interior)\b"
)


def _document_places(text: str) -> frozenset[str]:
    """Names the document uses as places: after a preposition of space ("in Velmora"), or
    owning a state's institutions ("Trevia's Defence Ministry")."""
    return frozenset(match.group(1) for match in _LOCATIVE.finditer(text)) | frozenset(
        match.group(1) for match in _STATE_OWNER.finditer(text)
    )


def _is_place_or_group(source: str, places: frozenset[str]) -> bool:
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
        while words and words[0].lower() in _PLACE_ADJECTIVES:
            qualified = qualified or words[0].lower() != "the"
            words = words[1:]
        name = " ".join(words)
        if not name:
            return False
        if len(words) == 1 and (_DEMONYM.match(name) or name in _PEOPLES):
            continue
        if name in _PLACE_NAMES or name in places or (qualified and len(words) == 1):
            continue
        return False
    return True


# Lower-case words that describe a named body in front of its name ("grid operator Nordnett",
# "the opposition Green Party").
_DESCRIPTORS = (_BODY_NOUNS - {"ministry", "council", "court", "party"}) | {
    "opposition",
    "ruling",
    "governing",
}


def _without_descriptor(source: str) -> str:
    """ "grid operator Nordnett" -> "Nordnett", "Supermarket chain FreshWay" -> "FreshWay": a
    common noun for a company in front of its name describes it; the name is the source.
    Person roles stay ("Transport Minister Hedda Sorensen")."""
    words = source.split()
    for k in range(len(words) - 1, 0, -1):
        if words[k - 1].lower() in _DESCRIPTORS:
            rest = words[k:]
            if all(w[:1].isupper() for w in rest) and words[k - 1].islower():
                return " ".join(rest)
            break
    return source


def _body_subject(sentence: str, noun: str) -> str | None:
    """The named subject of ``sentence`` when "the ``noun``" at its end refers to it:
    "The Kaldera Chamber of Commerce estimated ..., the chamber said", "Network Meridia has
    closed ..., the operator said". The subject must be capitalised and must either contain
    the noun or be a name that is no person ("Network Meridia", not "Daniel Marsh")."""
    subject = _main_subject(sentence)
    if subject is None or not subject[:1].isupper() or _is_pronoun(subject):
        return None
    words = [_clean(w) for w in _WORD.findall(subject)]
    if noun in {w.lower() for w in words}:
        return subject
    if noun in _BODY_NOUNS and noun not in {"ministry", "agency", "council", "court"}:
        # A generic noun ("the company", "the operator") refers back to a named body; the
        # subject must then not look like a person's name.
        if _person_names(subject) and not _NON_PERSON_LAST & set(words):
            return None
        return subject
    return None


def _name_spans(text: str) -> Iterator[tuple[int, int]]:
    """Spans of "Given Surname" forms in ``text``: capitalised runs, titles in front cut off."""
    for run in _NAME_RUN.finditer(text):
        tokens = list(re.finditer(r"\S+", run.group()))
        kept: list[re.Match[str]] = []
        for token in reversed(tokens):
            word = _clean(token.group())
            if word in _TITLE_WORDS or word in _STOP_NAMES or _NATIONALITY.match(word):
                break
            if word in {"A", "An"}:
                break  # "A Treasury source said": an article, not a given name
            kept.append(token)
        if len(kept) < 2:
            continue
        kept.reverse()
        first, last = _clean(kept[0].group()), _clean(kept[-1].group())
        if first in _NON_PERSON_FIRST or last in _NON_PERSON_LAST:
            continue
        start = run.start() + kept[0].start()
        end = run.start() + kept[-1].end()
        yield start, end - (len(kept[-1].group()) - len(last))


def _person_names(text: str) -> list[str]:
    return [text[s:e] for s, e in _name_spans(text)]


def _role_form(before: str, name: str) -> str:
    """``name`` with the role or title written right in front of it, if there is one."""
    segment = _CLAUSE_BREAK.split(before)[-1]
    words = list(_WORD.finditer(segment))
    kept: list[re.Match[str]] = []
    for match in reversed(words):
        word = _clean(match.group())
        if (word[:1].isupper() and word not in _STOP_NAMES) or word.lower() in _ROLES:
            kept.append(match)
        elif word.lower() == "of" and kept and kept[-1].group()[:1].isupper():
            kept.append(match)  # "Secretary of State"
        else:
            break
    while kept and kept[-1].group().lower() in _JOINERS:
        kept.pop()
    role = [_clean(m.group()) for m in kept]
    if not any(w.lower() in _ROLES or w.rstrip(".") in _TITLE_WORDS for w in role):
        return name
    return f"{segment[kept[-1].start() : kept[0].end()]} {name}"


def _gender_of(words: Sequence[str]) -> str | None:
    lowered = {w.lower().rstrip(".") for w in words}
    if lowered & _MALE_WORDS or any(w in _MALE_NAMES for w in words):
        return "m"
    if lowered & _FEMALE_WORDS or any(w in _FEMALE_NAMES for w in words):
        return "f"
    return None


@dataclass
class _Person:
    name: str  # "Dmitry Peskov"
    form: str  # the stored speaker: "Kremlin spokesman Dmitry Peskov"
    gender: str | None  # "m", "f" or None when the text does not tell


class _People:
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
                    self.by_name[name] = _Person(name, form, _gender_of(words))
                elif person.form == name and form != name:
                    person.form = form  # the first mention with a role wins
                    person.gender = person.gender or _gender_of(form.split())
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
        words = [_clean(w) for w in _WORD.findall(source)]
        words = [w for w in words if w.lower() not in _DETERMINERS]
        # A role of one person: its head is a person's role ("Minister", "president"), and
        # the rest are capitalised or role words ("Home Secretary", "commission president").
        if not words or words[-1].lower() not in _PERSON_ROLES:
            return None
        if any(not (w[:1].isupper() or w.lower() in _ROLES) for w in words):
            return None
        wanted = _role_words(" ".join(words))
        mentioned = {_clean(w) for w in _WORD.findall(sentence)}
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
        words = [_clean(w) for w in _WORD.findall(source)]
        if not words or not words[-1][:1].isupper():
            return None
        if all(w in _TITLE_WORDS or w.lower() in _DETERMINERS for w in words[:-1]):
            return self.surnamed(words[-1])
        return None

    def named_in(self, sentence: str) -> bool:
        """Whether ``sentence`` names any person: by full name or by a known surname."""
        if _person_names(sentence):
            return True
        words = {_clean(w) for w in _WORD.findall(sentence)}
        return any(p.name.split()[-1] in words for p in self.by_name.values())


def _role_words(phrase: str) -> set[str]:
    """The words of a role phrase, folded, without articles and prepositions: "the Chancellor
    of Lunessa" -> {chancellor, lunessa}, "Transport Minister" -> {transport, minister}."""
    return {
        w.lower()
        for w in (_clean(m.group()) for m in _WORD.finditer(phrase))
        if w.lower() not in _JOINERS and w.lower() not in {"its", "his", "her", "their"}
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
    words = [w.lower() for w in _WORD.findall(source)]
    return bool(words) and (words[-1] in _PERSON_ROLES or words[0] in _MALE_WORDS | _FEMALE_WORDS)


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


class _Attribution:
    """The state of one pass over a document: sentences, people, speakers found so far."""

    def __init__(self, text: str, spans: Sequence[tuple[int, int]]) -> None:
        self.spans = spans
        self.sentences = [text[s:e] for s, e in spans]
        self.people = _People(self.sentences)
        paragraph_spans = paragraphs(text)
        self.quotes = _quotations(text, paragraph_spans)
        self.paragraph = [
            next((k for k, (ps, pe) in enumerate(paragraph_spans) if ps <= s < pe), -1)
            for s, _ in spans
        ]
        self.own = [own_attribution(sentence) for sentence in self.sentences]
        self.places = _document_places(text)
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
            if _is_pronoun(source):
                self._resolve_pronoun(i, source.lower())
                continue
            if (earlier := self._named_body(i, source)) is not None:
                self._copy(earlier, i)
                continue
            if (body := self._body_of_sentence(i, source)) is not None:
                source = body
            elif (named := self._by_description(i, source)) is not None:
                source = named
            source = _without_descriptor(source)
            person = self.people.of(source) or self.people.by_role(source, self.sentences[i])
            # "Kiev announced ...": the outlet's account, no speaker. A person found only
            # because the phrase itself looks like a name ("Neighbouring Estmark") is none.
            if (person is None or person.name == source) and _is_place_or_group(
                source, self.places
            ):
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
        if len(words) != 1 or not words[0].islower() or words[0] not in _BODY_NOUNS | _ROLES:
            return None
        sentence = self.sentences[i]
        if re.search(rf"\b(?:their|its|his|her|our) {words[0]}\b", sentence):
            # "Train drivers ... will strike, their union has announced": the union of the
            # subject, not the subject.
            return self._named_before(i, words[0])
        return _body_subject(sentence, words[0]) or self._named_before(i, words[0])

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
                    for name, kind in _document_bodies([s], self.places)
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
        words = [w for w in source.split() if w.lower() not in _DETERMINERS]
        if not words or any(w[:1].isupper() and "-" not in w for w in words):
            return None  # a name ("Brightline Foods"), not a description
        head = words[-1].lower()
        if head in _STUDY_NOUNS or (head == "survey" and self.study_author):
            return self.study_author
        if head not in _COMPANY_NOUNS | _CLUB_NOUNS:
            return None
        # "Environmental group Clearwater Alliance ... The group said": the name the noun was
        # put in front of, latest first, is the most direct evidence.
        described = re.compile(rf"\b{head} ((?:[A-Z][\w’'-]*)(?: [A-Z][\w’'-]*){{0,3}})")
        for j in range(i, -1, -1):
            if found := described.findall(self.sentences[j]):
                return str(found[-1])
        kind = "club" if head in _CLUB_NOUNS else "company"
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
        if noun not in _BODY_NOUNS:
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
                and named[-1].lower() not in _PERSON_ROLES
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
        subjects = (_subject_name(sentence), _main_subject(sentence))
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
                gender = person.gender if person else _gender_of(speaker.split())
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
