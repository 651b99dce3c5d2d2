"""The claims a reviewer worked on lately, from the database: "Previous" after a reload.

The Review page keeps the claims opened in this visit in Streamlit session state, which a
reload or a new tab starts empty. The reviewer's own reviews (a verdict, a note or a URL,
each bumps ``updated_at``) remember what they worked on across visits, tabs and server
processes, so Previous falls back on them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine, select

from workbench.auth.policy import Action, authorize
from workbench.db.models import Claim, Review
from workbench.db.session import unit_of_work
from workbench.review import scope
from workbench.schemas import Actor

RECENT_LIMIT = 50


def recent_claims(
    engine: Engine,
    actor: Actor,
    *,
    project: int | str | None = None,
    limit: int = RECENT_LIMIT,
) -> list[int]:
    """The ids of the claims of ``project`` (id or name; None: the only project, or the only
    one ``actor`` belongs to) that ``actor`` reviewed, the most recently changed first.

    One project's only (issue 14): Previous on one desk's page never opens another desk's
    claim, and a reviewer removed from a project no longer finds its claims here."""
    with unit_of_work(engine) as session:
        project_id = scope.project_for(session, project, actor)
        user = authorize(session, actor, Action.read, project_id)
        return list(
            session.scalars(
                select(Review.claim_id)
                .join(Claim, Claim.id == Review.claim_id)
                .where(Review.reviewer_id == user.id, Claim.project_id == project_id)
                .order_by(Review.updated_at.desc(), Review.id.desc())
                .limit(limit)
            )
        )


def before(recent: Sequence[int], current: int | None) -> int | None:
    """The claim Previous opens from ``current`` when this visit's history is empty: the one
    reviewed just before it, or the latest if ``current`` is not among them (a new claim)."""
    rest = list(recent[recent.index(current) + 1 :]) if current in recent else list(recent)
    return rest[0] if rest else None
