"""A reviewer's own saves, on rows: a verdict, a note, a URL added or removed.

Part of the one write path for reviews, URLs and final verdicts (``workbench.review.writes``
says why there is one, and holds the rest of it: history, imports, adjudication, the
automatic final's rule). ``workbench.review.decisions`` checks who may change what and calls
these inside its transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workbench import outbox
from workbench.audit import Change, Entity, entry

# Re-exported: the point tests patch to make a save fail after its history is written.
from workbench.audit import insert_entries as insert_entries
from workbench.db.models import (
    Base,
    Claim,
    Comment,
    Evidence,
    FinalVerdict,
    Lease,
    Project,
    ProjectSetting,
    Review,
    utcnow,
)
from workbench.projects.scale import check_on_scale, names_of
from workbench.review import assign, blind, stats
from workbench.review.writes import (
    final_state,
    k_of,
    review_state,
    wanted_final,
)
from workbench.schemas import Actor, EvidenceOut, FinalSource, ReviewOut

# The app's save of a verdict is the call 20 reviewers make back to back, queueing for one
# process's CPU: loading ORM objects, flushing them and building each statement per call
# cost it ~7 ms, the statements themselves a tenth of that. So the verdict path reads rows
# and writes them with Core statements built once here (bound parameters; SQLAlchemy keeps
# their compiled form), and sends as few as the rules allow: the claim's lock, one read of
# everything the rules look at, then only the writes that change something. It stores the
# same rows and history entries as the ORM path it replaced (compared row by row on both
# backends when it came; tests/transfer/test_same_rows.py compares it with an import's
# rows, which the ORM functions above write). Notes and URLs follow the same way
# (:func:`read_own`, :func:`save_note`, :func:`save_url`, :func:`drop_url`).

_CLAIMS = Base.metadata.tables[Claim.__tablename__]
_REVIEWS = Base.metadata.tables[Review.__tablename__]
_LEASES = Base.metadata.tables[Lease.__tablename__]
_FINALS = Base.metadata.tables[FinalVerdict.__tablename__]
_SETTINGS = Base.metadata.tables[ProjectSetting.__tablename__]
_PROJECTS = Base.metadata.tables[Project.__tablename__]
_COMMENTS = Base.metadata.tables[Comment.__tablename__]
_EVIDENCE = Base.metadata.tables[Evidence.__tablename__]


@dataclass(frozen=True)
class ReviewRow:
    """A review as stored (the columns a save reads and reports)."""

    id: int
    reviewer_id: int
    verdict: str | None
    blind_verdict: str | None
    changed_after_reveal: bool
    note: str
    version: int
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None
    seconds_spent: float | None


@dataclass(frozen=True)
class LeaseRow:
    id: int
    started_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class FinalRow:
    id: int
    verdict: str
    source: str
    reason: str
    version: int


@dataclass(frozen=True)
class ClaimState:
    """A claim as a verdict's save finds it once the claim's row is locked.

    ``status`` None: no such claim; for a claim that is not open nothing else is read."""

    claim_id: int
    status: str | None
    verdicts: int = 0
    disagreement: float = 0.0
    k: int = 1
    lease: LeaseRow | None = None  # the reviewer's own lease, live or not
    others_leases: int = 0  # other reviewers' live leases
    mine: ReviewRow | None = None  # the reviewer's review
    others: tuple[ReviewRow, ...] = ()  # everyone else's reviews
    final: FinalRow | None = None
    open_questions: int = 0  # questions sent back to the reviewer on it, unanswered
    project: str = ""  # the claim's project's name, and its scale's verdicts, best first
    scale: tuple[str, ...] = ()
    project_id: int | None = None

    def check_verdict(self, verdict: str) -> None:
        """Refuse a verdict that is not on the claim's project's scale (InvalidInput)."""
        check_on_scale(verdict, self.scale, self.project)

    def figures(self) -> stats.Figures:
        return (str(self.status), self.verdicts, self.disagreement)

    def revealed(self) -> bool:
        """The reveal (workbench.review.blind): another review has a blind verdict."""
        return any(r.blind_verdict is not None for r in self.others)

    def taken(self) -> int:
        """Slots taken by others: their verdicts plus their live leases (assign._taken)."""
        return sum(1 for r in self.others if r.verdict is not None) + self.others_leases


_REVIEW_COLUMNS = tuple(field for field in ReviewRow.__dataclass_fields__)
_MY_LEASE = _LEASES.alias("my_lease")
# Everything the rules look at, in one statement: the reviewer's lease, others' live leases,
# k and the verdict scale (the claim's project's, joined: no statement of its own), the final
# verdict, the reviewer's open questions, and every review of the claim (a row
# each; one row of NULL review columns when there is none). Run after the lock, never with
# it: on PostgreSQL a statement that waited for a row lock still reads the other tables as
# they were when it began, which would miss the review of the save it waited for.
_STATE = (
    select(
        _MY_LEASE.c.id.label("lease_id"),
        _MY_LEASE.c.started_at.label("lease_started_at"),
        _MY_LEASE.c.expires_at.label("lease_expires_at"),
        select(func.count())
        .where(
            _LEASES.c.claim_id == bindparam("claim_id"),
            _LEASES.c.user_id != bindparam("user_id"),
            _LEASES.c.expires_at > bindparam("now"),
        )
        .scalar_subquery()
        .label("others_leases"),
        select(_SETTINGS.c.value)
        .where(
            _SETTINGS.c.key == "reviews_per_claim",
            _SETTINGS.c.project_id == _CLAIMS.c.project_id,  # the claim's project's k
        )
        .scalar_subquery()
        .label("k"),
        select(func.count())
        .where(
            _COMMENTS.c.claim_id == bindparam("claim_id"),
            _COMMENTS.c.addressed_to_id == bindparam("user_id"),
            _COMMENTS.c.resolved_at.is_(None),
        )
        .scalar_subquery()
        .label("open_questions"),
        _PROJECTS.c.name.label("project_name"),
        _PROJECTS.c.verdict_scale.label("verdict_scale"),
        _FINALS.c.id.label("final_id"),
        _FINALS.c.verdict.label("final_verdict"),
        _FINALS.c.source.label("final_source"),
        _FINALS.c.reason.label("final_reason"),
        _FINALS.c.version.label("final_version"),
        _CLAIMS.c.project_id,
        # The webhooks' version rides along: a save that no webhook wants sends nothing more
        # for them (workbench.outbox).
        outbox.VERSION,
        *(_REVIEWS.c[name] for name in _REVIEW_COLUMNS),
    )
    .select_from(
        _CLAIMS.outerjoin(
            _MY_LEASE,
            and_(
                _MY_LEASE.c.claim_id == _CLAIMS.c.id,
                _MY_LEASE.c.user_id == bindparam("user_id"),
            ),
        )
        .join(_PROJECTS, _PROJECTS.c.id == _CLAIMS.c.project_id)
        .outerjoin(_FINALS, _FINALS.c.claim_id == _CLAIMS.c.id)
        .outerjoin(_REVIEWS, _REVIEWS.c.claim_id == _CLAIMS.c.id)
    )
    .where(_CLAIMS.c.id == bindparam("claim_id"))
)


def read_claim(
    session: Session,
    claim_id: int,
    user_id: int,
    now: datetime,
    locked: stats.Figures | Literal[False] | None = False,
) -> ClaimState:
    """Lock ``claim_id`` (its figures read with the lock) and read its state for
    ``user_id``'s verdict: two statements, one for a claim that is missing or not open.
    ``locked``: the lock's answer, when the caller took it (``assign.account_and_lock``)."""
    if locked is False:
        locked = stats.lock(session, claim_id)
    if locked is None:
        return ClaimState(claim_id, status=None)
    status, verdicts, disagreement = locked
    if status != stats.OPEN:
        return ClaimState(claim_id, status=status)
    rows = session.execute(_STATE, {"claim_id": claim_id, "user_id": user_id, "now": now}).all()
    first = rows[0]
    outbox.note_version(session, first.webhooks_version)
    reviews = [ReviewRow(*(row[-len(_REVIEW_COLUMNS) :])) for row in rows if row.id is not None]
    return ClaimState(
        claim_id,
        status=status,
        verdicts=verdicts,
        disagreement=disagreement,
        k=k_of(first.k),
        lease=None
        if first.lease_id is None
        else LeaseRow(first.lease_id, first.lease_started_at, first.lease_expires_at),
        others_leases=first.others_leases,
        mine=next((r for r in reviews if r.reviewer_id == user_id), None),
        others=tuple(r for r in reviews if r.reviewer_id != user_id),
        final=None
        if first.final_id is None
        else FinalRow(
            first.final_id,
            first.final_verdict,
            first.final_source,
            first.final_reason,
            first.final_version,
        ),
        open_questions=first.open_questions,
        project=first.project_name,
        scale=names_of(first.verdict_scale),
        project_id=first.project_id,
    )


_NEW_REVIEW = insert(_REVIEWS).returning(_REVIEWS.c.id)
_CHANGE_REVIEW = (
    update(_REVIEWS)
    .where(_REVIEWS.c.id == bindparam("review_id"), _REVIEWS.c.version == bindparam("old"))
    .values(
        verdict=bindparam("new_verdict"),
        blind_verdict=bindparam("new_blind"),
        changed_after_reveal=bindparam("new_flag"),
        decided_at=bindparam("new_decided_at"),
        seconds_spent=bindparam("new_seconds"),
        version=bindparam("new_version"),
        updated_at=bindparam("new_updated_at"),
    )
)
_URLS = (
    select(_EVIDENCE.c.url, _EVIDENCE.c.added_at)
    .where(_EVIDENCE.c.review_id == bindparam("review_id"))
    .order_by(_EVIDENCE.c.id)
)
_NEW_FINAL = insert(_FINALS)
_CHANGE_FINAL = (
    update(_FINALS)
    .where(_FINALS.c.id == bindparam("final_id"), _FINALS.c.version == bindparam("old"))
    .values(
        verdict=bindparam("new_verdict"),
        source=bindparam("new_source"),
        reason="",
        decided_by_id=None,
        decided_at=bindparam("new_decided_at"),
        version=bindparam("new_version"),
    )
)
_DROP_FINAL = delete(_FINALS).where(
    _FINALS.c.id == bindparam("final_id"), _FINALS.c.version == bindparam("old")
)


def review_out_of(row: ReviewRow, reviewer: str, urls: list[EvidenceOut]) -> ReviewOut:
    """queue.review_out of a row."""
    return ReviewOut(
        id=row.id,
        reviewer=reviewer,
        verdict=row.verdict,
        note=row.note,
        urls=urls,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        decided_at=row.decided_at,
        seconds_spent=row.seconds_spent,
        blind_verdict=row.blind_verdict,
        changed_after_reveal=row.changed_after_reveal,
    )


def urls_of(session: Session, review_id: int) -> list[EvidenceOut]:
    return [
        EvidenceOut(url=url, added_at=added_at)
        for url, added_at in session.execute(_URLS, {"review_id": review_id})
    ]


def save_verdict(
    session: Session,
    claim_id: int,
    state: ClaimState,
    reviewer: Actor,
    verdict: str | None,
    decision: assign.Decision,
) -> ReviewOut:
    """Give (``None``: take back) ``reviewer``'s verdict on an open claim whose state
    :func:`read_claim` read and :func:`assign.take_slot` checked, as the reviewer saved it:
    the review (created on first touch) with its blind verdict and its timing, its history
    entry, the claim's figures and its automatic final (as :func:`refresh_final` does)."""
    before = state.mine
    blind_verdict, flag = blind.after_save(
        None if before is None else before.blind_verdict,
        False if before is None else before.changed_after_reveal,
        verdict,
        state.revealed,
    )
    # Saving the same verdict again is not a new decision: the first one's timing stays.
    if decision.changed or before is None:
        decided_at, seconds = decision.decided_at, decision.seconds_spent
    else:
        decided_at, seconds = before.decided_at, before.seconds_spent
    now = utcnow()
    if before is None:
        after = ReviewRow(
            id=0,  # given by the INSERT
            reviewer_id=reviewer.id,
            verdict=verdict,
            blind_verdict=blind_verdict,
            changed_after_reveal=flag,
            note="",
            # The version the ORM path gave a review created by a save of its verdict (an
            # INSERT, then an UPDATE of the verdict, taken back or not): versions read as
            # they did.
            version=2,
            created_at=now,
            updated_at=now,
            decided_at=decided_at,
            seconds_spent=seconds,
        )
        values = {name: getattr(after, name) for name in _REVIEW_COLUMNS if name != "id"}
        after = replace(after, id=session.scalar(_NEW_REVIEW, {**values, "claim_id": claim_id}))
        urls: list[EvidenceOut] = []
    else:
        after = ReviewRow(
            id=before.id,
            reviewer_id=before.reviewer_id,
            verdict=verdict,
            blind_verdict=blind_verdict,
            changed_after_reveal=flag,
            note=before.note,
            version=before.version,
            created_at=before.created_at,
            updated_at=before.updated_at,
            decided_at=decided_at,
            seconds_spent=seconds,
        )
        if after != before:  # as the ORM: no UPDATE, and no new version, when nothing changed
            after = replace(after, version=before.version + 1, updated_at=now)
            changed = session.execute(
                _CHANGE_REVIEW,
                {
                    "review_id": before.id,
                    "old": before.version,
                    "new_verdict": verdict,
                    "new_blind": blind_verdict,
                    "new_flag": flag,
                    "new_decided_at": decided_at,
                    "new_seconds": seconds,
                    "new_version": after.version,
                    "new_updated_at": now,
                },
            )
            if getattr(changed, "rowcount", 1) != 1:  # what the ORM's version check raises
                raise StaleDataError(f"review {before.id} changed while it was being saved")
        urls = urls_of(session, before.id)
    entries = [review_entry(claim_id, reviewer.id, before, after)]
    pairs: list[blind.VerdictPair] = [
        (r.verdict, r.blind_verdict) for r in (*state.others, after) if r.verdict is not None
    ]
    # As refresh_final (the figures, then the awaiting flag: the verdicts moved), the claim's
    # row updated once.
    stats.store(session, claim_id, [v for v, _ in pairs], state.figures(), with_flag=True)
    final = _follow_final(session, claim_id, state.final, wanted_final(pairs, state.k))
    entries.append(final)
    insert_entries(session, entries)
    # The events webhooks want, in this transaction (nothing at all when none wants them).
    previous = None if before is None else before.verdict
    outbox.review_decided(
        session,
        claim_id,
        state.project_id,
        review_id=after.id,
        reviewer=reviewer.name,
        verdict=verdict,
        previous=previous,
    )
    outbox.final_decided(session, claim_id, state.project_id, final)
    return review_out_of(after, reviewer.name, urls)


def _follow_final(
    session: Session,
    claim_id: int,
    final: FinalRow | None,
    wanted: tuple[str, FinalSource] | None,
) -> dict[str, Any] | None:
    """:func:`refresh_final`'s change of the automatic final, on rows; returns its history
    entry (None: nothing changed)."""
    if final is not None and final.source == FinalSource.adjudicated:
        return None  # an admin's decision is only ever replaced by an admin
    before = None if final is None else final_state(final.verdict, final.source, final.reason)
    if wanted is None:
        if final is None:
            return None
        session.execute(_DROP_FINAL, {"final_id": final.id, "old": final.version})
        return _final_entry(claim_id, Change.delete, before, None)
    verdict, source = wanted
    after = final_state(verdict, source.value, "")
    if final is None:
        session.execute(
            _NEW_FINAL,
            {
                "claim_id": claim_id,
                "verdict": verdict,
                "source": source.value,
                "reason": "",
                "decided_by_id": None,
                "decided_at": utcnow(),
                "version": 1,
            },
        )
        return _final_entry(claim_id, Change.create, None, after)
    if (final.verdict, final.source) == (verdict, source.value):
        return None
    session.execute(
        _CHANGE_FINAL,
        {
            "final_id": final.id,
            "old": final.version,
            "new_verdict": verdict,
            "new_source": source.value,
            "new_decided_at": datetime.now(UTC),
            "new_version": final.version + 1,
        },
    )
    return _final_entry(claim_id, Change.update, before, after)


def review_entry(
    claim_id: int, actor_id: int, before: ReviewRow | None, after: ReviewRow
) -> dict[str, Any] | None:
    """The history entry of a review saved on rows (``before`` None: just created), in the
    shape ``writes.log_review`` records."""
    return entry(
        actor_id=actor_id,
        entity=Entity.review,
        entity_id=after.id,
        action=Change.create if before is None else Change.update,
        before=None if before is None else review_state(before),
        after=review_state(after),
        claim_id=claim_id,
    )


def _final_entry(
    claim_id: int, action: Change, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, Any] | None:
    """record_final's entry."""
    return entry(
        actor_id=None,
        entity=Entity.final_verdict,
        entity_id=claim_id,
        action=action,
        before=before,
        after=after,
        claim_id=claim_id,
    )
