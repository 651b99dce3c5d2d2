"""ClaimReview: the final verdicts as schema.org ``ClaimReview`` items, one JSON-LD document.

The file is one JSON object, ``{"@context": "https://schema.org", "@graph": [...]}``, written
item by item. Only claims with a final verdict are reviews (the service asks for those
alone). Per claim:

- ``claimReviewed``: the claim's text;
- ``itemReviewed``: a ``Claim`` whose ``author`` is the speaker (a ``Person``: the extractor
  cannot tell people from organisations) or, for the outlet's own statements, an
  ``Organization`` named after the host of the document's URL; its ``appearance`` is the
  document (a ``CreativeWork`` with its URL, headline and publication date) and its
  ``datePublished`` the document's;
- ``reviewRating``: see ``RATINGS``;
- ``author``: the fact-checking organisation (``--publisher``);
- ``datePublished``: the day the final verdict was reached (UTC);
- ``url``: where the review is published: ``--review-url`` with ``{claim_id}`` filled in,
  else ``urn:factcheck-workbench:claim:<id>``.

Reviewers' notes, names and the admin's reasons are internal and not included. A document's
``source`` is included only when it is a web address (a file path names a local file).
Every ``<``, ``>`` and ``&`` in the output is written as a ``\\u`` escape, and so are U+2028
and U+2029: the JSON is the same, and the file can be pasted into an HTML
``<script type="application/ld+json">`` without a claim's text closing the tag.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from workbench.errors import InvalidInput
from workbench.export.rows import PlainRecord, RowBatch
from workbench.urls import normalise_url

DEFAULT_PUBLISHER = "Fact-check workbench"
URN = "urn:factcheck-workbench:claim:{claim_id}"
BEST, WORST = 3, 1


@dataclass(frozen=True)
class Rating:
    value: int
    name: str


# Our verdicts on schema.org's numeric scale, best (3) to worst (1).
RATINGS = {
    "verified": Rating(3, "Verified"),  # the evidence supports the claim as stated
    "unsupported": Rating(2, "Unsupported"),  # no evidence found that would confirm it
    "disputed": Rating(1, "Disputed"),  # credible evidence contradicts it, or it is contested
}

# Characters that are safe in JSON but not inside an HTML <script> element (or, for the last
# two, in older JavaScript string literals); outside strings the output has none of them.
_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


@dataclass(frozen=True)
class ClaimReviewOptions:
    publisher: str = DEFAULT_PUBLISHER
    publisher_url: str | None = None
    # Where each review is published, {claim_id} filled in: https://x.org/checks/{claim_id}
    review_url: str | None = None


def _web(address: str | None) -> str | None:
    """``address`` if it is a web address fit to publish (the evidence-URL rules: http(s), a
    real host, no user name or password), else ``None``. Ingest keeps others out since
    issue 11; this also keeps out what a database stored before."""
    if not address or urlsplit(address).scheme not in ("http", "https"):
        return None
    try:
        normalise_url(address)
    except InvalidInput:
        return None
    return address


def item(record: PlainRecord, options: ClaimReviewOptions) -> dict[str, Any]:
    """The ``ClaimReview`` of one claim with a final verdict."""
    document = record["document"]
    page = _web(document["url"]) or _web(document["source"])
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": document["title"]}
    if page:
        appearance["url"] = page
    if document["published"]:
        appearance["datePublished"] = document["published"]
    claim: dict[str, Any] = {"@type": "Claim"}
    if record["speaker"]:
        claim["author"] = {"@type": "Person", "name": record["speaker"]}
    elif page and urlsplit(page).hostname:
        claim["author"] = {"@type": "Organization", "name": urlsplit(page).hostname}
    claim["appearance"] = appearance
    if document["published"]:
        claim["datePublished"] = document["published"]
    rating = RATINGS[record["final_verdict"]]
    author: dict[str, Any] = {"@type": "Organization", "name": options.publisher}
    if options.publisher_url:
        author["url"] = options.publisher_url
    template = options.review_url or URN
    return {
        "@type": "ClaimReview",
        "claimReviewed": record["text"],
        "itemReviewed": claim,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating.value,
            "bestRating": BEST,
            "worstRating": WORST,
            "alternateName": rating.name,
        },
        "author": author,
        "datePublished": record["final_decided_at"][:10],
        "url": template.replace("{claim_id}", str(record["claim_id"])),
    }


def _json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _ESCAPES:
        if char in text:
            text = text.replace(char, escape)
    return text


def write(
    batches: Iterable[RowBatch],
    out: BinaryIO,
    options: ClaimReviewOptions | None = None,
) -> int:
    """Write the JSON-LD document; returns the number of ``ClaimReview`` items."""
    options = options or ClaimReviewOptions()
    out.write(b'{"@context":"https://schema.org","@graph":[')
    count = 0
    for batch in batches:
        items = [_json(item(r, options)) for r in batch.records() if r["final_verdict"]]
        if items:
            out.write(("\n" if count == 0 else ",\n").encode())
            out.write(",\n".join(items).encode("utf-8"))
            count += len(items)
    out.write(b"\n]}\n")
    return count
