"""The queue's review side: its filters by what the reviews say, what a row shows of a claim's
reviews as its reader may see them (blind review), and the accounts its "Reviewer" filter
lists. ``workbench.review.queue`` holds the filter (``ClaimFilter``) and the pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Engine, Select, exists, func, select, true
from sqlalchemy.orm import QueryableAttribute, Session

from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim, FinalVerdict, Review, User
from workbench.db.session import unit_of_work
from workbench.review import stats
from workbench.schemas import ClaimStatus, FinalSource, Role

if TYPE_CHECKING:
    from workbench.review.queue import ClaimFilter

Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


class Terms(Protocol):
    """The filters by reviews of a ``queue.ClaimFilter``."""

    @property
    def verdict(self) -> str | None: ...
    @property
    def final(self) -> str: ...
    @property
    def final_from(self) -> str: ...
    @property
    def reviewer(self) -> str | None: ...
    @property
    def split(self) -> bool: ...
    @property
    def project_id(self) -> int | None: ...


def review_terms(query: Q, flt: Terms, reader: int | None) -> Q:
    """``query`` (over claims) narrowed by ``flt``'s verdict given (``reader``'s own when not
    None), reviewer and final verdict: one seek per claim looked at (ix_reviews_claim_id, the
    final verdicts' unique claim_id)."""
    if flt.verdict is not None:
        given = exists().where(Review.claim_id == Claim.id, Review.verdict == flt.verdict)
        if reader is not None:
            given = given.where(Review.reviewer_id == reader)
        query = query.where(given)
    if flt.reviewer is not None:
        query = query.where(
            exists().where(
                Review.claim_id == Claim.id,
                Review.verdict.is_not(None),
                Review.reviewer_id
                == select(User.id).where(User.name == flt.reviewer).scalar_subquery(),
            )
        )
    if flt.final == "none":
        query = query.where(~exists().where(FinalVerdict.claim_id == Claim.id))
    elif flt.final != "any" or flt.final_from != "any":
        final = exists().where(FinalVerdict.claim_id == Claim.id)
        if flt.final != "any":
            final = final.where(FinalVerdict.verdict == flt.final)
        if flt.final_from == "adjudicated":
            final = final.where(FinalVerdict.source == FinalSource.adjudicated.value)
        elif flt.final_from == "automatic":
            final = final.where(FinalVerdict.source != FinalSource.adjudicated.value)
        query = query.where(final)
    return query


def few_claims(session: Session, flt: Terms, reader: int | None, limit: int) -> Select[int] | None:
    """The ids of the claims one of ``flt``'s filters by reviews allows, if it allows no more
    than ``limit`` (counted on that filter's own index: a verdict, a reviewer's reviews,
    the final verdicts, the split claims); None when each allows more (then the queue's order
    is walked, and dense matches fill a page quickly)."""
    candidates: list[Select[int]] = []
    if flt.verdict is not None:
        given = select(Review.claim_id).where(Review.verdict == flt.verdict)
        if reader is not None:
            given = given.where(Review.reviewer_id == reader)
        candidates.append(given)
    if flt.reviewer is not None:
        who = select(User.id).where(User.name == flt.reviewer).scalar_subquery()
        candidates.append(
            select(Review.claim_id).where(Review.reviewer_id == who, Review.verdict.is_not(None))
        )
    if flt.final not in ("any", "none") or flt.final_from != "any":
        finals = select(FinalVerdict.claim_id)
        if flt.final not in ("any", "none"):
            finals = finals.where(FinalVerdict.verdict == flt.final)
        if flt.final_from == "adjudicated":
            finals = finals.where(FinalVerdict.source == FinalSource.adjudicated.value)
        elif flt.final_from == "automatic":
            finals = finals.where(FinalVerdict.source != FinalSource.adjudicated.value)
        candidates.append(finals)
    if flt.split:  # ix_claims_disagreement: (status, disagreement) leads it
        candidates.append(
            select(Claim.id).where(Claim.status == ClaimStatus.open.value, Claim.disagreement > 0)
        )
    for candidate in candidates:
        bounded = candidate.limit(limit + 1).subquery()
        if (session.scalar(select(func.count()).select_from(bounded)) or 0) <= limit:
            return candidate
    return None


def without_final(session: Session, flt: Terms, in_state: int | None) -> int | None:
    """How many claims have no final verdict yet, when that is all ``flt`` narrows by over
    every claim (state "All", ``in_state`` its count of claims: not narrowed by a document,
    speaker, score or words): the claims less those with a final verdict, two counts of
    index entries. None for any other filter.

    Counted by walking the claims instead, "none yet" costs a seek into the final verdicts
    per claim until the count's cap is reached: when few or no claims lack one (a project
    whose claims are all decided), that is every claim, twice (the count, then the page),
    0.2 s at 100,000 claims on either backend, 0.6-1.1 s under load (issue 13).
    """
    others = flt.verdict is not None or flt.reviewer is not None or flt.split
    if flt.final != "none" or others or in_state is None:
        return None
    finals_query = select(func.count()).select_from(FinalVerdict)
    if flt.project_id is not None:  # the project's final verdicts
        finals_query = finals_query.join(Claim, Claim.id == FinalVerdict.claim_id).where(
            Claim.project_id == flt.project_id
        )
    finals = session.scalar(finals_query) or 0
    # Final verdicts of held-out sentences (out of "All"; none unless a person decided one
    # before the re-scorer held it out): the held-out claims are a range of ix_claims_status_score.
    held_out = session.scalar(
        select(func.count())
        .select_from(FinalVerdict)
        .join(Claim, Claim.id == FinalVerdict.claim_id)
        .where(Claim.status == ClaimStatus.held_out.value)
        .where(true() if flt.project_id is None else Claim.project_id == flt.project_id)
    )
    return max(0, in_state - (finals - (held_out or 0)))


class RowReviews(BaseModel):
    """What a queue row shows of a claim's reviews, as its reader may see them."""

    verdicts: list[str] = Field(default_factory=list)  # every decided verdict (see all)
    final: str | None = None  # (those who see all)
    final_source: FinalSource | None = None
    mine: str | None = None  # the reader's own verdict


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
            row.mine = str(verdict)
        if sees_all:
            row.verdicts.append(str(verdict))
    if sees_all:
        finals = session.execute(
            select(FinalVerdict.claim_id, FinalVerdict.verdict, FinalVerdict.source).where(
                FinalVerdict.claim_id.in_(claim_ids)
            )
        )
        for claim_id, verdict, source in finals:
            found[claim_id].final = str(verdict)
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


def state_total(session: Session, flt: ClaimFilter, k: int = 1) -> int | None:
    """How many claims a filter by review state alone shows, from the kept totals (no count
    over the claims); None for a filter narrowed further."""
    narrowed = (
        flt.document_id is not None
        or bool(flt.speaker)
        or (flt.min_score, flt.max_score) != (0.0, 1.0)
        or bool(flt.search.split())
    )
    if narrowed:
        return None
    counts = stats.totals(session, flt.project_id)
    if flt.state in ("needs_more", "complete"):
        # The partly reviewed claims: a range of ix_claims_queue (status, verdicts).
        partly = session.scalar(
            select(func.count())
            .where(Claim.status == ClaimStatus.open.value, Claim.verdicts > 0, Claim.verdicts < k)
            .where(true() if flt.project_id is None else Claim.project_id == flt.project_id)
        )
        partly = partly or 0
        return partly if flt.state == "needs_more" else counts.reviewed - partly
    return {
        "to_review": counts.to_review,
        "reviewed": counts.reviewed,
        "not_a_claim": counts.not_a_claim,
        "all": counts.claims,
    }[flt.state]


OrderKey = ColumnElement[Any] | QueryableAttribute[Any]


def page_order(postgresql: bool, *keys: OrderKey) -> tuple[OrderKey, ...]:
    """The ORDER BY of a page of one project's queue, ``keys`` after the project on PostgreSQL.

    PostgreSQL drops an ORDER BY key the WHERE fixes to one value, so with ``project_id = p``
    the reading order is ``document_id, ...``, which ix_claims_document_id gives too; and its
    estimate takes a project's claims to be spread over every document, so for a project
    holding half the claims it expects the page within the first few dozen entries of that
    index, and walks every claim of the projects before it (50 ms for the page of a
    100,000-claim project after 100,000 others, against 0.1 ms). The project written as a
    range of one value (``queue._filtered`` does, for a page) stays an ORDER BY key that only
    the indexes the project leads give, so the page is a walk of the project's own entries.
    """
    return (Claim.project_id, *keys) if postgresql else keys
