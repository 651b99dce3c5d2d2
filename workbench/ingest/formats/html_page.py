"""HTML: the article's main text, found by trafilatura, with its title, date and canonical URL.

trafilatura works on the string it is given and fetches nothing: no URL is passed to it, so
neither it nor htmldate (its date finder) has anything to download. A test guards this.

The publication date comes from the page's metadata only: its ``<meta>`` tags (including the
date in an ``og:url``) and its JSON-LD, read by htmldate's own header and JSON-LD steps. The
rest of htmldate's search (dates in the text, headings, image names, "the most frequent year")
guessed: a page without metadata that mentioned 2019 got "published 2019-01-01", which an
export then states as ClaimReview's ``datePublished``. An unknown date stays unknown.

The canonical URL from the metadata is held to the evidence-URL rules, as a record's is.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import trafilatura
from htmldate.core import examine_header
from htmldate.extractors import json_search
from htmldate.utils import Extractor, load_html
from htmldate.validators import get_max_date, get_min_date
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from workbench.ingest.formats.common import (
    ReadError,
    ReadWarning,
    bom_codec,
    read_whole_text,
    short_title,
    title_from,
)
from workbench.ingest.formats.records import checked_url
from workbench.schemas import DocumentIn

# htmldate's own default drops the time; keep it, and the zone, when the page gives them.
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# trafilatura's date is not used (see the module docstring); without the extensive search
# it costs less to find.
_DATE_PARAMS = {"outputformat": _DATE_FORMAT, "original_date": True, "extensive_search": False}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_METADATA_KEYS = ("author", "sitename", "description")


def read_html(path: Path, *, max_bytes: int) -> Iterator[DocumentIn | ReadError]:
    source = str(path)
    html = read_whole_text(path, max_bytes, _decode)
    if isinstance(html, ReadError):
        yield html
        return
    try:
        found = trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=True,
            with_metadata=True,
            date_extraction_params=_DATE_PARAMS,
        )
    except Exception as error:  # a third-party parser on arbitrary input: report, never crash
        yield ReadError(source, None, None, f"could not parse the HTML ({error})")
        return
    text = _paragraphs(found) if isinstance(found, Document) else ""
    if not isinstance(found, Document) or not text.strip():
        message = "no article text found in the HTML; is it a full article page?"
        yield ReadError(source, None, None, message)
        return
    metadata = {key: value for key in _METADATA_KEYS if (value := getattr(found, key, None))}
    url = checked_url(found.url, path=source, line=None) if found.url else None
    if isinstance(url, ReadWarning):
        yield url
        url = None
    yield DocumentIn(
        text=text,
        title=short_title(found.title or "") or title_from(text),
        source=source,
        url=url,
        published=_published(_metadata_date(html)),
        metadata=metadata,
    )


def _metadata_date(html: str) -> str | None:
    """The publication date the page's ``<meta>`` tags or JSON-LD give, or ``None``."""
    tree = load_html(html)
    if tree is None:
        return None
    options = Extractor(
        extensive=False,
        max=get_max_date(None),  # today: a date in the future is a typo, not a date
        min=get_min_date(None),
        original=True,  # published, not modified
        format=_DATE_FORMAT,
    )
    return examine_header(tree, options) or json_search(tree, options)


def _decode(data: bytes) -> str:
    """UTF-8 (or UTF-16/32 with a BOM), or the charset the page declares in a ``<meta>`` tag
    (saved pages often do)."""
    try:
        return data.decode(bom_codec(data) or "utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        codec = _declared_codec(data)
        if codec is None or codec == "utf-8":
            raise
        return data.decode(codec)


def _declared_codec(data: bytes) -> str | None:
    declared = _META_CHARSET.search(data[:4096])
    if declared is None:
        return None
    try:
        return codecs.lookup(declared.group(1).decode("ascii")).name
    except LookupError:
        return None


def _paragraphs(found: Document) -> str:
    """The main text with a blank line between blocks (paragraphs, headings, lists, tables).

    trafilatura's own text output puts a single newline between paragraphs, which loses the
    difference between a paragraph and a line break; its XML body keeps one element a block.
    """
    body = found.body
    if body is None or not len(body):
        return str(found.text or "")
    blocks = (xmltotxt(block, False).strip() for block in body)
    return "\n\n".join(block for block in blocks if block)


def _published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        published = datetime.fromisoformat(value)
    except ValueError:
        return None  # a date we cannot read is left out, not a reason to drop the article
    return published if published.tzinfo is not None else published.replace(tzinfo=UTC)
