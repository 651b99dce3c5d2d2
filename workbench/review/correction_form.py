"""What a correction form shows: a claim, its paragraph's sentences, and spans by sentence.

The reading side of ``workbench.review.corrections`` (which writes): the context a form needs
(:func:`correction_context`), the spans its by-sentence buttons propose, and the reads both
share. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from workbench.auth.policy import Action
from workbench.db.models import Claim, Document, FinalVerdict, Review
from workbench.db.session import unit_of_work
from workbench.errors import NotFound
from workbench.extract.segment import paragraph_span, sentences
from workbench.review import scope
from workbench.schemas import Actor, ClaimStatus, FinalSource

Span = tuple[int, int]


class ClaimSpan(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    char_start: int
    char_end: int
    text: str


class Sentence(BaseModel):
    """A sentence of the paragraph, and the claim that holds it: an open claim overlapping it,
    or one marked "not a claim" with exactly its span (None: the extractor missed it)."""

    model_config = ConfigDict(frozen=True)

    char_start: int
    char_end: int
    claim_id: int | None


class CorrectionContext(BaseModel):
    """What a correction form needs: the claim, its paragraph and the paragraph's sentences."""

    model_config = ConfigDict(frozen=True)

    claim: ClaimSpan
    document_id: int
    status: ClaimStatus
    paragraph_start: int
    paragraph_end: int
    sentences: list[Sentence]
    next_claim: ClaimSpan | None  # the open claim after this one in its paragraph
    verdicts_by_others: int  # verdicts a correction would leave behind (asks to confirm)
    replaced_by: list[int]  # the claims a correction replaced it with (when superseded)


# --- reading ----------------------------------------------------------------------------------


def correction_context(engine: Engine, claim_id: int, actor: Actor) -> CorrectionContext:
    """The claim, its paragraph, the paragraph's sentences and the next claim, for the form."""
    with unit_of_work(engine) as session:
        scope.authorize_claim(session, actor, Action.read, claim_id)
        claim = claim_row(session, claim_id)
        document = session.get_one(Document, claim.document_id)
        text = document.text
        start, end = paragraph_span(text, claim.char_start, claim.char_end)
        in_paragraph = open_claims(session, document.id, start, end)
        dismissed = {
            (c_start, c_end): c_id
            for c_id, c_start, c_end in session.execute(
                select(Claim.id, Claim.char_start, Claim.char_end).where(
                    Claim.document_id == document.id,
                    Claim.status == ClaimStatus.not_a_claim.value,
                    Claim.char_start >= start,
                    Claim.char_end <= end,
                )
            )
        }
        found = []
        for s_start, s_end in sentences(text[start:end]):
            lo, hi = start + s_start, start + s_end
            owner = next(
                (c.id for c in in_paragraph if c.char_start < hi and c.char_end > lo), None
            )
            if owner is None:
                owner = dismissed.get((lo, hi))
            found.append(Sentence(char_start=lo, char_end=hi, claim_id=owner))
        after = [c for c in in_paragraph if c.char_start >= claim.char_end and c.id != claim.id]
        return CorrectionContext(
            claim=span_of(claim),
            document_id=document.id,
            status=ClaimStatus(claim.status),
            paragraph_start=start,
            paragraph_end=end,
            sentences=found,
            next_claim=span_of(after[0]) if after else None,
            verdicts_by_others=verdicts_by_others(session, [claim.id], actor.id),
            replaced_by=replaced_by(session, claim.id)
            if claim.status == ClaimStatus.superseded
            else [],
        )


# --- spans by sentence (for the form's buttons) -------------------------------------------------


def extend_to_next_sentence(context: CorrectionContext) -> Span | None:
    """The claim's span through the end of the sentence after it (None: it ends the paragraph)."""
    end = context.claim.char_end
    following = [s for s in context.sentences if s.char_end > end]
    return (context.claim.char_start, following[0].char_end) if following else None


def extend_to_previous_sentence(context: CorrectionContext) -> Span | None:
    start = context.claim.char_start
    before = [s for s in context.sentences if s.char_start < start]
    return (before[-1].char_start, context.claim.char_end) if before else None


def drop_last_sentence(context: CorrectionContext) -> Span | None:
    """The claim without its last sentence (None: it has one sentence or less)."""
    inside = _sentences_inside(context)
    if len(inside) < 2:
        return None
    return context.claim.char_start, inside[-2].char_end


def drop_first_sentence(context: CorrectionContext) -> Span | None:
    inside = _sentences_inside(context)
    if len(inside) < 2:
        return None
    return inside[1].char_start, context.claim.char_end


def sentence_boundaries(context: CorrectionContext) -> list[int]:
    """Where the claim can be split at a sentence boundary (the starts of its later sentences)."""
    return [s.char_start for s in _sentences_inside(context)[1:]]


def missed_sentences(context: CorrectionContext) -> list[Sentence]:
    """The paragraph's sentences no claim holds: what a reviewer may add."""
    return [s for s in context.sentences if s.claim_id is None]


def _sentences_inside(context: CorrectionContext) -> list[Sentence]:
    c = context.claim
    return [s for s in context.sentences if s.char_start < c.char_end and s.char_end > c.char_start]


# --- reads the writer shares -------------------------------------------------------------------


def verdicts_by_others(session: Session, claim_ids: Sequence[int], actor_id: int) -> int:
    """Verdicts on these claims that are not ``actor_id``'s, and adjudicated finals by others.

    (An automatic final follows the verdicts and is counted with them.)"""
    if not claim_ids:
        return 0
    verdicts = session.scalars(
        select(Review.id).where(
            Review.claim_id.in_(claim_ids),
            Review.reviewer_id != actor_id,
            Review.verdict.is_not(None),
        )
    ).all()
    adjudicated = session.scalars(
        select(FinalVerdict.id).where(
            FinalVerdict.claim_id.in_(claim_ids),
            FinalVerdict.source == FinalSource.adjudicated.value,
            or_(FinalVerdict.decided_by_id.is_(None), FinalVerdict.decided_by_id != actor_id),
        )
    ).all()
    return len(verdicts) + len(adjudicated)


def replaced_by(session: Session, claim_id: int) -> list[int]:
    """The claims corrections cut from this one (it may since have been put back)."""
    return list(
        session.scalars(
            select(Claim.id)
            .where(or_(Claim.corrected_from_id == claim_id, Claim.merged_from_id == claim_id))
            .order_by(Claim.id)
        )
    )


def claim_row(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound(f"claim {claim_id} does not exist")
    return claim


def open_claims(session: Session, document_id: int, start: int, end: int) -> list[Claim]:
    """The open claims of a document that overlap ``[start, end)``, in reading order."""
    return list(
        session.scalars(
            select(Claim)
            .where(
                Claim.document_id == document_id,
                Claim.status == ClaimStatus.open.value,
                Claim.char_start < end,
                Claim.char_end > start,
            )
            .order_by(Claim.char_start, Claim.char_end)
        )
    )


def span_of(claim: Claim) -> ClaimSpan:
    return ClaimSpan(
        id=claim.id, char_start=claim.char_start, char_end=claim.char_end, text=claim.text
    )
