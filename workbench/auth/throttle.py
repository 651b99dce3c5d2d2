"""How fast sign-in attempts may come: the policy's numbers, and the per-client throttle.

Two limits, both applied before the slow password hash is checked (see ``accounts.login``):

* **per account**, in the database (``users.failed_logins`` and ``users.locked_until``):
  :data:`FREE_ATTEMPTS` guesses since the last successful sign-in, then one guess per pause
  of :data:`FIRST_PAUSE`, doubling with each further failure up to :data:`MAX_PAUSE`. The
  guess is *reserved* by one conditional UPDATE committed before the hash is checked, so
  concurrent attempts from any number of threads, browser sessions or server processes
  sharing the database can never have more guesses checked than the budget allows.
  :func:`pause_after` gives the pause each count earns.
* **per client**, in this process (:class:`ClientThrottle`): :data:`CLIENT_FREE_FAILURES`
  failed sign-ins from one client (whatever names it tries), then one per pause of
  :data:`FIRST_PAUSE` doubling up to :data:`CLIENT_MAX_PAUSE`. It stops one client from
  spending every account's budget (password spraying), and from keeping one account paused
  for ever: the client's pauses grow longer than an account's, so a single stranger can
  keep an account shut only a fraction of the time.

Why pauses and not a lock (NIST SP 800-63B 5.2.2, OWASP's authentication cheat sheet): a hard
lock hands a stranger who knows a name the power to keep that person, an admin included, out
for as long as they like. A pause that doubles but stops at a few minutes keeps online
guessing slow (under 300 guesses a day on one account, fewer from one client) while the
owner waits minutes, not until an admin notices. ``workbench users unlock NAME`` (or a new
password) ends an account's pause at once.

The per-client state lives in process memory on purpose: it needs no schema, costs nothing
per request, and a client talks to one server process for its whole browser session. Its
limits (a restart forgets them; several processes each allow a client its own budget) leave
the per-account budget, which is in the database, as the hard bound.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

# Per account: guesses checked freely since the last success, then one per pause.
FREE_ATTEMPTS = 5
FIRST_PAUSE = timedelta(seconds=30)
# A few minutes, not hours: the longest a stranger's five guesses can keep the owner out.
MAX_PAUSE = timedelta(minutes=5)

# Per client: a team's typos stay far below this; a script trying names meets it at once.
CLIENT_FREE_FAILURES = 10
# Longer than an account's longest pause, so that one client cannot chain pauses end to end.
CLIENT_MAX_PAUSE = timedelta(minutes=15)
# A client quiet this long (after its last failure) starts again with a clean slate.
CLIENT_FORGET_AFTER = timedelta(hours=1)
# Beyond this many clients remembered, those already forgettable are dropped first.
CLIENT_TABLE_SOFT_LIMIT = 10_000


def pause_after(
    failures: int, *, free: int = FREE_ATTEMPTS, cap: timedelta = MAX_PAUSE
) -> timedelta:
    """The pause after ``failures`` failures in a row: none within ``free``, then doubling."""
    extra = failures - free
    if extra < 0:
        return timedelta(0)
    # 2**extra overflows timedelta long before it matters: stop doubling at the cap.
    return min(FIRST_PAUSE * (1 << min(extra, 20)), cap)


@dataclass
class _Client:
    failures: int = 0
    paused_until: datetime | None = None
    last_failure: datetime | None = None


class ClientThrottle:
    """Failed sign-ins per client (an address, or a browser session), in this process.

    :meth:`reserve` counts an attempt as a failure *before* the password is checked, under a
    lock, so parallel attempts from one client meet the limit as sequential ones do;
    :meth:`succeeded` gives the reservation back when the password was right.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}

    def reserve(self, client: str, now: datetime) -> bool:
        """Count one attempt from ``client``; False (nothing counted) while it is paused."""
        with self._lock:
            state = self._clients.get(client)
            if state is not None and self._forgettable(state, now):
                state = None
            if state is None:
                if len(self._clients) >= CLIENT_TABLE_SOFT_LIMIT:
                    self._prune(now)
                state = self._clients[client] = _Client()
            if state.paused_until is not None and state.paused_until > now:
                return False
            state.failures += 1
            state.last_failure = now
            pause = pause_after(state.failures, free=CLIENT_FREE_FAILURES, cap=CLIENT_MAX_PAUSE)
            state.paused_until = now + pause if pause else None
            return True

    def paused(self, client: str, now: datetime) -> bool:
        """Whether ``client`` must wait now, counting nothing: for a check as cheap as an API
        token's (a hash and one read), made first, with :meth:`reserve` counting failures
        only, so a client's many good requests in flight never meet its limit."""
        with self._lock:
            state = self._clients.get(client)
            return state is not None and state.paused_until is not None and state.paused_until > now

    def retry_after(self, client: str, now: datetime) -> int:
        """Whole seconds until ``client`` may try again (0: now)."""
        with self._lock:
            state = self._clients.get(client)
            if state is None or state.paused_until is None or state.paused_until <= now:
                return 0
            return max(1, int((state.paused_until - now).total_seconds() + 0.999))

    def succeeded(self, client: str) -> None:
        """The reserved attempt was a correct password: it does not count as a failure.

        A success does not wipe the client's other failures: an insider could otherwise sign
        in to their own account between guesses at everyone else's.
        """
        with self._lock:
            state = self._clients.get(client)
            if state is None:
                return
            state.failures = max(0, state.failures - 1)
            if state.failures < CLIENT_FREE_FAILURES:
                state.paused_until = None

    def clear(self) -> None:
        with self._lock:
            self._clients.clear()

    @staticmethod
    def _forgettable(state: _Client, now: datetime) -> bool:
        quiet_since = state.last_failure
        paused = state.paused_until is not None and state.paused_until > now
        return not paused and (quiet_since is None or now - quiet_since >= CLIENT_FORGET_AFTER)

    def _prune(self, now: datetime) -> None:
        for key in [k for k, s in self._clients.items() if self._forgettable(s, now)]:
            del self._clients[key]


# The one throttle of this server process: every browser session's sign-in goes through it.
CLIENTS = ClientThrottle()
