"""Parquet: one row per claim, its document flattened and its reviews nested.

A data scientist's first step is usually "one row per claim, with its label": so each row is a
claim with its document's fields beside it (``document_*``) and its final verdict, and the
reviews stay whole in a ``reviews`` column (a list of structs, each with its own ``urls``
list), from which a table of reviews is one step away::

    import pandas as pd
    claims = pd.read_parquet("claims.parquet")
    reviews = pd.DataFrame(
        [{"claim_id": c, **r} for c, rs in zip(claims.claim_id, claims.reviews) for r in rs]
    )

The schema below is fixed, whatever the data (an all-null column keeps its type), and the
file's metadata carries ``workbench.schema_version`` (the ``ExportRecord`` version). Rows are
written in row groups of ``ROW_GROUP`` claims as the batches arrive, so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from workbench.export.rows import (
    CLAIM_COLUMNS,
    REVIEW_COLUMNS,
    SCHEMA_VERSION,
    URL_COLUMNS,
    RowBatch,
    corrected_from,
    sqlite_iso,
)
from workbench.schemas import ExportRecord

ROW_GROUP = 10_000  # claims (and some ten times as many reviews) a row group

TIMESTAMP = pa.timestamp("us", tz="UTC")
URL = pa.struct(
    [pa.field("url", pa.string(), nullable=False), pa.field("added_at", TIMESTAMP, nullable=False)]
)
URLS = pa.list_(pa.field("item", URL, nullable=False))
REVIEW = pa.struct(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("reviewer", pa.string(), nullable=False),
        pa.field("verdict", pa.string()),  # null while undecided
        pa.field("note", pa.string(), nullable=False),
        pa.field("urls", URLS, nullable=False),
        pa.field("version", pa.int32(), nullable=False),
        pa.field("created_at", TIMESTAMP, nullable=False),
        pa.field("updated_at", TIMESTAMP, nullable=False),
        pa.field("decided_at", TIMESTAMP),
        pa.field("seconds_spent", pa.float64()),
        # schema version 4: blind review (workbench.review.blind)
        pa.field("blind_verdict", pa.string()),  # null until the first decision
        pa.field("changed_after_reveal", pa.bool_(), nullable=False),
    ]
)
REVIEWS = pa.list_(pa.field("item", REVIEW, nullable=False))
CLAIM_IDS = pa.list_(pa.field("item", pa.int64(), nullable=False))
SCHEMA = pa.schema(
    [
        pa.field("claim_id", pa.int64(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("char_start", pa.int32(), nullable=False),
        pa.field("char_end", pa.int32(), nullable=False),
        pa.field("speaker", pa.string()),
        pa.field("score", pa.float64(), nullable=False),
        pa.field("extractor", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False),
        pa.field("document_id", pa.int64(), nullable=False),
        pa.field("document_title", pa.string(), nullable=False),
        pa.field("document_source", pa.string(), nullable=False),
        pa.field("document_sha256", pa.string(), nullable=False),
        pa.field("document_url", pa.string()),
        pa.field("document_published", TIMESTAMP),
        pa.field("reviews", REVIEWS, nullable=False),
        pa.field("final_verdict", pa.string()),
        pa.field("final_source", pa.string()),
        pa.field("final_reason", pa.string()),
        pa.field("final_decided_at", TIMESTAMP),
        # schema version 5: corrections of the extractor (workbench.review.corrections)
        pa.field("origin", pa.string(), nullable=False),
        pa.field("corrected_from", CLAIM_IDS, nullable=False),
    ],
    metadata={
        "workbench.schema_version": str(SCHEMA_VERSION),
        "workbench.rows": "one row per claim; reviews nested, document fields flattened",
    },
)
DOCUMENT_COLUMNS = [name for name in SCHEMA.names if name.startswith("document_")]


def _timestamps(values: Sequence[Any], sqlite: bool) -> pa.Array:
    if not sqlite:  # aware datetimes
        return pa.array(values, TIMESTAMP)
    # SQLite's text, UTC without an offset: Arrow parses it in C, far faster than Python.
    try:
        return pa.array(values, pa.string()).cast(pa.timestamp("us")).cast(TIMESTAMP)
    except pa.ArrowInvalid:  # a value written in another form: parse each one
        return pa.array([sqlite_iso(v) for v in values], pa.string()).cast(TIMESTAMP)


def _offsets(parents: Sequence[Any], parent_ids: Sequence[Any]) -> pa.Array:
    """List offsets: ``parents`` (a child's parent id, grouped in ``parent_ids``' order) to
    where each parent's children start, and the end of the last."""
    position = {parent: i for i, parent in enumerate(parent_ids)}
    counts = np.bincount(
        np.fromiter((position[p] for p in parents), np.int64, len(parents)),
        minlength=len(parent_ids),
    )
    return pa.array(np.concatenate(([0], np.cumsum(counts))), pa.int32())


def _columns(rows: Sequence[Any], width: int) -> list[Sequence[Any]]:
    return list(zip(*rows, strict=True)) if rows else [()] * width


def record_batch(batch: RowBatch) -> pa.RecordBatch:
    """One batch of database rows as Arrow columns in ``SCHEMA``.

    Built column by column from the rows (Arrow converts each list in C), not from plain
    records: no dict per review, and timestamps parsed by Arrow.
    """
    claims = dict(zip(CLAIM_COLUMNS, _columns(batch.claims, len(CLAIM_COLUMNS)), strict=True))
    reviews = dict(zip(REVIEW_COLUMNS, _columns(batch.reviews, len(REVIEW_COLUMNS)), strict=True))
    urls = dict(zip(URL_COLUMNS, _columns(batch.urls, len(URL_COLUMNS)), strict=True))

    url_values = pa.StructArray.from_arrays(
        [pa.array(urls["url"], pa.string()), _timestamps(urls["added_at"], batch.sqlite)],
        fields=list(URL),
    )
    review_keys = list(zip(reviews["claim_id"], reviews["id"], strict=True))
    url_keys = list(zip(urls["claim_id"], urls["review_id"], strict=True))
    review_arrays: list[pa.Array] = []
    for field in REVIEW:
        if field.name == "urls":
            offsets = _offsets(url_keys, review_keys)
            review_arrays.append(pa.ListArray.from_arrays(offsets, url_values, type=URLS))
        elif field.type == TIMESTAMP:
            review_arrays.append(_timestamps(reviews[field.name], batch.sqlite))
        else:
            review_arrays.append(pa.array(reviews[field.name], field.type))
    review_values = pa.StructArray.from_arrays(review_arrays, fields=list(REVIEW))

    columns: list[pa.Array] = []
    for field in SCHEMA:
        if field.name == "reviews":
            offsets = _offsets(reviews["claim_id"], claims["claim_id"])
            columns.append(pa.ListArray.from_arrays(offsets, review_values, type=REVIEWS))
        elif field.name == "corrected_from":
            pairs = zip(claims["corrected_from_id"], claims["merged_from_id"], strict=True)
            columns.append(pa.array([corrected_from(a, b) for a, b in pairs], CLAIM_IDS))
        elif field.type == TIMESTAMP:
            columns.append(_timestamps(claims[field.name], batch.sqlite))
        else:
            columns.append(pa.array(claims[field.name], field.type))
    return pa.RecordBatch.from_arrays(columns, schema=SCHEMA)


def write(batches: Iterable[RowBatch], out: BinaryIO) -> int:
    """Write the Parquet file; returns the number of rows (claims)."""
    count = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    with pq.ParquetWriter(out, SCHEMA) as writer:
        for batch in batches:
            if not batch.claims:
                continue
            pending.append(record_batch(batch))
            pending_rows += len(batch.claims)
            count += len(batch.claims)
            if pending_rows >= ROW_GROUP:
                writer.write_table(pa.Table.from_batches(pending, SCHEMA), row_group_size=None)
                pending, pending_rows = [], 0
        if pending:
            writer.write_table(pa.Table.from_batches(pending, SCHEMA), row_group_size=None)
    return count


def read_records(path: Path) -> Iterator[ExportRecord]:
    """The file's rows as ``ExportRecord``s again (the document's fields nested back)."""
    parquet = pq.ParquetFile(path)
    metadata = parquet.schema_arrow.metadata or {}
    version = int(metadata.get(b"workbench.schema_version", SCHEMA_VERSION))
    for batch in parquet.iter_batches():
        for row in batch.to_pylist():
            document = {name.removeprefix("document_"): row.pop(name) for name in DOCUMENT_COLUMNS}
            yield ExportRecord.model_validate(
                {"schema_version": version, **row, "document": document}
            )
