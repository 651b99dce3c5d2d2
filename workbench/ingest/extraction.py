"""Ingest's extraction stage: the claims and similarity sketches of texts, in workers or here.

A chunk of texts is extracted at once (the scorer sees one batch of a few hundred sentences)
and its claims sketched in one pass of array operations; a text the extractor fails on gets
its error instead of failing the chunk. Each text keeps its first ``MAX_CLAIMS_PER_DOCUMENT``
claims. The worker processes run at a lower priority than the process that stores.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from workbench.extract import Extractor
from workbench.process import exit_with_parent
from workbench.schemas import ClaimCandidate
from workbench.similarity.measure import Sketch, sketches

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


@dataclass(frozen=True)
class Extracted:
    candidates: list[ClaimCandidate]
    sketches: list[Sketch]
    dropped: int = 0  # claims past MAX_CLAIMS_PER_DOCUMENT, left out


@dataclass(frozen=True)
class Failed:
    message: str


def _failure(exc: Exception) -> Failed:
    return Failed(f"claims could not be extracted: {type(exc).__name__}: {exc}")


def extract_texts(
    extractor: Extractor, texts: Sequence[str], max_claims: int | None = None
) -> list[Extracted | Failed]:
    """The claims and sketches of each text; a text the extractor fails on gets its error.

    Each text keeps its first ``max_claims`` claims (``MAX_CLAIMS_PER_DOCUMENT`` when None),
    cut before the sketches are made: the rest are counted in ``dropped``.
    """
    limit = MAX_CLAIMS_PER_DOCUMENT if max_claims is None else max_claims
    many: Callable[[Sequence[str]], list[list[ClaimCandidate]]] | None = getattr(
        extractor, "extract_many", None
    )
    found: list[list[ClaimCandidate] | Failed] = []
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
    dropped = [0 if isinstance(f, Failed) else max(0, len(f) - limit) for f in found]
    found = [f if isinstance(f, Failed) else f[:limit] for f in found]
    # Sketch every claim of the chunk in one pass of array operations.
    claim_texts = [c.text for f in found if not isinstance(f, Failed) for c in f]
    all_sketches = iter(sketches(claim_texts))
    return [
        f if isinstance(f, Failed) else Extracted(f, [next(all_sketches) for _ in f], left)
        for f, left in zip(found, dropped, strict=True)
    ]


_worker_extractor: Extractor | None = None
# How much lower the extraction workers' scheduling priority is than this process's. This
# process (storing and linking, one batch after another) is the pipeline's slowest stage; as
# equals, the workers would take two of the cores' three shares while it waits. Lower, they
# run on what it leaves: the whole of the other core.
WORKER_NICENESS = 10


def init_worker(extractor: Extractor, parent: int) -> None:
    global _worker_extractor
    # A parent killed outright (kill -9) runs no cleanup: without this the workers would wait
    # forever for work, each holding the extractor and the database file open.
    exit_with_parent(parent)
    _worker_extractor = extractor
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICENESS)


def extract_in_worker(texts: list[str]) -> list[Extracted | Failed]:
    if _worker_extractor is None:  # pragma: no cover - the pool always runs the initializer
        raise RuntimeError("extraction worker started without an extractor")
    return extract_texts(_worker_extractor, texts)
