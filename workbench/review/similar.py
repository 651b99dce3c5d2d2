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

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVarTuple

import numpy as np
from pydantic import BaseModel
from sqlalchemy import Engine, Row, Select, Table, bindparam, delete, func, select
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
_KEY_HOLDERS = select(ClaimSketchKey.key, ClaimSketchKey.claim_id).where(
    ClaimSketchKey.key.in_(bindparam("ids", expanding=True))
)
_SIGNATURES = (
    select(ClaimSketch.claim_id, ClaimSketch.signature, ClaimSketch.version)
    .join(Claim, Claim.id == ClaimSketch.claim_id)
    .where(
        ClaimSketch.claim_id.in_(bindparam("ids", expanding=True)),
        Claim.document_id != bindparam("document_id"),
    )
)
_TEXTS = select(Claim.id, Claim.text).where(Claim.id.in_(bindparam("ids", expanding=True)))
_LINK_COUNTS = (
    select(ClaimSimilarity.claim_id, func.count())
    .where(ClaimSimilarity.claim_id.in_(bindparam("ids", expanding=True)))
    .group_by(ClaimSimilarity.claim_id)
)


def _chunks(values: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


def _fetch(
    session: Session, query: Select[*Ts], ids: Iterable[int], **params: int
) -> list[Row[*Ts]]:
    """``query``'s rows for ``ids`` (bound as ``:ids``), a chunk of ids at a time."""
    rows: list[Row[*Ts]] = []
    for chunk in _chunks(sorted(set(ids))):
        # Through the connection: plain rows, without the ORM's per-row loading work.
        rows += session.connection().execute(query, {"ids": chunk, **params}).all()
    return rows


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


def link_claims(
    session: Session, document_id: int, claims: Sequence[tuple[int, measure.Sketch]]
) -> int:
    """Store the sketches of one document's claims and link them to similar stored claims.

    ``claims`` are (claim id, sketch) of claims of document ``document_id`` already flushed
    in ``session``, whose sketches are not stored yet. Returns the number of similar pairs
    found. Runs in the caller's transaction.
    """
    if not claims:
        return 0
    session.execute(
        _SKETCHES.insert(),
        [
            {"claim_id": cid, "version": measure.SKETCH_VERSION, "signature": s.signature_bytes()}
            for cid, s in claims
        ],
    )
    owners: dict[int, list[int]] = defaultdict(list)  # band key -> indexes into claims
    for index, (_, sketch) in enumerate(claims):
        for key in sketch.band_keys:
            owners[key].append(index)

    # Look the keys up before adding ours, so the rows read are other claims' and their
    # number per key is the key's holder count.
    holders: dict[int, int] = defaultdict(int)
    candidates: dict[int, set[int]] = defaultdict(set)  # stored claim id -> indexes
    for key, other in _fetch(session, _KEY_HOLDERS, owners):
        holders[key] += 1
        candidates[other].update(owners[key])
    key_rows: list[tuple[int, int]] = []
    for key, indexes in owners.items():
        room = max(0, MAX_KEY_HOLDERS - holders[key])
        key_rows += [(key, claims[i][0]) for i in indexes[:room]]
    _insert_many(session, _KEYS, ("key", "claim_id"), key_rows)
    if not candidates:
        return 0

    # Screen by the signatures first: most candidates share a band by chance. Claims of this
    # document (kept by a rebuild) are dropped here too: only other documents count.
    signatures: dict[int, measure.Signature] = {
        other: measure.signature_from_bytes(raw)
        for other, raw, version in _fetch(session, _SIGNATURES, candidates, document_id=document_id)
        if version == measure.SKETCH_VERSION
    }
    by_index: dict[int, list[int]] = defaultdict(list)
    for other, holding in candidates.items():
        if other in signatures:
            for index in holding:
                by_index[index].append(other)
    screened: list[tuple[int, int]] = []  # (index into claims, stored claim id)
    for index, others in by_index.items():
        estimates = measure.estimates(
            claims[index][1].signature, np.stack([signatures[o] for o in others])
        )
        screened += [
            (index, o)
            for o, e in zip(others, estimates, strict=True)
            if measure.worth_scoring(float(e))
        ]
    if not screened:
        return 0

    # Hash each distinct text once: a statement syndicated word for word has one text.
    by_text: dict[str, measure.Sketch] = {}
    stored: dict[int, measure.Sketch] = {}
    for other, text in _fetch(session, _TEXTS, (o for _, o in screened)):
        if text not in by_text:
            by_text[text] = measure.sketch(text)
        stored[other] = by_text[text]
    matches: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for index, other in screened:
        score = measure.match(claims[index][1], stored[other])
        if score is not None:
            matches[index].append((score, other))
    if not matches:
        return 0

    # A stored claim already at MAX_SIMILAR links is not told about the new one (the new
    # claim still lists it): what one claim stores stays bounded.
    targets = (o for found in matches.values() for _, o in found)
    links_of: dict[int, int] = defaultdict(int)
    links_of.update({other: count for other, count in _fetch(session, _LINK_COUNTS, targets)})
    links: list[tuple[int, int, float]] = []
    pairs = 0
    for index, found in matches.items():
        claim_id = claims[index][0]
        for score, other in sorted(found, key=lambda m: (-m[0], m[1]))[:MAX_SIMILAR]:
            pairs += 1
            links.append((claim_id, other, score))
            if links_of[other] < MAX_SIMILAR:
                links_of[other] += 1
                links.append((other, claim_id, score))
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
