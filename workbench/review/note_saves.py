"""A reviewer's note and URLs, saved on rows as verdicts are (``workbench.review.saves``).

Part of the one write path for reviews, URLs and final verdicts (``workbench.review.writes``).
``workbench.review.decisions`` checks who may change what, then calls :func:`read_own` and
:func:`save_note`, :func:`save_url` or :func:`drop_url` inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workbench.audit import Change, Entity, entry, insert_entries
from workbench.db.models import (
    utcnow,
)
from workbench.review import awaiting, stats
from workbench.review.saves import (
    _EVIDENCE,
    _FINALS,
    _NEW_REVIEW,
    _REVIEW_COLUMNS,
    _REVIEWS,
    ReviewRow,
    review_entry,
    review_out_of,
)
from workbench.schemas import Actor, EvidenceOut, FinalSource, ReviewOut

# --- a reviewer's note and URLs, without ORM objects (issue 13) -----------------------------
#
# A third of a busy team's saves; through ORM objects and flushes they cost more CPU than a
# verdict on rows. The same steps as the verdict: the claim's lock (its status with it), one
# read of the reviewer's review with its URLs, then only the writes that change something,
# the history entries in one statement. Versions move as the ORM moved them: a review's
# version goes up with each UPDATE of its row (a changed note; a URL added or removed, which
# sets updated_at), never when nothing changed.

# The review and its URLs in one statement: a row per URL, one with NULL URL columns when
# there is none. Run after the lock, never with it (see _STATE).
_OWN = (
    select(
        *(_REVIEWS.c[name] for name in _REVIEW_COLUMNS),
        _EVIDENCE.c.id.label("url_id"),
        _EVIDENCE.c.url,
        _EVIDENCE.c.added_at,
        # Whether an admin has decided the claim: only then can a note or a URL move its
        # awaiting flag (awaiting.WAITING: a review changed after the decision).
        exists()
        .where(
            _FINALS.c.claim_id == bindparam("claim_id"),
            _FINALS.c.source == FinalSource.adjudicated.value,
        )
        .label("adjudicated"),
    )
    .select_from(_REVIEWS.outerjoin(_EVIDENCE, _EVIDENCE.c.review_id == _REVIEWS.c.id))
    .where(
        _REVIEWS.c.claim_id == bindparam("claim_id"),
        _REVIEWS.c.reviewer_id == bindparam("reviewer_id"),
    )
    .order_by(_EVIDENCE.c.id)
)
_CHANGE_NOTE = (
    update(_REVIEWS)
    .where(_REVIEWS.c.id == bindparam("review_id"), _REVIEWS.c.version == bindparam("old"))
    .values(
        note=bindparam("new_note"),
        version=bindparam("new_version"),
        updated_at=bindparam("new_updated_at"),
    )
)
_TOUCH_REVIEW = (
    update(_REVIEWS)
    .where(_REVIEWS.c.id == bindparam("review_id"), _REVIEWS.c.version == bindparam("old"))
    .values(version=bindparam("new_version"), updated_at=bindparam("new_updated_at"))
)
_NEW_URL = insert(_EVIDENCE).returning(_EVIDENCE.c.id)
_DROP_URL = delete(_EVIDENCE).where(_EVIDENCE.c.id == bindparam("url_id"))


@dataclass(frozen=True)
class UrlRow:
    id: int
    url: str
    added_at: datetime


@dataclass(frozen=True)
class OwnReview:
    """A reviewer's review of a claim as a note's or a URL's save finds it, the claim locked.

    ``status`` None: no such claim; for a claim that is not open nothing else is read."""

    claim_id: int
    status: str | None
    mine: ReviewRow | None = None  # None: no review yet (one is created on first touch)
    urls: tuple[UrlRow, ...] = ()
    # An adjudicated final verdict (True when not read: no review yet).
    adjudicated: bool = True

    def urls_out(self) -> list[EvidenceOut]:
        return [EvidenceOut(url=u.url, added_at=u.added_at) for u in self.urls]


def read_own(
    session: Session,
    claim_id: int,
    reviewer_id: int,
    locked: stats.Figures | Literal[False] | None = False,
) -> OwnReview:
    """Lock ``claim_id`` (its status read with the lock, as :func:`read_claim` takes it) and
    read ``reviewer_id``'s review of it with its URLs: two statements, one for a claim that
    is missing or not open. ``locked``: the lock's answer, when the caller took it."""
    if locked is False:
        locked = stats.lock(session, claim_id)
    if locked is None:
        return OwnReview(claim_id, status=None)
    status = locked[0]
    if status != stats.OPEN:
        return OwnReview(claim_id, status=status)
    rows = session.execute(_OWN, {"claim_id": claim_id, "reviewer_id": reviewer_id}).all()
    if not rows:
        return OwnReview(claim_id, status=status)
    mine = ReviewRow(*(rows[0][: len(_REVIEW_COLUMNS)]))
    urls = tuple(UrlRow(r.url_id, r.url, r.added_at) for r in rows if r.url_id is not None)
    adjudicated = bool(rows[0].adjudicated)
    return OwnReview(claim_id, status=status, mine=mine, urls=urls, adjudicated=adjudicated)


def _refresh(session: Session, own: OwnReview) -> None:
    """The claim's awaiting flag after a change of the review's note or URLs (its
    ``updated_at``): it can move only if an admin has decided the claim."""
    if own.adjudicated:
        awaiting.refresh(session, own.claim_id)


def _created(
    session: Session, claim_id: int, reviewer_id: int, note: str, version: int
) -> ReviewRow:
    """A reviewer's review created on their first touch of a claim, undecided, at the version
    the ORM path left it (1 as inserted, 2 when the change that created it updated it)."""
    now = utcnow()
    row = ReviewRow(
        id=0,  # given by the INSERT
        reviewer_id=reviewer_id,
        verdict=None,
        blind_verdict=None,
        changed_after_reveal=False,
        note=note,
        version=version,
        created_at=now,
        updated_at=now,
        decided_at=None,
        seconds_spent=None,
    )
    values = {name: getattr(row, name) for name in _REVIEW_COLUMNS if name != "id"}
    return replace(row, id=session.scalar(_NEW_REVIEW, {**values, "claim_id": claim_id}))


def _bumped(session: Session, before: ReviewRow, note: str | None = None) -> ReviewRow:
    """``before`` updated (its note, when given; else only its updated_at), one version on."""
    after = replace(before, version=before.version + 1, updated_at=utcnow())
    params = {
        "review_id": before.id,
        "old": before.version,
        "new_version": after.version,
        "new_updated_at": after.updated_at,
    }
    if note is None:
        changed = session.execute(_TOUCH_REVIEW, params)
    else:
        after = replace(after, note=note)
        changed = session.execute(_CHANGE_NOTE, {**params, "new_note": note})
    if getattr(changed, "rowcount", 1) != 1:  # what the ORM's version check raises
        raise StaleDataError(f"review {before.id} changed while it was being saved")
    return after


def _url_entry(
    claim_id: int, actor_id: int, review_id: int, url_id: int, url: str, action: Change
) -> dict[str, Any] | None:
    """log_url's entry."""
    value = {"url": url, "review_id": review_id}
    return entry(
        actor_id=actor_id,
        entity=Entity.url,
        entity_id=url_id,
        action=action,
        before=value if action == Change.delete else None,
        after=value if action == Change.create else None,
        claim_id=claim_id,
    )


def save_note(session: Session, own: OwnReview, reviewer: Actor, note: str) -> ReviewOut:
    """Set ``reviewer``'s note on an open claim :func:`read_own` read (the review created on
    first touch), with its history entry; the same note again changes nothing."""
    before = own.mine
    if before is None:
        after = _created(session, own.claim_id, reviewer.id, note, 2 if note else 1)
    elif note != before.note:
        after = _bumped(session, before, note)
    else:
        after = before
    insert_entries(session, [review_entry(own.claim_id, reviewer.id, before, after)])
    _refresh(session, own)
    return review_out_of(after, reviewer.name, own.urls_out())


def save_url(session: Session, own: OwnReview, reviewer: Actor, url: str) -> ReviewOut:
    """Attach a normalised URL to ``reviewer``'s review (created on first touch), with its
    history; one already there changes nothing."""
    before = own.mine
    urls = own.urls_out()
    if before is not None and any(u.url == url for u in own.urls):
        after = before
        entries = []
    else:
        now = utcnow()
        if before is None:
            after = _created(session, own.claim_id, reviewer.id, "", 2)
        else:
            after = _bumped(session, before)
        url_id = session.scalar(
            _NEW_URL, {"review_id": after.id, "url": url, "note": "", "added_at": now}
        )
        urls.append(EvidenceOut(url=url, added_at=now))
        entries = [_url_entry(own.claim_id, reviewer.id, after.id, url_id, url, Change.create)]
    entries.insert(0, review_entry(own.claim_id, reviewer.id, before, after))
    insert_entries(session, entries)
    _refresh(session, own)
    return review_out_of(after, reviewer.name, urls)


def drop_url(session: Session, own: OwnReview, reviewer: Actor, url: str) -> ReviewOut:
    """Remove a URL from ``reviewer``'s review, which has it (the caller checked), with its
    history entry."""
    if own.mine is None:
        raise ValueError(f"no review of claim {own.claim_id} to remove {url} from")
    after = _bumped(session, own.mine)
    entries: list[dict[str, Any] | None] = []
    for u in own.urls:
        if u.url == url:
            session.execute(_DROP_URL, {"url_id": u.id})
            entries.append(
                _url_entry(own.claim_id, reviewer.id, after.id, u.id, url, Change.delete)
            )
    insert_entries(session, entries)
    _refresh(session, own)
    kept = [u for u in own.urls_out() if u.url != url]
    return review_out_of(after, reviewer.name, kept)
