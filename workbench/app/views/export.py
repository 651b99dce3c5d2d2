"""Export: the whole dataset in each format, built when its button is clicked.

The download is built in memory; for large datasets, filters and a manifest the page points
to `workbench export`, which streams to a file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from workbench.app import frame, render
from workbench.auth.policy import Action, authorize
from workbench.config import get_settings
from workbench.errors import PermissionDenied
from workbench.export.claimreview_format import ClaimReviewOptions
from workbench.export.service import MIME_TYPES, ExportFormat, default_path, render_export
from workbench.review.queue import progress
from workbench.schemas import Actor

DESCRIPTIONS = {
    ExportFormat.csv: (
        "CSV — one row per claim and review (a claim without reviews gets one row): claim "
        "text and offsets, speaker, score, status, document, reviewer, verdict, note, URLs. "
        "Opens safely in a spreadsheet."
    ),
    ExportFormat.jsonl: (
        "JSONL — one JSON object per claim, with its document and all of its reviews "
        "nested (verdicts, notes, URLs, versions); for scripts and re-import."
    ),
    ExportFormat.parquet: (
        "Parquet — one row per claim with its document's fields and final verdict, the "
        "reviews nested; typed columns for pandas, Polars, DuckDB or Spark."
    ),
    ExportFormat.claimreview: (
        "ClaimReview — the claims with a final verdict as schema.org ClaimReview items "
        "(JSON-LD), for publishing and for fact-check search engines."
    ),
}
LABELS = {
    ExportFormat.csv: "CSV",
    ExportFormat.jsonl: "JSONL",
    ExportFormat.parquet: "Parquet",
    ExportFormat.claimreview: "ClaimReview",
}


def _builder(engine: Engine, fmt: ExportFormat, actor: Actor) -> Callable[[], bytes]:
    # Built on click, in Streamlit's download thread, so the page itself stays fast.
    def build() -> bytes:
        settings = get_settings()
        options = ClaimReviewOptions(publisher=settings.publisher, review_url=settings.review_url)
        return render_export(engine, fmt, actor=actor, options=options)

    return build


def main() -> None:
    engine, actor = frame.start()
    st.title("Export")
    try:
        # The navigation hides this page from roles that cannot export; a stale link or an
        # account demoted mid-session still ends here, with the service's own refusal.
        authorize(engine, actor, Action.export)
    except PermissionDenied as exc:
        st.error(render.md_escape(str(exc)))
        st.stop()
    counts = progress(engine)
    st.caption(
        f"{counts.total} claims in the queue, {counts.reviewed} reviewed, "
        f"{counts.not_a_claim} marked not a claim; every claim is exported, with its status."
    )
    st.caption(
        "Each download is built in memory when clicked. For a large dataset, for filters "
        "(verdict, reviewer, document, dates, score) and for a manifest with the file's "
        "sha256, use the command line: `workbench export --format parquet --out FILE`."
    )
    for fmt in ExportFormat:
        st.download_button(
            f"Download {LABELS[fmt]}",
            data=_builder(engine, fmt, actor),
            file_name=default_path(Path(), fmt).name,
            mime=MIME_TYPES[fmt],
            key=f"download_{fmt.value}",
            on_click="ignore",
            icon=":material/download:",
            type="primary" if fmt is ExportFormat.csv else "secondary",
        )
        st.caption(DESCRIPTIONS[fmt])


main()
