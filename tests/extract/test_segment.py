"""Sentences and paragraphs come back as exact offsets into the unchanged text."""

from __future__ import annotations

from importlib.resources import files

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.extract.segment import (
    LINE_PARAGRAPH_CHARS,
    MAX_SENTENCE_CHARS,
    paragraph_span,
    paragraphs,
    sentences,
)


def texts(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


def test_offsets_are_code_point_indices_on_non_ascii_text() -> None:
    text = "Café owners 🙂 said “prices rose 5%.” The mayor’s office denied it. Next é."
    spans = sentences(text)
    assert texts(text) == [
        "Café owners 🙂 said “prices rose 5%.”",
        "The mayor’s office denied it.",
        "Next é.",
    ]
    for start, end in spans:
        assert text[start:end].strip() == text[start:end]


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "The U.S. Army met Gen. Smith at 5 p.m. on Monday. He left."
    assert texts(text) == ["The U.S. Army met Gen. Smith at 5 p.m. on Monday.", "He left."]


def test_a_quotation_stays_with_its_attribution() -> None:
    text = "“We are ready,” he said. “We will respond.”"
    assert texts(text) == ["“We are ready,” he said.", "“We will respond.”"]


def test_a_blank_line_ends_a_sentence_and_a_paragraph() -> None:
    text = "First paragraph without a stop\n\nSecond paragraph. Two sentences."
    assert texts(text) == ["First paragraph without a stop", "Second paragraph.", "Two sentences."]
    assert [text[s:e] for s, e in paragraphs(text)] == [
        "First paragraph without a stop",
        "Second paragraph. Two sentences.",
    ]


def test_headline_and_caption_lines_are_their_own_units() -> None:
    text = "Putin, Trump, Kremlin, assassination attempt\nFILE PHOTO: Putin speaks in Moscow\nBody."
    assert texts(text) == [
        "Putin, Trump, Kremlin, assassination attempt",
        "FILE PHOTO: Putin speaks in Moscow",
        "Body.",
    ]


def test_hard_wrapped_prose_is_joined_across_a_single_newline() -> None:
    text = "The minister said that the\nbudget would rise by 5% next year.\nA new line."
    assert texts(text) == [
        "The minister said that the\nbudget would rise by 5% next year.",
        "A new line.",
    ]


def test_unicode_space_before_a_period_does_not_crash() -> None:
    # sentencex 1.0.32 panics on this input; the segmenter must still answer.
    text = "A\u2028. B\xa0. Done."
    assert all(text[s:e].strip() for s, e in sentences(text))


def test_paragraph_span_gives_the_surrounding_paragraph() -> None:
    text = "Title\n\nOne sentence. Another one.\nSame paragraph.\n\nLast."
    start = text.index("Another")
    s, e = paragraph_span(text, start, start + len("Another one."))
    assert text[s:e] == "One sentence. Another one.\nSame paragraph."


def test_a_document_of_one_paragraph_a_line_gets_a_paragraph_a_line() -> None:
    # Web pages saved as text: no blank line anywhere, each paragraph on its own long line.
    first = "The mayor said the bridge would reopen in May. " * 5
    second = "Officials confirmed the date. " * 2
    third = "Residents were not convinced, and said so at the meeting. " * 4
    text = f"{first.strip()}\n{second.strip()}\n{third.strip()}\n"
    assert max(len(line) for line in text.splitlines()) > LINE_PARAGRAPH_CHARS
    assert [text[s:e] for s, e in paragraphs(text)] == [
        first.strip(),
        second.strip(),
        third.strip(),
    ]
    start = text.index("Officials")
    s, e = paragraph_span(text, start, start + len("Officials confirmed the date."))
    assert text[s:e] == second.strip()


def test_hard_wrapped_paragraphs_stay_whole() -> None:
    line = "The minister said the budget would rise by five percent next"
    text = f"{line}\nyear, and that\nthe hospitals would get most of it.\n\nNext paragraph."
    assert [text[s:e] for s, e in paragraphs(text)] == [
        f"{line}\nyear, and that\nthe hospitals would get most of it.",
        "Next paragraph.",
    ]


def test_a_title_then_lines_of_paragraphs_split_the_body_only_by_line() -> None:
    body = ["A long paragraph on one line, as a web page saved it. " * 4, "A short one."]
    text = "Headline\n\n" + "\n".join(p.strip() for p in body)
    assert [text[s:e] for s, e in paragraphs(text)] == ["Headline", *(p.strip() for p in body)]


def test_the_sample_article_without_blank_lines_has_one_paragraph_a_line() -> None:
    text = (files("workbench") / "sample_data" / "003_ebb6b6b0f14d11f9.txt").read_text("utf-8")
    assert "\n\n" not in text
    found = [text[s:e] for s, e in paragraphs(text)]
    assert found == [line.strip() for line in text.splitlines() if line.strip()]
    assert max(len(p) for p in found) < 1000  # the article was one 4,085-character paragraph


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="ab .\n\r\u2028\u00a0", min_size=1, max_size=40),
            st.just("z" * (LINE_PARAGRAPH_CHARS + 1)),
            st.just("\n\n"),
        ),
        max_size=14,
    )
)
def test_paragraphs_are_stripped_ordered_and_hold_every_sentence(parts: list[str]) -> None:
    text = "".join(parts)
    spans = paragraphs(text)
    last = 0
    for start, end in spans:
        assert last <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        assert not any(line.strip() == "" for line in text[start:end].splitlines())
        last = end
    # Every sentence lies inside a paragraph, or across several: the context shown with a
    # claim (paragraph_span) always holds the claim.
    for start, end in sentences(text):
        s, e = paragraph_span(text, start, end)
        assert s <= start < end <= e


def test_sample_article_lines_are_not_merged(sample_text: str) -> None:
    found = texts(sample_text)
    assert "Pin It on Pinterest" in found
    assert "Share This" in found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=200))
def test_spans_are_in_bounds_ordered_stripped_and_exact(text: str) -> None:
    previous_end = 0
    for start, end in sentences(text):
        assert 0 <= previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='ab .?!\n“”"é🙂\u2028', max_size=120))
def test_spans_hold_on_punctuation_heavy_text(text: str) -> None:
    spans = sentences(text)
    assert spans == sorted(spans)
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)


# --- no sentence is longer than MAX_SENTENCE_CHARS -----------------------------------------


def test_text_without_sentence_breaks_gives_no_sentence_over_the_bound() -> None:
    words = ["the", "council", "said", "the", "budget", "rose", "by", "four", "percent"]
    run_on = " ".join(words[i % len(words)] for i in range(20_000))  # ~100 K chars, no stop
    text = f"The mayor said the bridge will reopen.\n{run_on}\nOfficials confirmed it."
    assert texts(text) == ["The mayor said the bridge will reopen.", "Officials confirmed it."]


def test_a_stretch_of_base64_between_sentences_gives_no_sentence() -> None:
    blob = "QUJD" * 2_000  # 8,000 characters without a break
    text = f"The mayor said the bridge will reopen. {blob}. Officials confirmed it."
    assert texts(text) == ["The mayor said the bridge will reopen.", "Officials confirmed it."]


def test_a_sentence_of_exactly_the_bound_is_kept_whole() -> None:
    sentence = ("word " * (MAX_SENTENCE_CHARS // 5))[: MAX_SENTENCE_CHARS - 1] + "."
    assert len(sentence) == MAX_SENTENCE_CHARS
    assert texts(sentence + " Next one.") == [sentence, "Next one."]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="ab .\n\u00a0", min_size=1, max_size=30),
            st.just("x" * 700),
            st.just("y " * 400),
        ),
        max_size=12,
    )
)
def test_every_sentence_is_bounded_stripped_and_in_order(parts: list[str]) -> None:
    text = "".join(parts)
    spans = sentences(text)
    last = 0
    for start, end in spans:
        assert last <= start < end <= len(text)
        assert end - start <= MAX_SENTENCE_CHARS
        assert text[start:end] == text[start:end].strip()
        last = end
