"""Text a database can store: no NUL and no lone surrogate.

JSON can spell both (``\\u0000``, ``\\ud800``) and Python strings hold them, but PostgreSQL
text refuses a NUL and no UTF-8 file or database can hold a lone surrogate. Every way text
comes in (ingest, import, a reviewer's note) asks this before writing, so the user is told
which field is wrong instead of meeting a driver error halfway through a transaction.
"""

from __future__ import annotations


def unstorable(value: str) -> str | None:
    """Why ``value`` cannot be stored, or ``None`` when it can."""
    nul = value.find("\x00")
    if nul >= 0:
        return f"contains a NUL character (\\u0000) at index {nul}"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as bad:
        return f"has an invalid character (lone surrogate) at index {bad.start}"
    return None
