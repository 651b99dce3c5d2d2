"""CSV: one row per claim and review, safe to open in a spreadsheet.

The final-verdict columns repeat on every row of a claim, so each row stands on its own in a
spreadsheet filter; they come last, so the earlier columns keep their positions.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from workbench.schemas import ExportRecord, ReviewOut

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
    "review_id",
    "reviewer",
    "verdict",
    "note",
    "urls",
    "review_created_at",
    "review_updated_at",
    "final_verdict",
    "final_source",
    "final_reason",
]
# The cells a claim without reviews leaves empty.
REVIEW_COLUMNS = COLUMNS[COLUMNS.index("review_id") : COLUMNS.index("review_updated_at") + 1]

# A spreadsheet runs a cell that starts with one of these as a formula (CWE-1236).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a would-be formula with an apostrophe, which spreadsheets show as text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def rows(record: ExportRecord) -> Iterable[dict[str, str]]:
    claim = {
        "claim_id": str(record.claim_id),
        "claim_text": record.text,
        "char_start": str(record.char_start),
        "char_end": str(record.char_end),
        "speaker": record.speaker or "",
        "score": f"{record.score:.4f}",
        "extractor": record.extractor,
        "claim_status": record.status.value,
        "document_id": str(record.document.id),
        "document_title": record.document.title,
        "document_source": record.document.source,
        "document_sha256": record.document.sha256,
        "final_verdict": record.final_verdict.value if record.final_verdict else "",
        "final_source": record.final_source.value if record.final_source else "",
        "final_reason": record.final_reason or "",
    }
    reviews: list[ReviewOut | None] = list(record.reviews) or [None]
    for review in reviews:
        yield claim | _review_cells(review)


def _review_cells(review: ReviewOut | None) -> dict[str, str]:
    if review is None:
        return dict.fromkeys(REVIEW_COLUMNS, "")
    return {
        "review_id": str(review.id),
        "reviewer": review.reviewer,
        "verdict": review.verdict.value if review.verdict else "",
        "note": review.note,
        # Normalised URLs contain no spaces, so a space separates them unambiguously.
        "urls": " ".join(e.url for e in review.urls),
        "review_created_at": review.created_at.isoformat(),
        "review_updated_at": review.updated_at.isoformat(),
    }


def write(records: Iterable[ExportRecord], out: TextIO) -> int:
    """Write the CSV; returns the number of data rows."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for record in records:
        for row in rows(record):
            writer.writerow({key: neutralise(value) for key, value in row.items()})
            count += 1
    return count
