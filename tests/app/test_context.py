"""The context shown around a claim: bounded in sentences and characters, whatever the
paragraph; the whole document opening at the claim; all of it escaped."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.app import render
from workbench.app.context import (
    CONTEXT_CHARS,
    DOCUMENT_MAX_CHARS,
    ClaimContext,
    claim_context,
    context_html,
    document_html,
)
from workbench.extract.segment import paragraph_span

SENTENCES = [f"Sentence number {i} says the mayor spent {i} million on roads." for i in range(40)]
PARAGRAPH = " ".join(SENTENCES)  # some 2,400 characters on one line, as sample 003 was


def around(text: str, claim: str, paragraph: tuple[int, int] | None = None) -> ClaimContext:
    start = text.index(claim)
    end = start + len(claim)
    return claim_context(text, start, end, paragraph or paragraph_span(text, start, end))


def test_a_claim_in_a_long_paragraph_gets_a_sentence_or_two_either_side() -> None:
    claim = SENTENCES[20]
    found = around(PARAGRAPH, claim)
    shown = PARAGRAPH[found.start : found.end]
    assert shown == " ".join(SENTENCES[18:23])  # two before, the claim, two after
    assert found.cut_before and found.cut_after and not found.whole


def test_a_short_paragraph_is_shown_whole() -> None:
    paragraph = "The mayor said roads cost 4 million. They did. Nobody checked."
    text = f"Title\n\n{paragraph}\n\nNext."
    found = around(text, "They did.")
    assert text[found.start : found.end] == paragraph
    assert found.whole


def test_the_first_sentence_of_a_paragraph_has_nothing_before_it() -> None:
    found = around(PARAGRAPH, SENTENCES[0])
    assert found.start == 0 and not found.cut_before and found.cut_after


def test_long_sentences_are_cut_at_a_word_within_the_character_bound() -> None:
    before = "word " * 200 + "end."
    after = "More " + "words " * 200 + "."
    text = f"{before} The claim is here. {after}"
    found = around(text, "The claim is here.")
    start = text.index("The claim")
    assert 0 < start - found.start <= CONTEXT_CHARS and text[found.start - 1] == " "
    end = start + len("The claim is here.")
    assert 0 < found.end - end <= CONTEXT_CHARS and text[found.end] == " "
    assert found.cut_before and found.cut_after


def test_a_paragraph_of_twenty_megabytes_costs_no_more_than_a_short_one() -> None:
    text = PARAGRAPH * 8_000  # ~19 MB on one line: one "paragraph"
    claim = SENTENCES[5]
    start = len(text) // 2 + text[len(text) // 2 :].index(claim)
    began = time.perf_counter()
    found = claim_context(text, start, start + len(claim), (0, len(text)))
    assert time.perf_counter() - began < 0.5
    assert found.end - found.start <= 2 * CONTEXT_CHARS + len(claim)


words = st.sampled_from(["The", "mayor", "said", "4.5", "million", "roads", "“yes”", "U.S."])
ends = st.sampled_from([".", "?", "!", "", ",", "\n", "\n\n", "…"])
texts = st.lists(st.tuples(st.lists(words, min_size=1, max_size=30), ends), max_size=40).map(
    lambda parts: " ".join(" ".join(w) + e for w, e in parts)
)


@settings(max_examples=200, deadline=None)
@given(texts, st.data())
def test_the_context_holds_the_claim_and_is_bounded(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 300)))
    paragraph = paragraph_span(text, start, end)
    found = claim_context(text, start, end, paragraph)
    assert min(paragraph[0], start) <= found.start <= start <= end <= found.end
    assert found.end <= max(paragraph[1], end)
    assert start - found.start <= CONTEXT_CHARS and found.end - end <= CONTEXT_CHARS
    assert found.cut_before == (found.start > min(paragraph[0], start))
    assert found.cut_after == (found.end < max(paragraph[1], end))
    html = context_html(text, start, end, found)
    assert html.count("<mark") == 1 and render.escape(text[start:end]) + "</mark>" in html


HOSTILE = "Intro <b>bold</b>.\n\n" + "<script>alert(1)</script> filler words here. " * 40
HOSTILE_CLAIM = "The mayor <img src=x onerror=alert(1)> spent 4 million."


def test_source_text_is_escaped_in_the_context_and_the_document() -> None:
    text = f"{HOSTILE}{HOSTILE_CLAIM} After <i>it</i>."
    start = text.index(HOSTILE_CLAIM)
    end = start + len(HOSTILE_CLAIM)
    paragraph = paragraph_span(text, start, end)
    for html in (
        context_html(text, start, end, claim_context(text, start, end, paragraph)),
        document_html(text, start, end, paragraph),
    ):
        assert "<script" not in html and "<img" not in html and "<b>" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<i>" not in html and "&lt;i&gt;it&lt;/i&gt;" in html


def test_the_whole_document_opens_at_the_claim_with_what_came_before_folded() -> None:
    earlier = "".join(f"Paragraph {i} of the report.\n\n" for i in range(30))
    text = f"{earlier}Before the claim. The council spent 4 million.\n\nAfter it."
    start = text.index("The council")
    end = start + len("The council spent 4 million.")
    html = document_html(text, start, end, paragraph_span(text, start, end))
    fold = html.index("<details")
    assert html.index("Paragraph 0 of") > fold and html.index("Paragraph 29") < html.index(
        "</details>"
    )
    after_fold = html[html.index("</details>") :]
    assert after_fold.startswith("</details>Before the claim. <mark")
    assert "After it." in after_fold


def test_a_long_paragraph_folds_up_to_the_sentences_around_the_claim() -> None:
    claim = SENTENCES[30]
    start = PARAGRAPH.index(claim)
    html = document_html(PARAGRAPH, start, start + len(claim), (0, len(PARAGRAPH)))
    visible = html[html.index("</details>") :]
    assert visible.index("<mark") < 2 * CONTEXT_CHARS  # the claim near the top of the box
    assert SENTENCES[0] in html[: html.index("</details>")]


def test_a_huge_document_is_sent_in_part() -> None:
    text = PARAGRAPH + "\n\n" + ("filler sentence here. " * 20_000) + "\n\nEnd."
    start = text.index(SENTENCES[3])
    html = document_html(text, start, start + len(SENTENCES[3]), (0, len(PARAGRAPH)))
    assert len(html) < len(PARAGRAPH) + DOCUMENT_MAX_CHARS + 2_000
    assert "the document goes on for" in html


def test_an_absolute_source_path_is_shown_by_its_file_name() -> None:
    assert render.source_label("/srv/news/sample_data/003.txt") == "003.txt"
    assert render.source_label("C:\\data\\a.jsonl#L4") == "a.jsonl#L4"
    assert render.source_label("articles/a.txt") == "articles/a.txt"
    assert render.source_label("https://example.org/a/b") == "https://example.org/a/b"
