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

This module runs the stages and keeps the batches; the extraction stage is
:mod:`workbench.ingest.extraction`, the storing one :mod:`workbench.ingest.store`.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from pydantic import ConfigDict, Field
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from workbench.db.session import unit_of_work
from workbench.extract import Extractor
from workbench.ingest.extraction import (
    Extracted,
    Failed,
    extract_in_worker,
    extract_texts,
    init_worker,
)
from workbench.ingest.readers import (
    ReadError,
    ReadWarning,
    estimate_documents,
    expand_paths,
    read_file,
)
from workbench.ingest.sources import named, source_name
from workbench.ingest.store import Ready, sha256_of, store_batch, stored_digests
from workbench.projects.service import resolve_project
from workbench.reports import Report
from workbench.schemas import DocumentIn
from workbench.similarity.cache import SketchCache

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
# Inputs with fewer documents than this are extracted in this process: starting the
# workers (and loading the scorer in each) would cost more than it saves.
POOL_THRESHOLD = 4 * CHUNK_DOCUMENTS


def default_workers() -> int:
    """The cores this process may use (``os.process_cpu_count`` where Python has it)."""
    count = getattr(os, "process_cpu_count", None)
    found = count() if count is not None else None
    if found is None and hasattr(os, "sched_getaffinity"):
        found = len(os.sched_getaffinity(0))
    return max(1, found or os.cpu_count() or 1)


class IngestReport(Report):
    # ReadError is a plain dataclass; the lists are filled as work goes, never validated.
    model_config = ConfigDict(arbitrary_types_allowed=True)

    added: int = 0
    duplicates: int = 0
    claims: int = 0
    errors: list[ReadError] = Field(default_factory=list)
    # Things left out of documents that were stored, and files skipped on purpose.
    warnings: list[ReadWarning] = Field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        warned = len(self.warnings)
        return (
            f"{self.added} added ({self.claims} claims), "
            f"{self.duplicates} skipped as duplicate, {self.failed} failed"
        ) + (f", {warned} warning{'s' if warned != 1 else ''}" if warned else "")


@dataclass(frozen=True)
class _Pending:
    """A document read and not yet known to be stored."""

    document: DocumentIn
    digest: str


class _Ingest:
    """One run of :func:`ingest_documents`: the report, and the store batch being filled."""

    def __init__(
        self,
        engine: Engine,
        extractor: Extractor,
        report: IngestReport,
        on_item: Callable[[DocumentIn | ReadError], None] | None,
        batch_documents: int,
        project_id: int,
    ) -> None:
        self.engine = engine
        self.project_id = project_id
        self.extractor = extractor
        self.report = report
        self.on_item = on_item
        self.batch_documents = batch_documents
        self.batch: list[Ready] = []
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
            known = stored_digests(session, [p.digest for p in chunk], self.project_id)
        fresh: list[_Pending] = []
        for pending in chunk:
            if pending.digest in known:
                self.report.duplicates += 1
                self.done(pending.document)
            else:
                fresh.append(pending)
        return fresh

    def extracted(self, chunk: list[_Pending], results: list[Extracted | Failed]) -> None:
        for pending, result in zip(chunk, results, strict=True):
            if isinstance(result, Failed):
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
            self.batch.append(Ready(pending.document, pending.digest, result))
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
                outcomes = list(store_batch(session, batch, self.cache, project_id=self.project_id))
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

    def store_alone(self, ready: Ready) -> int | ReadError | None:
        try:
            with unit_of_work(self.engine) as session:
                return store_batch(session, [ready], self.cache, project_id=self.project_id)[0]
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


def ingest_documents(
    engine: Engine,
    items: Iterable[DocumentIn | ReadError],
    extractor: Extractor,
    report: IngestReport | None = None,
    on_item: Callable[[DocumentIn | ReadError], None] | None = None,
    *,
    workers: int = 1,
    batch_documents: int = BATCH_DOCUMENTS,
    project: int | str | None = None,
) -> IngestReport:
    """Store every document of ``items``; errors are collected in the report, not raised.

    ``project``: the project (id or name) the documents go into; None: the only one there is
    (``projects.service.resolve_project``, which says so when there are several).

    ``workers`` > 1 extracts in that many worker processes once the input holds at least
    ``POOL_THRESHOLD`` documents (the extractor is pickled to them). ``on_item`` is called
    once per item, when it is stored, skipped or failed, and once per ``ReadWarning`` as it
    is read. See the module docstring for what is promised about failures.
    """
    project_id = resolve_project(engine, project).id
    report = report or IngestReport()
    run = _Ingest(engine, extractor, report, on_item, max(1, batch_documents), project_id)
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
    in_flight: deque[tuple[list[_Pending], Future[list[Extracted | Failed]] | None]] = deque()

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
        max_workers=workers, initializer=init_worker, initargs=(run.extractor, os.getpid())
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
            future: Future[list[Extracted | Failed]] | None = None
            if chunk and not broken:
                try:
                    future = pool.submit(extract_in_worker, [p.document.text for p in chunk])
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
    project: int | str | None = None,
) -> IngestReport:
    files, errors = expand_paths(paths, follow_links=follow_links)
    # Sources as given, never an absolute path of this machine (see workbench.ingest.sources).
    documents = chain.from_iterable(
        named(read_file(path, max_bytes=max_bytes), path, source_name(path, paths))
        for path in files
    )
    return ingest_documents(
        engine,
        chain(errors, documents),
        extractor,
        on_item=on_item,
        workers=workers,
        batch_documents=batch_documents,
        project=project,
    )


def count_documents(paths: Sequence[Path], *, follow_links: bool = False) -> int:
    """A cheap estimate of how many documents ``paths`` hold, for a progress bar."""
    files, _ = expand_paths(paths, follow_links=follow_links)
    return sum(estimate_documents(path) for path in files)
