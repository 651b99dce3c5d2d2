"""Linking claims to the stored claims that say the same thing, at ingest and at rebuild.

Ingest calls :func:`link_claims` (or :func:`link_documents` for a batch) inside the
transaction that stores a document's claims, so a document and its similarity links appear
together or not at all. Candidates come from the indexed MinHash band keys
(``claim_sketch_keys``) and are confirmed with the exact measure of
:mod:`workbench.similarity.measure`; claims of the same document are never linked (a headline
restating its own article is not a second report of the statement).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sqlalchemy import event
from sqlalchemy.orm import Session

from workbench.db.models import Claim, ClaimSimilarity, ClaimSketchKey
from workbench.similarity import measure
from workbench.similarity.cache import STORED_SHINGLES, Signed, SketchCache, stored_signatures
from workbench.similarity.store import (
    ARRAY_ROWS,
    KEY_COLUMNS,
    KEYS,
    LINK_COUNT_COLUMNS,
    LINKS,
    SKETCHES,
    TEXT_COLUMNS,
    insert_many,
    integers_for,
    rows_for,
)

# A band key stops taking new claims once this many hold it. Without the cap, a statement
# syndicated to thousands of documents would make every later copy fetch thousands of rows
# per key; with it, a lookup reads at most BANDS * MAX_KEY_HOLDERS rows per claim, and a
# new copy still finds the first holders (which are copies of it).
MAX_KEY_HOLDERS = 16
# Links kept per claim (the most similar first), for the same reason: a claim in a group of
# thousands shows "50 similar claims" rather than storing a quadratic number of pairs.
MAX_SIMILAR = 50


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
    insert_many(
        session,
        SKETCHES,
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
    held = integers_for(session, KEY_COLUMNS, ClaimSketchKey.key, _distinct(own_key).tolist())
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
    for start in range(0, added_key.size, ARRAY_ROWS):  # as tuples a slice at a time
        end = start + ARRAY_ROWS
        rows = list(zip(added_key[start:end].tolist(), added_id[start:end].tolist(), strict=True))
        insert_many(session, KEYS, ("key", "claim_id"), rows)

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
    signed, at, stored = stored_signatures(session, _distinct(stored_pairs[1]), cache)
    mine_rows = Signed(
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
    texts = dict(rows_for(session, TEXT_COLUMNS, Claim.id, wanted))
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
    shingles = dict(zip(hashed, STORED_SHINGLES.get_many([texts[o] for o in hashed]), strict=True))
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
    links_of.update(dict(rows_for(session, LINK_COUNT_COLUMNS, ClaimSimilarity.claim_id, targets)))
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
    insert_many(session, LINKS, ("claim_id", "similar_id", "score"), links)
    return pairs
