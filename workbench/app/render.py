"""Turning stored text into what the app shows, without ever interpreting it.

Source text (documents, claims, titles, speakers) comes from the web and is untrusted: it
is HTML-escaped here, piece by piece, and only our own tags are added around it. Nothing in
this module calls Streamlit, so all of it is tested directly.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from workbench.schemas import ClaimOut, ClaimStatus, SimilarClaim

# The wrapping div keeps the source's newlines and long words readable.
SOURCE_STYLE = (
    "white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.6; "
    "font-size: 1.02rem; padding: 0.75rem 1rem; border-left: 3px solid #d0d4dc; "
    "background: rgba(127, 127, 127, 0.06); border-radius: 0.25rem"
)
MARK_STYLE = "background: #ffe58f; color: #1f1f1f; padding: 0.05em 0.15em; border-radius: 0.2em"
OPEN_DIV = f'<div class="wb-source" style="{SOURCE_STYLE}">'
CLOSE_DIV = "</div>"
OPEN_MARK = f'<mark class="wb-claim" style="{MARK_STYLE}">'
CLOSE_MARK = "</mark>"
ELLIPSIS = "…"

# Characters Markdown would interpret; escaped before a message reaches st.error & co.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def escape(text: str) -> str:
    """``text`` as inert HTML: ``& < > " '`` all escaped."""
    return html.escape(text, quote=True)


def highlight_html(text: str, start: int, end: int, context: tuple[int, int] | None = None) -> str:
    """``text[context]`` as escaped HTML with ``text[start:end]`` wrapped in ``<mark>``.

    ``context`` defaults to the whole text; it is widened if needed so that it always
    contains the claim. Every piece of source text is escaped: the only tags in the result
    are the wrapping ``<div>`` and the ``<mark>``.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    ctx_start, ctx_end = context if context is not None else (0, len(text))
    ctx_start = max(0, min(ctx_start, start))
    ctx_end = min(len(text), max(ctx_end, end))
    return "".join(
        (
            OPEN_DIV,
            escape(text[ctx_start:start]),
            OPEN_MARK,
            escape(text[start:end]),
            CLOSE_MARK,
            escape(text[end:ctx_end]),
            CLOSE_DIV,
        )
    )


# The most of a document's title the claim's details show: one line at 1280 pixels. Titles
# are headlines since ingest keeps them short; one stored before may be a whole paragraph.
TITLE_SHOWN_CHARS = 110
# A path from the root of a disk: "/srv/...", "C:\\..." or "\\\\server\\share".
_ABSOLUTE_PATH = re.compile(r"^(?:/|[A-Za-z]:[\\/]|\\\\)")


def source_label(source: str) -> str:
    """A document's source as the app shows it: a URL or a path as the user gave it, as
    stored; an absolute path of the server's disk (stored by an ingest before sources were
    kept as given) by its file name only, with a record's ``#L12`` kept."""
    if _ABSOLUTE_PATH.match(source):
        return re.split(r"[\\/]", source)[-1] or source
    return source


def claim_meta_html(claim: ClaimOut, document_source: str) -> str:
    """The claim's speaker, score and document as escaped HTML (all of it is source text)."""
    speaker = claim.speaker or "unknown speaker"
    title = claim.document_title or f"document {claim.document_id}"
    rows = [
        ("Speaker", speaker),
        ("Score", f"{claim.score:.2f} ({claim.score_label})"),
        ("Document", shorten(title, TITLE_SHOWN_CHARS)),
        ("Source", source_label(document_source)),
    ]
    cells = "".join(
        f'<div style="opacity: 0.65">{escape(label)}</div><div>{escape(value)}</div>'
        for label, value in rows
    )
    return (
        '<div class="wb-meta" style="display: grid; grid-template-columns: max-content 1fr; '
        'column-gap: 1rem; row-gap: 0.15rem; overflow-wrap: anywhere; font-size: 0.92rem">'
        f"{cells}</div>"
    )


def md_escape(text: str) -> str:
    """``text`` shown literally by ``st.error``/``st.warning`` (which render Markdown)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def shorten(text: str, limit: int = 80) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + ELLIPSIS


URL_STYLE = "overflow-wrap: anywhere; line-height: 1.4"


def evidence_link_html(url: str) -> str:
    """A stored evidence URL as a link to it, opened in a new tab that learns nothing of the
    workbench (no opener, no referrer). Stored URLs are normalised http(s) addresses, and
    both the address and the text are escaped all the same."""
    return (
        f'<div style="{URL_STYLE}"><a href="{escape(url)}" target="_blank" '
        f'rel="noopener noreferrer">{escape(shorten(url, 120))}</a></div>'
    )


# A question sent back stands above the verdict buttons (workbench/app/discussion.py): a long
# one (up to 4,000 characters) scrolls in its box rather than push them off the first screen.
QUESTION_MAX_HEIGHT = "6.5rem"
OPEN_QUESTION = (
    '<div class="wb-question" style="white-space: pre-wrap; overflow-wrap: anywhere; '
    f'line-height: 1.5; max-height: {QUESTION_MAX_HEIGHT}; overflow-y: auto">'
)


def question_html(text: str) -> str:
    """A question someone typed, as inert text in a box of bounded height."""
    return f"{OPEN_QUESTION}{escape(text)}{CLOSE_DIV}"


SIMILAR_STYLE = (
    "white-space: pre-wrap; overflow-wrap: anywhere; padding: 0.4rem 0.75rem; "
    "border-left: 3px solid #d0d4dc; margin-bottom: 0.15rem"
)


def similar_claim_html(similar: SimilarClaim, label: Callable[[str], str] = str) -> str:
    """A similar claim, its document, similarity and verdicts (``label``: a verdict's name as
    people read it), all escaped (source text)."""
    verdicts = ", ".join(f"{v.reviewer}: {label(v.verdict)}" for v in similar.verdicts)
    details = [
        similar.document_title or f"document {similar.document_id}",
        similar.speaker or "unknown speaker",
        f"similarity {similar.similarity:.2f}",
        f"verdicts: {verdicts}" if verdicts else "no verdict yet",
    ]
    if similar.status == ClaimStatus.not_a_claim:
        details.append("marked not a claim")
    line = " · ".join(escape(d) for d in details)
    return (
        f'<div class="wb-similar" style="{SIMILAR_STYLE}">'
        f"<div>{escape(similar.text)}</div>"
        f'<div style="opacity: 0.65; font-size: 0.88rem">#{similar.id} · {line}</div>'
        "</div>"
    )
