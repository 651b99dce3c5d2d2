"""Store documents with their claims: one transaction per document, duplicates skipped."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from workbench.db.models import Claim, Document
from workbench.db.session import unit_of_work
from workbench.extract import Extractor
from workbench.extract.similarity import sketches
from workbench.ingest.readers import ReadError, estimate_documents, expand_paths, read_file
from workbench.review.similar import link_claims
from workbench.schemas import ClaimCandidate, DocumentIn


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    claims: int = 0
    errors: list[ReadError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        return (
            f"{self.added} added ({self.claims} claims), "
            f"{self.duplicates} skipped as duplicate, {self.failed} failed"
        )


def store_document(engine: Engine, document: DocumentIn, extractor: Extractor) -> int | None:
    """Store one document and its claims; ``None`` if the same text is already stored.

    Extraction and the claims' similarity sketches are computed before the transaction
    opens, so the write lock is held only for the inserts and the similarity lookup, and a
    failure leaves nothing behind: the claims and their links to similar claims of other
    documents are stored together or not at all.
    """
    digest = sha256_of(document.text)
    with unit_of_work(engine) as session:
        if session.scalar(select(Document.id).where(Document.sha256 == digest)) is not None:
            return None
    candidates = extractor.extract(document.text)
    claim_sketches = sketches([c.text for c in candidates])
    try:
        with unit_of_work(engine) as session:
            claims = [_claim_row(c) for c in candidates]
            row = Document(
                title=document.title[:500],
                source=document.source,
                url=document.url,
                text=document.text,
                sha256=digest,
                published=document.published,
                metadata_=document.metadata,
                claims=claims,
            )
            session.add(row)
            session.flush()
            link_claims(
                session, row.id, [(c.id, s) for c, s in zip(claims, claim_sketches, strict=True)]
            )
            return len(candidates)
    except IntegrityError:
        # Another process stored the same text between our check and our insert.
        with unit_of_work(engine) as session:
            if session.scalar(select(Document.id).where(Document.sha256 == digest)) is not None:
                return None
        raise


def _claim_row(candidate: ClaimCandidate) -> Claim:
    return Claim(
        text=candidate.text,
        char_start=candidate.char_start,
        char_end=candidate.char_end,
        speaker=candidate.speaker,
        score=candidate.score,
        extractor=candidate.extractor,
    )


def ingest_documents(
    engine: Engine,
    items: Iterable[DocumentIn | ReadError],
    extractor: Extractor,
    report: IngestReport | None = None,
    on_item: Callable[[DocumentIn | ReadError], None] | None = None,
) -> IngestReport:
    """Store each document in its own transaction; errors are collected, not raised."""
    report = report or IngestReport()
    for item in items:
        if isinstance(item, ReadError):
            report.errors.append(item)
        else:
            stored = store_document(engine, item, extractor)
            if stored is None:
                report.duplicates += 1
            else:
                report.added += 1
                report.claims += stored
        if on_item is not None:
            on_item(item)
    return report


def ingest_paths(
    engine: Engine,
    paths: Sequence[Path],
    extractor: Extractor,
    *,
    max_bytes: int,
    on_item: Callable[[DocumentIn | ReadError], None] | None = None,
) -> IngestReport:
    files, errors = expand_paths(paths)
    report = ingest_documents(engine, errors, extractor, on_item=on_item)
    for path in files:
        ingest_documents(engine, read_file(path, max_bytes=max_bytes), extractor, report, on_item)
    return report


def count_documents(paths: Sequence[Path]) -> int:
    """A cheap estimate of how many documents ``paths`` hold, for a progress bar."""
    files, _ = expand_paths(paths)
    return sum(estimate_documents(path) for path in files)
