"""Claims that say the same thing across documents: linked at ingest, read and decided here.

Ingest calls :func:`link_claims` inside the transaction that stores a document's claims, so
a document and its similarity links appear together or not at all. Candidates come from
the indexed MinHash band keys (``claim_sketch_keys``) and are confirmed with the exact
measure of :mod:`workbench.extract.similarity`; claims of the same document are never linked
(a headline restating its own article is not a second report of the statement).

A group is the set of claims linked to one claim, not a transitive closure: A~B and B~C
does not make A~C, so applying a verdict never reaches a claim that was not itself found
similar to the one the reviewer decided.
"""

from __future__ import annotations

import json
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVarTuple

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Engine,
    Float,
    Integer,
    LargeBinary,
    Select,
    Table,
    bindparam,
    delete,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from workbench.db.models import (
    Base,
    Claim,
    ClaimSimilarity,
    ClaimSketch,
    ClaimSketchKey,
    Document,
    Review,
    User,
)
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput, NotFound
from workbench.extract import similarity as measure
from workbench.review import decisions
from workbench.schemas import Actor, ClaimStatus, ReviewerVerdict, SimilarClaim, Verdict

# Bound parameters per IN (...) list: far below SQLite's and PostgreSQL's limits.
_CHUNK = 2000
Ts = TypeVarTuple("Ts")
# A band key stops taking new claims once this many hold it. Without the cap, a statement
# syndicated to thousands of documents would make every later copy fetch thousands of rows
# per key; with it, a lookup reads at most BANDS * MAX_KEY_HOLDERS rows per claim, and a
# new copy still finds the first holders (which are copies of it).
MAX_KEY_HOLDERS = 16
# Links kept per claim (the most similar first), for the same reason: a claim in a group of
# thousands shows "50 similar claims" rather than storing a quadratic number of pairs.
MAX_SIMILAR = 50

# Core tables and statements built once with expanding parameters: ingest runs them for
# every document, and the ORM's per-row bookkeeping (a claim has 32 key rows) would cost
# more than the similarity work itself.
_SKETCHES = Base.metadata.tables[ClaimSketch.__tablename__]
_KEYS = Base.metadata.tables[ClaimSketchKey.__tablename__]
_LINKS = Base.metadata.tables[ClaimSimilarity.__tablename__]
_KEY_COLUMNS = select(ClaimSketchKey.key, ClaimSketchKey.claim_id)
_SIGNATURE_COLUMNS = select(
    ClaimSketch.claim_id, Claim.document_id, ClaimSketch.signature, ClaimSketch.version, Claim.text
).join(Claim, Claim.id == ClaimSketch.claim_id)
_TEXT_COLUMNS = select(Claim.id, Claim.text)
_LINK_COUNT_COLUMNS = select(ClaimSimilarity.claim_id, func.count()).group_by(
    ClaimSimilarity.claim_id
)


def _chunks(values: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def _insert_many(
    session: Session, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``rows`` into ``table``, past SQLAlchemy's per-row parameter processing, which would
    otherwise be most of the cost of the 32 key rows each claim adds.

    PostgreSQL gets one statement with an array per column (``unnest``): psycopg's
    executemany sends a statement per row, ~25 µs each in Python. Other drivers whose
    placeholder style is known get executemany; the rest, SQLAlchemy's insert.
    """
    if not rows:
        return
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    arrays = [_PG_ARRAYS.get(type(table.c[c].type)) for c in columns]
    if connection.dialect.name == "postgresql" and None not in arrays:
        unnest = ", ".join(f"%s::{kind}[]" for kind in arrays)
        connection.exec_driver_sql(
            f"INSERT INTO {quote(table.name)} ({names}) SELECT * FROM unnest({unnest})",
            tuple(list(column) for column in zip(*rows, strict=True)),
        )
        return
    placeholder = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(
        connection.dialect.paramstyle
    )
    if placeholder is None:
        session.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    values = ", ".join([placeholder] * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({names}) VALUES ({values})", list(rows)
    )


# The PostgreSQL array type that carries each column type of the tables written above.
_PG_ARRAYS: dict[type[Any], str] = {
    BigInteger: "bigint",
    Integer: "bigint",
    Float: "float8",
    LargeBinary: "bytea",
}


# --- ingest -------------------------------------------------------------------------------


def _results_for(
    session: Session, columns: Select[*Ts], column: Any, ids: Iterable[int]
) -> Iterator[CursorResult[Any]]:
    """The results of ``columns`` where ``column`` is one of ``ids``: one statement for all.

    PostgreSQL takes the ids as one array parameter (``= ANY``) and SQLite as one JSON
    parameter (``IN (SELECT value FROM json_each(...))``), so a batch of documents needs one
    round trip per lookup however many ids it has; other databases get chunked ``IN`` lists.
    """
    values = sorted(set(ids))
    if not values:
        return
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        param = bindparam("ids", values, type_=ARRAY(BigInteger))
        yield connection.execute(columns.where(column == func.any(param)))
    elif dialect == "sqlite":
        listed: Select[tuple[Any]] = select(literal_column("value")).select_from(
            func.json_each(bindparam("ids", json.dumps(values)))
        )
        yield connection.execute(columns.where(column.in_(listed.scalar_subquery())))
    else:
        for chunk in _chunks(values):
            yield connection.execute(columns.where(column.in_(chunk)))


def _rows_for(
    session: Session, columns: Select[*Ts], column: Any, ids: Iterable[int]
) -> list[tuple[Any, ...]]:
    """The rows of :func:`_results_for`, as the driver's own tuples (the columns read here are
    integers, text and bytes, which need no conversion): SQLAlchemy's ``Row`` objects would
    cost more than the query."""
    rows: list[tuple[Any, ...]] = []
    for result in _results_for(session, columns, column, ids):
        try:
            rows += result.cursor.fetchall()
        finally:
            result.close()
    return rows


# Rows turned into an array at a time: a batch reads millions of band-key rows, which as
# Python tuples all at once would take hundreds of megabytes.
_ARRAY_ROWS = 65536


def _integers_for(
    session: Session, columns: Select[*Ts], column: Any, ids: Iterable[int]
) -> npt.NDArray[np.int64]:
    """:func:`_rows_for` of integer columns, as one (rows x columns) array."""
    width = len(columns.selected_columns)
    parts = [np.empty((0, width), dtype=np.int64)]
    for result in _results_for(session, columns, column, ids):
        try:
            while rows := result.cursor.fetchmany(_ARRAY_ROWS):
                parts.append(np.array(rows, dtype=np.int64).reshape(len(rows), width))
        finally:
            result.close()
    return np.concatenate(parts)


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


_STORED = _ShingleCache(100_000)


class _Signed(NamedTuple):
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

    def rows(self, at: npt.NDArray[np.intp]) -> _Signed:
        return _Signed(self._documents[at], self._figures[at], self._signatures[at])

    @property
    def kept(self) -> _Signed:
        """Every row kept, by the row numbers :meth:`find` gives (views, not copies)."""
        size = self.size
        return _Signed(self._documents[:size], self._figures[:size], self._signatures[:size])

    def add(self, ids: npt.NDArray[np.int64], rows: _Signed) -> None:
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


def link_claims(
    session: Session, document_id: int, claims: Sequence[tuple[int, measure.Sketch]]
) -> int:
    """Store the sketches of one document's claims and link them to similar stored claims.

    ``claims`` are (claim id, sketch) of claims of document ``document_id`` already flushed
    in ``session``, whose sketches are not stored yet. Returns the number of similar pairs
    found. Runs in the caller's transaction.
    """
    return link_documents(session, [(document_id, claims)])[0]


def _ranges(lo: npt.NDArray[np.intp], hi: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """The concatenation of ``range(lo[i], hi[i])`` for every i, as one array."""
    counts = hi - lo
    total = int(counts.sum())
    if not total:
        return np.empty(0, dtype=np.intp)
    ends = np.cumsum(counts)
    found: npt.NDArray[np.intp] = np.arange(total, dtype=np.intp) + np.repeat(
        lo - (ends - counts), counts
    )
    return found


def _join(
    keys: npt.NDArray[np.int64], table_keys: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Every (i, j) with ``keys[i] == table_keys[j]``; ``table_keys`` sorted."""
    lo = np.searchsorted(table_keys, keys, side="left")
    hi = np.searchsorted(table_keys, keys, side="right")
    return np.repeat(np.arange(keys.size, dtype=np.intp), hi - lo), _ranges(lo, hi)


def _distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``np.unique`` of integers, by a sort (numpy's hashing unique is slower on these)."""
    ordered: npt.NDArray[np.int64] = np.sort(values)
    if not ordered.size:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _distinct_pairs(
    first: npt.NDArray[np.intp], second: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """The distinct (first, second) pairs as a 2 x n array, sorted by first then second."""
    if not first.size:
        return np.empty((2, 0), dtype=np.int64)
    low = int(second.min())
    span = int(second.max()) - low + 1
    if (int(first.max()) + 1) * span < 2**62:  # one integer per pair
        joined = np.sort(first.astype(np.int64) * span + (second - low))
        joined = joined[np.concatenate(([True], joined[1:] != joined[:-1]))]
        return np.stack([joined // span, joined % span + low])
    return np.unique(np.stack([first.astype(np.int64), second]), axis=1)


def _stored_signatures(
    session: Session, wanted: npt.NDArray[np.int64], cache: SketchCache | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp], _Signed]:
    """The stored claims of ``wanted`` (sorted) that have a sketch of this ``SKETCH_VERSION``:
    their ids, in order, each one's row number and the rows.

    The rows are ``cache``'s own arrays where it holds them all (no copy of a batch's
    hundreds of thousands of signatures), read from the database into it where it did not.
    """
    store = cache if cache is not None else SketchCache(capacity=wanted.size)
    kept, _ = store.find(wanted)
    rows = [
        (other, document_id, raw, text)
        for other, document_id, raw, version, text in _rows_for(
            session, _SIGNATURE_COLUMNS, ClaimSketch.claim_id, wanted[~kept].tolist()
        )
        if version == measure.SKETCH_VERSION
    ]
    count = len(rows)
    read_ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=count)
    read = _Signed(
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


# The least number of equal signature values that makes a pair worth scoring exactly: the
# estimate (the share of equal values) at least THRESHOLD - ESTIMATE_MARGIN, computed as
# the float comparison it stands for.
_ENOUGH_EQUAL = next(
    equal
    for equal in range(measure.PERMUTATIONS + 1)
    if equal / measure.PERMUTATIONS >= measure.THRESHOLD - measure.ESTIMATE_MARGIN
)
# Pairs screened per step: the two signature blocks (2 x 384 bytes a pair) stay in cache.
_SCREEN_STEP = 4096


def _alike(
    a: npt.NDArray[np.uint32],
    a_rows: npt.NDArray[np.intp],
    b: npt.NDArray[np.uint32],
    b_rows: npt.NDArray[np.intp],
) -> npt.NDArray[np.bool_]:
    """For each i, whether signatures ``a[a_rows[i]]`` and ``b[b_rows[i]]`` estimate a
    similarity worth computing exactly."""
    worth = np.empty(a_rows.size, dtype=bool)
    for start in range(0, a_rows.size, _SCREEN_STEP):
        end = start + _SCREEN_STEP
        equal = np.count_nonzero(a[a_rows[start:end]] == b[b_rows[start:end]], axis=1)
        worth[start:end] = equal >= _ENOUGH_EQUAL
    return worth


def link_documents(
    session: Session,
    documents: Sequence[tuple[int, Sequence[tuple[int, measure.Sketch]]]],
    cache: SketchCache | None = None,
) -> list[int]:
    """:func:`link_claims` for several documents at once, with the result of doing them in order.

    ``documents`` are (document id, its (claim id, sketch) pairs), in ingest order. Each
    document is compared with the stored claims and with the claims of the documents before
    it in the list, exactly as if each had been linked in its own call (the band keys' holder
    caps and the per-claim link caps are applied in the same order), but the database is
    asked once per kind of lookup for the whole batch instead of once per document, and the
    candidates of all the batch's claims are found, screened and scored with array operations.
    Returns the number of similar pairs found for each document.
    """
    claim_ids: list[int] = []
    doc_of: list[int] = []  # claim -> its position in ``documents``
    sketches: list[measure.Sketch] = []
    for position, (_, claims) in enumerate(documents):
        for claim_id, sketch in claims:
            claim_ids.append(claim_id)
            doc_of.append(position)
            sketches.append(sketch)
    if not claim_ids:
        return [0] * len(documents)
    _insert_many(
        session,
        _SKETCHES,
        ("claim_id", "version", "signature"),
        [
            (c, measure.SKETCH_VERSION, s.signature_bytes())
            for c, s in zip(claim_ids, sketches, strict=True)
        ],
    )
    ids = np.asarray(claim_ids, dtype=np.int64)
    docs = np.asarray(doc_of, dtype=np.intp)
    document_ids = np.asarray([d for d, _ in documents], dtype=np.int64)

    # Who owns which band key, in ingest order (document, then claim), grouped by key.
    lengths = np.fromiter((len(s.band_keys) for s in sketches), dtype=np.intp, count=len(sketches))
    own_key = np.fromiter(
        (k for s in sketches for k in s.band_keys), dtype=np.int64, count=int(lengths.sum())
    )
    own_claim = np.repeat(np.arange(len(sketches), dtype=np.intp), lengths)
    order = np.argsort(own_key, kind="stable")
    own_key, own_claim = own_key[order], own_claim[order]

    # The keys' holders as stored before this batch.
    held = _integers_for(session, _KEY_COLUMNS, ClaimSketchKey.key, _distinct(own_key).tolist())
    stored_key, stored_other = held[:, 0], held[:, 1]
    order = np.argsort(stored_key, kind="stable")
    stored_key, stored_other = stored_key[order], stored_other[order]

    # A key takes new holders while it has fewer than MAX_KEY_HOLDERS: the batch's owners of
    # a key in ingest order, after the stored ones, the first ones while there is room.
    first = np.searchsorted(own_key, own_key, side="left")
    rank = np.arange(own_key.size, dtype=np.intp) - first
    stored_count = np.searchsorted(stored_key, own_key, side="right") - np.searchsorted(
        stored_key, own_key, side="left"
    )
    allowed = stored_count + rank < MAX_KEY_HOLDERS
    added_key, added_claim = own_key[allowed], own_claim[allowed]
    added_id = ids[added_claim]
    for start in range(0, added_key.size, _ARRAY_ROWS):  # as tuples a slice at a time
        end = start + _ARRAY_ROWS
        rows = list(zip(added_key[start:end].tolist(), added_id[start:end].tolist(), strict=True))
        _insert_many(session, _KEYS, ("key", "claim_id"), rows)

    # Candidates: the stored holders of a claim's keys, and the holders the documents before
    # its own added to them in this batch (as a later transaction would see them).
    mine, at = _join(own_key, stored_key)
    pair_claim, pair_stored = own_claim[mine], stored_other[at]
    mine, at = _join(own_key, added_key)
    earlier = docs[added_claim[at]] < docs[own_claim[mine]]
    batch_claim, batch_other = own_claim[mine][earlier], added_claim[at][earlier]
    stored_pairs = _distinct_pairs(pair_claim, pair_stored)
    batch_pairs = _distinct_pairs(batch_claim, batch_other.astype(np.int64))

    # Screen by the signatures first: most candidates share a band by chance. Claims of the
    # document itself (kept by a rebuild) are dropped here too: only other documents count.
    signed, at, stored = _stored_signatures(session, _distinct(stored_pairs[1]), cache)
    mine_rows = _Signed(
        documents=document_ids[docs],
        figures=np.fromiter(
            (measure.figures_mask(s.numbers) for s in sketches),
            dtype=np.uint64,
            count=len(sketches),
        ),
        signatures=np.stack([s.signature for s in sketches]),
    )
    if cache is not None:
        # The batch's own claims are kept once they are committed, not before.
        event.listen(session, "after_commit", lambda _: cache.add(ids, mine_rows), once=True)
    claim, other = stored_pairs[0].astype(np.intp), stored_pairs[1]
    row = np.minimum(np.searchsorted(signed, other), max(signed.size - 1, 0))
    known = (
        (signed[row] == other) & (stored.documents[at[row]] != mine_rows.documents[claim])
        if signed.size
        else np.zeros(other.size, dtype=bool)
    )
    claim, other, row = claim[known], other[known], at[row[known]]
    # Figures that disagree rule a pair out whatever its similarity: that test is cheaper.
    agree = measure.masks_agree(stored.figures[row], mine_rows.figures[claim])
    claim, other, row = claim[agree], other[agree], row[agree]
    worth = _alike(stored.signatures, row, mine_rows.signatures, claim)
    stored_claim, stored_other_id = claim[worth], other[worth]
    b_claim, b_other = batch_pairs[0].astype(np.intp), batch_pairs[1].astype(np.intp)
    agree = measure.masks_agree(mine_rows.figures[b_other], mine_rows.figures[b_claim])
    b_claim, b_other = b_claim[agree], b_other[agree]
    worth = _alike(mine_rows.signatures, b_other, mine_rows.signatures, b_claim)
    b_claim, b_other = b_claim[worth], b_other[worth]
    if not stored_claim.size and not b_claim.size:
        return [0] * len(documents)

    # Exact scores, for the pairs whose figures agree (the measure requires it, and finding
    # a text's figures costs far less than hashing it). Stored claims are read back as text;
    # the batch's own claims were hashed before the transaction. A claim whose text is gone
    # (deleted since its keys were read) has nothing to match.
    wanted = _distinct(stored_other_id).tolist()
    texts = dict(_rows_for(session, _TEXT_COLUMNS, Claim.id, wanted))
    figures = {o: measure.numbers(t) for o, t in texts.items()}
    agree = np.fromiter(
        (
            o in figures and measure.numbers_agree(sketches[c].numbers, figures[o])
            for c, o in zip(stored_claim.tolist(), stored_other_id.tolist(), strict=True)
        ),
        dtype=bool,
        count=stored_claim.size,
    )
    stored_claim, stored_other_id = stored_claim[agree], stored_other_id[agree]
    hashed = _distinct(stored_other_id).tolist()
    shingles = dict(zip(hashed, _STORED.get_many([texts[o] for o in hashed]), strict=True))
    candidates: dict[int, list[tuple[int, measure.Hashes, frozenset[str]]]] = defaultdict(list)
    for c, o in zip(stored_claim.tolist(), stored_other_id.tolist(), strict=True):
        candidates[c].append((o, shingles[o], figures[o]))
    for c, o in zip(b_claim.tolist(), b_other.tolist(), strict=True):
        candidates[c].append((claim_ids[o], sketches[o].shingles, sketches[o].numbers))
    matches: dict[int, list[tuple[float, int]]] = {}
    for c in sorted(candidates):
        found = candidates[c]
        mine_sketch = sketches[c]
        scores = measure.match_many(
            mine_sketch.shingles, mine_sketch.numbers, [(h, n) for _, h, n in found]
        )
        hits = [
            (score, o) for (o, _, _), score in zip(found, scores, strict=True) if score is not None
        ]
        if hits:
            matches[c] = hits

    # A claim already at MAX_SIMILAR links is not told about a new one (the new claim still
    # lists it): what one claim stores stays bounded. Counts start from the stored links and
    # grow as the batch adds its own, document by document and claim by claim.
    in_batch = set(claim_ids)
    targets = {o for hits in matches.values() for _, o in hits} - in_batch
    links_of: dict[int, int] = defaultdict(int)
    links_of.update(
        dict(_rows_for(session, _LINK_COUNT_COLUMNS, ClaimSimilarity.claim_id, targets))
    )
    links: list[tuple[int, int, float]] = []
    pairs = [0] * len(documents)
    for c in sorted(matches):  # claims in ingest order
        claim_id = claim_ids[c]
        for score, other_id in sorted(matches[c], key=lambda m: (-m[0], m[1]))[:MAX_SIMILAR]:
            pairs[doc_of[c]] += 1
            links.append((claim_id, other_id, score))
            links_of[claim_id] += 1
            if links_of[other_id] < MAX_SIMILAR:
                links_of[other_id] += 1
                links.append((other_id, claim_id, score))
    _insert_many(session, _LINKS, ("claim_id", "similar_id", "score"), links)
    return pairs


@dataclass
class RebuildReport:
    documents: int = 0
    claims: int = 0
    pairs: int = 0


def rebuild_similarity(
    engine: Engine, *, on_document: Callable[[int], None] | None = None
) -> RebuildReport:
    """Recompute every claim's sketch and similarity links from the stored claim texts.

    For a database ingested before similarity existed (schema 0002), or after the measure
    changed (``SKETCH_VERSION``). The old sketches and links are dropped first, then each
    document is linked, in its own transaction, to the documents before it: the result is
    the one ingesting the documents in order would have given. An interrupted run is
    simply started again. While it runs, the review page lists fewer similar claims.
    """
    report = RebuildReport()
    with unit_of_work(engine) as session:
        for table in (ClaimSimilarity, ClaimSketchKey, ClaimSketch):
            session.execute(delete(table))
        document_ids = list(session.scalars(select(Document.id).order_by(Document.id)))
    for document_id in document_ids:
        with unit_of_work(engine) as session:
            rows = session.execute(
                select(Claim.id, Claim.text).where(Claim.document_id == document_id)
            ).all()
        # Hashing happens outside the write transaction, as at ingest.
        sketches = list(
            zip([r[0] for r in rows], measure.sketches([r[1] for r in rows]), strict=True)
        )
        with unit_of_work(engine) as session:
            report.pairs += link_claims(session, document_id, sketches)
        report.documents += 1
        report.claims += len(sketches)
        if on_document is not None:
            on_document(document_id)
    return report


# --- reading and deciding -----------------------------------------------------------------


def similar_claims(engine: Engine, claim_id: int) -> list[SimilarClaim]:
    """The claims of other documents that say what ``claim_id`` says, most similar first."""
    with unit_of_work(engine) as session:
        if session.get(Claim, claim_id) is None:
            raise NotFound(f"claim {claim_id} does not exist")
        rows = session.execute(
            select(Claim, Document.title, ClaimSimilarity.score)
            .join(ClaimSimilarity, ClaimSimilarity.similar_id == Claim.id)
            .join(Document, Document.id == Claim.document_id)
            .where(ClaimSimilarity.claim_id == claim_id)
            .order_by(ClaimSimilarity.score.desc(), Claim.id)
        ).all()
        verdicts: dict[int, list[ReviewerVerdict]] = defaultdict(list)
        for chunk in _chunks([claim.id for claim, _, _ in rows]):
            for other, name, verdict in session.execute(
                select(Review.claim_id, User.name, Review.verdict)
                .join(User, User.id == Review.reviewer_id)
                .where(Review.claim_id.in_(chunk), Review.verdict.is_not(None))
                .order_by(Review.id)
            ):
                if verdict is not None:  # the query excludes NULL; this tells the checker
                    verdicts[other].append(ReviewerVerdict(reviewer=name, verdict=Verdict(verdict)))
        return [
            SimilarClaim(
                id=claim.id,
                document_id=claim.document_id,
                document_title=title,
                text=claim.text,
                speaker=claim.speaker,
                status=ClaimStatus(claim.status),
                similarity=score,
                verdicts=verdicts[claim.id],
            )
            for claim, title, score in rows
        ]


class GroupVerdict(BaseModel):
    """What :func:`apply_verdict_to_similar` did, claim by claim."""

    verdict: Verdict
    applied: list[int] = []  # now carry the reviewer's verdict
    kept: list[int] = []  # the reviewer had already given another verdict: left as it was
    skipped: list[int] = []  # marked "not a claim": out of the queue, not reviewed

    def summary(self) -> str:
        parts = [f"“{self.verdict.value}” saved for {_claims(len(self.applied))}"]
        if self.kept:
            parts.append(f"{_claims(len(self.kept))} kept your other verdict")
        if self.skipped:
            parts.append(f"{_claims(len(self.skipped))} marked not a claim skipped")
        return "; ".join(parts) + "."


def _claims(n: int) -> str:
    return f"{n} claim" if n == 1 else f"{n} claims"


def apply_verdict_to_similar(
    engine: Engine,
    claim_id: int,
    actor: Actor,
    verdict: Verdict,
    claim_ids: Sequence[int] | None = None,
    *,
    overwrite: bool = False,
) -> GroupVerdict:
    """Give ``actor``'s ``verdict`` to the claims similar to ``claim_id``, in one step.

    Each claim gets (or updates) the reviewer's own review, exactly as a verdict given on
    its page would; other reviewers' reviews are never read for writing. ``claim_ids``
    narrows the group (each must be similar to ``claim_id``). A claim where the reviewer
    already chose another verdict keeps it unless ``overwrite``; claims marked "not a
    claim" are skipped. One transaction: all of the verdicts are stored, or none.
    """
    with unit_of_work(engine) as session:
        if session.get(Claim, claim_id) is None:
            raise NotFound(f"claim {claim_id} does not exist")
        linked = set(
            session.scalars(
                select(ClaimSimilarity.similar_id).where(ClaimSimilarity.claim_id == claim_id)
            )
        )
        targets = sorted(linked if claim_ids is None else set(claim_ids))
        strangers = [t for t in targets if t not in linked]
        if strangers:
            listed = ", ".join(f"#{t}" for t in strangers)
            raise InvalidInput(f"claims {listed} are not among the claims similar to #{claim_id}")
        statuses = dict(
            session.execute(select(Claim.id, Claim.status).where(Claim.id.in_(targets))).all()
        )
        mine = dict(
            session.execute(
                select(Review.claim_id, Review.verdict).where(
                    Review.reviewer_id == actor.id, Review.claim_id.in_(targets)
                )
            ).all()
        )
        result = GroupVerdict(verdict=verdict)
        for target in targets:
            if statuses.get(target) != ClaimStatus.open:
                result.skipped.append(target)
            elif mine.get(target) not in (None, verdict.value) and not overwrite:
                result.kept.append(target)
            else:
                decisions.record_verdict(session, target, actor, verdict)
                result.applied.append(target)
        return result
