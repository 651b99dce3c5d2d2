"""How much of its document the Review page shows with a claim: bounded, whatever the document.

A reviewer decides on the first screen: the claim, a sentence or two before and after it, and
the verdict buttons, all within 800 pixels of a laptop's screen. A paragraph is not a bound
by itself: a web page saved as text can be one 4,000-character paragraph (the paragraph rule
now splits such files by line, but databases ingested before keep what they were given, and a
JSONL record may be one line of 20 MB). So the context is counted in sentences *and*
characters (:func:`claim_context`), the whole paragraph is one click away, and the whole
document opens at the claim, what comes before it folded away (:func:`document_html`).

Sentences are found in a window of the text around the claim only (``WINDOW_CHARS``), never in
the whole paragraph: that is what keeps a page view cheap on a 20 MB one-line document.

Everything here is source text, untrusted: it is escaped piece by piece (``render.escape``),
and the only tags are ours. Nothing here calls Streamlit, so it is tested directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.app.render import CLOSE_MARK, ELLIPSIS, OPEN_MARK, SOURCE_STYLE, escape
from workbench.extract.segment import sentences

Span = tuple[int, int]

# Sentences shown on each side of the claim, and the characters they may take on each side.
# Two sentences of news are 150-400 characters; 280 a side keeps claim and context within
# some eight lines of the page at 1280 pixels, so the verdict buttons stay on the first screen.
CONTEXT_SENTENCES = 2
CONTEXT_CHARS = 280
# The text around the claim searched for sentence breaks: well past CONTEXT_CHARS, so the
# nearest breaks are found, and bounded, so a huge paragraph costs no more than a short one.
WINDOW_CHARS = 4 * CONTEXT_CHARS
# The context box never grows past this (a claim may itself be 2,000 characters): it scrolls.
CONTEXT_MAX_HEIGHT = "13rem"
DOCUMENT_MAX_HEIGHT = "19rem"
# The most of the document sent to the browser on each side of the claim's paragraph: a
# 20 MB document is not a page, and every view of one of its claims would send it whole.
DOCUMENT_MAX_CHARS = 100_000


@dataclass(frozen=True)
class ClaimContext:
    """What to show of ``text`` around a claim: ``start:end``, and whether the paragraph
    goes on before or after it (then an ellipsis says so, and the page offers the rest)."""

    start: int
    end: int
    cut_before: bool
    cut_after: bool

    @property
    def whole(self) -> bool:
        return not (self.cut_before or self.cut_after)


def claim_context(
    text: str,
    start: int,
    end: int,
    paragraph: Span,
    *,
    sentences_each_side: int = CONTEXT_SENTENCES,
    max_chars: int = CONTEXT_CHARS,
) -> ClaimContext:
    """The claim ``text[start:end]`` with up to ``sentences_each_side`` sentences of its
    ``paragraph`` before and after it, and at most ``max_chars`` characters on each side: a
    nearer sentence break if the sentences are longer, a word break if one sentence is.

    Always holds the claim, stays inside the text, and never leaves the paragraph (widened to
    hold the claim if it does not).
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    p_start = max(0, min(paragraph[0], start))
    p_end = min(len(text), max(paragraph[1], end))
    w_start = max(p_start, start - WINDOW_CHARS)
    w_end = min(p_end, end + WINDOW_CHARS)
    found = [(w_start + s, w_start + e) for s, e in sentences(text[w_start:w_end])]

    # Where the shown text may begin: the paragraph's start and the sentence starts before
    # the claim (a claim that starts inside a sentence counts that sentence's start too).
    begins = sorted({p_start, *(s for s, _ in found if s < start)} - {start})
    begins = [b for b in begins if b >= w_start]
    ends = sorted({p_end, *(e for _, e in found if e > end)} - {end})
    ends = [e for e in ends if e <= w_end]

    ctx_start = _pick(begins[-sentences_each_side:], lambda b: start - b <= max_chars)
    if ctx_start is None:
        ctx_start = start if start == p_start else _word_after(text, start - max_chars, start)
    ctx_end = _pick(list(reversed(ends[:sentences_each_side])), lambda e: e - end <= max_chars)
    if ctx_end is None:
        ctx_end = end if end == p_end else _word_before(text, end, end + max_chars)
    return ClaimContext(ctx_start, ctx_end, ctx_start > p_start, ctx_end < p_end)


def _pick(candidates: list[int], fits: Callable[[int], bool]) -> int | None:
    """The first of ``candidates`` (widest first) that ``fits``, or ``None``."""
    return next((c for c in candidates if fits(c)), None)


def _word_after(text: str, position: int, limit: int) -> int:
    """The start of the first word at or after ``position`` (before ``limit``): a cut that
    does not begin mid-word. ``position`` itself when no break comes before ``limit``."""
    position = max(0, position)
    for i in range(position, limit):
        if text[i].isspace():
            return i + 1
    return position


def _word_before(text: str, end: int, position: int) -> int:
    """The end of the last whole word before ``position`` (after ``end``)."""
    position = min(len(text), position)
    for i in range(position, end, -1):
        if text[i - 1].isspace():
            return i - 1
    return position


def _marked(text: str, start: int, end: int, span: Span) -> str:
    """``text[span]`` escaped, with the claim in its ``<mark>``."""
    return "".join(
        (
            escape(text[span[0] : start]),
            OPEN_MARK,
            escape(text[start:end]),
            CLOSE_MARK,
            escape(text[end : span[1]]),
        )
    )


def context_html(text: str, start: int, end: int, context: ClaimContext) -> str:
    """The claim in its bounded context, an ellipsis where the paragraph goes on."""
    style = f"{SOURCE_STYLE}; max-height: {CONTEXT_MAX_HEIGHT}; overflow-y: auto"
    return "".join(
        (
            f'<div class="wb-source wb-context{" wb-whole" if context.whole else ""}" '
            f'style="{style}">',
            f"{ELLIPSIS} " if context.cut_before else "",
            _marked(text, start, end, (context.start, context.end)),
            f" {ELLIPSIS}" if context.cut_after else "",
            "</div>",
        )
    )


def document_html(text: str, start: int, end: int, paragraph: Span) -> str:
    """The whole document in a box of bounded height that opens at the claim: what comes
    before the claim's paragraph (or, in a long paragraph, before the sentences around the
    claim) is folded away in a ``<details>`` to unfold, so the claim is near the top of the
    box without scrolling, in every browser.

    No script is needed to land on the claim, so none is run: the page never executes
    anything near source text.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    p_start = max(0, min(paragraph[0], start))
    p_end = min(len(text), max(paragraph[1], end))
    if start - p_start <= 2 * CONTEXT_CHARS:
        shown_from, lead = p_start, ""
    else:  # a long paragraph: its start would push the claim out of the box
        shown_from, lead = claim_context(text, start, end, paragraph).start, f"{ELLIPSIS} "
    box = f"{SOURCE_STYLE}; max-height: {DOCUMENT_MAX_HEIGHT}; overflow-y: auto"
    parts = [f'<div class="wb-source wb-document" style="{box}">']
    first = max(0, shown_from - DOCUMENT_MAX_CHARS)
    earlier = text[first:shown_from].rstrip()
    if earlier.strip():
        label = f"Earlier in the document ({shown_from:,} characters)"
        if first > 0:
            earlier = f"{ELLIPSIS}{earlier}"
            label = f"{label}: the last {DOCUMENT_MAX_CHARS:,}"
        parts.append(
            '<details class="wb-earlier" style="margin-bottom: 0.5rem">'
            f'<summary style="cursor: pointer; opacity: 0.75">{escape(label)}</summary>'
            f"{escape(earlier)}</details>"
        )
    last = min(len(text), p_end + DOCUMENT_MAX_CHARS)
    parts.append(lead)
    parts.append(_marked(text, start, end, (shown_from, last)))
    if last < len(text):
        rest = len(text) - last
        parts.append(escape(f" {ELLIPSIS} (the document goes on for {rest:,} characters)"))
    parts.append("</div>")
    return "".join(parts)
