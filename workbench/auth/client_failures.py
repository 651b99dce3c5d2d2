"""Bad API tokens per client, counted in the database: one budget per client, whichever of
several ``workbench api`` processes behind a proxy it reaches (kept in each process's memory,
N processes gave a client N times the tries).

The numbers are the sign-in's per-client ones (``auth.throttle``): :data:`CLIENT_FREE_FAILURES`
bad tokens, then one per pause doubling up to :data:`CLIENT_MAX_PAUSE`, forgotten after an
hour's quiet. What it costs:

* a request with a good token, from a client this process does not know to be paused: nothing
  (no read, no write). A token is a 256-bit secret, so the pause is not what keeps it from
  being guessed; it keeps a guesser's requests from costing the server more than a lookup.
* a bad token: one write transaction (insert the client's row if new, read it locked, count,
  drop the rows of clients quiet for an hour). A client paused already is not counted further
  and is answered 429, and this process remembers the pause until it ends.
* a request from a client this process remembers paused: 429 from memory, any token.

So a process learns of a pause another process set at the client's first bad token there.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from workbench.auth.throttle import (
    CLIENT_FORGET_AFTER,
    CLIENT_FREE_FAILURES,
    CLIENT_MAX_PAUSE,
    CLIENT_TABLE_SOFT_LIMIT,
    pause_after,
)
from workbench.db.api_tables import ApiClientFailure
from workbench.db.session import unit_of_work

CLIENT_CHARS = 200  # the column's width; an address is far shorter


def _seconds(wait: timedelta) -> int:
    """Whole seconds, rounded up, at least one (for Retry-After)."""
    return max(1, int(wait.total_seconds() + 0.999))


class SharedClientThrottle:
    """The failures in the database, and the pauses this process has seen, in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused: dict[str, datetime] = {}

    def known_paused(self, client: str, now: datetime) -> int:
        """Seconds ``client`` must still wait, as this process last saw it (0: not paused,
        as far as this process knows). Reads nothing."""
        key = client[:CLIENT_CHARS]
        with self._lock:
            until = self._paused.get(key)
            if until is None:
                return 0
            if until <= now:
                del self._paused[key]
                return 0
            return _seconds(until - now)

    def failed(self, engine: Engine, client: str, now: datetime) -> int:
        """Count a bad token from ``client``. Answers the seconds it must wait when it was
        paused already (nothing counted: answer 429), else 0 (counted: answer 401; the count
        may have started a pause, which the next request meets)."""
        key = client[:CLIENT_CHARS]
        with unit_of_work(engine) as session:
            insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
            session.execute(
                insert(ApiClientFailure)
                .values(client=key, failures=0, paused_until=None, last_failure=now)
                .on_conflict_do_nothing()
            )
            row = session.scalars(
                select(ApiClientFailure).where(ApiClientFailure.client == key).with_for_update()
            ).one()
            if row.paused_until is not None and row.paused_until > now:
                self._remember(key, row.paused_until, now)
                return _seconds(row.paused_until - now)
            if now - row.last_failure >= CLIENT_FORGET_AFTER:
                row.failures = 0  # quiet for an hour: a clean slate
            row.failures += 1
            row.last_failure = now
            pause = pause_after(row.failures, free=CLIENT_FREE_FAILURES, cap=CLIENT_MAX_PAUSE)
            row.paused_until = now + pause if pause else None
            until = row.paused_until
            # The clients quiet for an hour and not paused: the table stays the few clients
            # failing now.
            session.execute(
                delete(ApiClientFailure).where(
                    ApiClientFailure.last_failure <= now - CLIENT_FORGET_AFTER,
                    or_(
                        ApiClientFailure.paused_until.is_(None),
                        ApiClientFailure.paused_until <= now,
                    ),
                )
            )
        if until is not None:
            self._remember(key, until, now)
        return 0

    def _remember(self, key: str, until: datetime, now: datetime) -> None:
        with self._lock:
            if len(self._paused) >= CLIENT_TABLE_SOFT_LIMIT:
                for old in [k for k, end in self._paused.items() if end <= now]:
                    del self._paused[old]
            self._paused[key] = until
