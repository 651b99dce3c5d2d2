"""What an ingest run keeps of stored claims between batches: signatures and shingles.

A batch's claims have candidates all over the corpus, so without these every batch would
read (and hash) the same stored claims again. Only committed rows are kept; past their
capacity the caches stop growing and the rest is read as it would be without them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from workbench.db.models import ClaimSketch
from workbench.similarity import measure
from workbench.similarity.store import SIGNATURE_COLUMNS, rows_for


class _ShingleCache:
    """The shingles of stored claims' texts, for the exact comparison.

    Keyed by text (they are a pure function of it), least recently used dropped past
    ``size``: the claims a batch is compared with are mostly the same few thousand holders
    of the band keys, read again and again. Missing texts are hashed together.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, measure.Hashes] = OrderedDict()

    def get_many(self, texts: Sequence[str]) -> list[measure.Hashes]:
        entries = self.entries
        missing = list({t: None for t in texts if t not in entries})
        for text, hashes in zip(missing, measure.many_shingles(missing), strict=True):
            entries[text] = hashes
        found = []
        for text in texts:
            entries.move_to_end(text)
            found.append(entries[text])
        while len(entries) > self.size:
            entries.popitem(last=False)
        return found


STORED_SHINGLES = _ShingleCache(100_000)


class Signed(NamedTuple):
    """What the screen needs of claims, one row per claim."""

    documents: npt.NDArray[np.int64]
    figures: npt.NDArray[np.uint64]  # similarity.figures_mask of the claim's text
    signatures: npt.NDArray[np.uint32]  # claims x PERMUTATIONS


class SketchCache:
    """The signatures of stored claims, with each claim's document, kept by one ingest run.

    A batch's claims have candidates all over the corpus (into 8,000 synthetic articles, a
    batch of 200 more reads the signatures of three quarters of the stored claims), so
    without it every batch would read them again. Only committed rows are kept: rows read
    from the database, and the batch's own claims once its transaction has committed (the
    ids of a rolled-back batch go to other claims). Past ``capacity`` claims (about 400
    bytes each) nothing more is kept, and the rest is read from the database as it would
    be without a cache.
    """

    def __init__(self, capacity: int = 400_000) -> None:
        self.capacity = capacity
        self.size = 0
        self._ids = np.empty(0, dtype=np.int64)  # sorted, with the row each id is kept in
        self._at = np.empty(0, dtype=np.intp)
        self._documents = np.empty(0, dtype=np.int64)  # rows, in the order they came
        self._figures = np.empty(0, dtype=np.uint64)  # similarity.figures_mask of each
        self._signatures = np.empty((0, measure.PERMUTATIONS), dtype=np.uint32)

    def find(
        self, ids: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
        """Which of ``ids`` are kept, and for those, their rows."""
        if not self.size:
            return np.zeros(ids.size, dtype=bool), np.empty(0, dtype=np.intp)
        place = np.minimum(np.searchsorted(self._ids, ids), self._ids.size - 1)
        kept = self._ids[place] == ids
        return kept, self._at[place[kept]]

    def rows(self, at: npt.NDArray[np.intp]) -> Signed:
        return Signed(self._documents[at], self._figures[at], self._signatures[at])

    @property
    def kept(self) -> Signed:
        """Every row kept, by the row numbers :meth:`find` gives (views, not copies)."""
        size = self.size
        return Signed(self._documents[:size], self._figures[:size], self._signatures[:size])

    def add(self, ids: npt.NDArray[np.int64], rows: Signed) -> None:
        known, _ = self.find(ids)
        new = np.flatnonzero(~known)[: max(self.capacity - self.size, 0)]
        if not new.size:
            return
        end = self.size + new.size
        if end > len(self._documents):  # grow by doubling: each row is copied O(1) times
            room = max(end, 2 * len(self._documents), 1024)
            self._documents = np.resize(self._documents, room)
            self._figures = np.resize(self._figures, room)
            grown = np.empty((room, measure.PERMUTATIONS), dtype=np.uint32)
            grown[: self.size] = self._signatures[: self.size]
            self._signatures = grown
        self._documents[self.size : end] = rows.documents[new]
        self._figures[self.size : end] = rows.figures[new]
        self._signatures[self.size : end] = rows.signatures[new]
        ids_all = np.concatenate([self._ids, ids[new]])
        at_all = np.concatenate([self._at, np.arange(self.size, end, dtype=np.intp)])
        order = np.argsort(ids_all, kind="stable")
        self._ids, self._at = ids_all[order], at_all[order]
        self.size = end


def stored_signatures(
    session: Session, wanted: npt.NDArray[np.int64], cache: SketchCache | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp], Signed]:
    """The stored claims of ``wanted`` (sorted) that have a sketch of this ``SKETCH_VERSION``:
    their ids, in order, each one's row number and the rows.

    The rows are ``cache``'s own arrays where it holds them all (no copy of a batch's
    hundreds of thousands of signatures), read from the database into it where it did not.
    """
    store = cache if cache is not None else SketchCache(capacity=wanted.size)
    kept, _ = store.find(wanted)
    rows = [
        (other, document_id, raw, text)
        for other, document_id, raw, version, text in rows_for(
            session, SIGNATURE_COLUMNS, ClaimSketch.claim_id, wanted[~kept].tolist()
        )
        if version == measure.SKETCH_VERSION
    ]
    count = len(rows)
    read_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=count)
    read = Signed(
        documents=np.fromiter((r[1] for r in rows), dtype=np.int64, count=count),
        figures=np.fromiter(
            (measure.figures_mask(measure.numbers(r[3])) for r in rows),
            dtype=np.uint64,
            count=count,
        ),
        # All the signatures decoded at once (each is PERMUTATIONS little-endian values).
        signatures=np.frombuffer(b"".join(r[2] for r in rows), dtype="<u4")
        .astype(np.uint32)
        .reshape(count, measure.PERMUTATIONS),
    )
    store.add(read_ids, read)
    if count and not store.find(read_ids)[0].all():
        # The cache is full: the rows of this batch go to a store of their own.
        kept, at = store.find(wanted)
        full, store = store, SketchCache(capacity=wanted.size)
        store.add(wanted[kept], full.rows(at))
        store.add(read_ids, read)
    found, at = store.find(wanted)
    return wanted[found], at, store.kept
