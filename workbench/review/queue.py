"""Reading the claim queue: filters, counts and pages, all done in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, joinedload

from workbench import schemas
from workbench.auth.policy import Action, Caller, authorize, may
from workbench.db.models import Claim, Document, Review
from workbench.db.session import unit_of_work
from workbench.errors import NotFound
from workbench.extract.segment import paragraph_span
from workbench.projects.service import check_verdicts
from workbench.review import scope, stats
from workbench.review.options import escape_like
from workbench.review.queue_rows import (
    RowReviews,
    few_claims,
    page_order,
    review_terms,
    row_reviews,
    state_total,
    without_final,
)
from workbench.review.writes import reviews_per_claim
from workbench.schemas import (
    ClaimOut,
    ClaimStatus,
    EvidenceOut,
    Page,
    ReviewOut,
    VerdictName,
)

ReviewState = Literal["to_review", "needs_more", "complete", "reviewed", "not_a_claim", "all"]
# "reading": documents in ingest order, claims in reading order. "disagreement": the claims
# whose reviewers split most first (admins only: it shows others' verdicts indirectly).
QueueSort = Literal["reading", "disagreement"]
REVIEW_STATES: dict[ReviewState, str] = {
    "to_review": "Unreviewed",
    "needs_more": "Needs more reviews",  # open, some verdicts but fewer than k
    "complete": "Fully reviewed",  # open, k verdicts or more
    "reviewed": "Reviewed at least once",
    "not_a_claim": "Not a claim",
    "all": "All",
}
# Which final verdicts the queue shows: any claim, those without one yet, or one verdict.
# "any", "none", or a verdict of the project's scale (checked by list_claims: the scale is
# the project's, which the filter does not know when it is made; no scale has "any" or "none").
FinalChoice = VerdictName
# How the final verdict came: agreed by the reviewers (automatic: single or consensus) or
# decided by an admin on the Adjudication page.
FinalFrom = Literal["any", "automatic", "adjudicated"]
# A count of claims narrowed by what reviews say stops here: past it the queue says "more
# than", so the count costs the same at any corpus size (a page is read in order anyway).
COUNT_CAP = 1_000
# Up to this many claims in range, a page finds them through an index and sorts them.
SPARSE = 2_000


class ClaimFilter(BaseModel):
    """What the queue shows. Every field narrows; the defaults show the work still to do."""

    state: ReviewState = "to_review"
    document_id: int | None = None
    speaker: str | None = None
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    max_score: float = Field(default=1.0, ge=0.0, le=1.0)
    search: str = ""
    sort: QueueSort = "reading"
    # What the reviews say. ``verdict``: a review gave it (for a blind reviewer: their own
    # review). The others are for those who may see every review (admins): the service refuses
    # them to anyone else, as they would tell a reviewer others' verdicts before their own.
    verdict: VerdictName | None = None
    final: FinalChoice = "any"
    final_from: FinalFrom = "any"
    reviewer: str | None = None  # claims this account gave a verdict on
    split: bool = False  # claims whose reviewers disagree (disagreement > 0)
    # The project's claims only (issue 14); None: list_claims resolves it for the reader.
    project_id: int | None = None

    @property
    def by_reviews(self) -> bool:
        """Whether it narrows by what the reviews say (the terms counted up to a cap)."""
        return (
            self.verdict is not None
            or self.final != "any"
            or self.final_from != "any"
            or self.reviewer is not None
            or self.split
        )

    @property
    def needs_all_reviews(self) -> bool:
        """Whether only those who may see every review may use it."""
        return (
            self.sort == "disagreement"
            or self.final != "any"
            or self.final_from != "any"
            or self.reviewer is not None
            or self.split
        )


# The filter by reviews left out: ``flt.model_copy(update=NO_REVIEW_TERMS)``.
NO_REVIEW_TERMS: dict[str, Any] = {
    "verdict": None,
    "final": "any",
    "final_from": "any",
    "reviewer": None,
    "split": False,
}


class ClaimPage(Page[ClaimOut]):
    """One page of the claim list."""

    k: int = 1  # reviews per claim, for the rows' review state
    more: bool = False  # ``total`` is :data:`COUNT_CAP` and more claims match
    reviews: dict[int, RowReviews] = Field(default_factory=dict)  # per claim id on the page


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


Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


def _filtered(
    query: Q,
    flt: ClaimFilter,
    *,
    sqlite: bool = False,
    page: bool = False,
    k: int = 1,
    reader: int | None = None,
    among: Select[int] | None = None,
    sparse: bool = False,
) -> Q:
    """``query`` narrowed to the claims ``flt`` shows.

    ``k``: reviews per claim (the states "needs more reviews" and "fully reviewed").
    ``reader``: the account whose own reviews ``flt.verdict`` looks at (a blind reviewer);
    None for those who see every review. ``among``: the ids of the few claims one of the
    filters by reviews allows (``queue_rows.few_claims``), which then lead the query.
    ``sparse``: the claims in range are few (under :data:`SPARSE`): found through their
    index and sorted, rather than found walking the queue's order past every other claim.

    ``sqlite``: the query runs on SQLite, whose planner has no statistics (the workbench never
    runs ANALYZE) and takes every equality on an indexed column for a selective one. Terms
    that would lead it to the wrong index are then written so that no index can serve them
    (``status || ''``, ``score + 0``), leaving the index that fits: the speaker's or the
    document's claims for those filters, and, for a ``page`` of the queue, the index that
    gives its order, which it walks and leaves after the page, instead of sorting every
    claim in range. PostgreSQL weighs its own statistics; for a page there, the project is a
    range of one value, which ``queue_rows.page_order`` explains.
    """
    status: ColumnElement[str] = Claim.status.expression
    verdicts: ColumnElement[int] = Claim.verdicts.expression
    score: ColumnElement[float] = Claim.score.expression
    disagreement: ColumnElement[float] = Claim.disagreement.expression
    narrow = False
    if sqlite:
        narrow = bool(flt.speaker) or (flt.document_id is not None and flt.state != "to_review")
        narrow = narrow or among is not None
        in_order = page and not sparse and flt.state in ("reviewed", "needs_more", "complete")
        if narrow or (in_order and flt.sort == "reading"):
            status = Claim.status + ""
        if narrow or in_order:
            verdicts = Claim.verdicts + 0
        if page:
            score = Claim.score + 0.0
        if narrow or (page and flt.sort == "reading"):
            disagreement = Claim.disagreement + 0.0
    if flt.project_id is not None:  # it leads every claim index the queue reads
        project: ColumnElement[int] = Claim.project_id.expression
        if sqlite and narrow:  # the speaker's or the document's index, not a project's
            project = Claim.project_id + 0
        ranged = (project >= flt.project_id, project <= flt.project_id)
        query = query.where(*(ranged if page and not sqlite else (project == flt.project_id,)))
    if flt.state == "to_review":
        # ix_claims_queue: (project, status, verdicts) leads it, then reading order.
        query = query.where(status == ClaimStatus.open.value, verdicts == 0)
    elif flt.state == "reviewed":
        query = query.where(status == ClaimStatus.open.value, verdicts > 0)
    elif flt.state == "needs_more":
        query = query.where(status == ClaimStatus.open.value, verdicts > 0, verdicts < k)
    elif flt.state == "complete":
        query = query.where(status == ClaimStatus.open.value, verdicts >= k)
    elif flt.state == "not_a_claim":
        query = query.where(status == ClaimStatus.not_a_claim.value)
    else:
        # "All": every claim, but not the sentences the extractor holds out of the queue until
        # it re-scores them (workbench.review.rescore): those are not claims yet.
        query = query.where(status != ClaimStatus.held_out.value)
    if flt.document_id is not None:
        query = query.where(Claim.document_id == flt.document_id)
    if flt.speaker:
        query = query.where(Claim.speaker == flt.speaker)
    if (flt.min_score, flt.max_score) != (0.0, 1.0):  # scores are 0 to 1 (ck_claims_score_range)
        query = query.where(score >= flt.min_score, score <= flt.max_score)
    for word in flt.search.split():
        pattern = f"%{escape_like(word)}%"
        query = query.where(
            or_(Claim.text.ilike(pattern, escape="\\"), Claim.speaker.ilike(pattern, escape="\\"))
        )
    # What the reviews say: one seek per claim looked at (ix_reviews_claim_id, the final
    # verdicts' unique claim_id), the page read in the queue's order and left when full;
    # or, when one of them allows few claims, those claims by id (``among``).
    if among is not None:
        query = query.where(Claim.id.in_(among))
    if flt.split:
        query = query.where(disagreement > 0)
    return review_terms(query, flt, reader)


# The queue's order: a document's claims in reading order, documents in ingest order. Unique
# (uq_claims_span), and the tail of ix_claims_queue and ix_claims_disagreement.
_ORDER = (Claim.document_id, Claim.char_start, Claim.char_end)


def list_claims(
    engine: Engine,
    flt: ClaimFilter,
    *,
    page: int = 1,
    page_size: int = 25,
    actor: Caller,
) -> ClaimPage:
    """A page of the queue (``actor``: who is asking; ``SYSTEM`` is the command line)."""
    page = max(1, page)
    with unit_of_work(engine) as session:
        project = scope.project_for(session, flt.project_id, actor)
        flt = flt.model_copy(update={"project_id": project})
        final = None if flt.final in ("any", "none") else flt.final
        check_verdicts(session, project, (flt.verdict, final))
        # Blind review: the order, a final verdict, another's verdict or who reviewed
        # what would tell a reviewer what others said before they decide.
        wanted = Action.see_all_reviews if flt.needs_all_reviews else Action.read
        sees_all = scope.sees_all(authorize(session, actor, wanted, project))
        reader = None if sees_all else actor.id
        k = reviews_per_claim(session, project)
        sqlite = session.get_bind().dialect.name == "sqlite"
        more = False
        in_state = state_total(session, flt.model_copy(update=NO_REVIEW_TERMS), k)
        total = None if flt.by_reviews else in_state
        among = few_claims(session, flt, reader, SPARSE) if flt.by_reviews else None
        # Few claims in range: found through an index and sorted (a few thousand at most),
        # not found walking the queue's order past every other claim.
        sparse = among is not None or (
            in_state is not None and in_state <= SPARSE and flt.state != "to_review"
        )

        def narrowed(query: Q, *, page: bool = False) -> Q:
            return _filtered(
                query, flt, sqlite=sqlite, page=page, k=k, reader=reader, among=among, sparse=sparse
            )

        if flt.by_reviews and sparse:  # a few thousand claims at most: counted
            count = narrowed(select(func.count(Claim.id)))
            total = session.scalar(count) or 0
        elif total is None and flt.by_reviews:
            # Counted up to the cap: past it, "more than" (the same cost at any size).
            known = without_final(session, flt, in_state) if flt.state == "all" else None
            if known is None:
                ids = narrowed(select(Claim.id)).limit(COUNT_CAP + 1).subquery()
                known = session.scalar(select(func.count()).select_from(ids)) or 0
            more = known > COUNT_CAP
            total = min(known, COUNT_CAP)
        elif total is None:  # narrowed by a document, speaker, score or words: counted
            count = narrowed(select(func.count(Claim.id)))
            total = session.scalar(count) or 0
        query = narrowed(_claim_rows(), page=True)
        # Claims still to review have no verdict to split on: their disagreement order is the
        # reading order, which ix_claims_queue gives without walking the reviewed claims.
        if flt.sort == "disagreement" and flt.state != "to_review":
            # ix_claims_disagreement: the share of differing pairs (kept per claim by
            # workbench.review.stats), then the claims with more verdicts, then reading order.
            keys = (Claim.disagreement.desc(), Claim.verdicts.desc(), *_ORDER)
            query = query.order_by(*page_order(not sqlite, *keys))
        else:
            query = query.order_by(*page_order(not sqlite, *_ORDER))
        # OFFSET walks the index entries before the page: the first pages, where people
        # work, cost the same at any size; page n costs n x page_size index entries.
        rows: Sequence[Claim] = []
        # Counted none (by the reviews): the page would walk every claim in range to find none.
        if not (flt.by_reviews and total == 0):
            rows = session.scalars(query.limit(page_size).offset((page - 1) * page_size)).all()
        ids_shown = [claim.id for claim in rows]
        return ClaimPage(
            items=[claim_out(claim) for claim in rows],
            total=total,
            page=page,
            page_size=page_size,
            k=k,
            more=more,
            reviews=row_reviews(session, ids_shown, actor.id, sees_all=sees_all),
        )


def next_claim_id(engine: Engine, flt: ClaimFilter, after: int | None) -> int | None:
    """The claim to open after ``after`` in queue order: the next one still to review."""
    # Claims still to review have no reviews to narrow by: those terms are left out.
    todo = flt.model_copy(update={"state": "to_review", **NO_REVIEW_TERMS})
    with unit_of_work(engine) as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        current = None if after is None else session.get(Claim, after)
        if todo.project_id is None:  # the current claim's project (it leads the index)
            project = current.project_id if current else scope.sole_project(session)
            todo = todo.model_copy(update={"project_id": project})
        # Not a page on PostgreSQL: the project an equality, which the seek below needs.
        query = _filtered(select(Claim.id), todo, sqlite=sqlite, page=sqlite)
        if current is not None:
            # A seek in ix_claims_queue to the position after the current claim.
            key = (current.document_id, current.char_start, current.char_end)
            found = session.scalar(
                query.where(tuple_(*_ORDER) > tuple_(*key)).order_by(*_ORDER).limit(1)
            )
            if found is not None:
                return found
        # Nothing after it: wrap round to the first claim still to review.
        return session.scalar(query.order_by(*_ORDER).limit(1))


def progress(
    engine: Engine, document_id: int | None = None, *, project_id: int | None = None
) -> Progress:
    """How many claims are open, reviewed (open with a verdict) and out of the queue.

    Over the project's claims (``project_id``; None: every project's) from the totals
    workbench.review.stats keeps (a few rows read, at any size); for one document, counted
    over its claims.
    """
    with unit_of_work(engine) as session:
        if document_id is None:
            # One project's (the only one's when none is named: its totals and count).
            counts = stats.totals(session, project_id or scope.sole_project(session))
            return Progress(
                reviewed=counts.reviewed, total=counts.open, not_a_claim=counts.not_a_claim
            )
        rows = session.execute(
            select(Claim.status, Claim.verdicts > 0, func.count())
            .where(Claim.document_id == document_id)
            .group_by(Claim.status, Claim.verdicts > 0)
        ).all()
    found = {(str(status), bool(reviewed)): int(n) for status, reviewed, n in rows}
    open_, dismissed = ClaimStatus.open.value, ClaimStatus.not_a_claim.value
    return Progress(
        reviewed=found.get((open_, True), 0),
        total=found.get((open_, True), 0) + found.get((open_, False), 0),
        not_a_claim=found.get((dismissed, True), 0) + found.get((dismissed, False), 0),
    )


def list_documents(engine: Engine) -> list[DocumentSummary]:
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Document.id, Document.title, Document.source, func.count(Claim.id))
            # Held-out sentences (workbench.review.rescore) are not the document's claims.
            .outerjoin(
                Claim,
                and_(
                    Claim.document_id == Document.id,
                    Claim.status != ClaimStatus.held_out.value,
                ),
            )
            .group_by(Document.id)
            .order_by(Document.id)
        ).all()
        return [DocumentSummary(id=r[0], title=r[1], source=r[2], claims=r[3]) for r in rows]


def corpus_marks(engine: Engine) -> stats.Marks:
    """The newest id of each table (``stats.Marks``): when they are the same as at an earlier
    reading, no document, claim, review, final verdict, lease or history entry was added
    since. One round trip of primary-key lookups; the pages key what they cache on it."""
    with unit_of_work(engine) as session:
        return stats.marks(session)


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


def get_claim(engine: Engine, claim_id: int, actor: Caller) -> ClaimDetail:
    """A claim and its reviews as ``actor`` may see them (``SYSTEM``, the CLI, sees all)."""
    with unit_of_work(engine) as session:
        reader = scope.authorize_claim(session, actor, Action.read, claim_id)
        row = session.scalar(_claim_rows().where(Claim.id == claim_id))
        if row is None:
            raise NotFound(f"claim {claim_id} does not exist")
        claim = claim_out(row)
        document = session.get_one(Document, claim.document_id)
        start, end = paragraph_span(document.text, claim.char_start, claim.char_end)
        reviews = session.scalars(
            select(Review).where(Review.claim_id == claim_id).order_by(Review.id)
        ).all()
        shown = visible_reviews(session, reader, reviews, checked=True)
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
    session: Session, actor: Caller, reviews: Sequence[Review], *, checked: bool = False
) -> list[Review]:
    """Blind review: until a reader has given their own verdict on a claim, they see only their
    own review of it, so other reviewers' verdicts, notes and URLs cannot anchor theirs.

    Those allowed to see all reviews (admins) and the command line (``SYSTEM``) see everything.
    The role is read from the stored account: a demoted admin stops seeing at once.
    ``checked``: ``actor`` is already as stored, with its role in the claim's project
    (``scope.authorize_claim``), so not read again.
    """
    if scope.sees_all(actor) if checked else may(session, actor, Action.see_all_reviews):
        return list(reviews)
    own = [r for r in reviews if r.reviewer_id == actor.id]
    if any(r.verdict is not None for r in own):
        return list(reviews)
    return own


def review_out(review: Review) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        reviewer=review.reviewer.name,
        verdict=review.verdict,
        note=review.note,
        urls=[EvidenceOut(url=e.url, added_at=e.added_at) for e in review.evidence],
        version=review.version,
        created_at=review.created_at,
        updated_at=review.updated_at,
        decided_at=review.decided_at,
        seconds_spent=review.seconds_spent,
        blind_verdict=review.blind_verdict,
        changed_after_reveal=review.changed_after_reveal,
    )


def _claim_rows() -> Select[Claim]:
    # The document comes with each claim (its title is shown): one lookup per row shown.
    return select(Claim).options(
        joinedload(Claim.document, innerjoin=True).load_only(Document.title)
    )


def claim_out(claim: Claim, *, review_count: int | None = None) -> ClaimOut:
    """A claim row (its document loaded) as lists show it (``schemas.claim_out``)."""
    return schemas.claim_out(claim, claim.document.title, review_count=review_count)
