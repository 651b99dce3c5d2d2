"""Reading the claim queue: filters, counts and pages, all done in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import (
    Engine,
    Exists,
    Float,
    Select,
    Subquery,
    and_,
    case,
    cast,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from workbench.auth.accounts import actor_of
from workbench.auth.permissions import Action, allowed, require
from workbench.db.models import Claim, Document, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import NotFound
from workbench.extract.segment import paragraph_span
from workbench.schemas import Actor, ClaimOut, ClaimStatus, EvidenceOut, ReviewOut, Verdict

ReviewState = Literal["to_review", "reviewed", "not_a_claim", "all"]
# "reading": documents in ingest order, claims in reading order. "disagreement": the claims
# whose reviewers split most first (admins only: it shows others' verdicts indirectly).
QueueSort = Literal["reading", "disagreement"]
REVIEW_STATES: dict[ReviewState, str] = {
    "to_review": "To review",
    "reviewed": "Reviewed",
    "not_a_claim": "Not a claim",
    "all": "All",
}


class ClaimFilter(BaseModel):
    """What the queue shows. Every field narrows; the defaults show the work still to do."""

    state: ReviewState = "to_review"
    document_id: int | None = None
    speaker: str | None = None
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    max_score: float = Field(default=1.0, ge=0.0, le=1.0)
    search: str = ""
    sort: QueueSort = "reading"


class ClaimPage(BaseModel):
    items: list[ClaimOut]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class Progress(BaseModel):
    reviewed: int  # open claims with at least one verdict
    total: int  # open claims (not-a-claim ones are out of the count)
    not_a_claim: int


class DocumentSummary(BaseModel):
    id: int
    title: str
    source: str
    claims: int


class ClaimDetail(BaseModel):
    """Everything the claim view shows: the claim, where it sits, and its reviews."""

    claim: ClaimOut
    document_text: str
    document_source: str
    paragraph_start: int
    paragraph_end: int
    reviews: list[ReviewOut]
    # Other reviewers' reviews withheld from this reader until they decide (blind review).
    hidden_reviews: int = 0


def _has_verdict() -> Exists:
    return exists().where(Review.claim_id == Claim.id, Review.verdict.is_not(None))


Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


def _filtered(query: Q, flt: ClaimFilter) -> Q:
    if flt.state == "to_review":
        query = query.where(Claim.status == ClaimStatus.open, ~_has_verdict())
    elif flt.state == "reviewed":
        query = query.where(Claim.status == ClaimStatus.open, _has_verdict())
    elif flt.state == "not_a_claim":
        query = query.where(Claim.status == ClaimStatus.not_a_claim)
    if flt.document_id is not None:
        query = query.where(Claim.document_id == flt.document_id)
    if flt.speaker:
        query = query.where(Claim.speaker == flt.speaker)
    query = query.where(Claim.score >= flt.min_score, Claim.score <= flt.max_score)
    for word in flt.search.split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(
            or_(Claim.text.ilike(pattern, escape="\\"), Claim.speaker.ilike(pattern, escape="\\"))
        )
    return query


# The queue's order: a document's claims in reading order, documents in ingest order.
_ORDER = (Claim.document_id, Claim.char_start, Claim.id)


def list_claims(
    engine: Engine,
    flt: ClaimFilter,
    *,
    page: int = 1,
    page_size: int = 25,
    actor: Actor | None = None,
) -> ClaimPage:
    """A page of the queue (``actor``: who is asking; ``None`` is the command line)."""
    page = max(1, page)
    if flt.sort == "disagreement" and actor is not None:
        # Blind review: the order would tell a reviewer where others disagreed.
        require(actor, Action.see_all_reviews)
    with unit_of_work(engine) as session:
        total = session.scalar(_filtered(select(func.count(Claim.id)), flt)) or 0
        split = _disagreement()
        query = _filtered(_claim_rows().add_columns(split.c.share), flt).outerjoin(
            split, split.c.claim_id == Claim.id
        )
        if flt.sort == "disagreement":
            query = query.order_by(split.c.share.desc().nulls_last(), split.c.n.desc(), *_ORDER)
        else:
            query = query.order_by(*_ORDER)
        rows = session.execute(query.limit(page_size).offset((page - 1) * page_size)).all()
        return ClaimPage(
            items=[_claim_out(claim, title, count, share) for claim, title, count, share in rows],
            total=total,
            page=page,
            page_size=page_size,
        )


def _disagreement() -> Subquery:
    """Per claim with two or more verdicts, the share of pairs of verdicts that differ.

    The same figure as ``workbench.agreement.report.claim_disagreement``, in SQL so the
    queue can sort and page on it: 1 - sum over verdicts of c(c-1) / n(n-1).
    """
    per_verdict = [
        func.sum(case((Review.verdict == verdict.value, 1), else_=0)) for verdict in Verdict
    ]
    n = func.count(Review.id)
    agreeing = sum((c * (c - 1) for c in per_verdict[1:]), per_verdict[0] * (per_verdict[0] - 1))
    return (
        select(
            Review.claim_id,
            n.label("n"),
            (1.0 - cast(agreeing, Float) / cast(n * (n - 1), Float)).label("share"),
        )
        .where(Review.verdict.is_not(None))
        .group_by(Review.claim_id)
        .having(n >= 2)
        .subquery()
    )


def next_claim_id(engine: Engine, flt: ClaimFilter, after: int | None) -> int | None:
    """The claim to open after ``after`` in queue order: the next one still to review."""
    todo = flt.model_copy(update={"state": "to_review"})
    with unit_of_work(engine) as session:
        query = _filtered(select(Claim.id), todo)
        if after is not None:
            current = session.get(Claim, after)
            if current is not None:
                key = (current.document_id, current.char_start, current.id)
                later = select(Claim.id).where(
                    or_(
                        Claim.document_id > key[0],
                        and_(Claim.document_id == key[0], Claim.char_start > key[1]),
                        and_(
                            Claim.document_id == key[0],
                            Claim.char_start == key[1],
                            Claim.id > key[2],
                        ),
                    )
                )
                found = session.scalar(query.where(Claim.id.in_(later)).order_by(*_ORDER).limit(1))
                if found is not None:
                    return found
        # Nothing after it: wrap round to the first claim still to review.
        return session.scalar(query.order_by(*_ORDER).limit(1))


def progress(engine: Engine, document_id: int | None = None) -> Progress:
    with unit_of_work(engine) as session:
        base = select(func.count(Claim.id))
        if document_id is not None:
            base = base.where(Claim.document_id == document_id)
        total = session.scalar(base.where(Claim.status == ClaimStatus.open)) or 0
        reviewed = session.scalar(base.where(Claim.status == ClaimStatus.open, _has_verdict())) or 0
        dismissed = session.scalar(base.where(Claim.status == ClaimStatus.not_a_claim)) or 0
        return Progress(reviewed=reviewed, total=total, not_a_claim=dismissed)


def list_documents(engine: Engine) -> list[DocumentSummary]:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Document.id, Document.title, Document.source, func.count(Claim.id))
            .outerjoin(Claim)
            .group_by(Document.id)
            .order_by(Document.id)
        ).all()
        return [DocumentSummary(id=r[0], title=r[1], source=r[2], claims=r[3]) for r in rows]


def list_speakers(engine: Engine) -> list[str]:
    with unit_of_work(engine) as session:
        return list(
            session.scalars(
                select(Claim.speaker)
                .where(Claim.speaker.is_not(None))
                .distinct()
                .order_by(Claim.speaker)
            )
        )


def get_document_text(engine: Engine, document_id: int) -> tuple[str, str]:
    """(title, full text) of a document."""
    with unit_of_work(engine) as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(f"document {document_id} does not exist")
        return document.title, document.text


def get_claim(engine: Engine, claim_id: int, actor: Actor | None = None) -> ClaimDetail:
    """A claim and its reviews as ``actor`` may see them (``None``: the CLI, sees all)."""
    with unit_of_work(engine) as session:
        row = session.execute(_claim_rows().where(Claim.id == claim_id)).first()
        if row is None:
            raise NotFound(f"claim {claim_id} does not exist")
        claim = _claim_out(*row)
        document = session.get_one(Document, claim.document_id)
        start, end = paragraph_span(document.text, claim.char_start, claim.char_end)
        reviews = session.scalars(
            select(Review).where(Review.claim_id == claim_id).order_by(Review.id)
        ).all()
        shown = visible_reviews(session, actor, reviews)
        return ClaimDetail(
            claim=claim,
            document_text=document.text,
            document_source=document.source,
            paragraph_start=start,
            paragraph_end=end,
            reviews=[review_out(r) for r in shown],
            hidden_reviews=len(reviews) - len(shown),
        )


def visible_reviews(
    session: Session, actor: Actor | None, reviews: Sequence[Review]
) -> list[Review]:
    """Blind review: until a reader has given their own verdict on a claim, they see only their
    own review of it, so other reviewers' verdicts, notes and URLs cannot anchor theirs.

    Those allowed to see all reviews (admins) and the command line (``None``) see everything.
    The role is read from the stored account: a demoted admin stops seeing at once.
    """
    if actor is None:
        return list(reviews)
    user = session.get(User, actor.id)
    if user is not None and not user.disabled and allowed(actor_of(user), Action.see_all_reviews):
        return list(reviews)
    own = [r for r in reviews if r.reviewer_id == actor.id]
    if any(r.verdict is not None for r in own):
        return list(reviews)
    return own


def review_out(review: Review) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        reviewer=review.reviewer.name,
        verdict=Verdict(review.verdict) if review.verdict else None,
        note=review.note,
        urls=[EvidenceOut(url=e.url, added_at=e.added_at) for e in review.evidence],
        version=review.version,
        created_at=review.created_at,
        updated_at=review.updated_at,
        decided_at=review.decided_at,
        seconds_spent=review.seconds_spent,
    )


def _claim_rows() -> Select[Claim, str, int]:
    review_count = (
        select(func.count(Review.id))
        .where(Review.claim_id == Claim.id, Review.verdict.is_not(None))
        .correlate(Claim)
        .scalar_subquery()
    )
    return select(Claim, Document.title, review_count).join(Document)


def _claim_out(
    claim: Claim, title: str, review_count: int, disagreement: float | None = None
) -> ClaimOut:
    return ClaimOut(
        id=claim.id,
        document_id=claim.document_id,
        document_title=title,
        text=claim.text,
        char_start=claim.char_start,
        char_end=claim.char_end,
        speaker=claim.speaker,
        score=claim.score,
        extractor=claim.extractor,
        status=ClaimStatus(claim.status),
        review_count=review_count,
        disagreement=None if disagreement is None else round(float(disagreement), 3),
    )
