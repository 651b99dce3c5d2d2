"""Every decided review as arrays of numbers, and each reviewer's decisions summed up from them.

The Progress page's figures grow with the reviews: at a million of them, reading each through
the ORM (a datetime object per row, the range checks of ``workbench.storable`` in Python) took
8 s. Here one statement per backend returns four numbers per review (claim, reviewer, decision
time in microseconds since 1970, seconds spent), read straight from the driver's cursor into
NumPy, and the sums are computed on arrays: ~1 s for the whole read, and a few milliseconds for
the claims a change touched (``workbench.review.progress`` keeps the arrays and patches them).

The rules are those the row-by-row reading applied, to the microsecond:

* every review with a verdict is *done*;
* it is *timed* when its decision time is one the workbench could have stamped
  (``workbench.storable.time_problem``: from 2000 to tomorrow); a decision in year 1 counts as
  done but says nothing about pace, and never reaches date arithmetic;
* its seconds spent count when ``workbench.storable.seconds_problem`` accepts them (0 to 30
  days, finite); otherwise they are unknown (no span, not in the median);
* active time joins the spans (decided − seconds spent → decided) with the gaps between them
  of at most :data:`BREAK`, per reviewer.

``tests/review/test_decided.py`` checks the sums against the row-by-row reading on random
reviews (edge cases included), on both backends.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine

from workbench.db.models import Review
from workbench.db.session import unit_of_work
from workbench.storable import EARLIEST, MAX_SECONDS_SPENT, latest

# Two decisions further apart than this (from one decision to the next claim being shown)
# are separated by a break: the time between them is not counted as work.
BREAK = timedelta(minutes=15)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_BREAK_US = BREAK // _US
_EARLIEST_US = (EARLIEST - _EPOCH) // _US
# Decision times are microseconds since 1970, checked against 2000 .. tomorrow on the arrays
# (a year-1 time is a number below the bound, never a datetime). No usable time: this.
_NO_TIME = 0
_NO_SECONDS = -1.0  # seconds spent unknown (any negative value is refused anyway)


@dataclass(frozen=True)
class Decided:
    """One reviewer's decisions summed up: what their figures need from the reviews."""

    done: int  # reviews with a verdict
    timed: int  # of those, with a decision time (the others say nothing about pace)
    active: timedelta
    median_seconds: float | None
    last: datetime | None


@dataclass(frozen=True)
class DecidedReviews:
    """Every decided review (of some claims, or all), one entry per review in each array."""

    claim_ids: NDArray[np.int64]
    reviewer_ids: NDArray[np.int64]
    decided_us: NDArray[np.int64]  # microseconds since 1970; below 2000: no usable time
    seconds: NDArray[np.float64]  # seconds spent; negative or NaN when unknown

    def __len__(self) -> int:
        return len(self.claim_ids)

    def masked(self, keep: NDArray[np.bool_]) -> DecidedReviews:
        """The reviews where ``keep`` is true."""
        return DecidedReviews(
            claim_ids=self.claim_ids[keep],
            reviewer_ids=self.reviewer_ids[keep],
            decided_us=self.decided_us[keep],
            seconds=self.seconds[keep],
        )


# SQLAlchemy writes a time into SQLite as text, 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, the zone
# left out: workbench.db.models.UTCDateTime). Those 26 characters come as bytes and NumPy
# parses the million of them at once (SQLite's own date functions cost four times as much, and
# keep only milliseconds). Anything else (written by another tool: another length, a number)
# comes as the marker _ODD, and its text is read again and parsed as the ORM would.
_ODD = b"0001-01-01 00:00:00.000001"  # any value would do: marked rows are parsed again
_CANONICAL = "typeof(decided_at) = 'text' AND length(decided_at) = 26"
_SQLITE_TIME = f"""CASE
    WHEN decided_at IS NULL THEN X''
    WHEN {_CANONICAL} THEN CAST(decided_at AS BLOB)
    ELSE X'{_ODD.hex()}' END"""
# PostgreSQL keeps microseconds since 2000 (timestamptz): extract() gives the exact numeric
# on 14 and later. Out of range (year 1, 'infinity'): no time, and no bigint overflow.
_POSTGRES_TIME = f"""CASE
    WHEN decided_at >= '2000-01-01 00:00:00+00' AND decided_at < '9000-01-01 00:00:00+00'
        THEN (extract(epoch FROM decided_at) * 1000000)::bigint
    ELSE {_NO_TIME} END"""
_SQLITE_ROW = np.dtype(
    [("claim", np.int64), ("reviewer", np.int64), ("at", "S26"), ("s", np.float64)]
)
_ROW = np.dtype([("claim", np.int64), ("reviewer", np.int64), ("at", np.int64), ("s", np.float64)])


def read_all(engine: Engine, project_id: int | None = None) -> DecidedReviews:
    """Every decided review (of the project's claims; None: of every project): one read of
    the reviews table."""
    return _read(engine, None, project_id)


def read_claims(
    engine: Engine, claim_ids: Collection[int], project_id: int | None = None
) -> DecidedReviews:
    """The decided reviews of the claims ``claim_ids`` (a few hundred at most: they are
    written into the statement), of the project's claims among them."""
    return _read(engine, sorted(int(c) for c in claim_ids), project_id)


def _read(engine: Engine, only: list[int] | None, project_id: int | None = None) -> DecidedReviews:
    sqlite = engine.dialect.name == "sqlite"
    table = Review.__tablename__
    where = "verdict IS NOT NULL"
    if project_id is not None:
        # An integer (int()), nothing a user typed; claims by ix_claims_queue's lead.
        where += f" AND claim_id IN (SELECT id FROM claims WHERE project_id = {int(project_id)})"
    if only is not None:
        if not only:
            return _empty()
        # Integers from a set of ids, written by int(): nothing a user typed.
        where += f" AND claim_id IN ({', '.join(str(c) for c in only)})"
    time = _SQLITE_TIME if sqlite else _POSTGRES_TIME
    sql = (
        f"SELECT claim_id, reviewer_id, {time}, coalesce(seconds_spent, {_NO_SECONDS}) "
        f"FROM {table} WHERE {where}"
    )
    # Read-only: on SQLite a long read must not hold the write lock (every save would wait).
    with unit_of_work(engine, read_only=True) as session:
        connection = session.connection()
        # The driver's own rows (tuples of numbers) straight into one structured array:
        # SQLAlchemy's Row objects would cost as much again as the read.
        # (Both drivers' cursors iterate over their rows, as tuples.)
        cursor = cast(Iterable[tuple[Any, ...]], connection.exec_driver_sql(sql).cursor)
        rows = np.fromiter(cursor, dtype=_SQLITE_ROW if sqlite else _ROW)
        if not sqlite:
            return _arrays(rows, rows["at"])
        at = _sqlite_times(rows["at"])
        odd = np.flatnonzero(rows["at"] == _ODD)
        if len(odd):
            again = connection.exec_driver_sql(
                f"SELECT claim_id, reviewer_id, decided_at FROM {table} "
                f"WHERE {where} AND decided_at IS NOT NULL AND NOT ({_CANONICAL})"
            ).all()
            parsed = {(c, r): _parsed_us(text) for c, r, text in again}
            claims, reviewers = rows["claim"][odd].tolist(), rows["reviewer"][odd].tolist()
            at[odd] = [parsed.get(key, _NO_TIME) for key in zip(claims, reviewers, strict=True)]
    return _arrays(rows, at)


def _sqlite_times(texts: NDArray[np.bytes_]) -> NDArray[np.int64]:
    """SQLAlchemy's SQLite times in microseconds since 1970 (b'': none, the minimum)."""
    try:
        with warnings.catch_warnings():
            # A zone in the text is a warning in NumPy: it is not the form written here.
            warnings.simplefilter("error")
            return texts.astype("datetime64[us]").astype(np.int64)
    except (ValueError, Warning):
        # Text of the right length that is no time ('2025-13-45 ...'): one at a time.
        return np.fromiter(
            (_parsed_us(t.decode("utf-8", "replace")) for t in texts.tolist()),
            np.int64,
            len(texts),
        )


def _empty() -> DecidedReviews:
    none = np.zeros(0, dtype=np.int64)
    return DecidedReviews(none, none, none, np.zeros(0, dtype=np.float64))


def _arrays(rows: NDArray[Any], at: NDArray[np.int64]) -> DecidedReviews:
    return DecidedReviews(
        claim_ids=np.ascontiguousarray(rows["claim"]),
        reviewer_ids=np.ascontiguousarray(rows["reviewer"]),
        decided_us=np.ascontiguousarray(at),
        seconds=np.ascontiguousarray(rows["s"]),
    )


def _parsed_us(value: object) -> int:
    """A decision time as the ORM reads it from SQLite (ISO 8601 text, no zone meaning UTC),
    in microseconds since 1970; :data:`_NO_TIME` when it is no time (the ORM would raise) or
    cannot be expressed in UTC."""
    if not isinstance(value, str) or not value:
        return _NO_TIME
    try:
        moment = datetime.fromisoformat(value)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return _NO_TIME
    return (moment - _EPOCH) // _US


def concatenated(parts: list[DecidedReviews]) -> DecidedReviews:
    return DecidedReviews(
        claim_ids=np.concatenate([p.claim_ids for p in parts]),
        reviewer_ids=np.concatenate([p.reviewer_ids for p in parts]),
        decided_us=np.concatenate([p.decided_us for p in parts]),
        seconds=np.concatenate([p.seconds for p in parts]),
    )


def of_claims(reviews: DecidedReviews, claim_ids: Collection[int]) -> NDArray[np.bool_]:
    """Which of ``reviews`` are of the claims ``claim_ids``."""
    return np.isin(reviews.claim_ids, np.fromiter(claim_ids, np.int64, len(claim_ids)))


def by_reviewer(reviews: DecidedReviews) -> dict[int, list[tuple[int, int, int]]]:
    """Each reviewer's reviews among ``reviews`` as (claim, decided, the bits of the seconds
    spent: NaN equal to itself), sorted: to tell whose reviews a change touched."""
    result: dict[int, list[tuple[int, int, int]]] = {}
    rows = zip(
        reviews.reviewer_ids.tolist(),
        reviews.claim_ids.tolist(),
        reviews.decided_us.tolist(),
        reviews.seconds.view(np.int64).tolist(),
        strict=True,
    )
    for reviewer, *row in rows:
        result.setdefault(reviewer, []).append((row[0], row[1], row[2]))
    for mine in result.values():
        mine.sort()
    return result


def summed(
    reviews: DecidedReviews, *, now: datetime | None = None, only: Collection[int] | None = None
) -> dict[int, Decided]:
    """Per reviewer id (of ``only``, if given), their decisions summed up. ``now``: the clock
    the decision times are checked against (tomorrow is the latest a time may be)."""
    reviewers, decided_us, seconds = reviews.reviewer_ids, reviews.decided_us, reviews.seconds
    if only is not None:
        mine = np.isin(reviewers, np.fromiter(only, np.int64, len(only)))
        reviewers, decided_us, seconds = reviewers[mine], decided_us[mine], seconds[mine]
    ids, done = np.unique(reviewers, return_counts=True)
    end_us = (latest(now) - _EPOCH) // _US
    timed = (decided_us >= _EARLIEST_US) & (decided_us <= end_us)
    reviewers, decided_us, seconds = reviewers[timed], decided_us[timed], seconds[timed]
    # Comparisons with NaN are false: NaN, infinities, negatives and 1e308 are all unknown.
    known = (seconds >= 0) & (seconds <= MAX_SECONDS_SPENT)
    span_us = np.zeros(len(seconds), dtype=np.int64)
    whole = np.trunc(seconds[known])
    # What timedelta(seconds=s) makes of a float: whole seconds, then the fraction in
    # microseconds rounded half to even (CPython's datetime.timedelta).
    span_us[known] = whole.astype(np.int64) * 1_000_000 + np.rint(
        (seconds[known] - whole) * 1e6
    ).astype(np.int64)
    start_us = decided_us - span_us
    # Grouped by reviewer, each group's spans by start. Spans with one start may come in any
    # order: the running maximum in _active_us does not depend on it.
    order = np.lexsort((start_us, reviewers))
    reviewers, start_us, decided_us = reviewers[order], start_us[order], decided_us[order]
    spent, known = seconds[order], known[order]
    bounds = (
        np.searchsorted(reviewers, ids, side="left"),
        np.searchsorted(reviewers, ids, side="right"),
    )
    result: dict[int, Decided] = {}
    for reviewer_id, count, lo, hi in zip(
        ids.tolist(), done.tolist(), bounds[0].tolist(), bounds[1].tolist(), strict=True
    ):
        if lo == hi:
            result[reviewer_id] = Decided(count, 0, timedelta(), None, None)
            continue
        mine_spent = np.sort(spent[lo:hi][known[lo:hi]])
        result[reviewer_id] = Decided(
            done=count,
            timed=hi - lo,
            active=timedelta(microseconds=_active_us(start_us[lo:hi], decided_us[lo:hi])),
            median_seconds=_median(mine_spent),
            last=_EPOCH + timedelta(microseconds=int(decided_us[lo:hi].max())),
        )
    return result


def _active_us(start_us: NDArray[np.int64], end_us: NDArray[np.int64]) -> int:
    """The union of the spans (sorted by start), gaps of at most :data:`BREAK` filled in.

    A span opens a new stretch of work when it starts more than BREAK after every span before
    it has ended (the running maximum of their ends); a stretch lasts from its first start to
    the running maximum at its last span."""
    reach = np.maximum.accumulate(end_us)
    opens = np.empty(len(start_us), dtype=bool)
    opens[0] = True
    opens[1:] = start_us[1:] - reach[:-1] > _BREAK_US
    first = np.flatnonzero(opens)
    last = np.append(first[1:] - 1, len(start_us) - 1)
    return int((reach[last] - start_us[first]).sum())


def _median(values: NDArray[np.float64]) -> float | None:
    """``statistics.median`` of sorted ``values``, rounded to 0.1 s as the page shows it."""
    n = len(values)
    if n == 0:
        return None
    if n % 2:
        middle = float(values[n // 2])
    else:  # the mean of the two middle values, as statistics.median computes it
        middle = (float(values[n // 2 - 1]) + float(values[n // 2])) / 2
    return round(middle, 1)
