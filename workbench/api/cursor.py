"""The claims list's cursor: the last claim's position, opaque to clients.

Base64url of ``v2:SORT:DIGEST:KEY...``: the order (``reading`` or ``disagreement``), the digest
of the filters and sort the page was made under (``review.keyset.digest``), and the last
claim's sort key: ``document:start:end`` in reading order, ``disagreement:verdicts:document:
start:end`` by disagreement. Anything else (edited, truncated, from another version, numbers
out of range, a key that does not fit its order) is refused with 400 rather than read as some
other position; so is a cursor sent with filters or a sort other than its own (the service
compares the digest). It is not a secret, so it is validated rather than signed: it names a
position the client has already been shown, and the filters and permissions are applied again
at each page.
"""

from __future__ import annotations

import base64
import binascii
import math
import string

from workbench.errors import InvalidInput
from workbench.review.keyset import DIGEST_CHARS, Key, Position

MAX_CURSOR_CHARS = 200
_LIMIT = 2**63 - 1
_HEX = set(string.hexdigits.lower())


def encode(position: Position) -> str:
    parts = [repr(float(p)) if isinstance(p, float) else str(p) for p in position.key]
    raw = ":".join(["v2", position.sort, position.digest, *parts])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _int(part: str) -> int:
    if not (part.isdigit() and part.isascii() and len(part) <= 19) or int(part) > _LIMIT:
        raise ValueError(part)
    return int(part)


def _reading(parts: list[str]) -> tuple[int, int, int]:
    if len(parts) != 3:
        raise ValueError(parts)
    document, start, end = (_int(p) for p in parts)
    if document == 0 or start > end:
        raise ValueError(parts)
    return document, start, end


def decode(cursor: str) -> Position:
    bad = InvalidInput(
        "the cursor is not one this API gave: start again without it", field="cursor"
    )
    if not cursor or len(cursor) > MAX_CURSOR_CHARS or not cursor.isascii():
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, sort, digest, *parts = raw.split(":")
        if version != "v2" or len(digest) != DIGEST_CHARS or not set(digest) <= _HEX:
            raise ValueError(raw)
        key: Key
        if sort == "reading":
            key = _reading(parts)
            position = Position("reading", digest, key)
        elif sort == "disagreement" and len(parts) == 5:
            split = float(parts[0])
            if not (math.isfinite(split) and 0.0 <= split <= 1.0):
                raise ValueError(raw)
            key = (split, _int(parts[1]), *_reading(parts[2:]))
            position = Position("disagreement", digest, key)
        else:
            raise ValueError(raw)
    except (binascii.Error, ValueError):
        raise bad from None
    if encode(position) != cursor.rstrip("="):  # one spelling per position
        raise bad
    return position
