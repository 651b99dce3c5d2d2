"""Corroborating URLs: only web addresses a reviewer could open, in one canonical form.

One rule for every URL the workbench stores or publishes: a reviewer's evidence, a
document's own URL from an ingested record, an imported review's links and ClaimReview's
``url``. Top-level, not in ``review/``, so ingest and export need not import the review
package for it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from url_normalize import url_normalize

from workbench.errors import InvalidInput

ALLOWED_SCHEMES = ("http", "https")
# Click-tracking parameters change nothing about the page, but would defeat deduplication.
TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")
MAX_URL_LENGTH = 2048
# "www.example.org/page" is what people paste from a browser bar; read it as https.
_BARE_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?]|$)")


def normalise_url(raw: str) -> str:
    """The canonical form of ``raw``, or :class:`InvalidInput` saying what is wrong with it.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters,
    percent-encoding made uniform; so two spellings of one page are stored once.
    """
    candidate = raw.strip()
    if not candidate:
        raise InvalidInput("the URL is empty")
    if len(candidate) > MAX_URL_LENGTH:
        raise InvalidInput(f"the URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in candidate):
        raise InvalidInput("a URL cannot contain spaces or control characters")
    if "://" not in candidate and _BARE_HOST.match(candidate):
        candidate = "https://" + candidate
    parts = urlsplit(candidate)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"'{scheme}:'" if scheme else "no scheme"
        raise InvalidInput(f"only http:// and https:// URLs are accepted (this one has {shown})")
    host = parts.hostname
    if not host:
        raise InvalidInput("the URL has no host (expected e.g. https://example.org/page)")
    if "." not in host and host != "localhost" and not host.startswith("["):
        raise InvalidInput(f"'{host}' is not a full host name (expected e.g. example.org)")
    try:
        _ = parts.port  # raises on a port that is not a number or out of range
    except ValueError as exc:
        raise InvalidInput(f"the URL's port is not valid: {exc}") from exc
    if parts.username or parts.password:
        raise InvalidInput("URLs with a user name or password are not accepted")
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    )
    cleaned = urlunsplit((scheme, parts.netloc, parts.path or "/", query, ""))
    try:
        normalised = url_normalize(cleaned) or cleaned
    except Exception as exc:  # the library's errors vary with the defect
        raise InvalidInput(f"the URL cannot be read: {exc}") from exc
    return urlunsplit(urlsplit(normalised)._replace(fragment=""))


def _tracking(key: str) -> bool:
    return key.lower().startswith(TRACKING_PARAMS)
