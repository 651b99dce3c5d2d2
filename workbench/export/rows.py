"""The export's rows: the reviewed dataset, read from the database in bounded batches.

Each batch is ``batch`` claims, chosen by keyset pagination on the claim id (``id > the last
id of the previous batch``, so a batch costs the same at the end of a large table as at its
start) and read in one transaction with three queries: the claims with their document and
final verdict, their reviews, and the reviews' URLs. Only one batch is held at a time, so
memory does not grow with the export; a claim and its reviews always come from one
transaction, but an export of many batches is not one snapshot of the whole database.

The writers get *plain records*: JSON-ready dicts with exactly ``ExportRecord``'s keys, nested
the same way and in the same order (timestamps as ISO 8601 strings in UTC), built from Core
rows, which ``ExportRecord.model_validate`` accepts as they are. ``ExportRecord`` is the
schema; building a pydantic model (or an ORM object) for each of a million reviews would cost
more than the rest of the export together, so the hot path makes dicts and the tests hold
them to the model.
:func:`iter_records` gives validated ``ExportRecord``s for everything that is not a writer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, String, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from workbench.db.models import Claim, Document, Evidence, FinalVerdict, Review, User
from workbench.export.filters import ExportFilter, apply
from workbench.schemas import ExportRecord

BATCH = 1000
SCHEMA_VERSION: int = ExportRecord.model_fields["schema_version"].default

PlainRecord = dict[str, Any]
Timestamp = Callable[[Any], str | None]

# The columns of a RowBatch's rows, in order (timestamps: see ``RowBatch.sqlite``).
CLAIM_COLUMNS = (
    "claim_id",
    "text",
    "char_start",
    "char_end",
    "speaker",
    "score",
    "extractor",
    "status",
    "document_id",
    "document_title",
    "document_source",
    "document_sha256",
    "document_url",
    "document_published",
    "final_verdict",
    "final_source",
    "final_reason",
    "final_decided_at",
    # schema version 5: corrections of the extractor (workbench.review.corrections)
    "origin",
    "corrected_from_id",
    "merged_from_id",
)
REVIEW_COLUMNS = (
    "claim_id",
    "id",
    "reviewer",
    "verdict",
    "note",
    "version",
    "created_at",
    "updated_at",
    "decided_at",
    "seconds_spent",
    "blind_verdict",
    "changed_after_reveal",
)
URL_COLUMNS = ("claim_id", "review_id", "url", "added_at")


@dataclass(frozen=True)
class RowBatch:
    """One batch as the database returned it: tuples in the ``*_COLUMNS`` orders.

    ``claims`` by id; ``reviews`` by claim id, then review id; ``urls`` by claim id, review id,
    then the order they were added. Timestamps are ISO 8601 text in UTC without an offset,
    ``YYYY-MM-DD HH:MM:SS.ffffff``, when ``sqlite`` (see below), else aware datetimes.
    """

    claims: Sequence[Any]
    reviews: Sequence[Any]
    urls: Sequence[Any]
    sqlite: bool

    def records(self) -> list[PlainRecord]:
        return _plain(self.claims, self.reviews, self.urls, sqlite_iso if self.sqlite else _iso)


def iter_row_batches(
    engine: Engine,
    flt: ExportFilter | None = None,
    batch: int = BATCH,
    *,
    reviews: bool = True,
    project_id: int | None = None,
) -> Iterator[RowBatch]:
    """The claims ``flt`` selects, ``batch`` claims at a time in id order, as database rows.

    ``reviews=False`` reads no reviews or URLs (for a format that has no use for them);
    ``project_id``: only that project's claims (None: every project's).
    """
    flt = flt or ExportFilter()
    sqlite = engine.dialect.name == "sqlite"
    ts = _timestamp_column(sqlite)
    after = 0
    while True:
        with engine.begin() as connection:  # one transaction a batch
            claims = connection.execute(_claims_query(flt, ts, after, batch, project_id)).all()
            if not claims:
                return
            ids = [row[0] for row in claims]
            review_rows: Sequence[Any] = ()
            url_rows: Sequence[Any] = ()
            if reviews:
                review_rows = connection.execute(
                    select(
                        Review.claim_id,
                        Review.id,
                        User.name,
                        Review.verdict,
                        Review.note,
                        Review.version,
                        ts(Review.created_at),
                        ts(Review.updated_at),
                        ts(Review.decided_at),
                        Review.seconds_spent,
                        Review.blind_verdict,
                        Review.changed_after_reveal,
                    )
                    .join(User, User.id == Review.reviewer_id)
                    .where(Review.claim_id.in_(ids))
                    .order_by(Review.claim_id, Review.id)
                ).all()
                url_rows = connection.execute(
                    select(Review.claim_id, Evidence.review_id, Evidence.url, ts(Evidence.added_at))
                    .join(Review, Review.id == Evidence.review_id)
                    .where(Review.claim_id.in_(ids))
                    .order_by(Review.claim_id, Evidence.review_id, Evidence.id)
                ).all()
        yield RowBatch(claims, review_rows, url_rows, sqlite)
        if len(claims) < batch:
            return
        after = ids[-1]


def iter_batches(
    engine: Engine,
    flt: ExportFilter | None = None,
    batch: int = BATCH,
    *,
    reviews: bool = True,
    project_id: int | None = None,
) -> Iterator[list[PlainRecord]]:
    """:func:`iter_row_batches` as plain records."""
    for rows in iter_row_batches(engine, flt, batch, reviews=reviews, project_id=project_id):
        yield rows.records()


def iter_records(
    engine: Engine,
    flt: ExportFilter | None = None,
    batch: int = BATCH,
    *,
    project_id: int | None = None,
) -> Iterator[ExportRecord]:
    """Every claim ``flt`` selects with its document, reviews and final verdict, in id order."""
    for records in iter_batches(engine, flt, batch, project_id=project_id):
        for record in records:
            yield ExportRecord.model_validate(record)


def _claims_query(
    flt: ExportFilter, ts: Callable[[Any], Any], after: int, batch: int, project_id: int | None
) -> Any:
    query = (
        select(
            Claim.id,
            Claim.text,
            Claim.char_start,
            Claim.char_end,
            Claim.speaker,
            Claim.score,
            Claim.extractor,
            Claim.status,
            Document.id,
            Document.title,
            Document.source,
            Document.sha256,
            Document.url,
            ts(Document.published),
            FinalVerdict.verdict,
            FinalVerdict.source,
            FinalVerdict.reason,
            ts(FinalVerdict.decided_at),
            Claim.origin,
            Claim.corrected_from_id,
            Claim.merged_from_id,
        )
        .join(Document, Document.id == Claim.document_id)
        .outerjoin(FinalVerdict, FinalVerdict.claim_id == Claim.id)
        .where(Claim.id > after)
        .order_by(Claim.id)
        .limit(batch)
    )
    return apply(query, flt, project_id)


# --- timestamps ----------------------------------------------------------------------------
# Every timestamp is written as "YYYY-MM-DDTHH:MM:SS.ffffff+00:00". On SQLite the column holds
# that instant as text, "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (``UTCDateTime`` writes nothing
# else), so it is read as text and rearranged instead of being parsed into a datetime and
# formatted again: a million reviews carry four million timestamps.


def _timestamp_column(sqlite: bool) -> Callable[[Any], ColumnElement[Any]]:
    if sqlite:
        return lambda column: type_coerce(column, String())
    return lambda column: type_coerce(column, DateTime(timezone=True))


def sqlite_iso(value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) == 26 and value[10] == " ":
        return f"{value[:10]}T{value[11:]}+00:00"
    return _iso(datetime.fromisoformat(value))  # written by something else: parse it


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


# --- rows to plain records -----------------------------------------------------------------


def _plain(
    claims: Sequence[Any], reviews: Sequence[Any], urls: Sequence[Any], iso: Timestamp
) -> list[PlainRecord]:
    evidence: dict[int, list[dict[str, Any]]] = {}
    for _claim_id, review_id, url, added_at in urls:
        item = {"url": url, "added_at": iso(added_at)}
        found = evidence.get(review_id)
        if found is None:
            evidence[review_id] = [item]
        else:
            found.append(item)
    by_claim: dict[int, list[dict[str, Any]]] = {}
    for (
        claim_id,
        rid,
        name,
        verdict,
        note,
        version,
        created,
        updated,
        decided,
        spent,
        blind_verdict,
        changed,
    ) in reviews:
        review = {
            "id": rid,
            "reviewer": name,
            "verdict": verdict,
            "note": note,
            "urls": evidence.get(rid, []),
            "version": version,
            "created_at": iso(created),
            "updated_at": iso(updated),
            "decided_at": iso(decided),
            "seconds_spent": spent,
            "blind_verdict": blind_verdict,
            "changed_after_reveal": bool(changed),
        }
        found_reviews = by_claim.get(claim_id)
        if found_reviews is None:
            by_claim[claim_id] = [review]
        else:
            found_reviews.append(review)
    return [
        {
            "schema_version": SCHEMA_VERSION,
            "claim_id": claim_id,
            "text": text,
            "char_start": char_start,
            "char_end": char_end,
            "speaker": speaker,
            "score": score,
            "extractor": extractor,
            "status": status,
            "document": {
                "id": document_id,
                "title": title,
                "source": source,
                "sha256": sha256,
                "url": url,
                "published": iso(published),
            },
            "reviews": by_claim.get(claim_id, []),
            "final_verdict": final_verdict,
            "final_source": final_source,
            "final_reason": final_reason,
            "final_decided_at": iso(final_decided_at),
            "origin": origin,
            "corrected_from": corrected_from(corrected_from_id, merged_from_id),
        }
        for (
            claim_id,
            text,
            char_start,
            char_end,
            speaker,
            score,
            extractor,
            status,
            document_id,
            title,
            source,
            sha256,
            url,
            published,
            final_verdict,
            final_source,
            final_reason,
            final_decided_at,
            origin,
            corrected_from_id,
            merged_from_id,
        ) in claims
    ]


def corrected_from(corrected_from_id: int | None, merged_from_id: int | None) -> list[int]:
    """The claims a correction replaced with this one, in the order they were read: the one it
    was cut from, then the one merged into it (empty for an extracted claim)."""
    return [i for i in (corrected_from_id, merged_from_id) if i is not None]
