"""The signature every delivery carries, and how a receiver checks it.

``X-Workbench-Signature: sha256=<hex>`` is the HMAC-SHA256, with the webhook's secret, of
``f"{timestamp}.{body}"``: the ``X-Workbench-Timestamp`` header (Unix seconds) joined to the
raw body by a dot. Signing the timestamp lets a receiver refuse an old request replayed by
whoever captured it (docs/webhooks.md has a receiver).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Workbench-Signature"
TIMESTAMP_HEADER = "X-Workbench-Timestamp"
EVENT_HEADER = "X-Workbench-Event"
DELIVERY_HEADER = "X-Workbench-Delivery"
# How old a timestamp :func:`verify` accepts by default.
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value: ``sha256=`` and the hex HMAC of ``timestamp.body``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether ``header`` signs ``body`` at ``timestamp`` with ``secret``, and the timestamp
    is within ``tolerance`` seconds of ``now`` (compared in constant time)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, sent, body), header)
