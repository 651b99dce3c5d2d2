"""Which claims wait for an admin's final verdict, kept per claim instead of found per view.

A claim waits (``claims.awaits_adjudication``) while it is open and either

* no admin has decided it, and its verdicts disagree (``claims.disagreement > 0``, kept by
  ``workbench.review.stats``) or agree only after the reveal (one of its decided reviews is
  flagged ``changed_after_reveal`` and its verdict is no longer its blind one,
  ``workbench.review.blind``); or
* an admin decided it (an ``adjudicated`` final) and a review changed afterwards (the newest
  ``reviews.updated_at`` is later than the final's ``decided_at``).

The Adjudication page then counts and pages the claims of the partial index
``ix_claims_awaiting``: its cost follows the page, not the 45,000 waiting claims of a
100,000-claim corpus it once read on every view (issue 13).

:data:`WAITING` is that rule as one SQL condition on a ``claims`` row, so the flag is set by
the database from the rows it holds, the same way for one claim and for all of them:

- :func:`refresh`, in the transaction of every change that can move it, after the change is
  flushed and under the claim's row lock: a verdict change (``writes.refresh_final``, after
  ``stats.store``), an admin's final verdict (``writes.record_adjudication``), a review's
  note or URLs changed (its ``updated_at``; only a claim an admin decided can move then,
  ``note_saves``), a change of the claim's status (``stats.status_changed``: not a claim,
  reopened, superseded, held out);
- :data:`SET_FIGURES_AND_FLAG`, a reviewer's verdict (``saves.save_verdict`` through
  ``stats.store``): the same rule in the UPDATE that sets the claim's new figures;
- :func:`recount`, for rows written in bulk (``stats.recount``: a synthetic corpus, a
  restore). Migration 0014 filled the column with the same rule, written out.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    and_,
    bindparam,
    case,
    exists,
    func,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from workbench.db.models import Base, Claim, FinalVerdict, Review
from workbench.schemas import ClaimStatus, FinalSource

_CLAIMS = Base.metadata.tables[Claim.__tablename__]
_CHUNK = 2000  # ids per UPDATE ... WHERE id IN (...)
_ADJUDICATED = FinalSource.adjudicated.value


def _waiting(disagreement: ColumnElement[float] | None = None) -> ColumnElement[bool]:
    """The rule, on the ``claims`` row of the statement it is used in (correlated). Each part
    is a seek in an index of the claim's rows: its final verdict (``claim_id`` is unique), its
    reviews (``ix_reviews_claim_updated``, ``ix_reviews_claim_id``).

    ``disagreement``: the claim's figure as it is being set in the same UPDATE (None: the
    row's own)."""
    claims = _CLAIMS.c
    share = claims.disagreement if disagreement is None else disagreement
    final = aliased(FinalVerdict)
    adjudicated = (
        exists().where(final.claim_id == claims.id, final.source == _ADJUDICATED).correlate(_CLAIMS)
    )
    latest = (
        select(func.max(Review.updated_at))
        .where(Review.claim_id == claims.id)
        .correlate(_CLAIMS)
        .scalar_subquery()
    )
    changed_since = (
        exists()
        .where(
            final.claim_id == claims.id,
            final.source == _ADJUDICATED,
            latest > final.decided_at,
        )
        .correlate(_CLAIMS)
    )
    # NULL blind verdicts never count (``!=`` is NULL there), as the page always read them.
    after_reveal = (
        exists()
        .where(
            Review.claim_id == claims.id,
            Review.changed_after_reveal.is_(True),
            Review.verdict.is_not(None),
            Review.verdict != Review.blind_verdict,
        )
        .correlate(_CLAIMS)
    )
    return and_(
        claims.status == ClaimStatus.open.value,
        or_(
            and_(not_(adjudicated), or_(share > 0, after_reveal)),
            changed_since,
        ),
    )


# True or False, never NULL: every part is a comparison of non-null columns or an EXISTS.
WAITING = case((_waiting(), True), else_=False)

# Built once (the same statement each time: SQLAlchemy reuses its compiled form). It writes
# only when the flag changes, and then to its opposite, which is what the rule says.
_REFRESH = (
    update(_CLAIMS)
    .where(_CLAIMS.c.id == bindparam("claim_id"), _CLAIMS.c.awaits_adjudication != WAITING)
    .values(awaits_adjudication=not_(_CLAIMS.c.awaits_adjudication))
)


# A verdict's save sets the claim's figures (``workbench.review.stats``) and its flag in one
# UPDATE (one round trip less; the reviews it reads are written before it), writing only
# when one of the three changes. Parameters: claim_id, n (verdicts), share (disagreement).
_NEW_SHARE = bindparam("share", type_=Float)
_WAITING_WITH_SHARE = case((_waiting(_NEW_SHARE), True), else_=False)
SET_FIGURES_AND_FLAG = (
    update(_CLAIMS)
    .where(
        _CLAIMS.c.id == bindparam("claim_id"),
        or_(
            _CLAIMS.c.verdicts != bindparam("n", type_=Integer),
            _CLAIMS.c.disagreement != _NEW_SHARE,
            _CLAIMS.c.awaits_adjudication != _WAITING_WITH_SHARE,
        ),
    )
    .values(
        verdicts=bindparam("n", type_=Integer),
        disagreement=_NEW_SHARE,
        awaits_adjudication=_WAITING_WITH_SHARE,
    )
)


def refresh(session: Session, claim_id: int) -> None:
    """Set the claim's flag from its rows as this transaction has them (changes flushed first).

    The caller holds the claim's row lock (``writes.lock_claim`` / ``stats.lock``), so two
    changes of one claim are weighed one after the other."""
    session.flush()
    session.execute(_REFRESH, {"claim_id": claim_id})


def recount(bind: Session | Connection, claim_ids: Iterable[int] | None = None) -> None:
    """Set the flag of ``claim_ids`` (None: every claim) from their rows, in the caller's
    transaction: for rows written in bulk (``stats.recount``). No locks: as recount, run it
    while nobody reviews."""
    statement = update(_CLAIMS).values(awaits_adjudication=WAITING)
    if claim_ids is None:
        bind.execute(statement)
        return
    ids = sorted(set(claim_ids))
    for start in range(0, len(ids), _CHUNK):
        bind.execute(statement.where(_CLAIMS.c.id.in_(ids[start : start + _CHUNK])))


def _in(project_id: int | None) -> ColumnElement[bool]:
    waiting = _CLAIMS.c.awaits_adjudication.is_(True)
    return waiting if project_id is None else and_(_CLAIMS.c.project_id == project_id, waiting)


def count(session: Session, project_id: int | None = None) -> int:
    """How many claims wait (in the project): the entries of ``ix_claims_awaiting``, whose
    (project, id) keys give a project's range."""
    return int(
        session.scalar(select(func.count()).select_from(_CLAIMS).where(_in(project_id))) or 0
    )


def page(session: Session, offset: int, limit: int, project_id: int | None = None) -> list[int]:
    """The ids of ``limit`` waiting claims (of the project) from ``offset`` on, oldest first."""
    return list(
        session.scalars(
            select(_CLAIMS.c.id)
            .where(_in(project_id))
            .order_by(_CLAIMS.c.project_id, _CLAIMS.c.id)
            .offset(offset)
            .limit(limit)
        )
    )
