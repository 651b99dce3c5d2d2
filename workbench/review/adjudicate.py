"""Final verdicts: automatic for agreeing reviews, decided by an admin for disputed claims.

* k = 1 and one verdict: that verdict is final (``single``);
* at least k verdicts, all the same, and each the same as its reviewer's blind verdict: final
  by ``consensus``;
* verdicts that disagree, or that agree only because a reviewer changed theirs after seeing
  the others' (their blind verdicts differ, ``workbench.review.blind``): no automatic final;
  the claim waits in the adjudication queue until an admin records the final verdict with a
  reason (``adjudicated``).

Automatic finals follow the reviews (``workbench.review.writes.refresh_final`` runs in every
transaction that changes a verdict) and are recorded in the history with no actor. An
adjudicated final is never replaced automatically: if the reviews change afterwards it stays,
and the claim comes back to the queue flagged "reviews changed since adjudication". Every
final verdict, automatic or adjudicated, is written by ``workbench.review.writes``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import Entity
from workbench.auth.policy import Action, authorize
from workbench.db.models import Claim, Document, FinalVerdict, HistoryEntry, Review
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, StaleEdit
from workbench.extract.segment import paragraph_span
from workbench.projects.scale import check_on_scale
from workbench.projects.service import claim_scale
from workbench.review import awaiting, blind, scope
from workbench.review.queue import claim_out, review_out
from workbench.review.writes import final_row, lock_claim, record_adjudication
from workbench.schemas import (
    Actor,
    ClaimOut,
    FinalSource,
    FinalVerdictOut,
    Page,
    ReviewOut,
)

MAX_REASON_CHARS = 10_000
# Who a StaleEdit names when the newer final verdict followed from the reviews themselves.
FROM_THE_REVIEWS = "the system (from the reviews)"


class ReviewSide(BaseModel):
    """One review as the adjudication page shows it, with the time the reviewer spent."""

    review: ReviewOut
    seconds_spent: float | None


class DisputedClaim(BaseModel):
    """A claim in the adjudication queue: the claim in its paragraph, every review, the final."""

    claim: ClaimOut
    document_source: str
    paragraph: str
    # Where the claim sits inside ``paragraph`` (character offsets into it).
    claim_start: int
    claim_end: int
    reviews: list[ReviewSide]
    final: FinalVerdictOut | None
    reviews_changed: bool  # adjudicated, but a review changed after the decision
    # The verdicts agree now, but not as given blind: a reviewer changed after seeing the
    # others' (workbench.review.blind), so no automatic final was given.
    agreed_after_reveal: bool = False


class AdjudicationPage(Page[DisputedClaim]):
    """One page of the claims waiting for an admin's decision."""


# --- adjudication -----------------------------------------------------------------------------


def adjudicate(
    engine: Engine,
    actor: Actor,
    claim_id: int,
    verdict: str,
    reason: str,
    *,
    expected_version: int | None = None,
) -> FinalVerdictOut:
    """Record an admin's final verdict on a claim, with the reason for it.

    ``expected_version`` is the final verdict's version the admin saw (0: there was none);
    if it has changed since, :class:`StaleEdit` names who changed it and when and carries the
    current final verdict, and nothing is saved. ``None`` skips the check (the command line).
    """
    with unit_of_work(engine) as session:
        user = scope.authorize_claim(session, actor, Action.adjudicate, claim_id)
        reason = reason.strip()
        if not reason:
            raise InvalidInput("give a reason for the final verdict: it is kept with the decision")
        if len(reason) > MAX_REASON_CHARS:
            raise InvalidInput(f"a reason is at most {MAX_REASON_CHARS} characters ({len(reason)})")
        project = claim_scale(session, claim_id)
        if project is None:
            raise NotFound(f"claim {claim_id} does not exist")
        check_on_scale(str(verdict), project[1].names, project[0])
        lock_claim(session, claim_id)
        final = final_row(session, claim_id)
        _check_version(session, claim_id, final, expected_version)
        final = record_adjudication(session, claim_id, str(verdict), reason, actor_id=user.id)
        return final_out(final, user.name)


def final_verdict(engine: Engine, claim_id: int) -> FinalVerdictOut | None:
    """A claim's final verdict, or None while it has none."""
    with unit_of_work(engine) as session:
        final = final_row(session, claim_id)
        return None if final is None else final_out(final)


def adjudication_queue(
    engine: Engine,
    actor: Actor,
    *,
    page: int = 1,
    page_size: int = 10,
    project: int | str | None = None,
) -> AdjudicationPage:
    """Open claims whose verdicts disagree, or agree only after the reveal, and that no admin
    has decided yet, and decided claims whose reviews changed after the decision; oldest
    claim first. Admins of the project only (``project``: id or name; None: the only one,
    or the only one the actor belongs to)."""
    page = max(1, page)
    with unit_of_work(engine) as session:
        project_id = scope.project_for(session, project, actor)
        authorize(session, actor, Action.adjudicate, project_id)
        # The waiting claims are kept flagged (workbench.review.awaiting): a count and a page
        # of ids over their partial index, whatever the size of the queue.
        total = awaiting.count(session, project_id)
        ids = awaiting.page(session, (page - 1) * page_size, page_size, project_id)
        claims = session.scalars(
            select(Claim)
            .where(Claim.id.in_(ids))
            .order_by(Claim.id)
            .options(
                selectinload(Claim.document),
                selectinload(Claim.reviews).selectinload(Review.reviewer),
                selectinload(Claim.reviews).selectinload(Review.evidence),
            )
        ).all()
        finals = {
            f.claim_id: f
            for f in session.scalars(
                select(FinalVerdict)
                .where(FinalVerdict.claim_id.in_([c.id for c in claims]))
                .options(selectinload(FinalVerdict.decided_by))
            )
        }
        items = [_disputed(claim, finals.get(claim.id)) for claim in claims]
    return AdjudicationPage(items=items, total=total, page=page, page_size=page_size)


def adjudication_item(engine: Engine, actor: Actor, claim_id: int) -> DisputedClaim:
    """One claim as the adjudication page shows it, whether or not it waits in the queue
    (a link from the agreement page; an admin overruling a consensus). Admins only;
    :class:`NotFound` if the claim does not exist."""
    with unit_of_work(engine) as session:
        scope.authorize_claim(session, actor, Action.adjudicate, claim_id)
        claim = session.scalar(
            select(Claim)
            .where(Claim.id == claim_id)
            .options(
                selectinload(Claim.document),
                selectinload(Claim.reviews).selectinload(Review.reviewer),
                selectinload(Claim.reviews).selectinload(Review.evidence),
            )
        )
        if claim is None:
            raise NotFound(f"claim {claim_id} does not exist")
        final = session.scalar(
            select(FinalVerdict)
            .where(FinalVerdict.claim_id == claim_id)
            .options(selectinload(FinalVerdict.decided_by))
        )
        return _disputed(claim, final)


def final_out(final: FinalVerdict, decided_by: str | None = None) -> FinalVerdictOut:
    if decided_by is None and final.decided_by is not None:
        decided_by = final.decided_by.name
    return FinalVerdictOut(
        claim_id=final.claim_id,
        verdict=final.verdict,
        source=FinalSource(final.source),
        reason=final.reason,
        decided_by=decided_by,
        decided_at=final.decided_at,
        version=final.version,
    )


# --- helpers ------------------------------------------------------------------------------


def _disputed(claim: Claim, final: FinalVerdict | None) -> DisputedClaim:
    document: Document = claim.document
    start, end = paragraph_span(document.text, claim.char_start, claim.char_end)
    start, end = min(start, claim.char_start), max(end, claim.char_end)
    changed = (
        final is not None
        and final.source == FinalSource.adjudicated
        and any(r.updated_at > final.decided_at for r in claim.reviews)
    )
    return DisputedClaim(
        claim=claim_out(claim, review_count=sum(1 for r in claim.reviews if r.verdict is not None)),
        document_source=document.source,
        paragraph=document.text[start:end],
        claim_start=claim.char_start - start,
        claim_end=claim.char_end - start,
        reviews=[
            ReviewSide(review=review_out(r), seconds_spent=r.seconds_spent) for r in claim.reviews
        ],
        final=None if final is None else final_out(final),
        reviews_changed=changed,
        agreed_after_reveal=blind.agreed_after_reveal(
            [(v, r.blind_verdict) for r in claim.reviews if (v := r.verdict) is not None]
        ),
    )


def _check_version(
    session: Session, claim_id: int, final: FinalVerdict | None, expected: int | None
) -> None:
    if expected is None:
        return
    current = 0 if final is None else final.version
    if current == expected:
        return
    what = f"the final verdict of claim {claim_id}"
    if final is not None:
        who = final.decided_by.name if final.decided_by is not None else FROM_THE_REVIEWS
        raise StaleEdit(what, changed_by=who, changed_at=final.decided_at, current=final_out(final))
    # The final verdict seen was removed since (the reviews no longer agree): the history
    # says who and when.
    last = session.scalar(
        select(HistoryEntry)
        .where(HistoryEntry.claim_id == claim_id, HistoryEntry.entity == Entity.final_verdict.value)
        .order_by(HistoryEntry.id.desc())
        .limit(1)
    )
    who = last.actor.name if last is not None and last.actor is not None else FROM_THE_REVIEWS
    when = last.at if last is not None else datetime.now(UTC)
    raise StaleEdit(what, changed_by=who, changed_at=when, current=None)
