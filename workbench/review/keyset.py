"""The queue read in keyset pages: for the HTTP API's ``GET /claims`` (issue 15).

The app pages with OFFSET (a page number a person clicks); a program walking every claim wants
a cursor instead: the position of the last claim it got, in the queue's reading order
(document, start, end; unique), from which the next page seeks. Claims added meanwhile do not
shift the pages, so a walk sees each claim once. The filters, their permission checks and
blind review are the Queue page's own (``queue._filtered``, ``queue.list_claims``'s check).
"""

from __future__ import annotations

from sqlalchemy import Engine, tuple_

from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim
from workbench.db.session import unit_of_work
from workbench.review import queue, scope
from workbench.review.writes import reviews_per_claim
from workbench.schemas import ClaimOut

Key = tuple[int, int, int]  # (document_id, char_start, char_end)
_ORDER = (Claim.document_id, Claim.char_start, Claim.char_end)


def claims_after(
    engine: Engine,
    flt: queue.ClaimFilter,
    *,
    after: Key | None,
    limit: int,
    actor: Caller,
    project_ref: int | str | None = None,
) -> tuple[list[ClaimOut], Key | None]:
    """Up to ``limit`` claims ``flt`` shows, after ``after`` in reading order, and the key to
    ask for the next page with (None: this was the last). ``project_ref``: the project's id
    or name when ``flt`` names none (None: the only one, or the only one ``actor`` is in)."""
    with unit_of_work(engine, read_only=True) as session:
        ref = flt.project_id if flt.project_id is not None else project_ref
        project = scope.project_for(session, ref, actor)
        flt = flt.model_copy(update={"project_id": project, "sort": "reading"})
        wanted = Action.see_all_reviews if flt.needs_all_reviews else Action.read
        sees_all = scope.sees_all(authorize(session, actor, wanted, project))
        k = reviews_per_claim(session, project)
        sqlite = session.get_bind().dialect.name == "sqlite"
        query = queue._filtered(  # the Queue page's own filter
            queue._claim_rows(),
            flt,
            sqlite=sqlite,
            page=True,
            k=k,
            reader=None if sees_all else actor.id,
        )
        if after is not None:
            query = query.where(tuple_(*_ORDER) > tuple_(*after))
        rows = session.scalars(query.order_by(*_ORDER).limit(limit + 1)).all()
        page = rows[:limit]
        last = page[-1] if len(rows) > limit else None
        key = None if last is None else (last.document_id, last.char_start, last.char_end)
        return [queue.claim_out(row) for row in page], key
