"""The one write path for reviews, URLs and final verdicts, with their history and figures.

Every function here works inside the caller's transaction (a :class:`Session` it owns), so a
change, its history entries and what follows from it (the claim's figures in
``workbench.review.stats``, its automatic final verdict) are stored together or not at all.
Nothing outside this module adds, changes or removes a ``Review``, ``Evidence`` or
``FinalVerdict`` row one at a time, or writes their history:

* the app's edits of a reviewer's own review (``workbench.review.decisions`` checks who may
  change what), on rows rather than ORM objects: a verdict, the call a busy team makes most,
  is ``saves.read_claim`` then ``saves.save_verdict``, and ends with the figures and the
  automatic final as :func:`refresh_final` does (the rule of which is :func:`wanted_final`,
  shared); a note or a URL is ``note_saves.read_own`` then ``save_note``, ``save_url`` or
  ``drop_url``;
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
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench import outbox
from workbench.audit import Change, Entity, record
from workbench.db.models import (
    Claim,
    Evidence,
    FinalVerdict,
    ProjectSetting,
    Review,
)
from workbench.projects.settings import ProjectSettings
from workbench.review import awaiting, blind, stats
from workbench.schemas import FinalSource

if TYPE_CHECKING:
    from workbench.review.saves import ReviewRow

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
    return final_state(final.verdict, final.source, final.reason)


def final_state(verdict: str, source: str, reason: str) -> dict[str, Any]:
    """The part of a final verdict its history shows, from the columns (rows, not objects)."""
    return {"verdict": verdict, "source": source, "reason": reason}


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
    # Every final verdict's change, automatic or an admin's, passes here: its webhook event.
    change = {"action": action.value, "before": before, "after": after}
    outbox.final_decided(session, claim_id, None, change, decided_by_id=actor_id)


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


def reviews_per_claim(session: Session, project_id: int | None = None) -> int:
    """k as stored for the project, read in the caller's transaction (the default when nobody
    set it). None: the first project's (a database with one project)."""
    key = ProjectSetting.key == "reviews_per_claim"
    query = select(ProjectSetting.value).where(key).order_by(ProjectSetting.project_id).limit(1)
    if project_id is not None:
        query = query.where(ProjectSetting.project_id == project_id)
    return k_of(session.scalar(query))


def claim_k(session: Session, claim_id: int) -> int:
    """k of the claim's project: one statement."""
    project = select(Claim.project_id).where(Claim.id == claim_id).scalar_subquery()
    return k_of(
        session.scalar(
            select(ProjectSetting.value).where(
                ProjectSetting.key == "reviews_per_claim", ProjectSetting.project_id == project
            )
        )
    )


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
    k = claim_k(session, claim_id) if k is None else k
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
