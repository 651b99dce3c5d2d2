"""A claim's history as a reviewer may see it: the blind-review rule applied to the audit trail.

The trail itself (:mod:`workbench.audit`) is written and read without asking who looks; which
entries a reviewer may see before their own verdict is a review rule (:mod:`.blind` hides the
same things everywhere else), so it lives here.
"""

from __future__ import annotations

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import selectinload

from workbench.audit import Entity, history_out
from workbench.auth.policy import Action
from workbench.db.models import HistoryEntry, Review
from workbench.db.session import unit_of_work
from workbench.review import scope
from workbench.schemas import Actor, HistoryOut


def visible_claim_history(engine: Engine, actor: Actor, claim_id: int) -> list[HistoryOut]:
    """A claim's history as ``actor`` may see it (blind review).

    Admins, and anyone who has submitted their own verdict on the claim, see all of it. Before
    that, a reviewer sees only their own changes, the claim's status changes and the
    corrections that made or replaced it (``workbench.review.corrections``): other
    reviewers' verdicts, notes and URLs, and the final verdict that follows from them, stay
    hidden, in the history as everywhere else.
    """
    with unit_of_work(engine) as session:
        # A claim of a project the actor is not in is refused, as the claim itself is.
        reader = scope.authorize_claim(session, actor, Action.read, claim_id)
        query = select(HistoryEntry).where(HistoryEntry.claim_id == claim_id)
        decided = session.scalar(
            select(Review.id).where(
                Review.claim_id == claim_id,
                Review.reviewer_id == actor.id,
                Review.verdict.is_not(None),
            )
        )
        # The role as stored now, as for the reviews themselves: a demoted admin stops seeing.
        if not scope.sees_all(reader) and decided is None:
            query = query.where(
                or_(
                    HistoryEntry.actor_id == actor.id,
                    HistoryEntry.entity.in_([Entity.claim_status.value, Entity.claim.value]),
                )
            )
        rows = session.scalars(
            query.order_by(HistoryEntry.at, HistoryEntry.id).options(
                selectinload(HistoryEntry.actor)
            )
        )
        return [history_out(row) for row in rows]
