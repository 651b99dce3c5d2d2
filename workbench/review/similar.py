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
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVarTuple

import numpy as np
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Engine,
    Row,
    Select,
    Table,
    bindparam,
    delete,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
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
    ClaimSketch.claim_id, Claim.document_id, ClaimSketch.signature, ClaimSketch.version
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
    """``rows`` into ``table``, straight to the driver's executemany where its placeholder
    style is known: SQLAlchemy's per-row parameter processing would otherwise be most of
    the cost of the 32 key rows each claim adds."""
    if not rows:
        return
    connection = session.connection()
    placeholder = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(
        connection.dialect.paramstyle
    )
    if placeholder is None:
        session.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    values = ", ".join([placeholder] * len(columns))
    connection.exec_driver_sql(
        f"INSERT INTO {quote(table.name)} ({names}) VALUES ({values})", list(rows)
    )


# --- ingest -------------------------------------------------------------------------------


def _rows_for(
    session: Session, columns: Select[*Ts], column: Any, ids: Iterable[int]
) -> list[Row[*Ts]]:
    """``columns`` where ``column`` is one of ``ids``: one statement for all of them.

    PostgreSQL takes the ids as one array parameter (``= ANY``) and SQLite as one JSON
    parameter (``IN (SELECT value FROM json_each(...))``), so a batch of documents needs one
    round trip per lookup however many ids it has; other databases get chunked ``IN`` lists.
    """
    values = sorted(set(ids))
    if not values:
        return []
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        param = bindparam("ids", values, type_=ARRAY(BigInteger))
        return list(connection.execute(columns.where(column == func.any(param))).all())
    if dialect == "sqlite":
        listed: Select[tuple[Any]] = select(literal_column("value")).select_from(
            func.json_each(bindparam("ids", json.dumps(values)))
        )
        return list(connection.execute(columns.where(column.in_(listed.scalar_subquery()))))
    rows: list[Row[*Ts]] = []
    for chunk in _chunks(values):
        rows += connection.execute(columns.where(column.in_(chunk))).all()
    return rows


@lru_cache(maxsize=100_000)
def _stored_sketch(text: str) -> tuple[measure.Hashes, frozenset[str]]:
    """The shingles and figures of a stored claim's text, for the exact comparison.

    Cached by text (a pure function of it): the claims a batch is compared with are mostly
    the same few thousand holders of the band keys, read again and again.
    """
    return measure.shingles(text), measure.numbers(text)


def link_claims(
    session: Session, document_id: int, claims: Sequence[tuple[int, measure.Sketch]]
) -> int:
    """Store the sketches of one document's claims and link them to similar stored claims.

    ``claims`` are (claim id, sketch) of claims of document ``document_id`` already flushed
    in ``session``, whose sketches are not stored yet. Returns the number of similar pairs
    found. Runs in the caller's transaction.
    """
    return link_documents(session, [(document_id, claims)])[0]


@dataclass
class _Pending:
    """One document of a batch while it is being linked."""

    document_id: int
    claims: Sequence[tuple[int, measure.Sketch]]
    owners: dict[int, list[int]]  # band key -> indexes into claims
    stored: dict[int, set[int]]  # candidate claim already in the database -> indexes
    batch: dict[int, set[int]]  # candidate claim of an earlier document of the batch -> indexes
    matches: dict[int, list[tuple[float, int]]]  # index -> (score, similar claim id)


def link_documents(
    session: Session, documents: Sequence[tuple[int, Sequence[tuple[int, measure.Sketch]]]]
) -> list[int]:
    """:func:`link_claims` for several documents at once, with the result of doing them in order.

    ``documents`` are (document id, its (claim id, sketch) pairs), in ingest order. Each
    document is compared with the stored claims and with the claims of the documents before
    it in the list, exactly as if each had been linked in its own call (the band keys' holder
    caps and the per-claim link caps are applied in the same order), but the database is
    asked once per kind of lookup for the whole batch instead of once per document. Returns
    the number of similar pairs found for each document.
    """
    pending = [
        _Pending(document_id, claims, _owners(claims), {}, {}, {})
        for document_id, claims in documents
        if claims
    ]
    if not pending:
        return [0] * len(documents)
    session.execute(
        _SKETCHES.insert(),
        [
            {"claim_id": cid, "version": measure.SKETCH_VERSION, "signature": s.signature_bytes()}
            for p in pending
            for cid, s in p.claims
        ],
    )
    # The keys' holders as stored before this batch; then, walking the batch in order, the
    # claims each document adds as holders (while a key has room), seen by the documents
    # after it just as a later transaction would see them.
    keys = {key for p in pending for key in p.owners}
    stored_holders: dict[int, list[int]] = defaultdict(list)
    for key, other in _rows_for(session, _KEY_COLUMNS, ClaimSketchKey.key, keys):
        stored_holders[key].append(other)
    batch_holders: dict[int, list[int]] = defaultdict(list)
    in_batch: dict[int, tuple[int, measure.Sketch]] = {}  # claim id -> (document id, sketch)
    key_rows: list[tuple[int, int]] = []
    for p in pending:
        for key, indexes in p.owners.items():
            for other in stored_holders.get(key, ()):
                p.stored.setdefault(other, set()).update(indexes)
            for other in batch_holders.get(key, ()):
                p.batch.setdefault(other, set()).update(indexes)
        for key, indexes in p.owners.items():
            taken = len(stored_holders.get(key, ())) + len(batch_holders.get(key, ()))
            room = max(0, MAX_KEY_HOLDERS - taken)
            for i in indexes[:room]:
                key_rows.append((key, p.claims[i][0]))
                batch_holders[key].append(p.claims[i][0])
        for cid, sketch in p.claims:
            in_batch[cid] = (p.document_id, sketch)
    _insert_many(session, _KEYS, ("key", "claim_id"), key_rows)

    # Screen by the signatures first: most candidates share a band by chance. Claims of the
    # document itself (kept by a rebuild) are dropped here too: only other documents count.
    signatures: dict[int, tuple[int, measure.Signature]] = {
        other: (document_id, measure.signature_from_bytes(raw))
        for other, document_id, raw, version in _rows_for(
            session,
            _SIGNATURE_COLUMNS,
            ClaimSketch.claim_id,
            {o for p in pending for o in p.stored},
        )
        if version == measure.SKETCH_VERSION
    }
    screened: list[tuple[_Pending, int, list[int]]] = []  # (document, index, others)
    for p in pending:
        by_index: dict[int, list[tuple[int, measure.Signature]]] = defaultdict(list)
        for other, holding in p.stored.items():
            found = signatures.get(other)
            if found is not None and found[0] != p.document_id:
                for index in holding:
                    by_index[index].append((other, found[1]))
        for other, holding in p.batch.items():
            owner, sketch = in_batch[other]
            if owner != p.document_id:
                for index in holding:
                    by_index[index].append((other, sketch.signature))
        for index, others in by_index.items():
            estimates = measure.estimates(
                p.claims[index][1].signature, np.stack([signature for _, signature in others])
            )
            worth = [
                other
                for (other, _), e in zip(others, estimates.tolist(), strict=True)
                if measure.worth_scoring(e)
            ]
            if worth:
                screened.append((p, index, worth))
    if not screened:
        return [0] * len(documents)

    # Exact scores. Stored claims are read back as text and hashed (once per distinct text);
    # the batch's own claims were hashed before the transaction.
    stored_ids = {o for _, _, candidates in screened for o in candidates if o not in in_batch}
    texts = dict(_rows_for(session, _TEXT_COLUMNS, Claim.id, stored_ids))
    for p, index, candidates in screened:
        parts = [
            (in_batch[o][1].shingles, in_batch[o][1].numbers)
            if o in in_batch
            else _stored_sketch(texts[o])
            for o in candidates
        ]
        mine = p.claims[index][1]
        for other, score in zip(
            candidates, measure.match_many(mine.shingles, mine.numbers, parts), strict=True
        ):
            if score is not None:
                p.matches.setdefault(index, []).append((score, other))

    # A claim already at MAX_SIMILAR links is not told about a new one (the new claim still
    # lists it): what one claim stores stays bounded. Counts start from the stored links and
    # grow as the batch adds its own, document by document.
    targets = {o for p in pending for matched in p.matches.values() for _, o in matched}
    links_of: dict[int, int] = defaultdict(int)
    links_of.update(
        dict(
            _rows_for(
                session, _LINK_COUNT_COLUMNS, ClaimSimilarity.claim_id, targets - in_batch.keys()
            )
        )
    )
    links: list[tuple[int, int, float]] = []
    pairs: dict[int, int] = {}
    for p in pending:
        found_pairs = 0
        for index, matched in p.matches.items():
            claim_id = p.claims[index][0]
            for score, other in sorted(matched, key=lambda m: (-m[0], m[1]))[:MAX_SIMILAR]:
                found_pairs += 1
                links.append((claim_id, other, score))
                links_of[claim_id] += 1
                if links_of[other] < MAX_SIMILAR:
                    links_of[other] += 1
                    links.append((other, claim_id, score))
        pairs[p.document_id] = found_pairs
    _insert_many(session, _LINKS, ("claim_id", "similar_id", "score"), links)
    return [pairs.get(document_id, 0) for document_id, _ in documents]


def _owners(claims: Sequence[tuple[int, measure.Sketch]]) -> dict[int, list[int]]:
    owners: dict[int, list[int]] = defaultdict(list)  # band key -> indexes into claims
    for index, (_, sketch) in enumerate(claims):
        for key in sketch.band_keys:
            owners[key].append(index)
    return owners


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
