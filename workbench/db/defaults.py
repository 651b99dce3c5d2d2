"""Python-side column defaults that read the database (kept apart from the models)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text


def document_project(context: Any) -> int:
    """A claim's ``project_id`` when its INSERT does not name it: its document's project.

    Every writer of claims in the application names it (ingest, corrections, the synthetic
    corpus, the benchmarks); this keeps a claim built from its document alone (tests, older
    scripts, a restore of a backup from before projects) in the right project."""
    document_id = context.get_current_parameters()["document_id"]
    project: int | None = context.connection.scalar(
        text("SELECT project_id FROM documents WHERE id = :id"), {"id": document_id}
    )
    if project is None:
        raise ValueError(f"document {document_id} does not exist")
    return project
