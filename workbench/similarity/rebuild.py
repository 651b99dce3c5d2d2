"""Recomputing every sketch and link from the stored texts (``workbench rebuild-similarity``)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, delete, select

from workbench.db.models import Claim, ClaimSimilarity, ClaimSketch, ClaimSketchKey, Document
from workbench.db.session import unit_of_work
from workbench.reports import Report
from workbench.similarity import measure
from workbench.similarity.link import link_claims


class RebuildReport(Report):
    documents: int = 0
    claims: int = 0
    pairs: int = 0

    def summary(self) -> str:
        return f"{self.documents} documents, {self.claims} claims: {self.pairs} similar pairs"


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
