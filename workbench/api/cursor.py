"""The claims list's cursor: the last claim's position, opaque to clients.

Base64url of ``v1:document:start:end``; anything else (edited, truncated, from another
version, numbers out of range) is refused with 400 rather than read as some other position.
It is not a secret: it names a position the client has already been shown, and the filters
and permissions are applied again at each page.
"""

from __future__ import annotations

import base64
import binascii

from workbench.errors import InvalidInput
from workbench.review.keyset import Key

MAX_CURSOR_CHARS = 200
_LIMIT = 2**63 - 1


def encode(key: Key) -> str:
    raw = "v1:" + ":".join(str(part) for part in key)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str) -> Key:
    bad = InvalidInput("the cursor is not one this API gave: start again without it")
    if not cursor or len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise bad from None
    version, *parts = raw.split(":")
    if version != "v1" or len(parts) != 3 or not all(p.isdigit() and len(p) <= 19 for p in parts):
        raise bad
    document, start, end = (int(p) for p in parts)
    if not (0 < document <= _LIMIT and 0 <= start <= end <= _LIMIT) or encode(
        (document, start, end)
    ) != cursor.rstrip("="):
        raise bad
    return document, start, end
