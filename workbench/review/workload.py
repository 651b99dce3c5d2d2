"""The sidebar's figures: what is left for the person reviewing, and for the project.

A bar of "claims with at least one verdict / claims" is full as soon as every claim has one
verdict, while with k reviews per claim (the project's ``reviews_per_claim``) reviewers are
still being handed claims. These figures take k into account:

* for the reviewer: their decisions today, the claims leased to them now, and the claims they
  could still be handed (open, fewer than k verdicts, none of them theirs);
* for the project: the claims with a final verdict, and the open claims that need more
  reviews (fewer than k verdicts).

They are counts an index serves, so the sidebar, drawn on every page, costs the same at any
corpus size as far as a count can: the open claims below k are those without a verdict (the
totals ``stats`` keeps) and the partly reviewed ones (a range of ``ix_claims_queue``); the
reviewer's own among them a range of ``ix_reviews_reviewer_open_verdicts``
(``reviews.open_verdicts``, the claim's verdict count copied onto its decided reviews while
it is open); today's decisions a range of ``ix_reviews_reviewer_decided``; the leases are
the reviewer's few rows. The project's two counts are reused until a change moves one of
``stats.marks`` (a verdict, a status, a final verdict, new claims): counted once per change.

No permission check beyond the caller's own account: a reviewer sees their own figures and
counts the whole project has (no other reviewer's verdict is in them).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Select, func, select, true
from sqlalchemy.orm import Session

from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, FinalVerdict, Lease, Review
from workbench.db.session import unit_of_work
from workbench.review import scope, stats
from workbench.review.writes import reviews_per_claim
from workbench.schemas import Actor, ClaimStatus

OPEN = ClaimStatus.open.value


@dataclass(frozen=True)
class Mine:
    """The reviewer's own figures."""

    today: int  # verdicts they gave since midnight (UTC)
    assigned: int  # claims leased to them now, not yet decided
    left: int  # claims they could still be handed: open, under k verdicts, none of theirs


@dataclass(frozen=True)
class Workload:
    k: int  # reviews per claim
    final: int  # claims with a final verdict
    need_more: int  # open claims with fewer than k verdicts
    mine: Mine | None  # None: nobody reviewing in this session (or a viewer)


def workload(
    engine: Engine,
    actor: Actor | None,
    *,
    now: datetime | None = None,
    project: int | str | None = None,
) -> Workload:
    """The project's figures, and ``actor``'s own when given (someone who may review).

    ``project`` (id or name): that project's; None: every project's together, as before
    projects (on a database of one project its own, without a filter to pay for)."""
    now = now or datetime.now(UTC)
    with unit_of_work(engine) as session:
        project_id = (
            scope.sole_project(session)
            if project is None
            else scope.project_for(session, project, SYSTEM)
        )
        k = reviews_per_claim(session, project_id)
        final, need_more = _project(session, k, project_id)
        mine = None
        if actor is not None:

            def in_project(query: Select[int], claim_id: Any) -> Select[int]:
                if project_id is None:
                    return query
                return query.join(Claim, Claim.id == claim_id).where(Claim.project_id == project_id)

            mine_below_k = _mine_below_k(session, actor.id, k, project_id)
            midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            today = session.scalar(
                in_project(
                    select(func.count(Review.id)).where(
                        Review.reviewer_id == actor.id,
                        Review.decided_at >= midnight,
                        Review.verdict.is_not(None),
                    ),
                    Review.claim_id,
                )
            )
            assigned = session.scalar(
                in_project(
                    select(func.count(Lease.id)).where(
                        Lease.user_id == actor.id, Lease.expires_at > now
                    ),
                    Lease.claim_id,
                )
            )
            mine = Mine(
                today=today or 0, assigned=assigned or 0, left=need_more - (mine_below_k or 0)
            )
    return Workload(k=k, final=final, need_more=need_more, mine=mine)


def _mine_below_k(session: Session, user_id: int, k: int, project_id: int | None) -> int:
    """How many open claims under k verdicts the reviewer decided (``reviews.open_verdicts``),
    in the project (None: in every project)."""
    if project_id is None or scope.sole_project(session) == project_id:
        # Every claim is the project's: a range of the reviewer's own entries
        # (ix_reviews_reviewer_open_verdicts), as many as their decisions still under k.
        return (
            session.scalar(
                select(func.count(Review.id)).where(
                    Review.reviewer_id == user_id, Review.open_verdicts < k
                )
            )
            or 0
        )
    # Beside other projects those entries are every project's (a busy desk's too): the
    # project's partly reviewed claims instead (a range of ix_claims_queue), each probing
    # uq_reviews_claim_reviewer for the reviewer's review, so a desk's sidebar costs what
    # the desk holds, not what the database does.
    theirs = (
        select(Review.id)
        .where(Review.claim_id == Claim.id, Review.reviewer_id == user_id)
        .where(Review.open_verdicts < k)
        .exists()
    )
    partly = (Claim.status == OPEN, Claim.verdicts >= 1, Claim.verdicts < k)
    query = select(func.count()).where(Claim.project_id == project_id, *partly, theirs)
    return session.scalar(query) or 0


# Per database URL: (the marks and k they were counted at, (final, need more)). The sidebar is
# drawn on every page of every session; the project's two counts change only when a verdict,
# a status, a final verdict or the claims do, and each of those moves a mark (a history entry,
# a new row), so a process counts them once per change, not once per page drawn.
_counted: dict[tuple[str, int | None], tuple[tuple[stats.Marks, int], tuple[int, int]]] = {}
_counted_lock = threading.Lock()


def _project(session: Session, k: int, project_id: int | None = None) -> tuple[int, int]:
    """(claims with a final verdict, open claims with fewer than k verdicts) of the project
    (None: of every project)."""
    marks = stats.marks(session)
    key = (marks, k)
    url = (str(session.get_bind().engine.url), project_id)
    with _counted_lock:
        known = _counted.get(url)
    if known is not None and known[0] == key:
        return known[1]
    # The claims without a verdict come from the kept totals (no claim read); those with
    # some but fewer than k are the partly reviewed ones, a range of ix_claims_queue.
    counts = stats.totals(session, project_id)
    need_more = counts.to_review
    mine = true() if project_id is None else Claim.project_id == project_id
    if k > 1:
        partly = (mine, Claim.status == OPEN, Claim.verdicts >= 1, Claim.verdicts < k)
        need_more += session.scalar(select(func.count()).where(*partly)) or 0
    final = _finals(session, project_id, counts.claims, marks.finals)
    with _counted_lock:
        _counted[url] = (key, (final, need_more))
    return final, need_more


def _finals(session: Session, project_id: int | None, claims: int, newest: int) -> int:
    """How many claims of the project (None: of every project) have a final verdict;
    ``claims``: how many the project holds; ``newest``: the newest final verdict's id (as
    many as the database holds, or a few more)."""
    # count(*) of a whole table: SQLite counts the pages of its smallest index.
    finals = select(func.count()).select_from(FinalVerdict)
    if project_id is None:
        return session.scalar(finals) or 0
    if claims * 4 < newest:
        # A small project beside bigger ones: one probe of final_verdicts per claim of its
        # own (a probe costs about four hashed rows), where PostgreSQL's join would hash
        # every final verdict of the database.
        one = finals.where(FinalVerdict.claim_id == Claim.id).scalar_subquery()
        probes = select(func.coalesce(func.sum(one), 0)).where(Claim.project_id == project_id)
        return int(session.scalar(probes) or 0)
    joined = finals.join(Claim, Claim.id == FinalVerdict.claim_id)
    return session.scalar(joined.where(Claim.project_id == project_id)) or 0
