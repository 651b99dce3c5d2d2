"""Writing a review: verdicts, notes, corroborating URLs and "not a claim".

Every function is one transaction. A reviewer only ever writes their own review: the
actor is an argument of every call, and no call reaches another reviewer's row. The actor's
role is checked against the stored account on every call, not taken on trust.

The history entries of these edits, and what follows from a verdict (the claim's figures and
its automatic final), are written by ``workbench.review.writes``, the one write path that
an import and the adjudication page share.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.db.models import Claim, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, StaleEdit
from workbench.review import assign, discussion, note_saves, saves, stats
from workbench.schemas import Actor, ClaimStatus, ReviewOut
from workbench.storable import unstorable
from workbench.urls import normalise_url

MAX_NOTE_CHARS = 10_000


def set_verdict(
    engine: Engine,
    claim_id: int,
    actor: Actor,
    verdict: str | None,
    *,
    expected_version: int | None = None,
    shown_at: datetime | None = None,
) -> ReviewOut:
    """Record ``actor``'s verdict on a claim (``None`` takes the verdict back).

    ``shown_at`` is when the claim was put in front of the reviewer (the time spent is
    measured from it; without it, from when their lease began).
    """
    with unit_of_work(engine) as session:
        return record_verdict(
            session,
            claim_id,
            actor,
            verdict,
            expected_version=expected_version,
            shown_at=shown_at,
        )


def record_verdict(
    session: Session,
    claim_id: int,
    actor: Actor,
    verdict: str | None,
    *,
    expected_version: int | None = None,
    shown_at: datetime | None = None,
) -> ReviewOut:
    """:func:`set_verdict` inside the caller's transaction, so several claims can be
    decided at once and all or none of the verdicts are stored.

    Rows, not ORM objects (``saves.save_verdict`` says why): the account checked once, with
    the claim's lock (one statement), the claim's state read, then the writes."""
    # A plain string: a caller's str subclass (an enum) is stored and logged as its value.
    verdict = None if verdict is None else str(verdict)
    now = datetime.now(UTC)
    # Before the review row is written: the claim's lock guards its k slots.
    reviewer, locked = assign.account_and_lock(session, actor, claim_id)
    state = saves.read_claim(session, claim_id, reviewer.id, now, locked)
    _check_status(claim_id, state.status)
    if verdict is not None:
        state.check_verdict(verdict)  # before anything is written: the claim's own scale
    decision = assign.take_slot(session, state, reviewer, verdict, shown_at=shown_at, now=now)
    mine = state.mine
    if mine is None and expected_version not in (None, 0):
        raise NotFound(f"your review of claim {claim_id} was deleted after you opened it")
    if mine is not None and expected_version is not None and mine.version != expected_version:
        raise StaleEdit(
            f"your review of claim {claim_id}",
            changed_by=reviewer.name,
            changed_at=mine.updated_at,
            current=saves.review_out_of(mine, reviewer.name, saves.urls_of(session, mine.id)),
        )
    saved = saves.save_verdict(session, claim_id, state, reviewer, verdict, decision)
    # A changed verdict answers a claim sent back to its reviewer.
    if decision.changed and verdict is not None and state.open_questions:
        discussion.answered_by_verdict(session, claim_id, reviewer.id, verdict)
    return saved


def set_note(
    engine: Engine,
    claim_id: int,
    actor: Actor,
    note: str,
    *,
    expected_version: int | None = None,
) -> ReviewOut:
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"a note is at most {MAX_NOTE_CHARS} characters ({len(note)} given)")
    problem = unstorable(note)
    if problem is not None:
        raise InvalidInput(f"the note {problem}")
    with unit_of_work(engine) as session:
        reviewer, own = _own_review(session, claim_id, actor, expected_version)
        return note_saves.save_note(session, own, reviewer, note)


def add_url(
    engine: Engine,
    claim_id: int,
    actor: Actor,
    raw_url: str,
    *,
    expected_version: int | None = None,
) -> ReviewOut:
    """Attach a corroborating URL; adding one already there changes nothing."""
    url = normalise_url(raw_url)
    with unit_of_work(engine) as session:
        reviewer, own = _own_review(session, claim_id, actor, expected_version)
        return note_saves.save_url(session, own, reviewer, url)


def remove_url(
    engine: Engine,
    claim_id: int,
    actor: Actor,
    url: str,
    *,
    expected_version: int | None = None,
) -> ReviewOut:
    with unit_of_work(engine) as session:
        reviewer, own = _own_review(session, claim_id, actor, expected_version)
        if all(u.url != url for u in own.urls):
            raise NotFound(f"{url} is not among your URLs for claim {claim_id}")
        return note_saves.drop_url(session, own, reviewer, url)


def mark_not_a_claim(engine: Engine, claim_id: int, actor: Actor) -> None:
    """Take a bad extraction out of the queue, without a verdict."""
    _set_status(engine, claim_id, actor, ClaimStatus.not_a_claim)


def reopen_claim(engine: Engine, claim_id: int, actor: Actor) -> None:
    """Put a claim marked "not a claim" back into the queue."""
    _set_status(engine, claim_id, actor, ClaimStatus.open)


def _set_status(engine: Engine, claim_id: int, actor: Actor, status: ClaimStatus) -> None:
    with unit_of_work(engine) as session:
        user = _user(session, actor, claim_id)
        claim = _claim(session, claim_id)
        # Read again under the row lock: a correction may have replaced it meanwhile.
        session.refresh(claim, with_for_update=True)
        if claim.status == ClaimStatus.superseded:
            # Its correction is the claim now: reopening the original would put the same
            # statement in the queue twice.
            raise InvalidInput(_superseded(claim_id))
        # Under the claim's row lock, and counted in the queue's totals (review.stats).
        before = stats.status_changed(session, claim_id, status)
        record(
            session,
            actor_id=user.id,
            entity=Entity.claim_status,
            entity_id=claim_id,
            action=Change.update,
            before={"status": before},
            after={"status": status.value},
            claim_id=claim_id,
        )
        claim.status_changed_by_id = user.id
        claim.status_changed_at = datetime.now(UTC)


def _claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"claim {claim_id} does not exist")
    return claim


def _superseded(claim_id: int) -> str:
    return (
        f"claim {claim_id} was replaced by a correction of its text and is out of the queue; "
        "review the corrected claim instead"
    )


def _user(session: Session, actor: Actor, claim_id: int) -> User:
    """The actor's account, checked again here (once per transaction, as
    :func:`assign.account_in` checks it): a role or an account can change mid-session."""
    return assign.reviewer_in(session, actor, claim_id)


def _own_review(
    session: Session,
    claim_id: int,
    actor: Actor,
    expected_version: int | None,
) -> tuple[Actor, note_saves.OwnReview]:
    """The actor's account (the one permission check), then, the claim locked as a verdict
    locks it, their review of it with its URLs (``mine`` None: none yet, created by the save),
    checked for staleness: rows, not ORM objects (issue 13; ``saves.save_verdict``)."""
    reviewer, locked = assign.account_and_lock(session, actor, claim_id)
    own = note_saves.read_own(session, claim_id, reviewer.id, locked)
    _check_status(claim_id, own.status)
    mine = own.mine
    if mine is None:
        if expected_version not in (None, 0):
            raise NotFound(f"your review of claim {claim_id} was deleted after you opened it")
        return reviewer, own
    if expected_version is not None and mine.version != expected_version:
        raise StaleEdit(
            f"your review of claim {claim_id}",
            changed_by=reviewer.name,
            changed_at=mine.updated_at,
            current=saves.review_out_of(mine, reviewer.name, own.urls_out()),
        )
    return reviewer, own


def _check_status(claim_id: int, status: str | None) -> None:
    """Refuse a review of a claim that is missing or out of the queue."""
    if status is None:
        raise NotFound(f"claim {claim_id} does not exist")
    if status == ClaimStatus.superseded:
        raise InvalidInput(_superseded(claim_id))
    if status == ClaimStatus.held_out:
        raise InvalidInput(
            f"claim {claim_id} is held out of the queue by the extractor (scored below its "
            "threshold); put it in the queue to review it"
        )
    if status != ClaimStatus.open:
        raise InvalidInput(
            f"claim {claim_id} is marked 'not a claim'; put it back in the queue to review it"
        )
