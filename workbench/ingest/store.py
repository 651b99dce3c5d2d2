"""Ingest's storing stage: whole documents with their claims, sketches and similarity links.

One document (:func:`store_document`) or a batch (:func:`store_batch`) per transaction, the
documents already stored skipped by their sha256; rows go in as Core bulk inserts, and the
claims are linked to similar stored claims (:mod:`workbench.similarity.link`) in the same
transaction, so a document appears with its claims and links or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workbench import outbox
from workbench.db.models import Base, Claim, ClaimCount, Document
from workbench.db.session import unit_of_work
from workbench.extract import Extractor
from workbench.ingest.extraction import Extracted
from workbench.projects.service import resolve_project
from workbench.schemas import ClaimCandidate, ClaimStatus, DocumentIn
from workbench.similarity.cache import SketchCache
from workbench.similarity.link import link_claims, link_documents
from workbench.similarity.measure import sketches


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_document(
    engine: Engine, document: DocumentIn, extractor: Extractor, project: int | str | None = None
) -> int | None:
    """Store one document and its claims; ``None`` if the same text is already stored.

    Extraction and the claims' similarity sketches are computed before the transaction
    opens, so the write lock is held only for the inserts and the similarity lookup, and a
    failure leaves nothing behind: the claims and their links to similar claims of other
    documents are stored together or not at all. Errors are raised (``ingest_documents``
    is the bulk path that reports them and goes on).
    """
    digest = sha256_of(document.text)
    project_id = resolve_project(engine, project).id
    if _stored(engine, digest, project_id):
        return None
    candidates = extractor.extract(document.text)
    claim_sketches = sketches([c.text for c in candidates])
    try:
        with unit_of_work(engine) as session:
            claims = [_claim_row(c, project_id) for c in candidates]
            row = _document_row(document, digest, claims, project_id)
            session.add(row)
            session.flush()
            _count_out_of_queue(session, candidates, project_id)
            link_claims(
                session, row.id, [(c.id, s) for c, s in zip(claims, claim_sketches, strict=True)]
            )
            outbox.document_ingested(
                session, project_id, row.id, row.title, row.source, len(candidates)
            )
            return _in_queue(candidates)
    except IntegrityError:
        # Another process stored the same text between our check and our insert.
        if _stored(engine, digest, project_id):
            return None
        raise


def _stored(engine: Engine, digest: str, project_id: int) -> bool:
    with unit_of_work(engine) as session:
        return bool(stored_digests(session, [digest], project_id))


def _claim_row(candidate: ClaimCandidate, project_id: int) -> Claim:
    return Claim(
        project_id=project_id,
        text=candidate.text,
        char_start=candidate.char_start,
        char_end=candidate.char_end,
        speaker=candidate.speaker,
        score=candidate.score,
        extractor=candidate.extractor,
        status=_status(candidate),
        # Set only when provisional (None: the extractor's score); see _claim_values.
        **({"scored_by": candidate.scored_by} if candidate.scored_by else {}),
    )


def _status(candidate: ClaimCandidate) -> str:
    # A sentence below the threshold (a provisional extractor's) is stored out of the queue,
    # held out (not a person's "not a claim"), until the re-scorer judges it.
    return ClaimStatus.held_out.value if candidate.below_threshold else ClaimStatus.open.value


def _in_queue(candidates: Sequence[ClaimCandidate]) -> int:
    """The claims a document adds to the queue: what ingest reports (sentences stored below
    the threshold, for the re-scorer, are not claims yet)."""
    return sum(1 for c in candidates if not c.below_threshold)


def _count_out_of_queue(
    session: Session, candidates: Sequence[ClaimCandidate], project_id: int
) -> None:
    """Count the held-out rows in the totals' rows of changes (workbench.review.stats sums
    them, and leaves them out of the number of claims; ingest sits beside review and cannot
    call it)."""
    hidden = sum(1 for c in candidates if c.below_threshold)
    if hidden:
        session.execute(
            insert(_COUNTS).values(
                project_id=project_id, reviewed=0, not_a_claim=0, held_out=hidden
            )
        )


def _document_row(
    document: DocumentIn, digest: str, claims: list[Claim], project_id: int
) -> Document:
    return Document(
        project_id=project_id,
        title=document.title[:500],
        source=document.source,
        url=document.url,
        text=document.text,
        sha256=digest,
        published=document.published,
        metadata_=document.metadata,
        claims=claims,
    )


@dataclass(frozen=True)
class Ready:
    """A document extracted, waiting for its batch's transaction."""

    document: DocumentIn
    digest: str
    extracted: Extracted


def stored_digests(session: Session, digests: Sequence[str], project_id: int) -> set[str]:
    """Which of ``digests`` the project already holds (the same text may be in another)."""
    if not digests:
        return set()
    query = select(Document.sha256).where(
        Document.project_id == project_id, Document.sha256.in_(digests)
    )
    return set(session.scalars(query))


_DOCUMENTS: Table = Base.metadata.tables[Document.__tablename__]
_CLAIMS: Table = Base.metadata.tables[Claim.__tablename__]
_COUNTS: Table = Base.metadata.tables[ClaimCount.__tablename__]


def store_batch(
    session: Session,
    batch: Sequence[Ready],
    cache: SketchCache | None = None,
    *,
    project_id: int | None = None,
) -> list[int | None]:
    """Insert the new documents of ``batch`` with their claims and links, in ``session``.

    Returns each document's number of claims, or None for a text already stored (earlier,
    by another process, or earlier in this very batch). Core inserts with ``RETURNING``, a
    statement per table for the whole batch: the ORM's per-object bookkeeping cost more than
    the rest of storing.
    """
    if project_id is None:
        project_id = resolve_project(session).id
    known = stored_digests(session, [r.digest for r in batch], project_id)
    outcomes: list[int | None] = []
    new: list[Ready] = []
    for ready in batch:
        if ready.digest in known:
            outcomes.append(None)
            continue
        known.add(ready.digest)
        new.append(ready)
        outcomes.append(_in_queue(ready.extracted.candidates))
    if not new:
        return outcomes
    if session.get_bind().dialect.name == "sqlite":
        # A larger page cache for this connection: the claims' band keys land all over their
        # index, and SQLite's default 2 MB cache makes each insert read pages back from disk.
        session.execute(text("PRAGMA cache_size = -65536"))
    now = datetime.now(UTC)
    document_ids = (
        session.execute(
            insert(_DOCUMENTS).returning(_DOCUMENTS.c.id, sort_by_parameter_order=True),
            [_document_values(r.document, r.digest, now, project_id) for r in new],
        )
        .scalars()
        .all()
    )
    claim_values = [
        _claim_values(candidate, document_id, now, project_id)
        for r, document_id in zip(new, document_ids, strict=True)
        for candidate in r.extracted.candidates
    ]
    # ``scored_by`` only when some score is provisional (a two-stage scorer's first stage):
    # NULL means the extractor's own, and the column is left out of the statement otherwise.
    if any(c.scored_by for r in new for c in r.extracted.candidates):
        scorers = (c.scored_by for r in new for c in r.extracted.candidates)
        for values, scored_by in zip(claim_values, scorers, strict=True):
            values["scored_by"] = scored_by
    # One plain multi-row insert, then the new ids read back by each claim's unique span:
    # RETURNING in parameter order costs SQLite one statement per row.
    claim_id: dict[tuple[int, int, int], int] = {}
    if claim_values:
        session.execute(insert(_CLAIMS), claim_values)
        _count_out_of_queue(session, [c for r in new for c in r.extracted.candidates], project_id)
        spans = select(Claim.document_id, Claim.char_start, Claim.char_end, Claim.id).where(
            Claim.document_id.in_(document_ids)
        )
        claim_id = {(d, a, b): i for d, a, b, i in session.execute(spans)}
    link_documents(
        session,
        [
            (
                document_id,
                [
                    (claim_id[(document_id, c.char_start, c.char_end)], s)
                    for c, s in zip(r.extracted.candidates, r.extracted.sketches, strict=True)
                ],
            )
            for r, document_id in zip(new, document_ids, strict=True)
        ],
        cache,
    )
    # Webhooks (workbench.outbox): one small read per batch when none is set up.
    for r, document_id in zip(new, document_ids, strict=True):
        outbox.document_ingested(
            session,
            project_id,
            document_id,
            r.document.title[:500],
            r.document.source,
            len(r.extracted.candidates),
        )
    return outcomes


def _document_values(
    document: DocumentIn, digest: str, now: datetime, project_id: int
) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "title": document.title[:500],
        "source": document.source,
        "url": document.url,
        "text": document.text,
        "sha256": digest,
        "published": document.published,
        "metadata": document.metadata,
        "ingested_at": now,
    }


def _claim_values(
    candidate: ClaimCandidate, document_id: int, now: datetime, project_id: int
) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "project_id": project_id,
        "text": candidate.text,
        "char_start": candidate.char_start,
        "char_end": candidate.char_end,
        "speaker": candidate.speaker,
        "score": candidate.score,
        "extractor": candidate.extractor,
        "status": _status(candidate),
        "created_at": now,
    }
