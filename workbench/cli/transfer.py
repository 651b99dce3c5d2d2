"""The transfer commands: `export` (claims, history or a backup) and `import` (reviews or a
backup). Which export the flags ask for, and where it goes, is the export service's rule
(workbench/export/request.py); these commands parse, ask and print what was written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.auth.policy import SYSTEM
from workbench.cli.common import (
    DbOption,
    ProjectOption,
    open_named,
    print_report,
    settings_for,
    user_errors,
)
from workbench.cli.serve import terminate_cleanly
from workbench.export import ExportFormat
from workbench.export.claimreview_format import ClaimReviewOptions
from workbench.export.filters import parse_filter
from workbench.export.request import ExportRequest, write_requested
from workbench.schemas import FinalSource
from workbench.transfer import import_reviews
from workbench.transfer.backup import restore_backup
from workbench.transfer.backup_file import is_backup


def export(
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", help="csv, jsonl, parquet or claimreview (schema.org JSON-LD)."),
    ] = ExportFormat.jsonl,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (default: a timestamped file under exports/)."),
    ] = None,
    history: Annotated[
        bool,
        typer.Option(
            "--history", help="Write the whole audit trail as JSONL instead (--format ignored)."
        ),
    ] = False,
    everything: Annotated[
        bool,
        typer.Option(
            "--all",
            help="A backup: every table, ids and timestamps kept (JSONL only; no filters); "
            "with --project, one project's backup. Restore it with `workbench import FILE`.",
        ),
    ] = False,
    verdict: Annotated[
        list[str] | None,
        typer.Option(
            "--verdict",
            help="Only claims with this final verdict, of the project's scale (repeatable).",
        ),
    ] = None,
    final_source: Annotated[
        list[FinalSource] | None,
        typer.Option("--final-source", help="Only final verdicts reached this way (repeatable)."),
    ] = None,
    reviewer: Annotated[
        list[str] | None,
        typer.Option("--reviewer", help="Only claims this reviewer reviewed (repeatable)."),
    ] = None,
    document: Annotated[
        list[int] | None,
        typer.Option("--document", help="Only claims of this document id (repeatable)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only claims with a review decided at or after this ISO 8601 date/time (UTC).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="... and decided before this date/time (UTC)."),
    ] = None,
    min_score: Annotated[
        float | None, typer.Option("--min-score", help="Only claims scored at least this.")
    ] = None,
    max_score: Annotated[
        float | None, typer.Option("--max-score", help="Only claims scored at most this.")
    ] = None,
    publisher: Annotated[
        str | None,
        typer.Option(
            "--publisher",
            help="ClaimReview: the organisation publishing the reviews "
            "(default: $WORKBENCH_PUBLISHER, else 'Fact-check workbench').",
            show_default=False,
        ),
    ] = None,
    review_url: Annotated[
        str | None,
        typer.Option(
            "--review-url",
            help="ClaimReview: the address of each review, {claim_id} filled in "
            "(default: $WORKBENCH_REVIEW_URL, else urn:factcheck-workbench:claim:<id>).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    project: ProjectOption = None,
) -> None:
    """Write a project's claims with their reviews and final verdict (CSV, JSONL, Parquet,
    ClaimReview).

    Beside the file goes FILE.manifest.json (project, format, filters, counts, sha256),
    written last: a file without its manifest is an export that did not finish.
    """
    settings = settings_for(db, project)
    filters = {
        "verdict": verdict or [],
        "final_source": final_source or [],
        "reviewer": reviewer or [],
        "document_id": document or [],
        "since": since,
        "until": until,
        "min_score": min_score,
        "max_score": max_score,
    }
    with user_errors():
        request = ExportRequest.ask(
            fmt=fmt,
            flt=parse_filter(**filters),
            history=history,
            everything=everything,
            out=out,
            options=ClaimReviewOptions(
                publisher=publisher or settings.publisher,
                review_url=review_url or settings.review_url,
            ),
            project=settings.project,
        )
        engine = open_named(settings.database_url, migrate=False)
        with terminate_cleanly():
            result = write_requested(engine, request, settings.export_dir, actor=SYSTEM)
    print_report(result)


def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="A JSONL file of reviews: `workbench export --format jsonl` output, "
            "or another tool's lines in the same schema; or a backup (`export --all`)."
        ),
    ],
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as one JSON object.")
    ] = False,
    add_missing: Annotated[
        bool,
        typer.Option(
            "--add-missing",
            help="Backup into a database that holds data: insert the rows that are not here "
            "and do not conflict (no accounts, no history: see --accounts).",
        ),
    ] = False,
    accounts: Annotated[
        bool,
        typer.Option(
            "--accounts",
            help="With --add-missing: also add the backup's accounts that are not here "
            "(each is named with its role in the report).",
        ),
    ] = False,
    project: ProjectOption = None,
    as_name: Annotated[
        str | None,
        typer.Option(
            "--as",
            help="A project's backup (`export --all --project P`): restore it as a new project "
            "of this name (default: its own name; refused if a project of that name is here).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load reviews made elsewhere onto a project's claims; importing twice adds nothing.

    Verdicts must be on the project's verdict scale, and claims named by id the project's.

    A backup (`workbench export --format jsonl --all`) is restored instead: whole into an
    empty database, or, with --add-missing, only its rows that are not here yet. A project's
    backup (`--all --project P`) is restored as a new project (P, or --as NAME).
    """
    if accounts and not add_missing:
        typer.secho(
            "error: --accounts goes with --add-missing (into an empty database every account "
            "is restored)",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=2)
    settings = settings_for(db, project)
    with user_errors():
        engine = open_named(settings.database_url, migrate=False)
        if is_backup(file):
            with terminate_cleanly():
                restored = restore_backup(
                    engine,
                    file,
                    actor=SYSTEM,
                    add_missing=add_missing,
                    accounts=accounts,
                    as_name=as_name,
                )
            print_report(restored, as_json=as_json)
            if restored.conflict_count or restored.refused or restored.accounts_skipped:
                raise typer.Exit(code=1)
            return
        report = import_reviews(engine, file, actor=SYSTEM, project=settings.project)
    print_report(report, as_json=as_json)
