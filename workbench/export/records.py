"""The reviewed dataset as ``ExportRecord``s, read from the database in batches."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine, select
from sqlalchemy.orm import selectinload

from workbench.db.models import Claim, FinalVerdict, Review
from workbench.db.session import unit_of_work
from workbench.review.queue import review_out
from workbench.schemas import ClaimStatus, DocumentRef, ExportRecord, FinalSource, Verdict

BATCH = 500


def iter_records(engine: Engine, batch: int = BATCH) -> Iterator[ExportRecord]:
    """Every claim with its document and reviews, in id order, ``batch`` claims a query."""
    after = 0
    while True:
        with unit_of_work(engine) as session:
            claims = session.scalars(
                select(Claim)
                .where(Claim.id > after)
                .order_by(Claim.id)
                .limit(batch)
                .options(
                    selectinload(Claim.document),
                    selectinload(Claim.reviews).selectinload(Review.reviewer),
                    selectinload(Claim.reviews).selectinload(Review.evidence),
                )
            ).all()
            # No relationship from Claim to its final verdict: one query for the batch.
            finals = {
                final.claim_id: final
                for final in session.scalars(
                    select(FinalVerdict).where(FinalVerdict.claim_id.in_([c.id for c in claims]))
                )
            }
            records = [_record(claim, finals.get(claim.id)) for claim in claims]
        yield from records
        if len(claims) < batch:
            return
        after = claims[-1].id


def _record(claim: Claim, final: FinalVerdict | None = None) -> ExportRecord:
    document = claim.document
    return ExportRecord(
        claim_id=claim.id,
        text=claim.text,
        char_start=claim.char_start,
        char_end=claim.char_end,
        speaker=claim.speaker,
        score=claim.score,
        extractor=claim.extractor,
        status=ClaimStatus(claim.status),
        document=DocumentRef(
            id=document.id, title=document.title, source=document.source, sha256=document.sha256
        ),
        reviews=[review_out(review) for review in claim.reviews],
        final_verdict=Verdict(final.verdict) if final else None,
        final_source=FinalSource(final.source) if final else None,
        final_reason=final.reason if final else None,
    )
