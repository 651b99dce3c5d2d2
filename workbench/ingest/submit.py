"""Documents sent one at a time or in a batch, rather than read from files: the HTTP API's
``POST /documents`` (issue 15).

Each record is held to the rules of a JSONL line (``formats.records.to_document``: the
fields, the size limit, the URL rules), extracted with the project's scorer and threshold and
stored whole with its claims (``store.store_document``), as ``workbench ingest`` does; the
same text again is stored once. Unlike the command line, the caller is someone: importing
needs :data:`Action.import_data` in the project.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from workbench.auth.policy import Action, Caller, authorize
from workbench.config import current_settings
from workbench.db.models import Claim, Document
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput
from workbench.extract import Extractor, default_extractor
from workbench.ingest.formats.common import ReadError, ReadWarning
from workbench.ingest.formats.records import KNOWN_FIELDS, to_document
from workbench.ingest.store import sha256_of, store_document
from workbench.projects.service import resolve_project
from workbench.projects.settings import settings_in
from workbench.schemas import ClaimOut, ClaimStatus, DocumentIn, DocumentRef, claim_out

MAX_BATCH = 100


@dataclass(frozen=True)
class Submitted:
    document: DocumentRef
    claims: list[ClaimOut]
    duplicate: bool  # the same text was already stored in the project: nothing new
    warnings: list[str] = field(default_factory=list)


def submit_documents(
    engine: Engine,
    actor: Caller,
    records: Sequence[Mapping[str, Any]],
    project: int | str | None = None,
    *,
    source: str = "api",
) -> list[Submitted | ReadError]:
    """Store each record as a document with its claims; a record that cannot be stored is a
    :class:`ReadError` in its place (naming ``source`` and its 1-based position), and the
    others go on."""
    if len(records) > MAX_BATCH:
        raise InvalidInput(f"a batch holds at most {MAX_BATCH} documents ({len(records)} given)")
    with unit_of_work(engine) as session:
        project_id = resolve_project(session, project, actor).id
        authorize(session, actor, Action.import_data, project_id)
        chosen = settings_in(session, project_id)
    settings = current_settings()
    extractor = _extractor(
        chosen.claim_threshold if chosen.claim_threshold is not None else settings.claim_threshold,
        chosen.scorer or settings.scorer,
        settings.scorer_model,
    )
    results: list[Submitted | ReadError] = []
    for number, record in enumerate(records, start=1):
        extra = {k: v for k, v in record.items() if k not in KNOWN_FIELDS}
        read = to_document(
            record, path=source, line=number, max_bytes=settings.max_file_bytes, extra=extra
        )
        warnings = [str(w) for w in read if isinstance(w, ReadWarning)]
        errors = [e for e in read if isinstance(e, ReadError) and not isinstance(e, ReadWarning)]
        documents = [d for d in read if isinstance(d, DocumentIn)]
        if errors or not documents:
            results.append(errors[0] if errors else ReadError(source, number, None, "no text"))
            continue
        document = documents[0]
        if document.url is None:  # not "api#L1": the position in a request is no source
            document = document.model_copy(update={"source": source})
        results.append(_store(engine, document, extractor, project_id, warnings))
    return results


def _store(
    engine: Engine, document: DocumentIn, extractor: Extractor, project_id: int, warnings: list[str]
) -> Submitted:
    added = store_document(engine, document, extractor, project_id)
    with unit_of_work(engine, read_only=True) as session:
        row = session.scalar(
            select(Document).where(
                Document.sha256 == sha256_of(document.text), Document.project_id == project_id
            )
        )
        assert row is not None  # stored just now, or before (a duplicate)
        claims = session.scalars(
            select(Claim)
            .where(Claim.document_id == row.id, Claim.status != ClaimStatus.held_out.value)
            .order_by(Claim.char_start, Claim.char_end)
        ).all()
        ref = DocumentRef(
            id=row.id,
            title=row.title,
            source=row.source,
            sha256=row.sha256,
            url=row.url,
            published=row.published,
        )
        return Submitted(
            document=ref,
            claims=[claim_out(c, row.title) for c in claims],
            duplicate=added is None,
            warnings=warnings,
        )


@lru_cache(maxsize=8)
def _extractor(threshold: float | None, scorer: str | None, model: Path | None) -> Extractor:
    # Built once per process and choice: a scorer may load a model.
    return default_extractor(threshold, scorer, model)
