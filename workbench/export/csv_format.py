"""CSV: one row per claim and review, safe to open in a spreadsheet.

The final-verdict columns repeat on every row of a claim, so each row stands on its own in a
spreadsheet filter; columns added later come last, so the earlier ones keep their positions.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, BinaryIO

from workbench.export.rows import PlainRecord, RowBatch
from workbench.files.csv_safety import neutralise

# A review's cells of the first schema version, in their order: they sit together in
# ``COLUMNS`` and open ``REVIEW_COLUMNS`` (the later ones were appended at the end).
_FIRST_REVIEW_COLUMNS = [
    "review_id",
    "reviewer",
    "verdict",
    "note",
    "urls",
    "review_created_at",
    "review_updated_at",
]
COLUMNS = [
    "claim_id",
    "claim_text",
    "char_start",
    "char_end",
    "speaker",
    "score",
    "extractor",
    "claim_status",
    "document_id",
    "document_title",
    "document_source",
    "document_sha256",
    *_FIRST_REVIEW_COLUMNS,
    "final_verdict",
    "final_source",
    "final_reason",
    # schema version 3
    "document_url",
    "review_decided_at",
    "review_seconds_spent",
    "final_decided_at",
    # schema version 4: blind review (workbench.review.blind)
    "review_blind_verdict",
    "review_changed_after_reveal",
    # schema version 5: corrections of the extractor (workbench.review.corrections)
    "claim_origin",
    "corrected_from",
]
# The cells a claim without reviews leaves empty.
REVIEW_COLUMNS = [
    *_FIRST_REVIEW_COLUMNS,
    "review_decided_at",
    "review_seconds_spent",
    "review_blind_verdict",
    "review_changed_after_reveal",
]


def _text(value: str | None) -> str:
    # Only free text can start like a formula: ids, numbers, enums and timestamps cannot.
    return neutralise(value) if value else ""


def rows(record: PlainRecord) -> Iterable[list[Any]]:
    """The CSV rows of one claim, in ``COLUMNS`` order, already neutralised."""
    document = record["document"]
    final_verdict = record["final_verdict"] or ""
    final_source = record["final_source"] or ""
    final_reason = _text(record["final_reason"])
    document_url = _text(document["url"])
    final_decided_at = record["final_decided_at"] or ""
    # Ids, space-separated as the URLs are: "12 13" for a merge of claims 12 and 13.
    correction = [record["origin"], " ".join(str(i) for i in record["corrected_from"])]
    claim = [
        record["claim_id"],
        _text(record["text"]),
        record["char_start"],
        record["char_end"],
        _text(record["speaker"]),
        f"{record['score']:.4f}",
        _text(record["extractor"]),
        record["status"],
        document["id"],
        _text(document["title"]),
        _text(document["source"]),
        document["sha256"],
    ]
    reviews = record["reviews"]
    if not reviews:
        yield [
            *claim,
            *("",) * 7,
            final_verdict,
            final_source,
            final_reason,
            document_url,
            "",
            "",
            final_decided_at,
            "",
            "",
            *correction,
        ]
        return
    for review in reviews:
        spent = review["seconds_spent"]
        yield [
            *claim,
            review["id"],
            _text(review["reviewer"]),
            review["verdict"] or "",
            _text(review["note"]),
            # Normalised URLs contain no spaces, so a space separates them unambiguously.
            _text(" ".join(e["url"] for e in review["urls"])),
            review["created_at"],
            review["updated_at"],
            final_verdict,
            final_source,
            final_reason,
            document_url,
            review["decided_at"] or "",
            "" if spent is None else f"{spent:.3f}",
            final_decided_at,
            review["blind_verdict"] or "",
            # Empty while undecided, like the verdict: nothing to have changed yet.
            ("true" if review["changed_after_reveal"] else "false")
            if review["blind_verdict"]
            else "",
            *correction,
        ]


def write(batches: Iterable[RowBatch], out: BinaryIO) -> int:
    """Write the CSV (UTF-8, CRLF line ends, as RFC 4180); returns the number of data rows."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=False)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        count = 0
        for batch in batches:
            for record in batch.records():
                for row in rows(record):
                    writer.writerow(row)
                    count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns ``out``
    return count
