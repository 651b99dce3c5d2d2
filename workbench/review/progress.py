"""Per-reviewer progress for the admin: done, in progress, pace and time per decision.

Admins only (``Action.manage_users``): the figures are about people, how fast each one works,
which is the team lead's business and not other reviewers'.

The sums of the decided reviews (``workbench.review.decided``) are the part that grows with
the corpus. They are stored per version of the data for every process
(:func:`stored_decisions`), and a process keeps the reviews it read as arrays and patches
them claim by claim after a change (:func:`current_decisions`): the page opens in a fraction
of a second after a change at a million reviews (BENCHMARKS.md, "Progress after one change").
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy import Engine, func, select

from workbench.audit import changed_claims
from workbench.auth.policy import Action, authorize
from workbench.db import snapshots
from workbench.db.models import Claim, Lease, User
from workbench.db.session import unit_of_work
from workbench.review import decided as reviews
from workbench.review import scope
from workbench.review.decided import BREAK, Decided, DecidedReviews
from workbench.schemas import Actor, ReviewerProgress, Role

__all__ = [
    "BREAK",
    "Decided",
    "active_time",
    "current_decisions",
    "data_version",
    "decisions",
    "forget",
    "reviewer_progress",
    "stored_decisions",
]

_STORED = TypeAdapter(dict[int, Decided])


def data_version(engine: Engine) -> str:
    """The version :func:`stored_decisions` takes (``workbench.db.snapshots.version``)."""
    return snapshots.version(engine)


SNAPSHOT_KEY = "progress:decisions"
# The token of the reviews held in this process (see current_decisions): a restore empties
# figure_snapshots, and the held arrays are not used once it is gone.
HELD_KEY = "progress:held"


def _key(key: str, project_id: int | None) -> str:
    return key if project_id is None else f"{key}:{project_id}"


def stored_decisions(
    engine: Engine, version: str, project_id: int | None = None
) -> dict[int, Decided]:
    """:func:`decisions` as of ``version`` (``workbench.db.snapshots.version``, read by the
    caller before): the stored sums when they were computed at that version (by any process),
    else :func:`current_decisions`, stored for the others. ``project_id``: the project's
    reviews only (its own snapshot); None: every project's."""
    key = _key(SNAPSHOT_KEY, project_id)
    stored = snapshots.load(engine, key, version)
    if stored is not None:
        return _STORED.validate_json(stored)
    made = current_decisions(engine, version, project_id)
    snapshots.store(engine, key, version, _STORED.dump_json(made))
    return made


def decisions(engine: Engine, project_id: int | None = None) -> dict[int, Decided]:
    """Per reviewer id, their decisions summed up: one read of every decided review
    (``workbench.review.decided``: numbers into arrays, about 1 s at a million reviews).

    The part of the figures that grows with the reviews; it changes only when a review does
    (``stats.marks`` tells), so the Progress page reuses it between changes. No permission
    check here: the figures reach people through :func:`reviewer_progress` only.
    """
    return reviews.summed(reviews.read_all(engine, project_id))


# --- the reviews held by this process, patched claim by claim -------------------------------
#
# After a change, reading every review again took seconds at a million reviews, for a change
# of one claim. A process keeps the arrays it read (and their sums) with the data's version,
# and at the next version re-reads only the claims changed since (the ones
# workbench.audit.changed_claims names, as for the Agreement table: a review
# added or changed, a claim's status, a final verdict...), and sums again only the reviewers
# whose rows of those claims differ. Anything else (a new document or claim, an account
# changed, a restore, too many claims) reads the whole again. The other reviewers' sums are
# the ones computed before: their times were checked against that moment's clock ("no later
# than tomorrow"), which only a time stamped in the future could tell apart.


@dataclass(frozen=True)
class _Held:
    version: str
    token: str
    project_id: int | None
    reviews: DecidedReviews
    sums: dict[int, Decided]


_held: dict[tuple[str, int | None], _Held] = {}
_lock = threading.Lock()


def current_decisions(
    engine: Engine, version: str, project_id: int | None = None
) -> dict[int, Decided]:
    """:func:`decisions` as of ``version`` or later (read after it): patched from the reviews
    this process holds when that is possible, else read whole. ``version`` is read by the
    caller before calling, as ``workbench.db.snapshots`` requires."""
    key = (engine.url.render_as_string(hide_password=True), project_id)
    held_key = _key(HELD_KEY, project_id)
    with _lock:  # one reader per database: two sessions opening at once share the work
        held = _held.get(key)
        made: tuple[DecidedReviews, dict[int, Decided]] | None = None
        if held is not None and snapshots.load(engine, held_key, held.version) == (
            held.token.encode()
        ):
            if held.version == version:
                return held.sums
            made = _patched(engine, held, version)
        if made is None:
            whole = reviews.read_all(engine, project_id)
            made = whole, reviews.summed(whole)
        token = uuid.uuid4().hex
        snapshots.store(engine, held_key, version, token.encode())
        _held[key] = _Held(version, token, project_id, *made)
        return made[1]


def forget() -> None:
    """Drop the reviews held in this process (tests, benchmarks)."""
    with _lock:
        _held.clear()


def _patched(
    engine: Engine, held: _Held, version: str
) -> tuple[DecidedReviews, dict[int, Decided]] | None:
    changed = changed_claims(engine, held.version, version)
    if changed is None:
        return None
    part = reviews.read_claims(engine, changed, held.project_id)
    dropped = reviews.of_claims(held.reviews, changed)
    # Whose sums can have moved: the reviewers whose rows of these claims differ. Not every
    # reviewer of the claims: one verdict changed on a claim ten people reviewed would sum
    # ten reviewers' hundred thousand reviews again.
    before = reviews.by_reviewer(held.reviews.masked(dropped))
    after = reviews.by_reviewer(part)
    touched = {r for r in before.keys() | after.keys() if before.get(r) != after.get(r)}
    if not touched:  # a note, a URL, a final verdict: the same reviews
        return held.reviews, held.sums
    patched = reviews.concatenated([held.reviews.masked(~dropped), part])
    sums = {r: d for r, d in held.sums.items() if r not in touched}
    sums.update(reviews.summed(patched, only=touched))
    return patched, sums


def reviewer_progress(
    engine: Engine,
    actor: Actor,
    *,
    now: datetime | None = None,
    decided: dict[int, Decided] | None = None,
    project: int | str | None = None,
) -> list[ReviewerProgress]:
    """Every reviewer's figures, the busiest first; accounts with nothing yet come last.

    *Active time* joins each decision's own span (shown → decided, from ``seconds_spent``)
    with the gaps between decisions shorter than :data:`BREAK`, so reading the source or
    searching between two claims counts, a lunch break does not. *Pace* is decisions per
    active hour. ``decided``: :func:`decisions` as read earlier, when the reviews have not
    changed since (the caller's business); the leases, the accounts and the caller's right to
    see the figures are read here every time. ``project`` (id or name): that project's
    reviews and leases; None: every project's (on a database of one project, its own).
    """
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.manage_users)
        # None: every review, as before projects (on one project the same, and no filter).
        project_id = None if project is None else scope.project_for(session, project, actor)
        leases = select(Lease.user_id, func.count(Lease.id)).where(Lease.expires_at > now)
        if project_id is not None:
            leases = leases.join(Claim, Claim.id == Lease.claim_id).where(
                Claim.project_id == project_id
            )
        live = session.execute(leases.group_by(Lease.user_id))
        leased = {user_id: count for user_id, count in live}
        users = session.scalars(select(User).order_by(User.name)).all()
    if decided is None:
        decided = decisions(engine, project_id)
    result = [
        _figures(user, decided.get(user.id), leased.get(user.id, 0))
        for user in users
        if user.id in decided or user.id in leased or user.role == Role.reviewer.value
    ]
    result.sort(key=lambda p: (-p.done, -p.in_progress, p.reviewer))
    return result


def _figures(user: User, decided: Decided | None, in_progress: int) -> ReviewerProgress:
    hours = decided.active.total_seconds() / 3600 if decided else 0.0
    return ReviewerProgress(
        reviewer=user.name,
        role=Role(user.role),
        disabled=user.disabled,
        done=decided.done if decided else 0,
        in_progress=in_progress,
        active_hours=round(hours, 3),
        pace_per_hour=round(decided.timed / hours, 1) if decided and hours > 0 else None,
        median_seconds=decided.median_seconds if decided else None,
        last_decision=decided.last if decided else None,
    )


def active_time(decided: list[tuple[datetime, float | None]]) -> timedelta:
    """The union of the decisions' spans, gaps of at most :data:`BREAK` filled in.

    The definition, on one reviewer's decisions as datetimes: the page sums on arrays
    (``workbench.review.decided``), which the tests hold to this to the microsecond."""
    spans = sorted((at - timedelta(seconds=seconds or 0.0), at) for at, seconds in decided)
    total = timedelta()
    current: tuple[datetime, datetime] | None = None
    for start, end in spans:
        if current is not None and start - current[1] <= BREAK:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            total += current[1] - current[0]
        current = (start, end)
    if current is not None:
        total += current[1] - current[0]
    return total
