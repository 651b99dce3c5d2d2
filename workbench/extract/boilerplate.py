"""Page furniture that is not part of the article: each rule has a name so a drop can be explained.

``is_boilerplate`` returns the name of the first rule that matches, or None. The rules look at
the kind of line a sentence sits on more than at its words, because web pages repeat the same
shapes (a share bar, a caption ending in an agency name, a byline with a date) with endlessly
different wording. Some rules need the line or paragraph around the sentence, or the sentences
seen earlier: the pipeline passes them in a ``Context``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_I = re.IGNORECASE


@dataclass
class Context:
    """Where a sentence sits. Without one, a sentence is taken as its own line and paragraph."""

    line: str = ""  # the whole line (between line breaks) holding the sentence
    paragraph: str = ""  # the whole paragraph (between blank lines)
    position: float = 0.0  # where the sentence starts, as a fraction of the document
    seen: set[str] = field(default_factory=set)  # normalised sentences earlier in the document
    # Results of the rules that read only the line (or the paragraph), keyed by rule and text:
    # the sentences of one line share them. The pipeline passes one dict per document.
    memo: dict[tuple[str, str], bool] = field(default_factory=dict)
    # ``normalise(sentence)`` when the caller has it already (the pipeline needs it for
    # ``seen`` anyway); None to compute it.
    normalised: str | None = None


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'@.&-]+", text)


def normalise(sentence: str) -> str:
    """Case- and space-insensitive form, used to spot repeated lines."""
    return " ".join(re.findall(r"\w+", sentence.casefold()))


# The three characters that a case-insensitive pattern matches to an ASCII letter but that
# str.lower() does not turn into it (İ, ı, ſ; the Kelvin sign lowers to "k").
_ODD_CASE = re.compile("[\u0130\u0131\u017f]")


def _may_match(text: str, needles: tuple[str, ...]) -> bool:
    """False only when ``text`` cannot match a case-insensitive pattern every match of which
    contains one of ``needles`` (lower case): a quick test before the slower regex search.

    Python's regex engine tries a case-insensitive pattern starting with ``\\b`` at every
    position of the text; a substring test on the lower-cased text is many times quicker,
    and the rules give the same answers (text with İ, ı or ſ always goes to the regex).
    """
    if _ODD_CASE.search(text):
        return True
    folded = text.lower()
    return any(needle in folded for needle in needles)


_SUBSCRIBE = re.compile(
    r"\b(?:newsletters?|subscribe|subscription|unsubscribe|sign up|signup|inbox|"
    r"keep up to date|stay (?:up to date|informed|tuned)|bypass (?:the )?[\w ]*censorship)\b",
    _I,
)
_CALL_TO_ACTION = re.compile(
    r"(?:subscribe|sign up|get|join|keep|stay|never miss|don(?:’|')t miss|register|receive|"
    r"enter|click)\b",
    _I,
)
_SOCIAL = (
    r"(?:pinterest|whatsapp|telegram|facebook|twitter|x\.com|linkedin|reddit|instagram|youtube|"
    r"tiktok|email|e-mail)"
)
# A share bar: a very short line starting with a share verb, or a short line naming a network.
_SHARE_BUTTON = re.compile(r"^(?:share|tweet|pin it|email|print|copy link)\b(?: \w+){0,2}$", _I)
_SHARE_LINE = re.compile(
    rf"\b(?:share (?:this|on)|pin it on|follow (?:us|him|her|them|me) on|"
    rf"{_SOCIAL} (?:channel|group|page|community))\b|^{_SOCIAL}$",
    _I,
)
_RELATED_LINE = re.compile(
    r"^(?:see also|read more|read also|also read|related(?: articles?| stories| posts| news)?|"
    r"more from|more on this|more stories|you may also like|recommended(?: for you)?|"
    r"(?:watch|listen)(?: now)?\s*:|continue reading|click here)\b",
    _I,
)
_CREDIT = re.compile(
    r"(?i:\b(?:file )?(?:photo|photograph|picture|image|video|graphic|footage)s?(?: credits?)?\s*:"
    r"|\b(?:photo(?:graph)?|picture|image)s? (?:by|courtesy|credit)\b"
    r"|\bcredits?\s*:|\bhandout\b|\bvia (?:reuters|afp|ap|getty|epa)\b"
    r"|\b(?:getty images|shutterstock|profimedia|afp photo|ap photo|epa-efe|photo agency)\b)"
    r"|(?:^|[\s/])(?:REUTERS|AFP|AP|EPA)\s*$"
    # An agency and photographer closing a caption line: "... 2025. NTB/Ola Berge/File Photo".
    r"|(?:^|\s)[A-Z]{2,8}/[A-Z][\w’'-]+(?: [A-Z][\w’'-]+){0,3}(?:/File Photo)?\s*$"
    # The same in brackets after the caption's full stop: "... in 2023. (Metro Wire/Ken
    # Alvarez)", "(SCW)".
    r"|\.\s+\((?:[A-Z][\w’'-]*\s?){1,4}(?:/(?:[A-Z][\w’'-]*\s?){1,4})?\)\s*$",
)
# A caption's place-and-date tail: "..., Washington, District of Columbia, USA - 13 January 2022".
_CAPTION_DATE = re.compile(
    r"\s[-–—]\s*\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}$", _I
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_BYLINE = re.compile(
    rf"^by\s*(?:\||$)|^by [A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){{0,3}}\s*"
    rf"(?:\||,\s*(?:{_MONTH}|\d|[A-Z][\w ]*$)|\s[-–—]\s|$)"
    rf"|^(?:author|written by|posted by|published by|reporter|editor|words)\s*:"
    rf"|^\|?\s*(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH} \d{{4}})\s*$"
    # A dateline with a time: "March 4, 2025 6:12 AM UTC Updated 2 hours ago".
    rf"|^(?:{_MONTH} \d{{1,2}},? \d{{4}}|\d{{1,2}} {_MONTH} \d{{4}}),? "
    rf"\d{{1,2}}[:.]\d{{2}}\b[^.!?]*$"
    rf"|^(?:published|updated|posted)\s*(?:on|:)?\s*(?:{_MONTH}|\d)",
    _I,
)
_AUTHOR_LINKS = re.compile(
    r"^(?:view|see|read) (?:all|more) (?:posts|articles|stories|author)"
    r"|^(?:more|articles|posts) by\b|^about the author\b",
    _I,
)
_BIO = re.compile(
    r"^(?:[A-Z][\w’'.-]+ ){1,3}is (?:a|an|the) [^.]{0,80}\b(?:editor|writer|journalist|reporter|"
    r"columnist|correspondent|contributor|author|fellow|analyst|host|blogger|researcher)\b"
    r"|\b(?:follow|find) (?:him|her|them|me) on\b"
    # "Marcus Bell covers county government for the Ledger. Reach him at ...".
    # A full name (two or three words) in front: "Medicare covers costs for ..." is no bio.
    r"|^(?:[A-Z][\w’'.-]+ ){2,3}(?:covers|writes about|reports on) [^.]{0,80}\bfor (?:the )?[A-Z]"
    r"|\b(?:reach|contact|email|e-mail) (?:him|her|them|me) at \S+@",
)
_COMMENTS = re.compile(
    r"\bleave a (?:reply|comment)\b|\byour email address will not be published\b"
    r"|\brequired fields are marked\b|^(?:post|submit) (?:a )?comment\b|^\d+ comments?$"
    r"|\bcomments? (?:are|is) closed\b|\blog ?in to (?:comment|reply)\b|^cancel reply$",
    _I,
)
_CRUMB_SEPARATORS = re.compile(r"\s[»›>|/]\s")
_HOME_CRUMB = re.compile(r"^Home(?:\s+[A-Z][\w’'-]*){2,}")
_PROMO = re.compile(
    r"\[\s*see all\s*\]"
    r"|^(?:shop|buy|donate|support (?:us|via|our)|become a (?:patron|member|supporter|subscriber)|"
    r"advertisement|sponsored|ad|our standards)\b"
    r"|^(?:our|recent|popular|latest|trending|related|featured|recommended|top|most read|"
    r"most popular|more)(?: [\w’']+){0,2}$",
    _I,
)
_SOURCE = re.compile(
    r"^(?:source|sources|via|originally published)\s*:"
    r"|\b(?:originally|first) (?:published|featured|appeared|posted) (?:at|on|in|by)\b"
    r"|\brepublished with permission\b|\breprinted with permission\b"
    r"|\((?:[\w-]+\.)+(?:com|org|net|substack\.com|co\.uk|info)\)\s*$"
    r"|^(?:copyright|©)\s*(?:©\s*)?\d{4}\b|\ball rights reserved\b"
    r"|^this (?:material|article|content) may not be (?:published|reproduced|redistributed)\b"
    r"|^privacy (?:notice|policy)\s*:"
    # The outlet speaking about the piece itself: "This article is part of our series on ...",
    # "This story was produced with support from ...".
    # Only "this" and the outlet's words for its own pieces: "The report was published on
    # Tuesday" is news about some report.
    r"|^this (?:article|story|piece|series|coverage|podcast|feature) (?:is|was) "
    r"(?:part of|produced|supported|funded|made possible)\b"
    # Corrections notes: "This article was amended on 13 January 2026 to correct ...".
    r"|^this (?:article|story|piece|feature) (?:was|has been) (?:amended|updated|corrected)\b"
    # The outlet asking for tips: "Got a story? Contact our newsroom on ...".
    r"|^(?:got|have|do you have) an? (?:story|news tip|tip)\b[^.?!]{0,30}\?"
    r"|\bcontact (?:our|the) newsroom\b"
    r"|^read the (?:rest|full|whole|first|next|previous)\b[^.]{0,40}\bhere\b",
    _I,
)
_WIRE = re.compile(
    r"^(?:with inputs? from|\(?(?:additional )?reporting by|\(?editing by|\(?writing by|"
    r"compiled by|inputs? from)\b"
    r"|^(?:Agerpres|Reuters|AFP|AP|Xinhua|TASS|Interfax|ANI|PTI|IANS|dpa|EFE|ANSA|UPI)\.?$",
    _I,
)
# Words that make a line a sentence rather than a label. Not a tagger: a cheap signal that a
# short, unpunctuated line is a title, a name or an image alt text rather than a statement.
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|being|am|has|have|had|do|does|did|will|would|can|could|"
    r"may|might|must|shall|should|says?|said|told|tells|warns?|warned|claims?|claimed|"
    r"denies|denied|says|wants?|vows?|signals?|calls?|called|asks?|asked|plans?|gets?|got|"
    r"makes?|made|goes|went|takes?|took|gives?|gave|comes?|came|moves?|weighs?|\w+ed)\b",
    _I,
)


# For each pattern, substrings one of which is in every text it matches (checked by hand
# against every branch; tests/extract/test_boilerplate.py checks the rules against the
# patterns alone on random and real text).
_COMMENTS_NEEDLES = ("comment", "reply", "email address", "required fields")
_SOURCE_NEEDLES = (
    ":", "published", "featured", "appeared", "posted", "permission", ")", "copyright", "©",
    "rights reserved", "may not be", "this article", "this story", "this piece", "this series",
    "this coverage", "this podcast", "this feature", "read the ", "privacy", "story", "tip",
    "newsroom",
)  # fmt: skip
_SUBSCRIBE_NEEDLES = (
    "newsletter", "subscri", "inbox", "sign up", "signup", "keep up to date", "stay ",
    "censorship",
)  # fmt: skip
_SHARE_LINE_NEEDLES = (
    "share ", "pin it on", "follow ", "pinterest", "whatsapp", "telegram", "facebook",
    "twitter", "x.com", "linkedin", "reddit", "instagram", "youtube", "tiktok", "email",
    "e-mail",
)  # fmt: skip
# _CREDIT: its case-insensitive branches, and (as written) its upper-case ones.
_CREDIT_NEEDLES = (
    "photo", "picture", "image", "video", "graphic", "footage", "credit", "handout", "via ",
    "getty", "shutterstock", "profimedia", "epa-efe",
)  # fmt: skip
_CREDIT_CASED = ("REUTERS", "AFP", "AP", "EPA", "/", ")")


def _is_whole_line(sentence: str, context: Context) -> bool:
    return sentence.strip() == context.line.strip()


def _newsletter(sentence: str, context: Context) -> bool:
    # A call to action ("Subscribe ...", "Get ... in your inbox"), not news about a newsletter.
    text = sentence.strip()
    if not _may_match(text, _SUBSCRIBE_NEEDLES):
        return False
    calls = bool(_CALL_TO_ACTION.match(text)) or bool(re.search(r"\b(?:our|your)\b", text, _I))
    return calls and bool(_SUBSCRIBE.search(text)) and len(_words(text)) <= 20


def _share(sentence: str, context: Context) -> bool:
    line = context.line.strip()
    return bool(_SHARE_BUTTON.match(line)) or (
        _may_match(line, _SHARE_LINE_NEEDLES)
        and len(_words(line)) <= 8
        and bool(_SHARE_LINE.search(line))
    )


def _related_link(sentence: str, context: Context) -> bool:
    return bool(_RELATED_LINE.match(context.line.strip()))


def _related_block(sentence: str, context: Context) -> bool:
    """A link title listed under a "Read more:" or "Related" line, in the same paragraph.

    The titles are headlines of other articles ("Kaldera inflation eases to 3.1% in May"):
    sentence case, with verbs and figures, so nothing in their words gives them away; their
    place does. A title carries no final full stop, which keeps a paragraph of article text
    that merely follows such a line out of it."""
    line = context.line.strip()
    if not line or re.search(r"[.!]['\"”’]?$", line):
        return False
    if "\n" not in context.paragraph:
        return False  # a paragraph of one line has no header line above it
    lines = [part.strip() for part in context.paragraph.split("\n")]
    if line not in lines:
        return False
    # A header line above it in the paragraph ("Read more:", "Related stories"), with only
    # other unpunctuated titles in between.
    for above in reversed(lines[: lines.index(line)]):
        if _RELATED_LINE.match(above) and (above.endswith(":") or len(_words(above)) <= 4):
            return True
        if re.search(r"[.!?]['\"”’]?$", above):
            return False
    return False


# A clock time opening a line: the entries of a live page ("14:30 BST", "12:05 Rail line to
# Port Ardis closed"), which are headings, never sentences of the article.
_CLOCK_LINE = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s?(?:[ap]\.?m\.?|[A-Z]{2,4}))?\b(?!\s?%)")


def _timestamp(sentence: str, context: Context) -> bool:
    line = context.line.strip()
    return bool(_CLOCK_LINE.match(line)) and not re.search(r"[.!?]['\"”’]?$", line)


def _crosshead(sentence: str, context: Context) -> bool:
    """A paragraph of one short line without final punctuation: a headline, a crosshead
    ("Why Russia has forces in Transnistria") or a kicker ("ANALYSIS"). Article sentences
    end in punctuation; a title does not, whatever its case and its verbs. Near the top of
    the page a headline can be long ("‘We are 40 deputies short’: Sheriff ... on jail deaths,
    overtime and the budget fight")."""
    line = context.line.strip()
    if line != context.paragraph.strip() or not _is_whole_line(sentence, context):
        return False
    if re.search(r"[.!?:;,]['\"”’)]?$", line) or line.startswith(("“", '"')):
        return False
    words = len(_words(line))
    return words <= 10 or (context.position < 0.15 and words <= 25)


def _photo_credit(sentence: str, context: Context) -> bool:
    line = context.line.strip()
    credit = (
        _may_match(line, _CREDIT_NEEDLES) or any(needle in line for needle in _CREDIT_CASED)
    ) and bool(_CREDIT.search(line))
    if credit:
        return True
    unfinished = not re.search(r"[.!?]['\"”’]?$", line)
    return unfinished and bool(_CAPTION_DATE.search(line))


def _byline(sentence: str, context: Context) -> bool:
    return bool(_BYLINE.search(context.line.strip())) and len(_words(context.line)) <= 12


def _author_bio(sentence: str, context: Context) -> bool:
    if _AUTHOR_LINKS.match(sentence.strip()):
        return True
    # A bio is a paragraph about the writer, usually after the article: drop all of it, since
    # its other sentences ("He is a co-host on ...") look like ordinary claims on their own.
    if context.position <= 0.5:
        return False
    key = ("author_bio", context.paragraph)
    found = context.memo.get(key)
    if found is None:
        found = context.memo[key] = bool(_BIO.search(context.paragraph.strip()))
    return found


def _comment_form(sentence: str, context: Context) -> bool:
    text = sentence.strip()
    return _may_match(text, _COMMENTS_NEEDLES) and bool(_COMMENTS.search(text))


def _navigation(sentence: str, context: Context) -> bool:
    line = context.line.strip()
    crumbs = len(_CRUMB_SEPARATORS.findall(line)) >= 2 and not re.search(r"[.!?]$", line)
    return crumbs or (bool(_HOME_CRUMB.match(line)) and not re.search(r"(?<!\.)[.!?]$", line))


def _promo(sentence: str, context: Context) -> bool:
    return bool(_PROMO.search(sentence.strip())) and len(_words(sentence)) <= 10


def _source_line(sentence: str, context: Context) -> bool:
    text = sentence.strip()
    return _may_match(text, _SOURCE_NEEDLES) and bool(_SOURCE.search(text))


def _wire_credit(sentence: str, context: Context) -> bool:
    return bool(_WIRE.search(sentence.strip())) and len(_words(sentence)) <= 12


def _repeated(sentence: str, context: Context) -> bool:
    norm = context.normalised if context.normalised is not None else normalise(sentence)
    return norm in context.seen


def _headline(sentence: str, context: Context) -> bool:
    """A title-case line without final punctuation: "Moscow Signals It May Downgrade ..."."""
    text = sentence.strip()
    if not _is_whole_line(sentence, context) or re.search(r"[.!?]['\"”’]?$", text):
        return False
    words = [w for w in _words(text) if len(w) > 3 and w[:1].isalpha()]
    capitalised = sum(1 for w in words if w[:1].isupper())
    return len(words) >= 3 and capitalised >= 0.7 * len(words)


def _title_no_verb(sentence: str, context: Context) -> bool:
    text = sentence.strip()
    if not _is_whole_line(sentence, context) or re.search(r"[.!?]['\"”’]?$", text):
        return False
    return len(_words(text)) <= 12 and not _VERBISH.search(text)


# Order matters only for the name reported: the most specific rules come first.
RULES: tuple[tuple[str, Callable[[str, Context], bool]], ...] = (
    ("comment_form", _comment_form),
    ("newsletter", _newsletter),
    ("share", _share),
    ("related_link", _related_link),
    ("related_block", _related_block),
    ("timestamp", _timestamp),
    ("navigation", _navigation),
    ("photo_credit", _photo_credit),
    ("byline", _byline),
    ("author_bio", _author_bio),
    ("source_line", _source_line),
    ("wire_credit", _wire_credit),
    ("promo", _promo),
    ("repeated", _repeated),
    ("headline", _headline),
    ("title_no_verb", _title_no_verb),
    ("crosshead", _crosshead),
)
RULE_NAMES: tuple[str, ...] = tuple(name for name, _ in RULES)
# The rules that read nothing but ``context.line``: judged once per line, however many
# sentences it holds (a paragraph on one line has several).
LINE_RULES = frozenset(
    {"share", "related_link", "navigation", "photo_credit", "byline", "timestamp"}
)


def is_boilerplate(sentence: str, context: Context | None = None) -> str | None:
    """The name of the first furniture rule ``sentence`` matches, or None for article text."""
    if context is None:
        context = Context(line=sentence, paragraph=sentence)
    memo = context.memo
    for name, rule in RULES:
        if name in LINE_RULES:
            key = (name, context.line)
            found = memo.get(key)
            if found is None:
                found = memo[key] = rule(sentence, context)
        else:
            found = rule(sentence, context)
        if found:
            return name
    return None
