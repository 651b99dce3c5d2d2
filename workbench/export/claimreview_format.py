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
- ``reviewRating``: the final verdict on the project's verdict scale
  (``workbench.projects.scale``): ``ratingValue`` its rating, ``bestRating`` and
  ``worstRating`` the scale's highest and lowest, ``alternateName`` the scale's own name for
  it (its label, else its name capitalised). The default scale gives what the export always
  gave: verified 3, unsupported 2, disputed 1, best 3, worst 1 (``RATINGS``);
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
from workbench.projects.scale import DEFAULT_SCALE, VerdictScale
from workbench.urls import normalise_url

DEFAULT_PUBLISHER = "Fact-check workbench"
URN = "urn:factcheck-workbench:claim:{claim_id}"


@dataclass(frozen=True)
class Rating:
    value: int
    name: str


def ratings(scale: VerdictScale) -> dict[str, Rating]:
    """Each verdict of ``scale`` (by its stored name) on schema.org's numeric scale."""
    return {v.name: Rating(v.rating, v.shown) for v in scale.verdicts}


# The default scale's: verified 3, unsupported 2, disputed 1, best 3, worst 1.
RATINGS = ratings(DEFAULT_SCALE)
BEST, WORST = DEFAULT_SCALE.best_rating, DEFAULT_SCALE.worst_rating

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


class _Scale:
    """A scale as the items use it: ratings by verdict name, best and worst."""

    def __init__(self, scale: VerdictScale) -> None:
        self.ratings = ratings(scale)
        self.best = scale.best_rating
        self.worst = scale.worst_rating

    def rating(self, record: PlainRecord) -> Rating:
        verdict = str(record["final_verdict"])
        found = self.ratings.get(verdict)
        if found is None:  # set_scale keeps verdicts in use: only a hand-edited database
            raise InvalidInput(
                f"claim {record['claim_id']}: its final verdict {verdict!r} is not on the "
                f"project's verdict scale ({', '.join(self.ratings)}); nothing was exported"
            )
        return found


def item(
    record: PlainRecord, options: ClaimReviewOptions, scale: VerdictScale | None = None
) -> dict[str, Any]:
    """The ``ClaimReview`` of one claim with a final verdict, rated on ``scale`` (default: the
    default scale)."""
    return _item(record, options, _Scale(scale or DEFAULT_SCALE))


def _item(record: PlainRecord, options: ClaimReviewOptions, scale: _Scale) -> dict[str, Any]:
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
    rating = scale.rating(record)
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
            "bestRating": scale.best,
            "worstRating": scale.worst,
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
    scale: VerdictScale | None = None,
) -> int:
    """Write the JSON-LD document, rated on the project's ``scale`` (default: the default
    scale); returns the number of ``ClaimReview`` items."""
    options = options or ClaimReviewOptions()
    rated = _Scale(scale or DEFAULT_SCALE)
    out.write(b'{"@context":"https://schema.org","@graph":[')
    count = 0
    for batch in batches:
        items = [_json(_item(r, options, rated)) for r in batch.records() if r["final_verdict"]]
        if items:
            out.write(("\n" if count == 0 else ",\n").encode())
            out.write(",\n".join(items).encode("utf-8"))
            count += len(items)
    out.write(b"\n]}\n")
    return count
