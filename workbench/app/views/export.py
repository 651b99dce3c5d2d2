"""Export: every claim in each format, written to a temporary file with a progress bar, then
downloaded from disk.

A large project's export (186 MB of CSV at 92,000 claims) is never whole in the server's
memory: the writers stream into a file in a private temporary folder, a batch of claims at a
time, and the browser fetches it through a one-time link that the server answers from disk
(``workbench.app.downloads``; Streamlit's download button would hold the whole file in
memory). Filters and a manifest are the command line's: `workbench export`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from workbench.app import downloads, frame, render, state
from workbench.auth.policy import Action, authorize
from workbench.config import get_settings
from workbench.errors import PermissionDenied
from workbench.export.claimreview_format import ClaimReviewOptions
from workbench.export.service import MIME_TYPES, ExportFormat, default_path, stream_export
from workbench.review.queue import progress
from workbench.review.workload import workload
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


READY = "export_ready"  # session: the prepared file waiting for its download


def _prepare(engine: Engine, actor: Actor, fmt: ExportFormat, expected: int) -> None:
    """Write the export to a file of its own with a progress bar, and offer it for download
    (withdrawing the one this session prepared before, if it was not downloaded)."""
    settings = get_settings()
    options = ClaimReviewOptions(publisher=settings.publisher, review_url=settings.review_url)
    label = LABELS[fmt]
    bar = st.progress(0.0, text=f"Writing {label}: 0 of {expected} claims")
    shown = [-1]

    def advance(done: int) -> None:
        # One update a percent: a few hundred messages at most, whatever the corpus size.
        percent = min(100, done * 100 // expected) if expected else 100
        if percent != shown[0]:
            shown[0] = percent
            bar.progress(percent / 100, text=f"Writing {label}: {done} of {expected} claims")

    _withdraw()
    folder = downloads.private_folder()
    filename = default_path(Path(), fmt).name
    path = folder / filename
    try:
        with path.open("wb") as out:
            result = stream_export(
                engine,
                fmt,
                out,
                actor=actor,
                options=options,
                on_progress=advance,
                project=state.project_id(),
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    bar.progress(1.0, text=f"{label} written: {result.rows} rows")
    token = downloads.offer(path, folder, filename=filename, mime=MIME_TYPES[fmt])
    st.session_state[READY] = downloads.Ready(
        label, token, filename, path.stat().st_size, result.rows
    )


def _withdraw() -> None:
    prepared = st.session_state.pop(READY, None)
    if isinstance(prepared, downloads.Ready):
        downloads.withdraw(prepared.token)


def _offer(prepared: downloads.Ready) -> None:
    megabytes = prepared.size / 1_000_000
    st.success(
        f"{prepared.label} ready: {prepared.rows} rows, {megabytes:.1f} MB. The link "
        f"works once, for {int(downloads.LIFETIME // 60)} minutes."
    )
    st.link_button(
        f"Download {prepared.filename}",
        downloads.link(prepared.token, str(st.get_option("server.baseUrlPath") or "")),
        type="primary",
        icon=":material/download:",
    )


def main() -> None:
    engine, actor = frame.start()
    st.title("Export")
    try:
        # The navigation hides this page from roles that cannot export; a stale link or an
        # account demoted mid-session still ends here, with the service's own refusal.
        authorize(engine, actor, Action.export, state.project_id())
    except PermissionDenied as exc:
        st.error(render.md_escape(str(exc)))
        st.stop()
    counts = progress(engine, project_id=state.project_id())
    everything = counts.total + counts.not_a_claim
    st.caption(
        f"{counts.total} claims in the queue, {counts.reviewed} reviewed, "
        f"{counts.not_a_claim} marked not a claim; every claim is exported, with its status."
    )
    st.caption(
        "Each export is written to a temporary file on the server, then downloaded once. For "
        "filters (verdict, reviewer, document, dates, score) and a manifest with the file's "
        "sha256, use the command line: `workbench export --format parquet --out FILE`."
    )
    slot = st.container()
    for fmt in ExportFormat:
        if st.button(
            f"Prepare {LABELS[fmt]}",
            key=f"prepare_{fmt.value}",
            icon=":material/download:",
            type="primary" if fmt is ExportFormat.csv else "secondary",
        ):
            # A ClaimReview holds the claims with a final verdict only.
            expected = (
                workload(engine, None, project=state.project_id()).final
                if fmt is ExportFormat.claimreview
                else everything
            )
            with slot:
                _prepare(engine, actor, fmt, expected)
        st.caption(DESCRIPTIONS[fmt])
    prepared = st.session_state.get(READY)
    if isinstance(prepared, downloads.Ready):
        with slot:
            _offer(prepared)


main()
