"""Writing a review: verdicts, notes, corroborating URLs and "not a claim".

Every function is one transaction. A reviewer only ever writes their own review: the
actor is an argument of every call, and no call reaches another reviewer's row. The actor's
role is checked against the stored account on every call, not taken on trust.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from workbench.auth.accounts import actor_of
from workbench.auth.permissions import Action, require
from workbench.db.models import Claim, Evidence, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from workbench.review.queue import review_out
from workbench.review.urls import normalise_url
from workbench.schemas import Actor, ClaimStatus, ReviewOut, Verdict

MAX_NOTE_CHARS = 10_000


def set_verdict(
    engine: Engine,
    claim_id: int,
    actor: Actor,
    verdict: Verdict | None,
    *,
    expected_version: int | None = None,
) -> ReviewOut:
    """Record ``actor``'s verdict on a claim (``None`` takes the verdict back)."""
    with unit_of_work(engine) as session:
        review = _own_review(session, claim_id, actor, expected_version)
        review.verdict = verdict.value if verdict else None
        session.flush()
        return review_out(review)


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
    with unit_of_work(engine) as session:
        review = _own_review(session, claim_id, actor, expected_version)
        review.note = note
        session.flush()
        return review_out(review)


def add_url(engine: Engine, claim_id: int, actor: Actor, raw_url: str) -> ReviewOut:
    """Attach a corroborating URL; adding one already there changes nothing."""
    url = normalise_url(raw_url)
    with unit_of_work(engine) as session:
        review = _own_review(session, claim_id, actor, None)
        if all(e.url != url for e in review.evidence):
            review.evidence.append(Evidence(url=url))
            review.updated_at = datetime.now(UTC)  # bumps the version: the review changed
        session.flush()
        return review_out(review)


def remove_url(engine: Engine, claim_id: int, actor: Actor, url: str) -> ReviewOut:
    with unit_of_work(engine) as session:
        review = _own_review(session, claim_id, actor, None)
        kept = [e for e in review.evidence if e.url != url]
        if len(kept) == len(review.evidence):
            raise NotFound(f"{url} is not among your URLs for claim {claim_id}")
        review.evidence = kept
        review.updated_at = datetime.now(UTC)
        session.flush()
        return review_out(review)


def mark_not_a_claim(engine: Engine, claim_id: int, actor: Actor) -> None:
    """Take a bad extraction out of the queue, without a verdict."""
    _set_status(engine, claim_id, actor, ClaimStatus.not_a_claim)


def reopen_claim(engine: Engine, claim_id: int, actor: Actor) -> None:
    """Put a claim marked "not a claim" back into the queue."""
    _set_status(engine, claim_id, actor, ClaimStatus.open)


def _set_status(engine: Engine, claim_id: int, actor: Actor, status: ClaimStatus) -> None:
    with unit_of_work(engine) as session:
        claim = _claim(session, claim_id)
        user = _user(session, actor)
        claim.status = status.value
        claim.status_changed_by_id = user.id
        claim.status_changed_at = datetime.now(UTC)


def _claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"claim {claim_id} does not exist")
    return claim


def _user(session: Session, actor: Actor) -> User:
    """The actor's account, checked again here: a role or an account can change mid-session."""
    user = session.get(User, actor.id)
    if user is None or user.disabled:
        raise PermissionDenied(f"the account {actor.name!r} is disabled or no longer exists")
    require(actor_of(user), Action.review)
    return user


def _own_review(
    session: Session, claim_id: int, actor: Actor, expected_version: int | None
) -> Review:
    """The caller's own review of a claim, created on first touch, checked for staleness."""
    claim = _claim(session, claim_id)
    if claim.status != ClaimStatus.open:
        raise InvalidInput(
            f"claim {claim_id} is marked 'not a claim'; put it back in the queue to review it"
        )
    user = _user(session, actor)
    review = session.scalar(
        select(Review).where(Review.claim_id == claim_id, Review.reviewer_id == user.id)
    )
    if review is None:
        if expected_version not in (None, 0):
            raise NotFound(f"your review of claim {claim_id} was deleted after you opened it")
        review = Review(claim_id=claim_id, reviewer_id=user.id, note="")
        session.add(review)
        session.flush()
        return review
    if expected_version is not None and review.version != expected_version:
        raise StaleEdit(
            f"your review of claim {claim_id}",
            changed_by=user.name,
            changed_at=review.updated_at,
            current=review_out(review),
        )
    return review
