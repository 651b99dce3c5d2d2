"""Writing a review: verdicts, notes, corroborating URLs and "not a claim".

Every function is one transaction. A reviewer only ever writes their own review: the
reviewer is an argument of every call, and no call reaches another reviewer's row.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from workbench.db.models import Claim, Evidence, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound, StaleEdit
from workbench.review.queue import review_out
from workbench.review.urls import normalise_url
from workbench.schemas import ClaimStatus, ReviewOut, Verdict

MAX_NOTE_CHARS = 10_000
MAX_NAME_CHARS = 100


def reviewer_name(raw: str) -> str:
    """A reviewer's name as stored: trimmed, non-empty, printable."""
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput("enter your name: every review is stored with its reviewer")
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"a reviewer name is at most {MAX_NAME_CHARS} characters")
    if not name.isprintable():
        raise InvalidInput("a reviewer name cannot contain control characters")
    return name


def set_verdict(
    engine: Engine,
    claim_id: int,
    reviewer: str,
    verdict: Verdict | None,
    *,
    expected_version: int | None = None,
) -> ReviewOut:
    """Record ``reviewer``'s verdict on a claim (``None`` takes the verdict back)."""
    with unit_of_work(engine) as session:
        review = record_verdict(
            session, claim_id, reviewer, verdict, expected_version=expected_version
        )
        return review_out(review)


def record_verdict(
    session: Session,
    claim_id: int,
    reviewer: str,
    verdict: Verdict | None,
    *,
    expected_version: int | None = None,
) -> Review:
    """:func:`set_verdict` inside the caller's transaction, so several claims can be
    decided at once and all or none of the verdicts are stored."""
    review = _own_review(session, claim_id, reviewer, expected_version)
    review.verdict = verdict.value if verdict else None
    session.flush()
    return review


def set_note(
    engine: Engine,
    claim_id: int,
    reviewer: str,
    note: str,
    *,
    expected_version: int | None = None,
) -> ReviewOut:
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"a note is at most {MAX_NOTE_CHARS} characters ({len(note)} given)")
    with unit_of_work(engine) as session:
        review = _own_review(session, claim_id, reviewer, expected_version)
        review.note = note
        session.flush()
        return review_out(review)


def add_url(engine: Engine, claim_id: int, reviewer: str, raw_url: str) -> ReviewOut:
    """Attach a corroborating URL; adding one already there changes nothing."""
    url = normalise_url(raw_url)
    with unit_of_work(engine) as session:
        review = _own_review(session, claim_id, reviewer, None)
        if all(e.url != url for e in review.evidence):
            review.evidence.append(Evidence(url=url))
            review.updated_at = datetime.now(UTC)  # bumps the version: the review changed
        session.flush()
        return review_out(review)


def remove_url(engine: Engine, claim_id: int, reviewer: str, url: str) -> ReviewOut:
    with unit_of_work(engine) as session:
        review = _own_review(session, claim_id, reviewer, None)
        kept = [e for e in review.evidence if e.url != url]
        if len(kept) == len(review.evidence):
            raise NotFound(f"{url} is not among your URLs for claim {claim_id}")
        review.evidence = kept
        review.updated_at = datetime.now(UTC)
        session.flush()
        return review_out(review)


def mark_not_a_claim(engine: Engine, claim_id: int, reviewer: str) -> None:
    """Take a bad extraction out of the queue, without a verdict."""
    _set_status(engine, claim_id, reviewer, ClaimStatus.not_a_claim)


def reopen_claim(engine: Engine, claim_id: int, reviewer: str) -> None:
    """Put a claim marked "not a claim" back into the queue."""
    _set_status(engine, claim_id, reviewer, ClaimStatus.open)


def _set_status(engine: Engine, claim_id: int, reviewer: str, status: ClaimStatus) -> None:
    with unit_of_work(engine) as session:
        claim = _claim(session, claim_id)
        user = _user(session, reviewer)
        claim.status = status.value
        claim.status_changed_by_id = user.id
        claim.status_changed_at = datetime.now(UTC)


def _claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"claim {claim_id} does not exist")
    return claim


def _user(session: Session, reviewer: str) -> User:
    name = reviewer_name(reviewer)
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name)
        session.add(user)
        session.flush()
    return user


def _own_review(
    session: Session, claim_id: int, reviewer: str, expected_version: int | None
) -> Review:
    """The caller's own review of a claim, created on first touch, checked for staleness."""
    claim = _claim(session, claim_id)
    if claim.status != ClaimStatus.open:
        raise InvalidInput(
            f"claim {claim_id} is marked 'not a claim'; put it back in the queue to review it"
        )
    user = _user(session, reviewer)
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
