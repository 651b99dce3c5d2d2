"""The queue's review side: what a row shows of a claim's reviews as its reader may see them
(blind review), and the accounts its "Reviewer" filter lists."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import FinalVerdict, Review, User
from workbench.db.session import unit_of_work
from workbench.schemas import FinalSource, Role, Verdict


class RowReviews(BaseModel):
    """What a queue row shows of a claim's reviews, as its reader may see them."""

    verdicts: list[Verdict] = Field(default_factory=list)  # every decided verdict (see all)
    final: Verdict | None = None  # (those who see all)
    final_source: FinalSource | None = None
    mine: Verdict | None = None  # the reader's own verdict


def row_reviews(
    session: Session, claim_ids: list[int], reader: int | None, *, sees_all: bool
) -> dict[int, RowReviews]:
    """The reviews a page's rows show: every verdict and the final one for those who see all,
    the reader's own verdict for everyone. Two reads by claim id (a page's worth)."""
    if not claim_ids:
        return {}
    found = {claim_id: RowReviews() for claim_id in claim_ids}
    reviews = session.execute(
        select(Review.claim_id, Review.reviewer_id, Review.verdict)
        .where(Review.claim_id.in_(claim_ids), Review.verdict.is_not(None))
        .order_by(Review.claim_id, Review.id)
    )
    for claim_id, reviewer_id, verdict in reviews:
        row = found[claim_id]
        if reviewer_id == reader:
            row.mine = Verdict(str(verdict))
        if sees_all:
            row.verdicts.append(Verdict(str(verdict)))
    if sees_all:
        finals = session.execute(
            select(FinalVerdict.claim_id, FinalVerdict.verdict, FinalVerdict.source).where(
                FinalVerdict.claim_id.in_(claim_ids)
            )
        )
        for claim_id, verdict, source in finals:
            found[claim_id].final = Verdict(verdict)
            found[claim_id].final_source = FinalSource(source)
    return found


def reviewer_names(engine: Engine, actor: Caller) -> list[str]:
    """The accounts that may give verdicts, by name: the queue's "Reviewer" filter (for those
    who may see every review: who reviewed what is others' work)."""
    with unit_of_work(engine) as session:
        authorize(session, actor, Action.see_all_reviews)
        roles = (Role.admin.value, Role.reviewer.value)
        return list(
            session.scalars(select(User.name).where(User.role.in_(roles)).order_by(User.name))
        )
