"""What a restored row must satisfy beyond its columns' types: checked in the restore's first pass.

A backup line that parses can still hold a value the database refuses only when the row is
inserted (an id of 2**31 in PostgreSQL's ``integer``, a 300-character title in ``varchar(200)``,
a NUL in a text, a role outside the CHECK constraint), or one it stores and the pages then fail
on (1e308 seconds spent, a review decided in year 1: ``OverflowError`` in date arithmetic). The
restore is one transaction, so such a row would not leave half a restore behind; but it would
end in a driver traceback after minutes of work instead of a line naming the file, the line
and the field before anything is written. So every value is held here to the rules of its
column (``workbench.storable`` for ranges), and each row to its table's CHECK constraints.

Unique keys repeated *within* the file (two users of one name) are not checked here: that
needs every key in memory; the restore turns the database's refusal into one line instead.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, Integer, String, Table

from workbench.audit import Change
from workbench.review.discussion import CommentKind
from workbench.schemas import VERDICT_PATTERN, ClaimStatus, FinalSource, Role
from workbench.storable import (
    BIGINT_MAX,
    INT_MAX,
    as_utc,
    int_problem,
    seconds_problem,
    time_problem,
    unstorable,
)

# The tables' CHECK constraints on one column (workbench.db.models), as sets of values.
CHOICES: dict[tuple[str, str], frozenset[str]] = {
    ("users", "role"): frozenset(r.value for r in Role),
    ("memberships", "role"): frozenset(r.value for r in Role),
    ("claims", "status"): frozenset(s.value for s in ClaimStatus),
    ("final_verdicts", "source"): frozenset(s.value for s in FinalSource),
    ("history", "action"): frozenset(c.value for c in Change),
    ("comments", "kind"): frozenset(k.value for k in CommentKind),
}
# Verdicts: names of a scale (schemas.VerdictName), whatever the project's scale is.
VERDICTS = {("reviews", "verdict"), ("reviews", "blind_verdict"), ("final_verdicts", "verdict")}
FRACTIONS = {("claims", "score"), ("claims", "disagreement"), ("claim_similarities", "score")}
# Times that are not stamped by the workbench when something happens: any time that exists.
FREE_TIMES = {
    ("documents", "published"),  # an article's own date: it may be old
    ("users", "locked_until"),  # a time in the future
}
COUNTS = {("users", "failed_logins"), ("claims", "verdicts"), ("claims", "char_start")}


def value_problem(table: Table, column: str, value: Any) -> str | None:
    """Why ``value`` (already of the column's Python type, not None) cannot be restored."""
    kind = table.c[column].type
    where = (table.name, column)
    if isinstance(kind, JSON):
        return json_problem(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and isinstance(kind, Integer):
        high = BIGINT_MAX if isinstance(kind, BigInteger) else INT_MAX
        low = 0 if where in COUNTS else -high - 1
        return int_problem(value, low, high)
    if isinstance(value, int | float) and isinstance(kind, Float):
        if where == ("reviews", "seconds_spent"):
            return seconds_problem(float(value))
        if not math.isfinite(value):
            return f"must be a finite number, not {value!r}"
        if where in FRACTIONS and not 0 <= value <= 1:
            return f"must be between 0 and 1, not {value!r}"
        return None
    if isinstance(value, datetime):
        if where in FREE_TIMES:
            return None if as_utc(value) is not None else f"{value.isoformat()} is out of range"
        return time_problem(value)
    if isinstance(value, str):
        problem = unstorable(value)
        if problem is not None:
            return problem
        length = getattr(kind, "length", None) if isinstance(kind, String) else None
        if length is not None and len(value) > length:
            return f"is longer than {length} characters"
        if where in VERDICTS and not re.match(VERDICT_PATTERN, value):
            return f"is not a verdict's name (lower case, no spaces): {value!r}"
        choices = CHOICES.get(where)
        if choices is not None and value not in choices:
            return f"must be one of {', '.join(sorted(choices))}, not {value!r}"
        return None
    return None


def json_problem(value: Any) -> str | None:
    """Why a JSON value cannot be stored (PostgreSQL's jsonb refuses NUL and NaN)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                problem = unstorable(str(key))
                if problem is not None:
                    return f"a key {problem}"
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            problem = unstorable(item)
            if problem is not None:
                return f"a string {problem}"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"holds {item!r}, which JSON cannot"
    return None


def row_problem(table: Table, row: dict[str, Any]) -> tuple[str, str] | None:
    """(column, why) for a row that breaks one of its table's multi-column CHECK constraints."""
    if table.name == "claims" and row["char_end"] <= row["char_start"]:
        return "char_end", f"must be greater than char_start ({row['char_start']})"
    if table.name == "claim_similarities" and row["claim_id"] == row["similar_id"]:
        return "similar_id", "must differ from claim_id"
    if table.name == "comments" and (row["kind"] == "question") != (
        row["addressed_to_id"] is not None
    ):
        return "addressed_to_id", "a question, and only a question, is addressed to a reviewer"
    return None
