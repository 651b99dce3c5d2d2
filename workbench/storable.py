"""Values a database can store, and that the pages can compute with.

Text: no NUL and no lone surrogate. JSON can spell both (``\\u0000``, ``\\ud800``) and Python
strings hold them, but PostgreSQL text refuses a NUL and no UTF-8 file or database can hold a
lone surrogate.

Numbers and times: JSON has integers of any size, floats up to 1e308 and Python reads
``Infinity``; a date can be 0001-01-01. An id of 10**30 does not fit SQLite's 64-bit integer,
2**31 does not fit PostgreSQL's ``integer``; a review that took 1e308 seconds, or was decided
in year 1, is stored without complaint and then breaks every page that computes with it
(``OverflowError`` in date arithmetic). So a value from a file is held to what the workbench
itself could have written: ids within PostgreSQL's ``integer`` (the narrower backend, so that a
file that imports into one database imports into the other), time spent on one review from 0
to 30 days, and the times the workbench stamps between 2000-01-01 and tomorrow (a day of
slack for clocks and zones).

Every way data comes in (ingest, import, restore, a reviewer's note) asks these before
writing, so the user is told which field is wrong instead of meeting a driver error halfway
through a transaction.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

INT_MAX = 2**31 - 1  # an INTEGER column on PostgreSQL (int4)
BIGINT_MAX = 2**63 - 1  # a BIGINT column (and any SQLite integer)
MAX_SECONDS_SPENT = 30 * 24 * 3600  # time spent on one review: a month is already absurd
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # before any workbench stamped a time


def latest(now: datetime | None = None) -> datetime:
    """The latest time a file may give for something that has happened: tomorrow."""
    return (now or datetime.now(UTC)) + timedelta(days=1)


def int_problem(value: int, low: int, high: int) -> str | None:
    """Why ``value`` does not fit between ``low`` and ``high``, or ``None``."""
    if low <= value <= high:
        return None
    shown = str(value) if abs(value) < 10**30 else f"a number of {len(str(abs(value)))} digits"
    return f"must be a whole number from {low} to {high}, not {shown}"


def seconds_problem(value: float) -> str | None:
    """Why ``value`` cannot be the seconds spent on one review, or ``None``."""
    if math.isfinite(value) and 0 <= value <= MAX_SECONDS_SPENT:
        return None
    return f"must be between 0 and {MAX_SECONDS_SPENT} seconds (30 days), not {value!r}"


def as_utc(value: datetime) -> datetime | None:
    """``value`` in UTC (a time without a zone is taken as UTC); ``None`` when it cannot be
    expressed there (0001-01-01T00:00+05:00 is before the first representable time)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return None


def time_problem(value: datetime, *, now: datetime | None = None) -> str | None:
    """Why ``value`` cannot be a time the workbench stamped, or ``None``."""
    moment = as_utc(value)
    if moment is None:
        return f"{value.isoformat()} is outside the times a database can hold"
    end = latest(now)
    if not EARLIEST <= moment <= end:
        return (
            f"must be between {EARLIEST:%Y-%m-%d} and tomorrow ({end:%Y-%m-%d}), "
            f"not {value.isoformat()}"
        )
    return None


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
