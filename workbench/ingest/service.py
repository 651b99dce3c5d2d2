"""Store documents with their claims: whole documents only, duplicates skipped, fast in bulk.

Ingest runs in three stages:

1. **read** (this process): the readers turn files into ``DocumentIn`` items or ``ReadError``
   lines; each document's sha256 is computed, and documents already stored are skipped
   before any work is spent on them (one query per chunk of documents);
2. **extract** (a pool of worker processes, one per core, when the input is large enough;
   this process otherwise): claims and their similarity sketches, for a chunk of documents
   at a time, so the scorer sees one batch of a few hundred sentences;
3. **store** (this process): a batch of documents (``BATCH_DOCUMENTS``, or what has waited
   ``BATCH_SECONDS``) in one transaction: the documents, their claims, their sketches and
   their links to similar claims, looked up once for the whole batch.

What is promised, as with one transaction per document: a document is stored with all its
claims and links or not at all (a crash leaves whole documents, and a rerun skips them as
duplicates); the same text is stored once; and a document that cannot be extracted or stored
is reported as an error while the others are stored: when a batch's transaction fails, its
documents are stored again one transaction each, to find the one at fault.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, insert, select, text
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session

from workbench.db.models import Base, Claim, Document
from workbench.db.session import unit_of_work
from workbench.extract import Extractor
from workbench.ingest.readers import (
    ReadError,
    ReadWarning,
    estimate_documents,
    expand_paths,
    read_file,
)
from workbench.process import exit_with_parent
from workbench.schemas import ClaimCandidate, DocumentIn
from workbench.similarity.cache import SketchCache
from workbench.similarity.link import link_claims, link_documents
from workbench.similarity.measure import Sketch, sketches

# Documents per transaction, and the longest a stored-to-be document waits for its batch.
# Large batches: the claims' band keys land all over their index, and each transaction
# writes every index page it touched, which from a few thousand articles on is the whole
# index: the cost of a commit grows with the corpus, so fewer, larger transactions write
# less (10,000 synthetic articles: 105 s with 1,000 a batch, 121 s with 200). A crash loses
# at most one batch, which a rerun stores.
BATCH_DOCUMENTS = 1000
BATCH_SECONDS = 20.0
# Documents per task sent to a worker: enough sentences for one efficient scoring batch.
CHUNK_DOCUMENTS = 16
# Memory follows characters, not documents: a document may be up to WORKBENCH_MAX_FILE_BYTES
# (20 MiB), a thousand times an article. So a chunk also ends at CHUNK_CHARS, a batch is also
# stored at BATCH_CHARS, and the chunks waiting for or in the workers hold IN_FLIGHT_CHARS at
# most (each worker holds one chunk: at most CHUNK_CHARS or one document). Articles (10,000
# synthetic ones: 5.2 K characters each, 5.2 M a batch of 1,000) never reach these; 20 MiB
# documents do, one at a time. The cost is per claim (~1 in 130 characters of news), so a
# character cap is a claims cap: 8 M characters is some 60,000 claims a transaction.
CHUNK_CHARS = 1_000_000
BATCH_CHARS = 8_000_000
IN_FLIGHT_CHARS = 8_000_000
# The claims kept from one document: its first MAX_CLAIMS_PER_DOCUMENT, the rest dropped with
# a warning naming the file. News articles have 10-200 claims (measured: the 32 articles of
# tests/data/news give 6-21, 200 synthetic ones 21-38), so 2,000 is ten times the longest
# article one may meet; a document
# with more is a book, a dump or many articles joined into one, where claims past the first
# 2,000 would drown a review queue anyway. Unbounded, one 20 MiB document of real sentences
# gave ~110,000 claims, each held at once with its sketch and its similar-claim candidates
# (5 MiB: 27,403 claims, 568 MB; 20 MiB: killed). Bounded, a document costs its text and
# its sentences while extracted, and at most 2,000 claims and sketches afterwards.
MAX_CLAIMS_PER_DOCUMENT = 2_000
# Inputs with fewer documents than this are extracted in this process: starting the
# workers (and loading the scorer in each) would cost more than it saves.
POOL_THRESHOLD = 4 * CHUNK_DOCUMENTS


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_workers() -> int:
    """The cores this process may use (``os.process_cpu_count`` where Python has it)."""
    count = getattr(os, "process_cpu_count", None)
    found = count() if count is not None else None
    if found is None and hasattr(os, "sched_getaffinity"):
        found = len(os.sched_getaffinity(0))
    return max(1, found or os.cpu_count() or 1)


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    claims: int = 0
    errors: list[ReadError] = field(default_factory=list)
    # Things left out of documents that were stored, and files skipped on purpose.
    warnings: list[ReadWarning] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        warned = len(self.warnings)
        return (
            f"{self.added} added ({self.claims} claims), "
            f"{self.duplicates} skipped as duplicate, {self.failed} failed"
        ) + (f", {warned} warning{'s' if warned != 1 else ''}" if warned else "")


def store_document(engine: Engine, document: DocumentIn, extractor: Extractor) -> int | None:
    """Store one document and its claims; ``None`` if the same text is already stored.

    Extraction and the claims' similarity sketches are computed before the transaction
    opens, so the write lock is held only for the inserts and the similarity lookup, and a
    failure leaves nothing behind: the claims and their links to similar claims of other
    documents are stored together or not at all. Errors are raised (``ingest_documents``
    is the bulk path that reports them and goes on).
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
            row = _document_row(document, digest, claims)
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


def _document_row(document: DocumentIn, digest: str, claims: list[Claim]) -> Document:
    return Document(
        title=document.title[:500],
        source=document.source,
        url=document.url,
        text=document.text,
        sha256=digest,
        published=document.published,
        metadata_=document.metadata,
        claims=claims,
    )


# --- extraction, in this process or in the workers ------------------------------------------


@dataclass(frozen=True)
class _Extracted:
    candidates: list[ClaimCandidate]
    sketches: list[Sketch]
    dropped: int = 0  # claims past MAX_CLAIMS_PER_DOCUMENT, left out


@dataclass(frozen=True)
class _Failed:
    message: str


def _failure(exc: Exception) -> _Failed:
    return _Failed(f"claims could not be extracted: {type(exc).__name__}: {exc}")


def extract_texts(
    extractor: Extractor, texts: Sequence[str], max_claims: int | None = None
) -> list[_Extracted | _Failed]:
    """The claims and sketches of each text; a text the extractor fails on gets its error.

    Each text keeps its first ``max_claims`` claims (``MAX_CLAIMS_PER_DOCUMENT`` when None),
    cut before the sketches are made: the rest are counted in ``dropped``.
    """
    limit = MAX_CLAIMS_PER_DOCUMENT if max_claims is None else max_claims
    many: Callable[[Sequence[str]], list[list[ClaimCandidate]]] | None = getattr(
        extractor, "extract_many", None
    )
    found: list[list[ClaimCandidate] | _Failed] = []
    try:
        found += many(texts) if many is not None else [extractor.extract(t) for t in texts]
    except Exception:
        # One text of the chunk is at fault: extract them one by one to tell which.
        found = []
        for text in texts:
            try:
                found.append(extractor.extract(text))
            except Exception as exc:
                found.append(_failure(exc))
    dropped = [0 if isinstance(f, _Failed) else max(0, len(f) - limit) for f in found]
    found = [f if isinstance(f, _Failed) else f[:limit] for f in found]
    # Sketch every claim of the chunk in one pass of array operations.
    claim_texts = [c.text for f in found if not isinstance(f, _Failed) for c in f]
    all_sketches = iter(sketches(claim_texts))
    return [
        f if isinstance(f, _Failed) else _Extracted(f, [next(all_sketches) for _ in f], left)
        for f, left in zip(found, dropped, strict=True)
    ]


_worker_extractor: Extractor | None = None


# How much lower the extraction workers' scheduling priority is than this process's. This
# process (storing and linking, one batch after another) is the pipeline's slowest stage; as
# equals, the workers would take two of the cores' three shares while it waits. Lower, they
# run on what it leaves: the whole of the other core.
WORKER_NICENESS = 10


def _init_worker(extractor: Extractor, parent: int) -> None:
    global _worker_extractor
    # A parent killed outright (kill -9) runs no cleanup: without this the workers would wait
    # forever for work, each holding the extractor and the database file open.
    exit_with_parent(parent)
    _worker_extractor = extractor
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICENESS)


def _extract_in_worker(texts: list[str]) -> list[_Extracted | _Failed]:
    if _worker_extractor is None:  # pragma: no cover - the pool always runs the initializer
        raise RuntimeError("extraction worker started without an extractor")
    return extract_texts(_worker_extractor, texts)


# --- the bulk path ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pending:
    """A document read and not yet known to be stored."""

    document: DocumentIn
    digest: str


@dataclass(frozen=True)
class _Ready:
    """A document extracted, waiting for its batch's transaction."""

    document: DocumentIn
    digest: str
    extracted: _Extracted


class _Ingest:
    """One run of :func:`ingest_documents`: the report, and the store batch being filled."""

    def __init__(
        self,
        engine: Engine,
        extractor: Extractor,
        report: IngestReport,
        on_item: Callable[[DocumentIn | ReadError], None] | None,
        batch_documents: int,
    ) -> None:
        self.engine = engine
        self.extractor = extractor
        self.report = report
        self.on_item = on_item
        self.batch_documents = batch_documents
        self.batch: list[_Ready] = []
        self.batch_chars = 0
        self.batch_since = 0.0
        self.cache = SketchCache()  # signatures kept between batches

    def done(self, item: DocumentIn | ReadError) -> None:
        if self.on_item is not None:
            self.on_item(item)

    def error(self, error: ReadError) -> None:
        self.report.errors.append(error)
        self.done(error)

    def chunks(self, items: Iterable[DocumentIn | ReadError]) -> Iterator[list[_Pending]]:
        """Documents to extract, a chunk at a time; errors and known texts dealt with here."""
        chunk: list[_Pending] = []
        chars = 0
        for item in items:
            if isinstance(item, ReadWarning):  # before ReadError: a warning is one too
                self.report.warnings.append(item)
                self.done(item)
                continue
            if isinstance(item, ReadError):
                self.error(item)
                continue
            chunk.append(_Pending(item, sha256_of(item.text)))
            chars += len(item.text)
            if len(chunk) >= CHUNK_DOCUMENTS or chars >= CHUNK_CHARS:
                yield self.new_only(chunk)
                chunk, chars = [], 0
        if chunk:
            yield self.new_only(chunk)

    def new_only(self, chunk: list[_Pending]) -> list[_Pending]:
        """``chunk`` less the texts already stored (counted as duplicates now)."""
        with unit_of_work(self.engine) as session:
            known = _stored_digests(session, [p.digest for p in chunk])
        fresh: list[_Pending] = []
        for pending in chunk:
            if pending.digest in known:
                self.report.duplicates += 1
                self.done(pending.document)
            else:
                fresh.append(pending)
        return fresh

    def extracted(self, chunk: list[_Pending], results: list[_Extracted | _Failed]) -> None:
        for pending, result in zip(chunk, results, strict=True):
            if isinstance(result, _Failed):
                self.error(ReadError(pending.document.source, None, None, result.message))
                continue
            if result.dropped:
                kept = len(result.candidates)
                warning = ReadWarning(
                    pending.document.source,
                    None,
                    None,
                    f"only the first {kept:,} claims kept, {result.dropped:,} more left out: "
                    "that is the most one document gives (news articles give 10-200; "
                    "split the file to review the rest)",
                )
                self.report.warnings.append(warning)
                self.done(warning)
            if not self.batch:
                self.batch_since = time.monotonic()
            self.batch.append(_Ready(pending.document, pending.digest, result))
            self.batch_chars += len(pending.document.text)
            if len(self.batch) >= self.batch_documents or self.batch_chars >= BATCH_CHARS:
                self.flush()
        if self.batch and time.monotonic() - self.batch_since >= BATCH_SECONDS:
            self.flush()

    def flush(self) -> None:
        batch, self.batch, self.batch_chars = self.batch, [], 0
        if not batch:
            return
        outcomes: list[int | ReadError | None]
        try:
            with unit_of_work(self.engine) as session:
                outcomes = list(_store_batch(session, batch, self.cache))
        except (DataError, IntegrityError, StatementError) as exc:
            if not _rejected(exc):
                raise
            # Something in the batch was refused: store each document on its own, so only
            # the one at fault is lost (and reported).
            outcomes = [self.store_alone(ready) for ready in batch]
        for ready, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, ReadError):
                self.error(outcome)
                continue
            if outcome is None:
                self.report.duplicates += 1
            else:
                self.report.added += 1
                self.report.claims += outcome
            self.done(ready.document)

    def store_alone(self, ready: _Ready) -> int | ReadError | None:
        try:
            with unit_of_work(self.engine) as session:
                return _store_batch(session, [ready], self.cache)[0]
        except (DataError, IntegrityError, StatementError) as exc:
            if not _rejected(exc):
                raise
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            return ReadError(ready.document.source, None, None, f"not stored: {reason}")


def _rejected(exc: Exception) -> bool:
    """A statement refused because of the data (a constraint, a value too long, a bad
    value), rather than a lost connection or a busy database, which must stop the run."""
    if isinstance(exc, (IntegrityError, DataError)):
        return True
    return isinstance(exc, StatementError) and not isinstance(exc, DBAPIError)


def _stored_digests(session: Session, digests: Sequence[str]) -> set[str]:
    if not digests:
        return set()
    return set(session.scalars(select(Document.sha256).where(Document.sha256.in_(digests))))


_DOCUMENTS: Table = Base.metadata.tables[Document.__tablename__]
_CLAIMS: Table = Base.metadata.tables[Claim.__tablename__]


def _store_batch(
    session: Session, batch: Sequence[_Ready], cache: SketchCache | None = None
) -> list[int | None]:
    """Insert the new documents of ``batch`` with their claims and links, in ``session``.

    Returns each document's number of claims, or None for a text already stored (earlier,
    by another process, or earlier in this very batch). Core inserts with ``RETURNING``, a
    statement per table for the whole batch: the ORM's per-object bookkeeping cost more than
    the rest of storing.
    """
    known = _stored_digests(session, [r.digest for r in batch])
    outcomes: list[int | None] = []
    new: list[_Ready] = []
    for ready in batch:
        if ready.digest in known:
            outcomes.append(None)
            continue
        known.add(ready.digest)
        new.append(ready)
        outcomes.append(len(ready.extracted.candidates))
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
            [_document_values(r.document, r.digest, now) for r in new],
        )
        .scalars()
        .all()
    )
    claim_values = [
        _claim_values(candidate, document_id, now)
        for r, document_id in zip(new, document_ids, strict=True)
        for candidate in r.extracted.candidates
    ]
    # One plain multi-row insert, then the new ids read back by each claim's unique span:
    # RETURNING in parameter order costs SQLite one statement per row.
    claim_id: dict[tuple[int, int, int], int] = {}
    if claim_values:
        session.execute(insert(_CLAIMS), claim_values)
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
    return outcomes


def _document_values(document: DocumentIn, digest: str, now: datetime) -> dict[str, Any]:
    return {
        "title": document.title[:500],
        "source": document.source,
        "url": document.url,
        "text": document.text,
        "sha256": digest,
        "published": document.published,
        "metadata": document.metadata,
        "ingested_at": now,
    }


def _claim_values(candidate: ClaimCandidate, document_id: int, now: datetime) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "text": candidate.text,
        "char_start": candidate.char_start,
        "char_end": candidate.char_end,
        "speaker": candidate.speaker,
        "score": candidate.score,
        "extractor": candidate.extractor,
        "status": "open",
        "created_at": now,
    }


def ingest_documents(
    engine: Engine,
    items: Iterable[DocumentIn | ReadError],
    extractor: Extractor,
    report: IngestReport | None = None,
    on_item: Callable[[DocumentIn | ReadError], None] | None = None,
    *,
    workers: int = 1,
    batch_documents: int = BATCH_DOCUMENTS,
) -> IngestReport:
    """Store every document of ``items``; errors are collected in the report, not raised.

    ``workers`` > 1 extracts in that many worker processes once the input holds at least
    ``POOL_THRESHOLD`` documents (the extractor is pickled to them). ``on_item`` is called
    once per item, when it is stored, skipped or failed, and once per ``ReadWarning`` as it
    is read. See the module docstring for what is promised about failures.
    """
    report = report or IngestReport()
    run = _Ingest(engine, extractor, report, on_item, max(1, batch_documents))
    stream = iter(items)
    head = list(islice(stream, POOL_THRESHOLD)) if workers > 1 else []
    chunks = run.chunks(chain(head, stream))
    if workers > 1 and len(head) >= POOL_THRESHOLD:
        _extract_in_pool(run, chunks, workers)
    else:
        for chunk in chunks:
            run.extracted(chunk, extract_texts(extractor, [p.document.text for p in chunk]))
    run.flush()
    return report


def _extract_in_pool(run: _Ingest, chunks: Iterator[list[_Pending]], workers: int) -> None:
    """Extract ``chunks`` in ``workers`` processes, storing results in input order."""
    in_flight: deque[tuple[list[_Pending], Future[list[_Extracted | _Failed]] | None]] = deque()

    waiting = 0  # characters in the chunks of in_flight

    def collect() -> None:
        nonlocal waiting
        chunk, future = in_flight.popleft()
        texts = [p.document.text for p in chunk]
        waiting -= sum(map(len, texts))
        try:
            results = future.result() if future is not None else None
        except BrokenProcessPool:
            results = None
        if results is None:  # the pool broke (a worker was killed): extract here instead
            results = extract_texts(run.extractor, texts)
        run.extracted(chunk, results)

    # The workers are started from this thread (by submit), which outlives them: the parent
    # death signal exit_with_parent asks for is tied to the thread that forked, not the process.
    # The platform's default start method (fork on Linux up to Python 3.13): the workers
    # never touch the database connections a fork copies; under spawn or forkserver the
    # extractor is pickled to each worker.
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(run.extractor, os.getpid())
    ) as pool:
        broken = False
        limit = 2 * workers + -(-run.batch_documents // CHUNK_DOCUMENTS)
        for chunk in chunks:
            # Room first: what the workers hold stays within IN_FLIGHT_CHARS, or one chunk
            # when a chunk alone is larger (a 20 MiB document). Checked after submitting, two
            # such documents were extracted at once, one per worker, each costing hundreds of
            # megabytes: the workers multiplied the largest document, not a bounded chunk.
            chars = sum(len(p.document.text) for p in chunk)
            while in_flight and waiting + chars > IN_FLIGHT_CHARS:
                collect()
            future: Future[list[_Extracted | _Failed]] | None = None
            if chunk and not broken:
                try:
                    future = pool.submit(_extract_in_worker, [p.document.text for p in chunk])
                except BrokenProcessPool:
                    broken = True
            in_flight.append((chunk, future))
            waiting += chars
            # Keep the workers busy while this process stores a batch (which takes a while:
            # as long as extracting a batch's worth of chunks), and no more: the documents
            # waiting in memory stay a few hundred, and IN_FLIGHT_CHARS, however large the input.
            while len(in_flight) > limit or (
                in_flight and in_flight[0][1] is not None and in_flight[0][1].done()
            ):
                collect()
        while in_flight:
            collect()


def ingest_paths(
    engine: Engine,
    paths: Sequence[Path],
    extractor: Extractor,
    *,
    max_bytes: int,
    on_item: Callable[[DocumentIn | ReadError], None] | None = None,
    workers: int = 1,
    batch_documents: int = BATCH_DOCUMENTS,
    follow_links: bool = False,
) -> IngestReport:
    files, errors = expand_paths(paths, follow_links=follow_links)
    documents = chain.from_iterable(read_file(path, max_bytes=max_bytes) for path in files)
    return ingest_documents(
        engine,
        chain(errors, documents),
        extractor,
        on_item=on_item,
        workers=workers,
        batch_documents=batch_documents,
    )


def count_documents(paths: Sequence[Path], *, follow_links: bool = False) -> int:
    """A cheap estimate of how many documents ``paths`` hold, for a progress bar."""
    files, _ = expand_paths(paths, follow_links=follow_links)
    return sum(estimate_documents(path) for path in files)
