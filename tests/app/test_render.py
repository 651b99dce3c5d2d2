"""Source text is shown escaped, with only the claim wrapped in <mark>."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from workbench.app import render

OUR_TAGS = (render.OPEN_DIV, render.CLOSE_DIV, render.OPEN_MARK, render.CLOSE_MARK)


def strip_our_tags(markup: str) -> str:
    for tag in OUR_TAGS:
        markup = markup.replace(tag, "")
    return markup


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, int, int, int, int]:
    alphabet = st.characters(codec="utf-8") | st.sampled_from("<>&\"'\n\r\t ;=/")
    text = draw(st.text(alphabet=alphabet, max_size=200))
    start, end = sorted(draw(st.integers(0, len(text))) for _ in range(2))
    ctx_start = draw(st.integers(0, start))
    ctx_end = draw(st.integers(end, len(text)))
    return text, start, end, ctx_start, ctx_end


@given(text_and_spans())
def test_unescaping_gives_back_exactly_the_source_slice(
    case: tuple[str, int, int, int, int],
) -> None:
    text, start, end, ctx_start, ctx_end = case
    markup = render.highlight_html(text, start, end, context=(ctx_start, ctx_end))
    assert markup.startswith(render.OPEN_DIV) and markup.endswith(render.CLOSE_DIV)
    body = strip_our_tags(markup)
    assert "<" not in body and ">" not in body  # no tag from the source survives
    assert html.unescape(body) == text[ctx_start:ctx_end]
    marked = markup.split(render.OPEN_MARK, 1)[1].split(render.CLOSE_MARK, 1)[0]
    assert html.unescape(marked) == text[start:end]


@given(st.text(max_size=100))
def test_the_whole_text_is_the_default_context(text: str) -> None:
    markup = render.highlight_html(text, 0, len(text))
    assert html.unescape(strip_our_tags(markup)) == text


def test_markup_in_the_source_is_escaped() -> None:
    text = 'Said 100 <script>alert(1)</script> and <img src=x onerror="alert(1)">.'
    start = text.index("<script>")
    markup = render.highlight_html(text, start, len(text) - 1)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "<script" not in markup and "<img" not in markup
    assert "&quot;alert(1)&quot;" in markup


def test_newlines_are_kept_by_the_wrapping_div() -> None:
    markup = render.highlight_html("one\n\ntwo", 5, 8)
    assert "white-space: pre-wrap" in markup
    assert "one\n\n<mark" in markup


def test_a_context_too_small_is_widened_to_hold_the_claim() -> None:
    markup = render.highlight_html("abcdef", 1, 5, context=(2, 3))
    assert html.unescape(strip_our_tags(markup)) == "bcde"


def test_markdown_escape_keeps_text_literal() -> None:
    assert render.md_escape("*a* [b](javascript:x) <i>") == (r"\*a\* \[b\]\(javascript\:x\) \<i\>")


def test_shorten_flattens_and_cuts() -> None:
    assert render.shorten("a\n b", 10) == "a b"
    assert render.shorten("x" * 20, 5) == "xxxx…"


def test_an_evidence_url_is_a_new_tab_link_that_tells_the_site_nothing() -> None:
    shown = render.evidence_link_html("https://example.org/report?a=1&b=2")
    assert 'href="https://example.org/report?a=1&amp;b=2"' in shown
    assert 'target="_blank" rel="noopener noreferrer"' in shown


@given(st.text())
def test_an_evidence_link_never_carries_markup_of_its_own(url: str) -> None:
    shown = render.evidence_link_html(url)
    inner = shown.split(">", 2)[2].rsplit("</a>", 1)[0]  # the link's text
    assert "<" not in inner and ">" not in inner
    href = shown.split('href="', 1)[1].split('" target=', 1)[0]
    assert '"' not in href and "<" not in href


def test_a_question_keeps_its_lines_in_a_box_that_scrolls() -> None:
    shown = render.question_html("Which source?\nThe 2019 one?")
    assert shown == f"{render.OPEN_QUESTION}Which source?\nThe 2019 one?{render.CLOSE_DIV}"
    assert f"max-height: {render.QUESTION_MAX_HEIGHT}; overflow-y: auto" in shown


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("<>&\"'\n")))
def test_a_question_is_never_markup(text: str) -> None:
    shown = render.question_html(text)
    inner = shown.removeprefix(render.OPEN_QUESTION).removesuffix(render.CLOSE_DIV)
    assert "<" not in inner and ">" not in inner
    assert html.unescape(inner) == text
