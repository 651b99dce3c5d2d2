"""What the pages count and sort by, kept as the reviews change instead of recomputed per view.

Per claim, on its row: ``claims.verdicts``, how many of its reviews have a verdict, and
``claims.disagreement``, the share of pairs of those verdicts that differ (1 - sum over verdicts
of c(c-1) / n(n-1), the figure of ``workbench.agreement.metrics.claim_disagreement``; 0 when
they all agree and under two verdicts). The queue's review states and its disagreement sort,
the adjudication queue and the assignment's walk over claims with a free slot read them
through indexes (``ix_claims_queue``, ``ix_claims_disagreement``, ``ix_claims_assign_score``).

Per decided review, ``reviews.open_verdicts``: its claim's ``verdicts`` while the claim is
open (NULL otherwise), so the sidebar counts a reviewer's claims still under k from their own
index entries (``ix_reviews_reviewer_open_verdicts``).

Over all claims, in ``claim_counts``: how many open claims are reviewed and how many are out
of the queue, as rows of changes that :func:`totals` sums (the sidebar's progress, the queue's
totals); with the number of claims, counted once per process each time claims are added. Rows
of status ``held_out`` (sentences the extractor keeps out of the queue until it re-scores
them, workbench.review.rescore) are counted apart and are not claims in any of the totals.

Three ways keep them right, each in the transaction of the change:

- :func:`store`, with every verdict change, under the claim's row lock:
  ``writes.refresh_final`` (``workbench import``, a restore's merge) and
  ``saves.save_verdict`` (a reviewer's save, "apply to similar claims") call it with the
  verdicts they have just read;
- :func:`status_changed`, when a claim is marked "not a claim" or put back
  (``decisions.mark_not_a_claim`` / ``reopen_claim``), superseded by a correction, or put in
  or out of the queue by the re-scorer (``held_out``);
- :func:`recount`, for rows written in bulk without the service layer (a synthetic corpus, a
  restore): one UPDATE recomputes the per-claim figures from the reviews, and the totals are
  counted again. Migration 0004 ran the same statements on the rows it found.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import (
    Connection,
    Float,
    Integer,
    Update,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from workbench.db.models import (
    Base,
    Claim,
    ClaimCount,
    Document,
    FinalVerdict,
    HistoryEntry,
    Lease,
    Review,
)
from workbench.review import awaiting
from workbench.schemas import ClaimStatus

_CLAIMS = Base.metadata.tables[Claim.__tablename__]
_COUNTS = Base.metadata.tables[ClaimCount.__tablename__]
_REVIEWS = Base.metadata.tables[Review.__tablename__]
_CHUNK = 2000  # ids per UPDATE ... WHERE id IN (...)
# Rows of changes a reader folds into one: summing this many costs next to nothing.
FOLD_AT = 100
OPEN = ClaimStatus.open.value
NOT_A_CLAIM = ClaimStatus.not_a_claim.value
SUPERSEDED = ClaimStatus.superseded.value
HELD_OUT = ClaimStatus.held_out.value


# --- per claim ---------------------------------------------------------------------------------


def figures(verdicts: Sequence[str | None]) -> tuple[int, float]:
    """(verdicts, disagreement) of a claim whose reviews carry ``verdicts`` (None: undecided)."""
    given = [v for v in verdicts if v is not None]
    n = len(given)
    if n < 2:
        return n, 0.0
    agreeing = sum(c * (c - 1) for c in Counter(given).values())
    return n, 1.0 - agreeing / (n * (n - 1))


Figures = tuple[str, int, float]  # a claim's status, verdicts and disagreement


# Statements of every verdict's save, built once: building one per call (its clauses, its
# cache key) cost more CPU than running it, and 20 reviewers queue for that CPU (issue 13).
_LOCK = (
    select(_CLAIMS.c.status, _CLAIMS.c.verdicts, _CLAIMS.c.disagreement)
    .where(_CLAIMS.c.id == bindparam("claim_id"))
    .with_for_update()
)
_SET_FIGURES = (
    update(_CLAIMS)
    .where(_CLAIMS.c.id == bindparam("claim_id"))
    .values(verdicts=bindparam("n"), disagreement=bindparam("share"))
)
# ``reviews.open_verdicts`` of a claim's reviews (see _copy_to_reviews; a parameter of an
# UPDATE may not bear a column's name, hence "claim"). ``updated_at`` is set to itself: a
# figure of the claim's, not a change to the review, so its time stays.
_COPY_TO_REVIEWS = (
    update(_REVIEWS)
    .where(_REVIEWS.c.claim_id == bindparam("claim"))
    .values(
        open_verdicts=case(
            (_REVIEWS.c.verdict.is_not(None), bindparam("open_verdicts", type_=Integer)),
            else_=None,
        ),
        updated_at=_REVIEWS.c.updated_at,
    )
)
_CLEAR_REVIEWS = (
    update(_REVIEWS)
    .where(_REVIEWS.c.claim_id == bindparam("claim"))
    .values(open_verdicts=None, updated_at=_REVIEWS.c.updated_at)
)
# A change is counted in the claim's project, read in the INSERT itself (no round trip).
_ADD_CHANGE = insert(_COUNTS).values(
    project_id=select(_CLAIMS.c.project_id)
    .where(_CLAIMS.c.id == bindparam("of_claim"))
    .scalar_subquery()
)


def lock(session: Session, claim_id: int) -> Figures | None:
    """Lock the claim's row for the rest of the transaction and read what :func:`store`
    starts from (None: no such claim). Locked, so the state is the committed one, whatever
    the session loaded earlier; one statement serves as the lock and the read."""
    row = session.execute(_LOCK, {"claim_id": claim_id}).first()
    return None if row is None else (row[0], row[1], row[2])


def store(
    session: Session,
    claim_id: int,
    verdicts: Sequence[str | None],
    locked: Figures | Literal[False] | None = False,
    *,
    with_flag: bool = False,
) -> None:
    """Set a claim's figures from its verdicts as they stand in this transaction, and count
    it among the reviewed claims, or no longer, if its first verdict came or its last went.

    ``locked``: what :func:`lock` returned earlier in this transaction (read here, locked,
    when not given). ``with_flag``: also set the claim's ``awaits_adjudication`` in the same
    UPDATE, as :func:`awaiting.refresh` would after it (the reviews' changes already sent).
    """
    row = lock(session, claim_id) if locked is False else locked
    if row is None:
        return
    status, before, share_before = row
    n, share = figures(verdicts)
    if with_flag:
        values = {"claim_id": claim_id, "n": n, "share": share}
        session.execute(awaiting.SET_FIGURES_AND_FLAG, values)
    elif (n, share) != (before, share_before):
        session.execute(_SET_FIGURES, {"claim_id": claim_id, "n": n, "share": share})
    # The count on the claim's decided reviews. Only when it changed: a verdict changed
    # for another leaves every review's count as it was (the changed review's included).
    if n != before:
        _copy_to_reviews(session, claim_id, n if status == OPEN else None)
    if status == OPEN and (before > 0) != (n > 0):
        _change(session, claim_id, reviewed=1 if n > 0 else -1)


def status_changed(session: Session, claim_id: int, new_status: ClaimStatus) -> str | None:
    """Move a claim to ``new_status`` and count the move; returns the status it had (None: no
    such claim). The claim's row is locked first, so two moves of one claim count once."""
    row = session.execute(
        select(Claim.status, Claim.verdicts).where(Claim.id == claim_id).with_for_update()
    ).one_or_none()
    if row is None:
        return None
    before, verdicts = row
    if before != new_status.value:
        session.execute(update(Claim).where(Claim.id == claim_id).values(status=new_status.value))
        awaiting.refresh(session, claim_id)  # only open claims wait for an admin
        _copy_to_reviews(session, claim_id, verdicts if new_status == ClaimStatus.open else None)
        # Each status has its own count (an open claim counts among the reviewed ones while
        # it has a verdict): one out, one in.
        change = dict.fromkeys(("reviewed", "not_a_claim", "superseded", "held_out"), 0)
        for status, sign in ((before, -1), (new_status.value, 1)):
            if status == OPEN:
                change["reviewed"] += sign if verdicts > 0 else 0
            elif status == NOT_A_CLAIM:
                change["not_a_claim"] += sign
            elif status == SUPERSEDED:
                change["superseded"] += sign
            elif status == HELD_OUT:
                change["held_out"] += sign
        _change(session, claim_id, **change)
    return str(before)


def _copy_to_reviews(session: Session, claim_id: int, open_verdicts: int | None) -> None:
    """``reviews.open_verdicts`` of the claim's reviews: ``open_verdicts`` on those with a
    verdict (None: the claim is not open), None on the others. A few rows, by ix_reviews_claim_id.
    """
    if open_verdicts is None:
        session.execute(_CLEAR_REVIEWS, {"claim": claim_id})
    else:
        session.execute(_COPY_TO_REVIEWS, {"claim": claim_id, "open_verdicts": open_verdicts})


def _change(
    session: Session,
    claim_id: int,
    *,
    reviewed: int = 0,
    not_a_claim: int = 0,
    superseded: int = 0,
    held_out: int = 0,
) -> None:
    session.execute(
        _ADD_CHANGE,
        {
            "of_claim": claim_id,
            "reviewed": reviewed,
            "not_a_claim": not_a_claim,
            "superseded": superseded,
            "held_out": held_out,
        },
    )


# --- over all claims ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    claims: int  # every claim (not the extractor's held-out sentences, which are not claims)
    reviewed: int  # open claims with at least one verdict
    not_a_claim: int  # claims taken out of the queue
    superseded: int = 0  # claims replaced by a correction (workbench.review.corrections)
    held_out: int = 0  # rows the extractor keeps out of the queue, left out of ``claims``

    @property
    def open(self) -> int:
        return self.claims - self.not_a_claim - self.superseded

    @property
    def to_review(self) -> int:
        return self.open - self.reviewed


def totals(session: Session, project_id: int | None = None) -> Totals:
    """The counts, read in the caller's transaction: a sum over a few rows of changes, and the
    number of claims (counted once per process and database each time claims are added).

    ``project_id``: one project's (its rows of changes, by ix_claim_counts_project_id); None:
    every project's together."""
    query = select(
        func.count(),
        func.coalesce(func.sum(_COUNTS.c.reviewed), 0),
        func.coalesce(func.sum(_COUNTS.c.not_a_claim), 0),
        func.coalesce(func.sum(_COUNTS.c.superseded), 0),
        func.coalesce(func.sum(_COUNTS.c.held_out), 0),
    )
    if project_id is not None:
        query = query.where(_COUNTS.c.project_id == project_id)
    rows, reviewed, dismissed, superseded, held_out = session.execute(query).one()
    if rows > FOLD_AT:
        _fold(session)
    return Totals(
        claims=_claims(session, project_id) - int(held_out),
        reviewed=int(reviewed),
        not_a_claim=int(dismissed),
        superseded=int(superseded),
        held_out=int(held_out),
    )


def _fold(session: Session) -> None:
    """Replace the rows of changes this transaction sees by their sum.

    Rows other transactions insert meanwhile are not seen by the DELETE (PostgreSQL, READ
    COMMITTED) and stay, so nothing is counted twice or lost; two readers folding at once
    delete each row once (the second waits for the first's row locks, then skips them).
    """
    c = _COUNTS.c
    gone = session.execute(
        delete(_COUNTS).returning(c.project_id, c.reviewed, c.not_a_claim, c.superseded, c.held_out)
    )
    by_project: dict[int, list[int]] = {}
    for project, *row in gone:
        sums = by_project.setdefault(project, [0, 0, 0, 0])
        by_project[project] = [a + b for a, b in zip(sums, row, strict=True)]
    folded = [
        {
            "project_id": project,
            "reviewed": reviewed,
            "not_a_claim": dismissed,
            "superseded": superseded,
            "held_out": held_out,
        }
        for project, (reviewed, dismissed, superseded, held_out) in by_project.items()
        if reviewed or dismissed or superseded or held_out
    ]
    if folded:
        session.execute(insert(_COUNTS), folded)


# (database URL, project id or None) -> (newest claim id, claims)
_claim_counts: dict[tuple[str, int | None], tuple[int, int]] = {}
_claim_counts_lock = threading.Lock()


def _claims(session: Session, project_id: int | None = None) -> int:
    """How many claims there are (in one project). Claims are added (ingest), never removed
    one by one: their number changes when the newest id does, so a count is reused until
    then."""
    newest = session.scalar(select(func.max(Claim.id))) or 0
    key = (str(session.get_bind().engine.url), project_id)
    with _claim_counts_lock:
        known = _claim_counts.get(key)
    if known is not None and known[0] == newest:
        return known[1]
    counting = select(func.count()).select_from(_CLAIMS)
    if project_id is not None:
        counting = counting.where(_CLAIMS.c.project_id == project_id)
    count = session.scalar(counting) or 0
    with _claim_counts_lock:
        _claim_counts[key] = (newest, count)
    return count


# --- what changed -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Marks:
    """The newest id of each table the pages' figures come from: a cheap fingerprint.

    Every change the app or the command line makes to a review, a URL, a final verdict, a
    claim's status, an account or a setting appends a history entry; ingest adds documents and
    claims; bulk paths add reviews and final verdicts; assignment adds leases. So when two
    readings are equal, no figure drawn from those tables has changed, and a page may reuse
    what it computed from them (the Agreement and Progress pages do).
    """

    documents: int
    claims: int
    reviews: int
    finals: int
    history: int
    leases: int


def marks(session: Session) -> Marks:
    """One round trip of primary-key lookups (``max(id)`` of six tables)."""
    models = (Document, Claim, Review, FinalVerdict, HistoryEntry, Lease)
    row = session.execute(select(*(select(func.max(m.id)).scalar_subquery() for m in models))).one()
    return Marks(*(int(value or 0) for value in row))


# --- in bulk -----------------------------------------------------------------------------------


def _recount() -> Update:
    decided = (Review.claim_id == _CLAIMS.c.id, Review.verdict.is_not(None))
    n = func.count(Review.id)
    # The ordered pairs of a claim's reviews that agree, whatever the project's scale: the
    # sum of c(c - 1) over its verdicts' counts c, as :func:`figures` counts them.
    other = aliased(Review)
    agreeing = (
        select(func.count())
        .select_from(other)
        .where(
            other.claim_id == _CLAIMS.c.id,
            other.verdict == Review.verdict,
            other.id != Review.id,
        )
        .correlate(_CLAIMS, Review)
        .scalar_subquery()
    )
    count = select(n).where(*decided).correlate(_CLAIMS).scalar_subquery()
    share = (
        select(1.0 - cast(func.sum(agreeing), Float) / cast(n * (n - 1), Float))
        .where(*decided)
        .having(n >= 2)
        .correlate(_CLAIMS)
        .scalar_subquery()
    )
    return update(_CLAIMS).values(verdicts=count, disagreement=func.coalesce(share, 0.0))


def _recount_reviews() -> Update:
    """``reviews.open_verdicts`` from the claims' figures (see :func:`_copy_to_reviews`)."""
    claims = _CLAIMS.c
    count = (
        select(claims.verdicts)
        .where(claims.id == _REVIEWS.c.claim_id, claims.status == OPEN)
        .correlate(_REVIEWS)
        .scalar_subquery()
    )
    return update(_REVIEWS).values(
        open_verdicts=case((_REVIEWS.c.verdict.is_not(None), count), else_=None),
        updated_at=_REVIEWS.c.updated_at,
    )


def recount(bind: Session | Connection, claim_ids: Iterable[int] | None = None) -> None:
    """Recompute from the reviews the figures of ``claim_ids`` (or of every claim), then count
    the totals again: for rows inserted in bulk, in the caller's transaction.

    It takes no claim locks: run it while nobody reviews (after building a corpus, a restore).
    """
    statement = _recount()
    copy = _recount_reviews()
    if claim_ids is None:
        bind.execute(statement)
        bind.execute(copy)
    else:
        ids = sorted(set(claim_ids))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            bind.execute(statement.where(_CLAIMS.c.id.in_(chunk)))
            bind.execute(copy.where(_REVIEWS.c.claim_id.in_(chunk)))
    awaiting.recount(bind, claim_ids if claim_ids is None else ids)
    claims = _CLAIMS.c
    per_project = bind.execute(
        select(
            claims.project_id,
            func.coalesce(
                func.sum(case((and_(claims.status == OPEN, claims.verdicts > 0), 1), else_=0)), 0
            ),
            *(
                func.coalesce(func.sum(case((claims.status == status, 1), else_=0)), 0)
                for status in (NOT_A_CLAIM, SUPERSEDED, HELD_OUT)
            ),
        ).group_by(claims.project_id)
    ).all()
    bind.execute(delete(_COUNTS))
    rows = [
        {
            "project_id": project,
            "reviewed": reviewed,
            "not_a_claim": dismissed,
            "superseded": superseded,
            "held_out": held_out,
        }
        for project, reviewed, dismissed, superseded, held_out in per_project
        if reviewed or dismissed or superseded or held_out
    ]
    if rows:
        bind.execute(insert(_COUNTS), rows)
