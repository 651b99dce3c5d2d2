"""The one write path for reviews, URLs and final verdicts, with their history and figures.

Every function here works inside the caller's transaction (a :class:`Session` it owns), so a
change, its history entries and what follows from it (the claim's figures in
``workbench.review.stats``, its automatic final verdict) are stored together or not at all.
Nothing outside this module adds, changes or removes a ``Review``, ``Evidence`` or
``FinalVerdict`` row one at a time, or writes their history:

* the app's edits of a reviewer's own review (``workbench.review.decisions`` checks who may
  change what), on rows rather than ORM objects (see :func:`save_verdict`): a verdict, the
  call a busy team makes most, is :func:`read_claim` then :func:`save_verdict`, and ends
  with the figures and the automatic final as :func:`refresh_final` does (the rule of which
  is :func:`wanted_final`, shared); a note or a URL is :func:`read_own` then
  :func:`save_note`, :func:`save_url` or :func:`drop_url`;
* a review made elsewhere (``workbench import``) is stored whole by :func:`add_review`, with
  the times the file gives;
* an admin's final verdict, typed on the Adjudication page or imported, is
  :func:`record_adjudication`;
* automatic finals (``single``, ``consensus``) follow the reviews in :func:`refresh_final`.

Why one place: the import once wrote reviews, finals and history "as decisions.py writes
it", a copy that had to be kept in step by hand, and the adjudication page and the import
each had the same twenty lines creating an adjudicated final. The rows and history an import
writes are now those of the app by construction (``tests/transfer/test_same_rows.py`` compares).

What stays outside on purpose: bulk copies of whole tables (a backup restored or merged,
``workbench.transfer.restore``; a synthetic corpus, ``workbench.synth``) insert rows verbatim
with their ids and rebuild the figures with ``stats.recount``; the merge recomputes the
finals of the claims it touched through :func:`refresh_final`.

Automatic finals are recorded in the history with no actor. An adjudicated final is never
replaced by :func:`refresh_final`: only by another adjudication.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workbench.audit import Change, Entity, entry, record
from workbench.audit import insert_entries as insert_entries
from workbench.db.models import (
    Base,
    Claim,
    Comment,
    Evidence,
    FinalVerdict,
    Lease,
    ProjectSetting,
    Review,
    utcnow,
)
from workbench.project import ProjectSettings
from workbench.review import assign, awaiting, blind, stats
from workbench.schemas import Actor, EvidenceOut, FinalSource, ReviewOut, Verdict

# --- history: what each change records ------------------------------------------------------


def review_state(review: Review | ReviewRow) -> dict[str, Any]:
    """The part of a review its history shows; URLs have entries of their own."""
    return review_state_of(review.verdict, review.note, review.changed_after_reveal)


def review_state_of(verdict: str | None, note: str, changed_after_reveal: bool) -> dict[str, Any]:
    """:func:`review_state` from the columns (a restore's rows are not ORM objects). A change
    after the reveal (``workbench.review.blind``) is marked; the key is left out otherwise,
    so entries of reviews that never changed after it read as they always did."""
    state: dict[str, Any] = {"verdict": verdict, "note": note}
    if changed_after_reveal:
        state["changed_after_reveal"] = True
    return state


def log_review(
    session: Session, actor_id: int | None, review: Review, before: dict[str, Any] | None
) -> None:
    """The history entry of a review just changed (``before`` None: just created).

    Called after the change is flushed, in its transaction: both are kept, or neither."""
    record(
        session,
        actor_id=actor_id,
        entity=Entity.review,
        entity_id=review.id,
        action=Change.create if before is None else Change.update,
        before=before,
        after=review_state(review),
        claim_id=review.claim_id,
    )


def log_url(
    session: Session, actor_id: int | None, review: Review, evidence: Evidence, action: Change
) -> None:
    value = {"url": evidence.url, "review_id": review.id}
    record(
        session,
        actor_id=actor_id,
        entity=Entity.url,
        entity_id=evidence.id,
        action=action,
        before=value if action == Change.delete else None,
        after=value if action == Change.create else None,
        claim_id=review.claim_id,
    )


def final_snapshot(final: FinalVerdict) -> dict[str, Any]:
    return {"verdict": final.verdict, "source": final.source, "reason": final.reason}


def record_final(
    session: Session,
    actor_id: int | None,
    claim_id: int,
    action: Change,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    record(
        session,
        actor_id=actor_id,
        entity=Entity.final_verdict,
        entity_id=claim_id,  # one final verdict per claim: its history reads as one thread
        action=action,
        before=before,
        after=after,
        claim_id=claim_id,
    )


# --- reviews --------------------------------------------------------------------------------


def add_review(
    session: Session,
    claim_id: int,
    reviewer_id: int,
    *,
    actor_id: int | None,
    verdict: str | None,
    blind_verdict: str | None,
    changed_after_reveal: bool,
    note: str,
    decided_at: datetime | None,
    seconds_spent: float | None,
    urls: Sequence[tuple[str, datetime | None]] = (),
    refresh: bool = True,
) -> Review:
    """Store a whole review made elsewhere (an import): the row, its URLs (normalised, each
    once; ``added_at`` None is "now"), and their history as the app writes it, the review's
    entry first, then one per URL, with ``actor_id`` as the actor (None: the system).

    The caller has locked the claim (:func:`lock_claim`) and checked that the reviewer has no
    review of it yet. ``refresh`` False leaves :func:`refresh_final` to the caller, which runs
    it once after the several reviews and the adjudicated final of one claim (as the import
    does, so that the history shows one automatic final, not one per review).
    """
    review = Review(
        claim_id=claim_id,
        reviewer_id=reviewer_id,
        verdict=verdict,
        blind_verdict=blind_verdict,
        changed_after_reveal=changed_after_reveal,
        note=note,
        decided_at=decided_at,
        seconds_spent=seconds_spent,
        evidence=[_evidence(url, added_at) for url, added_at in urls],
    )
    session.add(review)
    session.flush()
    log_review(session, actor_id, review, None)
    for evidence in review.evidence:
        log_url(session, actor_id, review, evidence, Change.create)
    if refresh:
        refresh_final(session, claim_id)
    return review


def _evidence(url: str, added_at: datetime | None) -> Evidence:
    # Only when given: an explicit None would be stored as NULL, not as "now".
    return Evidence(url=url) if added_at is None else Evidence(url=url, added_at=added_at)


# --- final verdicts -------------------------------------------------------------------------


def record_adjudication(
    session: Session,
    claim_id: int,
    verdict: str,
    reason: str,
    *,
    actor_id: int | None,
    at: datetime | None = None,
) -> FinalVerdict:
    """Make ``verdict`` the claim's final verdict, ``adjudicated`` by ``actor_id`` (None: the
    system, an import from the command line) at ``at`` (default: now), with its history.

    The caller has locked the claim (:func:`lock_claim`), checked the actor's right and what
    it expected to find. An adjudicated final is not one of the figures ``stats`` keeps: the
    claim's figures follow its verdicts, which this does not change.
    """
    # Set even when nothing else changed: it marks when the reviews were last weighed.
    now = datetime.now(UTC) if at is None else at
    final = final_row(session, claim_id)
    if final is None:
        final = FinalVerdict(
            claim_id=claim_id,
            verdict=verdict,
            source=FinalSource.adjudicated.value,
            reason=reason,
            decided_by_id=actor_id,
            decided_at=now,
        )
        session.add(final)
        session.flush()
        record_final(session, actor_id, claim_id, Change.create, None, final_snapshot(final))
        awaiting.refresh(session, claim_id)  # decided: out of the adjudication queue
        return final
    before = final_snapshot(final)
    final.verdict = verdict
    final.source = FinalSource.adjudicated.value
    final.reason = reason
    final.decided_by_id = actor_id
    final.decided_at = now
    session.flush()
    record_final(session, actor_id, claim_id, Change.update, before, final_snapshot(final))
    awaiting.refresh(session, claim_id)  # decided: out of the adjudication queue
    return final


def reviews_per_claim(session: Session) -> int:
    """k as stored, read in the caller's transaction (the default when nobody set it)."""
    key = ProjectSetting.key == "reviews_per_claim"
    return k_of(session.scalar(select(ProjectSetting.value).where(key)))


def k_of(value: Any) -> int:
    """``reviews_per_claim`` from its stored value (None: not set)."""
    if value is None:
        return ProjectSettings().reviews_per_claim
    try:
        return ProjectSettings(reviews_per_claim=value).reviews_per_claim
    except ValidationError:  # a hand-edited row: fall back rather than block every verdict
        return ProjectSettings().reviews_per_claim


def refresh_final(session: Session, claim_id: int, k: int | None = None) -> None:
    """Bring what follows from a claim's verdicts in line with its reviews (same transaction):
    the claim's own figures (``workbench.review.stats``) and its automatic final verdict.

    Every change of a verdict ends here. ``k`` defaults to the stored ``reviews_per_claim``.
    """
    # The claim's row lock (see lock_claim), and what its figures were, in one statement.
    locked = stats.lock(session, claim_id)
    pairs: list[blind.VerdictPair] = [
        (str(verdict), blind_verdict)
        for verdict, blind_verdict in session.execute(
            select(Review.verdict, Review.blind_verdict).where(
                Review.claim_id == claim_id, Review.verdict.is_not(None)
            )
        )
    ]
    verdicts = [verdict for verdict, _ in pairs]
    stats.store(session, claim_id, verdicts, locked)
    awaiting.refresh(session, claim_id)  # automatic finals leave the rule's inputs as they are
    k = reviews_per_claim(session) if k is None else k
    final = final_row(session, claim_id)
    if final is not None and final.source == FinalSource.adjudicated:
        return  # an admin's decision is only ever replaced by an admin
    wanted = wanted_final(pairs, k)
    if wanted is None:
        if final is not None:
            before = final_snapshot(final)
            session.delete(final)
            session.flush()
            record_final(session, None, claim_id, Change.delete, before, None)
        return
    verdict, source = wanted
    if final is None:
        final = FinalVerdict(claim_id=claim_id, verdict=verdict, source=source.value, reason="")
        session.add(final)
        session.flush()
        record_final(session, None, claim_id, Change.create, None, final_snapshot(final))
        return
    if (final.verdict, final.source) == (verdict, source.value):
        return
    before = final_snapshot(final)
    final.verdict, final.source, final.reason = verdict, source.value, ""
    final.decided_by_id = None
    final.decided_at = datetime.now(UTC)
    session.flush()
    record_final(session, None, claim_id, Change.update, before, final_snapshot(final))


def wanted_final(pairs: Sequence[blind.VerdictPair], k: int) -> tuple[str, FinalSource] | None:
    """The automatic final a claim's decided reviews call for (None: none, an admin's call)."""
    # Agreement the reveal produced is no consensus: it waits for an admin (review.blind).
    if len(pairs) >= k and blind.agrees_blind(pairs):
        source = FinalSource.single if len(pairs) == 1 else FinalSource.consensus
        return (pairs[0][0], source)
    return None


def lock_claim(session: Session, claim_id: int) -> None:
    """Lock the claim's row for the rest of the transaction.

    On PostgreSQL two reviewers saving at once would each miss the other's uncommitted
    verdict (no consensus found) or both insert a final verdict (a unique violation).
    Locking the claim row serialises them; the second then reads the first's committed
    review. SQLite ignores FOR UPDATE: its transactions already begin IMMEDIATE."""
    session.execute(select(Claim.id).where(Claim.id == claim_id).with_for_update())


def final_row(session: Session, claim_id: int) -> FinalVerdict | None:
    return session.scalar(select(FinalVerdict).where(FinalVerdict.claim_id == claim_id))


# --- a reviewer's verdict, without ORM objects (issue 13) ----------------------------------
#
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
# k, the final verdict, the reviewer's open questions, and every review of the claim (a row
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
        .where(_SETTINGS.c.key == "reviews_per_claim")
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
        _FINALS.c.id.label("final_id"),
        _FINALS.c.verdict.label("final_verdict"),
        _FINALS.c.source.label("final_source"),
        _FINALS.c.reason.label("final_reason"),
        _FINALS.c.version.label("final_version"),
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
        .outerjoin(_FINALS, _FINALS.c.claim_id == _CLAIMS.c.id)
        .outerjoin(_REVIEWS, _REVIEWS.c.claim_id == _CLAIMS.c.id)
    )
    .where(_CLAIMS.c.id == bindparam("claim_id"))
)


def read_claim(session: Session, claim_id: int, user_id: int, now: datetime) -> ClaimState:
    """Lock ``claim_id`` (its figures read with the lock) and read its state for
    ``user_id``'s verdict: two statements, one for a claim that is missing or not open."""
    locked = stats.lock(session, claim_id)
    if locked is None:
        return ClaimState(claim_id, status=None)
    status, verdicts, disagreement = locked
    if status != stats.OPEN:
        return ClaimState(claim_id, status=status)
    rows = session.execute(_STATE, {"claim_id": claim_id, "user_id": user_id, "now": now}).all()
    first = rows[0]
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
        verdict=Verdict(row.verdict) if row.verdict else None,
        note=row.note,
        urls=urls,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        decided_at=row.decided_at,
        seconds_spent=row.seconds_spent,
        blind_verdict=Verdict(row.blind_verdict) if row.blind_verdict else None,
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
    entries = [
        entry(
            actor_id=reviewer.id,
            entity=Entity.review,
            entity_id=after.id,
            action=Change.create if before is None else Change.update,
            before=None if before is None else review_state(before),
            after=review_state(after),
            claim_id=claim_id,
        )
    ]
    pairs: list[blind.VerdictPair] = [
        (r.verdict, r.blind_verdict) for r in (*state.others, after) if r.verdict is not None
    ]
    stats.store(session, claim_id, [v for v, _ in pairs], state.figures())
    awaiting.refresh(session, claim_id)  # as refresh_final: the verdicts moved
    entries.append(_follow_final(session, claim_id, state.final, wanted_final(pairs, state.k)))
    insert_entries(session, entries)
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
    before = None if final is None else _snapshot(final.verdict, final.source, final.reason)
    if wanted is None:
        if final is None:
            return None
        session.execute(_DROP_FINAL, {"final_id": final.id, "old": final.version})
        return _final_entry(claim_id, Change.delete, before, None)
    verdict, source = wanted
    after = _snapshot(verdict, source.value, "")
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


def _snapshot(verdict: str, source: str, reason: str) -> dict[str, Any]:
    """final_snapshot of a row."""
    return {"verdict": verdict, "source": source, "reason": reason}


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


# --- a reviewer's note and URLs, without ORM objects (issue 13) -----------------------------
#
# A third of a busy team's saves; through ORM objects and flushes they cost more CPU than a
# verdict on rows. The same steps as the verdict: the claim's lock (its status with it), one
# read of the reviewer's review with its URLs, then only the writes that change something,
# the history entries in one statement. Versions move as the ORM moved them: a review's
# version goes up with each UPDATE of its row (a changed note; a URL added or removed, which
# sets updated_at), never when nothing changed.

# The review and its URLs in one statement: a row per URL, one with NULL URL columns when
# there is none. Run after the lock, never with it (see _STATE).
_OWN = (
    select(
        *(_REVIEWS.c[name] for name in _REVIEW_COLUMNS),
        _EVIDENCE.c.id.label("url_id"),
        _EVIDENCE.c.url,
        _EVIDENCE.c.added_at,
    )
    .select_from(_REVIEWS.outerjoin(_EVIDENCE, _EVIDENCE.c.review_id == _REVIEWS.c.id))
    .where(
        _REVIEWS.c.claim_id == bindparam("claim_id"),
        _REVIEWS.c.reviewer_id == bindparam("reviewer_id"),
    )
    .order_by(_EVIDENCE.c.id)
)
_CHANGE_NOTE = (
    update(_REVIEWS)
    .where(_REVIEWS.c.id == bindparam("review_id"), _REVIEWS.c.version == bindparam("old"))
    .values(
        note=bindparam("new_note"),
        version=bindparam("new_version"),
        updated_at=bindparam("new_updated_at"),
    )
)
_TOUCH_REVIEW = (
    update(_REVIEWS)
    .where(_REVIEWS.c.id == bindparam("review_id"), _REVIEWS.c.version == bindparam("old"))
    .values(version=bindparam("new_version"), updated_at=bindparam("new_updated_at"))
)
_NEW_URL = insert(_EVIDENCE).returning(_EVIDENCE.c.id)
_DROP_URL = delete(_EVIDENCE).where(_EVIDENCE.c.id == bindparam("url_id"))


@dataclass(frozen=True)
class UrlRow:
    id: int
    url: str
    added_at: datetime


@dataclass(frozen=True)
class OwnReview:
    """A reviewer's review of a claim as a note's or a URL's save finds it, the claim locked.

    ``status`` None: no such claim; for a claim that is not open nothing else is read."""

    claim_id: int
    status: str | None
    mine: ReviewRow | None = None  # None: no review yet (one is created on first touch)
    urls: tuple[UrlRow, ...] = ()

    def urls_out(self) -> list[EvidenceOut]:
        return [EvidenceOut(url=u.url, added_at=u.added_at) for u in self.urls]


def read_own(session: Session, claim_id: int, reviewer_id: int) -> OwnReview:
    """Lock ``claim_id`` (its status read with the lock, as :func:`read_claim` takes it) and
    read ``reviewer_id``'s review of it with its URLs: two statements, one for a claim that
    is missing or not open."""
    locked = stats.lock(session, claim_id)
    if locked is None:
        return OwnReview(claim_id, status=None)
    status = locked[0]
    if status != stats.OPEN:
        return OwnReview(claim_id, status=status)
    rows = session.execute(_OWN, {"claim_id": claim_id, "reviewer_id": reviewer_id}).all()
    if not rows:
        return OwnReview(claim_id, status=status)
    mine = ReviewRow(*(rows[0][: len(_REVIEW_COLUMNS)]))
    urls = tuple(UrlRow(r.url_id, r.url, r.added_at) for r in rows if r.url_id is not None)
    return OwnReview(claim_id, status=status, mine=mine, urls=urls)


def _created(
    session: Session, claim_id: int, reviewer_id: int, note: str, version: int
) -> ReviewRow:
    """A reviewer's review created on their first touch of a claim, undecided, at the version
    the ORM path left it (1 as inserted, 2 when the change that created it updated it)."""
    now = utcnow()
    row = ReviewRow(
        id=0,  # given by the INSERT
        reviewer_id=reviewer_id,
        verdict=None,
        blind_verdict=None,
        changed_after_reveal=False,
        note=note,
        version=version,
        created_at=now,
        updated_at=now,
        decided_at=None,
        seconds_spent=None,
    )
    values = {name: getattr(row, name) for name in _REVIEW_COLUMNS if name != "id"}
    return replace(row, id=session.scalar(_NEW_REVIEW, {**values, "claim_id": claim_id}))


def _bumped(session: Session, before: ReviewRow, note: str | None = None) -> ReviewRow:
    """``before`` updated (its note, when given; else only its updated_at), one version on."""
    after = replace(before, version=before.version + 1, updated_at=utcnow())
    params = {
        "review_id": before.id,
        "old": before.version,
        "new_version": after.version,
        "new_updated_at": after.updated_at,
    }
    if note is None:
        changed = session.execute(_TOUCH_REVIEW, params)
    else:
        after = replace(after, note=note)
        changed = session.execute(_CHANGE_NOTE, {**params, "new_note": note})
    if getattr(changed, "rowcount", 1) != 1:  # what the ORM's version check raises
        raise StaleDataError(f"review {before.id} changed while it was being saved")
    return after


def _review_entry(
    claim_id: int, actor_id: int, before: ReviewRow | None, after: ReviewRow
) -> dict[str, Any] | None:
    """log_review's entry."""
    return entry(
        actor_id=actor_id,
        entity=Entity.review,
        entity_id=after.id,
        action=Change.create if before is None else Change.update,
        before=None if before is None else review_state(before),
        after=review_state(after),
        claim_id=claim_id,
    )


def _url_entry(
    claim_id: int, actor_id: int, review_id: int, url_id: int, url: str, action: Change
) -> dict[str, Any] | None:
    """log_url's entry."""
    value = {"url": url, "review_id": review_id}
    return entry(
        actor_id=actor_id,
        entity=Entity.url,
        entity_id=url_id,
        action=action,
        before=value if action == Change.delete else None,
        after=value if action == Change.create else None,
        claim_id=claim_id,
    )


def save_note(session: Session, own: OwnReview, reviewer: Actor, note: str) -> ReviewOut:
    """Set ``reviewer``'s note on an open claim :func:`read_own` read (the review created on
    first touch), with its history entry; the same note again changes nothing."""
    before = own.mine
    if before is None:
        after = _created(session, own.claim_id, reviewer.id, note, 2 if note else 1)
    elif note != before.note:
        after = _bumped(session, before, note)
    else:
        after = before
    insert_entries(session, [_review_entry(own.claim_id, reviewer.id, before, after)])
    awaiting.refresh(session, own.claim_id)  # a review changed: after an admin decided?
    return review_out_of(after, reviewer.name, own.urls_out())


def save_url(session: Session, own: OwnReview, reviewer: Actor, url: str) -> ReviewOut:
    """Attach a normalised URL to ``reviewer``'s review (created on first touch), with its
    history; one already there changes nothing."""
    before = own.mine
    urls = list(own.urls_out())
    if before is not None and any(u.url == url for u in own.urls):
        after = before
        entries = []
    else:
        now = utcnow()
        if before is None:
            after = _created(session, own.claim_id, reviewer.id, "", 2)
        else:
            after = _bumped(session, before)
        url_id = session.scalar(
            _NEW_URL, {"review_id": after.id, "url": url, "note": "", "added_at": now}
        )
        urls.append(EvidenceOut(url=url, added_at=now))
        entries = [_url_entry(own.claim_id, reviewer.id, after.id, url_id, url, Change.create)]
    entries.insert(0, _review_entry(own.claim_id, reviewer.id, before, after))
    insert_entries(session, entries)
    awaiting.refresh(session, own.claim_id)  # a review changed: after an admin decided?
    return review_out_of(after, reviewer.name, urls)


def drop_url(session: Session, own: OwnReview, reviewer: Actor, url: str) -> ReviewOut:
    """Remove a URL from ``reviewer``'s review, which has it (the caller checked), with its
    history entry."""
    if own.mine is None:
        raise ValueError(f"no review of claim {own.claim_id} to remove {url} from")
    after = _bumped(session, own.mine)
    entries: list[dict[str, Any] | None] = []
    for u in own.urls:
        if u.url == url:
            session.execute(_DROP_URL, {"url_id": u.id})
            entries.append(
                _url_entry(own.claim_id, reviewer.id, after.id, u.id, url, Change.delete)
            )
    insert_entries(session, entries)
    awaiting.refresh(session, own.claim_id)  # a review changed: after an admin decided?
    kept = [EvidenceOut(url=u.url, added_at=u.added_at) for u in own.urls if u.url != url]
    return review_out_of(after, reviewer.name, kept)
