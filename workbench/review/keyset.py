"""The queue read in keyset pages: for the HTTP API's ``GET /claims`` (issue 15).

The app pages with OFFSET (a page number a person clicks); a program walking every claim wants
a cursor instead: the position of the last claim it got, in the queue's order, from which the
next page seeks. Claims added meanwhile do not shift the pages, so a walk sees each claim once.
The filters, their permission checks and blind review are the Queue page's own
(``queue._filtered``, ``queue.list_claims``'s check), and so are its orders (``QueueSort``):

* ``reading``: documents in ingest order, claims in reading order: (document, start, end),
  unique (uq_claims_span), so it needs no tie-breaker;
* ``disagreement`` (admins): the claims whose reviewers split most first, then those with more
  verdicts, then reading order, which breaks every tie (the Queue page's order exactly). For
  claims still to review it is the reading order, as on the Queue page.

A :class:`Position` carries the sort key of the last claim and a digest of the filters it was
made under: a cursor made under one sort or filter set is refused under another, rather than
read as a position in a list it does not belong to.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, and_, or_, select, tuple_
from sqlalchemy.orm import Session

from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim, Document, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, OffScale
from workbench.projects.service import check_verdicts
from workbench.review import queue, scope
from workbench.review.writes import reviews_per_claim
from workbench.schemas import ClaimOut

# reading: (document_id, char_start, char_end); disagreement: (disagreement, verdicts, *those)
Key = tuple[float | int, ...]
_ORDER = (Claim.document_id, Claim.char_start, Claim.char_end)
DIGEST_CHARS = 16


@dataclass(frozen=True)
class Position:
    """Where a page ended: the effective sort, the filters' digest and the last claim's key."""

    sort: queue.QueueSort
    digest: str
    key: Key


def effective_sort(flt: queue.ClaimFilter) -> queue.QueueSort:
    """The order ``flt`` lists in: claims still to review have no verdicts to split on, so
    their disagreement order is the reading order (as on the Queue page)."""
    return "reading" if flt.state == "to_review" else flt.sort


def digest(flt: queue.ClaimFilter) -> str:
    """A short digest of every filter and the sort (the project resolved to its id)."""
    canonical = json.dumps(flt.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:DIGEST_CHARS]


def check_filter(session: Session, flt: queue.ClaimFilter) -> None:
    """Refuse a filter that could only ever match nothing because it is wrong (a verdict off
    the project's scale, a document not in the project, an account that does not exist, an
    empty score range), naming the field, rather than answer an empty list as if it were so."""
    assert flt.project_id is not None
    check_verdicts(session, flt.project_id, (flt.verdict,))
    if flt.final not in ("any", "none"):
        try:
            check_verdicts(session, flt.project_id, (flt.final,))
        except OffScale as exc:
            raise OffScale(str(exc), field="final") from None
    if flt.document_id is not None:
        found = session.scalar(
            select(Document.id).where(
                Document.id == flt.document_id, Document.project_id == flt.project_id
            )
        )
        if found is None:  # the same words for a document of another project: no probing
            raise InvalidInput(
                f"document_id: no document {flt.document_id} in this project",
                field="document_id",
            )
    if flt.reviewer is not None and (
        session.scalar(select(User.id).where(User.name == flt.reviewer)) is None
    ):
        raise InvalidInput(f"reviewer: no account named {flt.reviewer!r}", field="reviewer")
    if flt.min_score > flt.max_score:
        raise InvalidInput(
            f"min_score: {flt.min_score} is above max_score {flt.max_score}", field="min_score"
        )


def _key(claim: Claim, sort: queue.QueueSort) -> Key:
    reading = (claim.document_id, claim.char_start, claim.char_end)
    if sort == "disagreement":
        return (float(claim.disagreement), claim.verdicts, *reading)
    return reading


def _after(sort: queue.QueueSort, key: Key) -> ColumnElement[bool]:
    """The claims after ``key`` in ``sort``'s order (disagreement and verdicts descending)."""
    if sort == "reading":
        return tuple_(*_ORDER) > tuple_(*key)
    split, verdicts, *reading = key
    return or_(
        Claim.disagreement < split,
        and_(
            Claim.disagreement == split,
            or_(
                Claim.verdicts < verdicts,
                and_(Claim.verdicts == verdicts, tuple_(*_ORDER) > tuple_(*reading)),
            ),
        ),
    )


def claims_after(
    engine: Engine,
    flt: queue.ClaimFilter,
    *,
    after: Position | None,
    limit: int,
    actor: Caller,
    project_ref: int | str | None = None,
) -> tuple[list[ClaimOut], Position | None]:
    """Up to ``limit`` claims ``flt`` shows, after ``after`` in ``flt.sort``'s order, and the
    position to ask for the next page with (None: this was the last). ``project_ref``: the
    project's id or name when ``flt`` names none (None: the only one, or the only one
    ``actor`` is in). A position made under other filters or another sort: InvalidInput
    (field "cursor")."""
    with unit_of_work(engine, read_only=True) as session:
        ref = flt.project_id if flt.project_id is not None else project_ref
        project = scope.project_for(session, ref, actor)
        flt = flt.model_copy(update={"project_id": project})
        wanted = Action.see_all_reviews if flt.needs_all_reviews else Action.read
        sees_all = scope.sees_all(authorize(session, actor, wanted, project))
        check_filter(session, flt)
        sort = effective_sort(flt)
        made_under = digest(flt)
        if after is not None and (after.digest != made_under or after.sort != sort):
            raise InvalidInput(
                "the cursor was made for other filters or another sort: send the same ones "
                "with it, or start again without it",
                field="cursor",
            )
        k = reviews_per_claim(session, project)
        sqlite = session.get_bind().dialect.name == "sqlite"
        query = queue._filtered(  # the Queue page's own filter
            queue._claim_rows(),
            flt.model_copy(update={"sort": sort}),
            sqlite=sqlite,
            page=True,
            k=k,
            reader=None if sees_all else actor.id,
        )
        if after is not None:
            query = query.where(_after(sort, after.key))
        if sort == "disagreement":
            query = query.order_by(Claim.disagreement.desc(), Claim.verdicts.desc(), *_ORDER)
        else:
            query = query.order_by(*_ORDER)
        rows = session.scalars(query.limit(limit + 1)).all()
        page = rows[:limit]
        last = page[-1] if len(rows) > limit else None
        position = None if last is None else Position(sort, made_under, _key(last, sort))
        return [queue.claim_out(row) for row in page], position
