"""Sentences and paragraphs of a document, as character offsets into the unchanged text.

``sentencex`` does the sentence splitting (abbreviations such as "U.S.", "Gen.", "p.m.",
quotations). Its offsets are Python ``str`` indices (code points, checked on curly quotes,
accents and emoji), so they are used as they are. Around it this module adds what web text
needs:

* a blank line ends a paragraph, and so does a single line break in a block that holds a
  line longer than ``LINE_PARAGRAPH_CHARS``: nobody wraps lines that long by hand, so whoever
  wrote it broke lines only between paragraphs (many web pages saved as text put one
  paragraph on each line, with no blank line anywhere; read as one paragraph, a 4,000-character
  article showed whole around each of its claims). Hard-wrapped prose keeps its paragraphs.
* a single line break ends a unit too: headlines,
  captions, crumbs and share buttons sit on their own lines without final punctuation, and
  sentencex would glue them to the next line. Only a line that visibly continues (no final
  punctuation and the next line starts in lower case, or it ends on a comma or a dash) is
  joined to the next one, so hard-wrapped plain text still gives whole sentences.
* sentencex (1.0.32) panics in Rust on some non-ASCII whitespace before a period
  (``"A\\u2028."``). It is handed a copy with every whitespace character mapped to a plain
  space (same length, so offsets hold), and any panic left falls back to a simple splitter.
* no sentence is longer than ``MAX_SENTENCE_CHARS``: a longer one is dropped. Text without
  sentence breaks (a table or a transcript flattened to one line, a 20 MB file of one line,
  base64) would otherwise become one "sentence" as long as itself: one claim no reviewer can
  read and no spreadsheet cell can hold (Excel's limit is 32,767 characters), and gigabytes of
  scoring and similarity work. Dropped rather than cut into pieces: a piece cut at an
  arbitrary word is not a statement anyone made, and ten thousand of them would flood the
  review queue. The text itself is stored unchanged; only no claim comes from that stretch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sentencex

Span = tuple[int, int]

# The line breaks str.splitlines() knows, "\r\n" first so it counts as one break.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Whitespace other than the plain space and LF: a plain space needs no mapping, and matching
# every one of them made ``sub`` build a list of millions of pieces for a long unit.
_OTHER_SPACE = re.compile(r"[^\S\n ]")
# A line that ends like this is finished: sentence punctuation, possibly inside quotes/brackets.
_LINE_DONE = re.compile(r"""[.!?…:;]["'”’)\]]*\s*$""")
# A line that ends like this continues on the next line: hard-wrapped prose.
_LINE_OPEN = re.compile(
    r"(?:[,(\-–—]|\b(?:the|a|an|of|to|and|or|in|on|for|with|by|at|from|that|as|is|was))\s*$"
)
_STARTS_LOWER = re.compile(r"\s*[a-z]")
# The longest sentence we return. Real ones are far shorter: the longest of the 23,850
# CheckThat! 2024 sentences has 835 characters (99.9th percentile 519), of the news in
# tests/data/news 376. 2,000 leaves room for a long legal or scientific sentence, and keeps a
# claim well inside a spreadsheet cell (Excel holds 32,767 characters).
MAX_SENTENCE_CHARS = 2000
# A block of lines holding a line longer than this is one paragraph a line (see the module
# docstring). Hard-wrapped text keeps its lines under 80 or so characters (e-mail 72-78, most
# editors 80-100); a news paragraph on one line is 200-600 characters (the sample articles'
# longest lines: 292-601), and a short one that happens to be 160 or less still ends its line
# at a paragraph break when a longer line in its block shows the writer's habit.
LINE_PARAGRAPH_CHARS = 160
# Fallback splitter: end punctuation, optional closing quotes, space, then a likely opener.
_FALLBACK_BREAK = re.compile(r"""(?<=[.!?])["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])""")


def _lines(text: str, begin: int = 0, stop: int | None = None) -> Iterator[Span]:
    """Every line of ``text[begin:stop]`` as (start, end) without its line break."""
    stop = len(text) if stop is None else stop
    start = begin
    for match in _LINE_BREAK.finditer(text, begin, stop):
        yield start, match.start()
        start = match.end()
    yield start, stop


def _strip(text: str, start: int, end: int) -> Span | None:
    """Shrink a span to exclude surrounding whitespace; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def paragraphs(text: str) -> list[Span]:
    """Stripped spans of the paragraphs: runs of non-blank lines between blank lines, each line
    its own paragraph in a run that holds a line over ``LINE_PARAGRAPH_CHARS``."""
    spans: list[Span] = []
    # A run is kept as (first, last, has a long line), never as a list of its lines: a
    # 20 MB file of short lines without a blank one is a single run of millions of lines.
    first: int | None = None
    last = 0
    long_line = False

    def close(first: int) -> None:
        if long_line:
            pieces = (_strip(text, start, end) for start, end in _lines(text, first, last))
            spans.extend(piece for piece in pieces if piece)
        elif stripped := _strip(text, first, last):
            spans.append(stripped)

    for start, end in _lines(text):
        if text[start:end].strip():
            if first is None:
                first, long_line = start, False
            last = end
            long_line = long_line or end - start > LINE_PARAGRAPH_CHARS
        elif first is not None:
            close(first)
            first = None
    if first is not None:
        close(first)
    return spans


def paragraph_span(text: str, start: int, end: int) -> Span:
    """The paragraph around ``text[start:end]``; spans several when the range crosses a break.

    Used by the UI to show a claim in context. A range in blank space gets itself back.
    """
    found = [p for p in paragraphs(text) if p[0] < max(end, start + 1) and p[1] > start]
    if not found:
        return start, end
    return found[0][0], found[-1][1]


def _units(text: str) -> Iterator[Span]:
    """Lines, joined only where a line plainly continues on the next one."""
    unit_start: int | None = None
    unit_end = 0
    for start, end in _lines(text):
        line = text[start:end]
        if not line.strip():
            if unit_start is not None:
                yield unit_start, unit_end
            unit_start = None
            continue
        if unit_start is not None:
            previous = text[unit_start:unit_end]
            joins = not _LINE_DONE.search(previous) and (
                _STARTS_LOWER.match(line) is not None or _LINE_OPEN.search(previous) is not None
            )
            if joins:
                unit_end = end
                continue
            yield unit_start, unit_end
        unit_start, unit_end = start, end
    if unit_start is not None:
        yield unit_start, unit_end


def _split_unit(unit: str) -> list[Span]:
    """Sentence spans inside one unit, relative to it (not yet stripped)."""
    try:
        found = sentencex.get_sentence_boundaries("en", _OTHER_SPACE.sub(" ", unit))
        return [(int(b["start_index"]), int(b["end_index"])) for b in found]
    except BaseException as error:  # pyo3's PanicException derives from BaseException
        if type(error).__name__ != "PanicException":
            raise
    spans: list[Span] = []
    start = 0
    for match in _FALLBACK_BREAK.finditer(unit):
        spans.append((start, match.start()))
        start = match.start()
    spans.append((start, len(unit)))
    return spans


def sentences(text: str) -> list[Span]:
    """Stripped, ordered, non-overlapping sentence spans: ``text[start:end]`` is the sentence."""
    spans: list[Span] = []
    for unit_start, unit_end in _units(text):
        for start, end in _split_unit(text[unit_start:unit_end]):
            # Clamp: a splitter must never move a span outside its unit or behind the last one.
            lo = max(unit_start + max(start, 0), spans[-1][1] if spans else 0)
            hi = min(unit_start + end, unit_end)
            stripped = _strip(text, lo, hi)
            if stripped and stripped[1] - stripped[0] <= MAX_SENTENCE_CHARS:
                spans.append(stripped)
    return spans
