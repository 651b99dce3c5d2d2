"""docs/webhooks.md's receiver example verifies what the worker signs, and nothing else."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from workbench.webhooks.deliver import body_of
from workbench.webhooks.signing import signature

DOC = (Path(__file__).parents[2] / "docs" / "webhooks.md").read_text(encoding="utf-8")


def test_the_documented_receiver_verifies_a_signed_delivery() -> None:
    (code,) = [
        block for block in re.findall(r"```python\n(.*?)```", DOC, re.S) if "def verified" in block
    ]
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    verified = namespace["verified"]
    secret = "s3cret-s3cret-s3cret"
    body = body_of({"id": "x", "type": "final.decided", "claim": {"text": "Ünïcode"}})
    now = int(time.time())
    headers = {
        "X-Workbench-Timestamp": str(now),
        "X-Workbench-Signature": signature(secret, now, body),
    }
    assert verified(secret, headers, body)
    assert not verified(secret, headers, body + b" ")
    assert not verified("another-secret-entirely", headers, body)
    old = {
        "X-Workbench-Timestamp": str(now - 3600),
        "X-Workbench-Signature": signature(secret, now - 3600, body),
    }
    assert not verified(secret, old, body)  # a replay an hour later
    assert not verified(secret, {}, body)
