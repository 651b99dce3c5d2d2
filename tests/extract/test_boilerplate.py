"""Page furniture is recognised by its shape, and each drop names the rule that made it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.extract.boilerplate import Context, is_boilerplate, normalise


def line(sentence: str, position: float = 0.9) -> Context:
    """The sentence alone on its line and in its paragraph."""
    return Context(line=sentence, paragraph=sentence, position=position)


@pytest.mark.parametrize(
    ("sentence", "rule"),
    [
        # from the sample articles
        ("Keep up to Date & Bypass the Big Tech Censorship", "newsletter"),
        ("Get uncensored news and updates, subscribe to our daily FREE newsletter!", "newsletter"),
        ("Share This", "share"),
        ("Pin It on Pinterest", "share"),
        ("Nitin A Gokhale WhatsApp Channel", "share"),
        ("Dmitry Peskov, Kremlin spokesman Photo: Profimedia Images", "photo_credit"),
        ("Picture Credit: Gage Skidmore", "photo_credit"),
        ("RU/Handout via REUTERS", "photo_credit"),
        ("by | Jun 28, 2024", "byline"),
        ("Author: Luana Pavaluca", "byline"),
        ("View all posts", "author_bio"),
        ("Leave a Reply", "comment_form"),
        ("Your email address will not be published.", "comment_form"),
        ("Required fields are marked *", "comment_form"),
        ("Home Russia Kremlin States Putin Has Not Reached Out To Trump Post The...", "navigation"),
        ("Recommended Books [ see all ]", "related_link"),
        ("Our Books", "promo"),
        ("Recent Articles", "promo"),
        ("Source: Russia’s Accusation Should Be Taken Seriously (substack.com)", "source_line"),
        (
            "This article was originally featured at Antiwar.com and is republished with "
            "permission.",
            "source_line",
        ),
        ("With inputs from Reuters", "wire_credit"),
        ("Agerpres.", "wire_credit"),
        ("libertarian inst books", "title_no_verb"),
        ("Moscow Signals It May Downgrade Relations With the West", "headline"),
        # invented examples of the same kinds
        ("Sign up for our weekly newsletter", "newsletter"),
        ("Follow us on Telegram", "share"),
        ("Tweet", "share"),
        ("Photo by Jane Doe/Getty Images", "photo_credit"),
        ("Protesters gather outside parliament. AFP", "photo_credit"),
        ("Written by: Sam Jones", "byline"),
        ("March 3, 2023", "byline"),
        ("Be the first to comment. Comments are closed.", "comment_form"),
        ("News » Europe » Politics » Elections", "navigation"),
        ("Read more: Ten things to know about the budget", "related_link"),
        ("Also read: Minister resigns", "related_link"),
        ("Most Popular", "promo"),
        ("Donate to keep us independent", "promo"),
        ("Originally published on example.org", "source_line"),
        ("Additional reporting by Ann Lee; editing by Tom Hogue", "wire_credit"),
        ("Election Results Spark Protests Across Capital Region", "headline"),
        ("Weather map", "title_no_verb"),
        # from the labelled news set (tests/data/news/)
        ("March 4, 2025 6:12 AM UTC Updated 2 hours ago", "byline"),
        ("Copyright 2024 Harlow Bay Ledger.", "source_line"),
        ("All rights reserved.", "source_line"),
        ("Our Standards: The NWS Trust Principles.", "promo"),
        (
            "This material may not be published, broadcast, rewritten, or redistributed.",
            "source_line",
        ),
    ],
)
def test_furniture_is_dropped_with_the_rule_name(sentence: str, rule: str) -> None:
    assert is_boilerplate(sentence, line(sentence)) == rule


def test_every_sentence_of_an_author_bio_paragraph_is_dropped() -> None:
    paragraph = (
        "Connor Freeman is the assistant editor and a writer at the Libertarian Institute. "
        "He is a co-host on Conflicts of Interest. You can follow him on Twitter @Freeman"
    )
    context = Context(line=paragraph, paragraph=paragraph, position=0.9)
    assert is_boilerplate("He is a co-host on Conflicts of Interest.", context) == "author_bio"


def test_a_bio_shaped_sentence_early_in_the_article_is_kept() -> None:
    sentence = "Ann Lee is the editor of the Herald, which published the leaked memo on May 3."
    assert is_boilerplate(sentence, line(sentence, position=0.1)) is None


def test_every_sentence_on_a_caption_line_is_dropped() -> None:
    caption = "FILE PHOTO: Putin speaks. Valeriy Sharifulin/Host Photo Agency BRICS-RUSSIA2024."
    context = Context(line=caption, paragraph=caption)
    assert is_boilerplate("Putin speaks.", context) == "photo_credit"


def test_a_caption_line_ending_in_agency_and_photographer_is_dropped() -> None:
    caption = (
        "A nurse prepares a vaccine at a clinic in Velmora, February 20, 2025. "
        "NWS/Lena Koskinen/File Photo"
    )
    context = Context(line=caption, paragraph=caption)
    assert is_boilerplate("A nurse prepares a vaccine at a clinic in Velmora.", context) == (
        "photo_credit"
    )


def test_a_caption_ending_in_place_and_date_is_dropped() -> None:
    caption = "Jake Sullivan at the press briefing, Washington, USA - 13 January 2022"
    assert is_boilerplate(caption, line(caption)) == "photo_credit"


def test_a_repeated_line_is_dropped_the_second_time() -> None:
    title = "Moscow weighs cutting ties with the West."
    context = line(title)
    assert is_boilerplate(title, context) is None
    context.seen.add(normalise(title))
    assert is_boilerplate(title, context) == "repeated"


@pytest.mark.parametrize(
    "sentence",
    [
        "Kremlin spokesman Dmitry Peskov told CNN the following on Thursday:",
        "On Monday, Russian Foreign Minister Sergey Lavrov said the involvement was beyond doubt.",
        "The Foreign Ministry claimed US intelligence was used to coordinate the bombing.",
        "Europeans and Americans accuse the Russians of smuggling nearly 100,000 troops.",
        "Share prices in Moscow fell 5% on Monday after the announcement.",
        "The newsletter publisher was fined $2 million by regulators in 2023.",
        "Reuters reported that 12 people were arrested in the capital.",
        "Photographers were barred from the courtroom on Tuesday.",
        "Home prices rose 4% in the year to March, the statistics office said.",
        "By Friday, the ministry had received 3,000 complaints.",
        "The report may not be published until after the election, officials said.",
        "Inflation hit 7.5% on March 4, 2025, the central bank said.",
        "The band AC/DC played to 40,000 people in Oslo.",
    ],
)
def test_article_sentences_are_not_dropped(sentence: str) -> None:
    assert is_boilerplate(sentence, line(sentence, position=0.3)) is None


def test_link_titles_under_a_read_more_line_are_dropped_article_text_after_it_is_not() -> None:
    block = "Follow us on Telegram\nRead more:\nInflation eases to 3.1% in May\nWhy ports matter"
    for title in ("Inflation eases to 3.1% in May", "Why ports matter"):
        context = Context(line=title, paragraph=block, position=0.95)
        assert is_boilerplate(title, context) == "related_block"
    # A punctuated sentence is article text even under such a line; so is a title-like line
    # in a paragraph with no related header above it.
    sentence = "Inflation eased to 3.1% in May, the office said."
    glued = f"Read more:\n{sentence}"
    assert is_boilerplate(sentence, Context(line=sentence, paragraph=glued)) is None
    plain = "Kaldera ports reopen\nInflation eases to 3.1% in May"
    context = Context(line="Inflation eases to 3.1% in May", paragraph=plain, position=0.5)
    assert is_boilerplate("Inflation eases to 3.1% in May", context) != "related_block"


@pytest.mark.parametrize("entry", ["14:30 BST", "12:05 Rail line to Port Ardis closed", "9.40am"])
def test_live_page_time_entries_are_dropped(entry: str) -> None:
    assert is_boilerplate(entry, line(entry, position=0.3)) in {"timestamp", "title_no_verb"}
    assert is_boilerplate(entry, line(entry, position=0.3)) is not None


def test_a_sentence_starting_with_a_time_is_kept() -> None:
    sentence = "12:05 was when the first train was stopped, the operator said."
    assert is_boilerplate(sentence, line(sentence, position=0.3)) is None


@pytest.mark.parametrize(
    ("title", "position"),
    [
        ("Why Russia has forces in Transnistria", 0.5),  # a crosshead: short, anywhere
        ("Meridia floods live: river Oste peaks in Lanvik as thousands evacuated", 0.05),
        (
            "‘We are 40 deputies short’: Sheriff Dana Whitcombe on jail deaths, overtime and "
            "the budget fight",
            0.04,
        ),
    ],
)
def test_an_unpunctuated_paragraph_of_one_line_is_a_title(title: str, position: float) -> None:
    assert is_boilerplate(title, line(title, position)) is not None


def test_a_long_unpunctuated_line_far_down_or_a_quotation_is_not_a_title() -> None:
    long = "Officials in the capital confirmed that the river had reached a record height overnight"
    assert is_boilerplate(long, line(long, position=0.5)) is None
    quote = "“We will not stop until the ports reopen”"
    assert is_boilerplate(quote, line(quote, position=0.5)) is None
    # A line of a longer paragraph is not a title on its own.
    context = Context(line="Why Russia has forces", paragraph="Why Russia has forces\nthere.")
    assert is_boilerplate("Why Russia has forces", context) != "crosshead"


@pytest.mark.parametrize(
    "sentence",
    [
        "This article is part of our series on county budgets.",
        "This story was produced with support from the Northern Journalism Fund.",
        "Read the rest of the series here.",
        "This article was amended on 13 January 2026 to correct the number of schools.",
        "Got a story? Contact our newsroom on 01632 960 441.",
        "Do you have a news tip? Write to us.",
    ],
)
def test_the_outlet_speaking_about_the_piece_is_dropped(sentence: str) -> None:
    assert is_boilerplate(sentence, line(sentence, position=0.9)) == "source_line"


def test_a_sentence_about_a_report_is_kept() -> None:
    sentence = "The report was published on Tuesday by the audit office."
    assert is_boilerplate(sentence, line(sentence, position=0.4)) is None
    # Amended laws and people with a story are news, not the outlet's notes.
    for sentence in (
        "The law was amended in 2024 to correct the error.",
        "Residents have a story to tell about the flood, the mayor said.",
    ):
        assert is_boilerplate(sentence, line(sentence, position=0.4)) is None


def test_without_context_a_sentence_is_its_own_line() -> None:
    assert is_boilerplate("Share This") == "share"
    assert is_boilerplate("The Kremlin has denied the allegations.") is None


# Pieces of the patterns' own wording, in mixed case and with the characters that match an
# ASCII letter only case-insensitively, so that random joins of them often match.
_PIECES = [
    "Leave a ", "REPLY", "comment", "Comments are closed", "your email address will not be "
    "published", "Required fields are marked", "log in to comment", "Cancel reply", "12 ",
    "Source:", "originally published on", "first appeared in", "republished with permission",
    "(example.com)", "Copyright 2024", "©", "All rights reserved", "This article may not be "
    "published", "Subscribe", "newsletter", "inbox", "sign up", "Stay informed", "Bypass the "
    "big tech censorship", "our", "Share this", "Follow us on", "Facebook", "WhatsApp channel",
    "Photo: ", "Picture by", "Credit:", "handout", "via Reuters", "Getty Images", "AP Photo",
    "REUTERS", "AFP", "EPA", "NTB/Ola Berge", "/File Photo", "\u0130", "\u0131", "\u017f",
    "\u212a", "ſubſcribe", "COMMENT", "KΑ", " ", ", ", ". ", "\n", "word", "Text",
    "This article is part of", "THE STORY WAS produced", "Read the rest of it here",
    "Privacy Notice:", "Photograph: ",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=8).map("".join))
def test_the_quick_tests_never_skip_a_match(text: str) -> None:
    """Each rule's substring test only ever says "no" to text its regex does not match."""
    from workbench.extract import boilerplate as b

    for pattern, needles in [
        (b._COMMENTS, b._COMMENTS_NEEDLES),
        (b._SOURCE, b._SOURCE_NEEDLES),
        (b._SUBSCRIBE, b._SUBSCRIBE_NEEDLES),
        (b._SHARE_LINE, b._SHARE_LINE_NEEDLES),
    ]:
        if pattern.search(text):
            assert b._may_match(text, needles), (pattern.pattern, text)
    if b._CREDIT.search(text):
        assert b._may_match(text, b._CREDIT_NEEDLES) or any(n in text for n in b._CREDIT_CASED)


def test_a_caption_closed_by_a_bracketed_credit_is_dropped() -> None:
    caption = "A worker packs meals at a plant in Dayton, Ohio, in 2023. (Metro Wire/Ken Alvarez)"
    assert is_boilerplate("(Metro Wire/Ken Alvarez)", Context(line=caption, paragraph=caption))
    # A sentence ending in a bracketed acronym inside the text is article text.
    sentence = "The rise was confirmed by the statistics office (NSO)."
    assert is_boilerplate(sentence, line(sentence, position=0.4)) is None


@pytest.mark.parametrize(
    "caption",
    [
        "A man carries his dog through floodwater in Ostmouth. Photograph: PA",
        "Residents wade through a street on Wednesday. Photograph: Tom Ellery/The Meridian Post",
    ],
)
def test_a_photograph_credit_makes_its_line_a_caption(caption: str) -> None:
    assert is_boilerplate(caption, line(caption, position=0.4)) == "photo_credit"


def test_a_bio_that_says_what_the_writer_covers_is_dropped_but_not_a_policy() -> None:
    bio = "Marcus Bell covers county government for the Ledger. Reach him at mb@ledger.com."
    context = Context(line=bio, paragraph=bio, position=0.95)
    assert is_boilerplate("Marcus Bell covers county government for the Ledger.", context)
    for sentence in (
        "Medicare covers hearing aids for Americans over 65.",
        "Police said they would contact him at his home in Tarsk.",
    ):
        assert is_boilerplate(sentence, line(sentence, position=0.95)) is None


def test_a_privacy_notice_under_a_newsletter_box_is_dropped() -> None:
    notice = "Privacy Notice: Newsletters may contain info about charities and online ads."
    assert is_boilerplate(notice, line(notice, position=0.95)) == "source_line"
