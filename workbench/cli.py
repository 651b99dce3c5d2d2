"""The `workbench` command. Each command parses its arguments and calls the library."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from tqdm import tqdm

from workbench.auth.accounts import (
    add_user,
    list_users,
    set_disabled,
    set_password,
    set_role,
    unlock,
)
from workbench.auth.policy import SYSTEM
from workbench.config import Settings, get_settings
from workbench.database import display_url, open_database
from workbench.db.session import forget, sqlite_path
from workbench.errors import WorkbenchError
from workbench.export import ExportFormat, export_to_file
from workbench.export.claimreview_format import ClaimReviewOptions
from workbench.export.filters import parse_filter
from workbench.export.service import default_history_path, default_path, export_history_to_file
from workbench.extract import default_extractor
from workbench.extract.scorers import SentenceFile, read_sentence_file
from workbench.ingest.readers import ReadError, ReadWarning, expand_paths, read_file
from workbench.ingest.service import (
    BATCH_DOCUMENTS,
    IngestReport,
    count_documents,
    default_workers,
    ingest_paths,
)
from workbench.process import set_parent_death_signal
from workbench.project import ProjectSettings, get_project_settings, set_project_setting
from workbench.review.queue import list_documents
from workbench.schemas import DocumentIn, ExtractedClaim, FinalSource, Role, Verdict
from workbench.terminal import printable, printable_json
from workbench.transfer import ImportReport, import_reviews
from workbench.transfer.backup import RestoreReport, export_backup, is_backup, restore_backup

app = typer.Typer(
    help="Fact-check annotation workbench: ingest articles, extract claims, review, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $WORKBENCH_DATABASE_URL, else sqlite:///db/workbench.sqlite).",
        show_default=False,
    ),
]
PortOption = Annotated[int, typer.Option("--port", help="Port for the web app.")]
HostOption = Annotated[
    str, typer.Option("--host", help="Address to listen on (0.0.0.0 to share on a network).")
]
PathsArgument = Annotated[
    list[Path], typer.Argument(help="Files or folders (.txt .md .html .jsonl .csv).")
]
FollowLinksOption = Annotated[
    bool,
    typer.Option(
        "--follow-links",
        help="Read links inside folders that point outside the folders given (skipped by default).",
    ),
]
DEMO_DB_PATH = Path("db") / "demo.sqlite"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the library's user-facing errors into one line on stderr and exit code 1."""
    try:
        yield
    except WorkbenchError as exc:
        typer.secho(printable(f"error: {exc}", keep="\n"), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


def _settings(db: str | None) -> Settings:
    return get_settings(database_url=db)


def _echo(message: str, *, err: bool = False) -> None:
    """Print human-readable output: every control character escaped but the line breaks
    (articles, names and file contents reach these lines; see workbench/terminal.py)."""
    typer.echo(printable(message, keep="\n"), err=err)


def _echo_json(text: str) -> None:
    """Print JSON output, its strings' C1 and bidi controls escaped as \\uXXXX."""
    typer.echo(printable_json(text))


def _open(url: str, *, migrate: bool = True, create: bool = False) -> Engine:
    """Name the database on stderr (stdout stays the command's output, pure JSON with
    --json), then open it. Only `init` and `demo` may create a SQLite file: any other command
    pointed at a path that does not exist is a mistake, not a request for an empty database."""
    where = display_url(url)
    path = sqlite_path(url)
    if path is not None and not path.is_absolute():
        where += f" ({Path.cwd() / path})"  # the file a relative URL names depends on the cwd
    _echo(f"database: {where}", err=True)
    return open_database(url, migrate=migrate, create=create)


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database, or upgrade its schema to this version."""
    settings = _settings(db)
    with _user_errors():
        _open(settings.database_url, create=True)
    # A PostgreSQL URL may carry a password: never print it.
    _echo(f"database ready: {display_url(settings.database_url)}")


@app.command()
def ingest(
    paths: PathsArgument,
    db: DbOption = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on long batches.")] = True,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Processes extracting claims (default: one per core; 1 for none).",
            show_default=False,
        ),
    ] = None,
    batch: Annotated[
        int,
        typer.Option(
            "--batch",
            min=1,
            help="Documents per transaction: fewer commit sooner, more store faster.",
        ),
    ] = BATCH_DOCUMENTS,
    follow_links: FollowLinksOption = False,
) -> None:
    """Load documents, extract their claims and store both; duplicates are skipped."""
    settings = _settings(db)
    with _user_errors():
        engine = _open(settings.database_url)
        report = _ingest(
            engine,
            paths,
            settings,
            progress=progress,
            workers=workers,
            batch=batch,
            follow_links=follow_links,
        )
    _echo(report.summary())
    if report.failed:
        raise typer.Exit(code=1)


def _ingest(
    engine: Engine,
    paths: list[Path],
    settings: Settings,
    *,
    progress: bool,
    workers: int | None = None,
    batch: int = BATCH_DOCUMENTS,
    follow_links: bool = False,
) -> IngestReport:
    # delay: the bar appears only once a batch has taken more than a moment.
    total = count_documents(paths, follow_links=follow_links)
    with tqdm(total=total, unit="doc", delay=1.0, disable=not progress, file=sys.stderr) as bar:

        def on_item(item: DocumentIn | ReadError) -> None:
            if isinstance(item, ReadWarning):  # not a document: the bar does not move
                tqdm.write(printable(f"warning: {item}"), file=sys.stderr)
                return
            if isinstance(item, ReadError):
                tqdm.write(printable(f"error: {item}"), file=sys.stderr)
            bar.update(1)

        return ingest_paths(
            engine,
            paths,
            default_extractor(settings.claim_threshold, settings.scorer, settings.scorer_model),
            max_bytes=settings.max_file_bytes,
            on_item=on_item,
            workers=workers or default_workers(),
            batch_documents=batch,
            follow_links=follow_links,
        )


@app.command()
def extract(
    paths: PathsArgument,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per claim.")] = False,
    follow_links: FollowLinksOption = False,
) -> None:
    """Print the claims found in documents; stores nothing."""
    settings = get_settings()
    with _user_errors():
        extractor = default_extractor(
            settings.claim_threshold, settings.scorer, settings.scorer_model
        )
    files_, errors = expand_paths(paths, follow_links=follow_links)
    failed = 0
    for error in errors:
        warning = isinstance(error, ReadWarning)
        failed += not warning
        _echo(f"{'warning' if warning else 'error'}: {error}", err=True)
    for path in files_:
        for item in read_file(path, max_bytes=settings.max_file_bytes):
            if isinstance(item, ReadWarning):
                _echo(f"warning: {item}", err=True)
                continue
            if isinstance(item, ReadError):
                _echo(f"error: {item}", err=True)
                failed += 1
                continue
            for candidate in extractor.extract(item.text):
                claim = ExtractedClaim(document=item.source, **candidate.model_dump())
                if jsonl:
                    _echo_json(claim.model_dump_json())
                else:
                    who = f"{claim.speaker}: " if claim.speaker else ""
                    _echo(
                        f"{claim.document}:{claim.char_start}-{claim.char_end} "
                        f"[{claim.score:.2f}] {who}{claim.text}"
                    )
    if failed:
        raise typer.Exit(code=1)


@app.command()
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
            help="A backup: every table, ids and timestamps kept (JSONL only; no filters). "
            "Restore it with `workbench import FILE`.",
        ),
    ] = False,
    verdict: Annotated[
        list[Verdict] | None,
        typer.Option("--verdict", help="Only claims with this final verdict (repeatable)."),
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
) -> None:
    """Write the claims with their reviews and final verdict (CSV, JSONL, Parquet, ClaimReview).

    Beside the file goes FILE.manifest.json (format, filters, counts, sha256), written last:
    a file without its manifest is an export that did not finish.
    """
    settings = _settings(db)
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
    with _user_errors():
        flt = parse_filter(**filters)
        if history and not flt.is_empty:
            raise WorkbenchError("the filters do not apply to --history, which is written whole")
        if everything:
            if not flt.is_empty or history:
                raise WorkbenchError("--all writes every table whole: no filters, no --history")
            if fmt is not ExportFormat.jsonl:
                raise WorkbenchError("--all is written as JSONL only: use --format jsonl")
        engine = _open(settings.database_url, migrate=False)
        if everything:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            target = out or settings.export_dir / f"backup-{stamp}.jsonl"
        elif history:
            target = out or default_history_path(settings.export_dir)
        else:
            target = out or default_path(settings.export_dir, fmt)
        options = ClaimReviewOptions(
            publisher=publisher or settings.publisher,
            review_url=review_url or settings.review_url,
        )
        try:
            with _terminate_cleanly():
                if everything:
                    backup = export_backup(engine, target, actor=SYSTEM)
                    _echo(f"wrote {backup.rows} rows to {backup.path}")
                    _echo(
                        ", ".join(f"{count} {name}" for name, count in backup.tables.items())
                        + f"; manifest {backup.manifest}"
                    )
                    return
                if history:
                    result = export_history_to_file(engine, target, actor=SYSTEM)
                else:
                    result = export_to_file(
                        engine, fmt, target, actor=SYSTEM, flt=flt, options=options
                    )
        except OSError as exc:
            raise WorkbenchError(f"cannot write {target}: {exc.strerror or exc}") from exc
    _echo(f"wrote {result.rows} rows to {result.path}")
    counts = "" if result.claims is None else f"{result.claims} claims, {result.reviews} reviews; "
    _echo(f"{counts}manifest {result.manifest}")


@contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """Let a SIGTERM end the export like Ctrl-C does: its temporary file removed, exit 143."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def synth(
    documents: Annotated[
        int, typer.Option("--documents", min=0, help="Articles to make (~5 KB, ~18 claims each).")
    ],
    reviewers: Annotated[
        int, typer.Option("--reviewers", min=0, help="Reviewer accounts (no password).")
    ],
    reviews_per_claim: Annotated[
        int, typer.Option("--reviews-per-claim", min=0, help="Reviews each claim gets (≤ R).")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same corpus.")] = 0,
    append: Annotated[
        bool,
        typer.Option("--append", help="Add to a database that already holds documents."),
    ] = False,
    db: DbOption = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Fill a database with a realistic synthetic corpus, for benchmarks and demos."""
    from workbench.synth import synthesize

    settings = _settings(db)
    with _user_errors():
        engine = _open(settings.database_url)
        with tqdm(
            total=documents, unit="doc", delay=1.0, disable=not progress, file=sys.stderr
        ) as bar:

            def advance(_index: int) -> None:
                bar.update(1)

            report = synthesize(
                engine,
                documents=documents,
                reviewers=reviewers,
                reviews_per_claim=reviews_per_claim,
                seed=seed,
                append=append,
                on_document=advance,
            )
    _echo(f"{display_url(settings.database_url)}: {report.summary()}")


@app.command("import")
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
) -> None:
    """Load reviews made elsewhere onto the claims stored here; importing twice adds nothing.

    A backup (`workbench export --format jsonl --all`) is restored instead: whole into an
    empty database, or, with --add-missing, only its rows that are not here yet.
    """
    if accounts and not add_missing:
        typer.secho(
            "error: --accounts goes with --add-missing (into an empty database every account "
            "is restored)",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(code=2)
    settings = _settings(db)
    with _user_errors():
        engine = _open(settings.database_url, migrate=False)
        if is_backup(file):
            with _terminate_cleanly():
                restored = restore_backup(
                    engine, file, actor=SYSTEM, add_missing=add_missing, accounts=accounts
                )
            _print_restore_report(restored, as_json=as_json)
            refused = not restored.written and any(restored.missing.values())
            if restored.conflict_count or refused or restored.accounts_skipped:
                raise typer.Exit(code=1)
            return
        report = import_reviews(engine, file, actor=SYSTEM)
    if as_json:
        _echo_json(report.model_dump_json())
        return
    _print_import_report(report)


def _print_restore_report(report: RestoreReport, *, as_json: bool) -> None:
    if as_json:
        _echo_json(json.dumps(dataclasses.asdict(report)))
        return
    _echo(f"{report.file}: {report.summary()}")
    if report.written and report.accounts_added:
        _echo("accounts added: " + ", ".join(report.accounts_added))
    if report.accounts_skipped:
        _echo("accounts not added (--accounts adds them): " + ", ".join(report.accounts_skipped))
    if report.history_skipped:
        _echo(
            f"{report.history_skipped} history entries of the backup not merged; what was "
            "added is in the history as this restore's own entries"
        )
    for conflict in report.conflicts:
        _echo(f"conflict: {conflict}")
    if report.conflict_count > len(report.conflicts):
        _echo(f"... and {report.conflict_count - len(report.conflicts)} more conflicts")
    if not report.written and any(report.missing.values()):
        _echo(
            "the database already holds data: nothing was written; "
            "--add-missing inserts the missing rows that do not conflict"
        )


def _print_import_report(report: ImportReport) -> None:
    _echo(f"{report.file}: {report.summary()}")
    for unmatched in report.unmatched:
        _echo(f"line {unmatched.line}: unmatched, skipped: {unmatched.reason}")
    for conflict in report.conflicts:
        _echo(f"line {conflict.line}: conflict: {conflict.reason}")
    if report.new_reviewers:
        _echo(
            "new reviewer accounts (no password, cannot log in yet): "
            + ", ".join(report.new_reviewers)
        )
        _echo("to let one log in: workbench users set-password NAME")


@app.command("rebuild-similarity")
def rebuild_similarity_command(db: DbOption = None) -> None:
    """Recompute which claims say the same thing across documents (after an upgrade)."""
    from workbench.review.similar import rebuild_similarity

    settings = _settings(db)
    with _user_errors():
        engine = _open(settings.database_url)
        total = len(list_documents(engine))
        with tqdm(total=total, unit="doc", delay=1.0, file=sys.stderr) as bar:

            def advance(_document_id: int) -> None:
                bar.update(1)

            report = rebuild_similarity(engine, on_document=advance)
    _echo(f"{report.documents} documents, {report.claims} claims: {report.pairs} similar pairs")


@app.command()
def serve(
    db: DbOption = None,
    port: PortOption = 8501,
    host: HostOption = "127.0.0.1",
) -> None:
    """Open the review app in the browser (Streamlit)."""
    settings = _settings(db)
    with _user_errors():
        _open(settings.database_url)
    raise typer.Exit(code=_run_streamlit(settings.database_url, port, host))


@app.command()
def demo(
    port: PortOption = 8501,
    host: HostOption = "127.0.0.1",
    serve_app: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Open the app after loading.")
    ] = True,
) -> None:
    """Load the bundled sample articles into a fresh SQLite database and open the app."""
    url = f"sqlite:///{DEMO_DB_PATH}"
    forget(url)  # an engine still open on the old file would keep writing to it
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DEMO_DB_PATH}{suffix}").unlink(missing_ok=True)
    settings = get_settings(database_url=url)
    with _user_errors(), as_file(files("workbench") / "sample_data") as samples:
        engine = _open(url, create=True)
        report = _ingest(engine, [Path(samples)], settings, progress=True)
    _echo(f"demo database {DEMO_DB_PATH}: {report.summary()}")
    if serve_app:
        raise typer.Exit(code=_run_streamlit(url, port, host))


ScorerOption = Annotated[
    str | None,
    typer.Option(
        "--scorer",
        help="linear, heuristic, blend or minilm (default: $WORKBENCH_SCORER, else linear).",
        show_default=False,
    ),
]
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Weights file replacing the scorer's shipped one (default: $WORKBENCH_SCORER_MODEL).",
        show_default=False,
    ),
]


@app.command()
def score(
    file: Annotated[
        Path,
        typer.Argument(
            help="A TSV/CSV with Sentence_id and Text columns (CheckThat! layout), "
            "or a text file with one sentence a line."
        ),
    ],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per sentence.")] = False,
    evaluate: Annotated[
        bool,
        typer.Option(
            "--eval", help="Print precision, recall and F1 against the class_label column."
        ),
    ] = False,
    scorer: ScorerOption = None,
    model: ModelOption = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Cut for check_worthy (default: $WORKBENCH_CLAIM_THRESHOLD, else the model's).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Score pre-split sentences with the extractor's scorer and threshold."""
    settings = get_settings()
    with _user_errors():
        extractor = default_extractor(
            threshold if threshold is not None else settings.claim_threshold,
            scorer or settings.scorer,
            model or settings.scorer_model,
        )
        data = read_sentence_file(file)
        if evaluate and not data.has_labels:
            raise WorkbenchError(f"{file}: no class_label column, so there is nothing to --eval")
        labels = [row.is_positive(file) for row in data.rows] if evaluate else []
    for warning in data.warnings:
        _echo(f"warning: {warning}", err=True)
    scores = [float(s) for s in extractor.scorer.score_many([row.text for row in data.rows])]
    cut = extractor.threshold
    if evaluate:
        _print_evaluation(data, labels, scores, cut, extractor.name, jsonl=jsonl)
        return
    if not jsonl:
        _echo(f"{'id':>10}  score  worthy  text")
    for row, value in zip(data.rows, scores, strict=True):
        if jsonl:
            record = {"id": row.id, "text": row.text, "score": value, "check_worthy": value >= cut}
            _echo_json(json.dumps(record, ensure_ascii=False))
        else:
            mark = "yes" if value >= cut else "-"
            _echo(f"{row.id:>10}  {value:.3f}  {mark:<6}  {row.text}")
    if not jsonl:
        worthy = sum(value >= cut for value in scores)
        _echo(
            f"{len(scores)} sentences, {worthy} check-worthy "
            f"({extractor.name}, threshold {cut:.4f})"
        )


def _print_evaluation(
    data: SentenceFile,
    labels: list[bool],
    scores: list[float],
    cut: float,
    name: str,
    *,
    jsonl: bool,
) -> None:
    predicted = [value >= cut for value in scores]
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    precision = tp / max(sum(predicted), 1)
    recall = tp / max(sum(labels), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    result = {
        "file": str(data.path),
        "scorer": name,
        "threshold": cut,
        "sentences": len(labels),
        "positive": sum(labels),
        "predicted_positive": sum(predicted),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }
    if jsonl:
        _echo_json(json.dumps(result))
        return
    _echo(f"{data.path}: {len(labels)} sentences, {sum(labels)} positive")
    _echo(f"scorer {name}, threshold {cut:.4f}: {sum(predicted)} predicted positive")
    _echo(f"precision {precision:.4f}")
    _echo(f"recall    {recall:.4f}")
    _echo(f"f1        {f1:.4f}")


DEFAULT_TRAINED_MODEL = Path("db") / "checkworthy_linear.trained.npz"
DEFAULT_TRAIN_DATA = Path("..") / "shared" / "data" / "claims" / "checkthat2024_en"


@app.command("train-extractor")
def train_extractor(
    db: DbOption = None,
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the new weights.")
    ] = DEFAULT_TRAINED_MODEL,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Folder with the CheckThat! 2024 English TSV files (default: "
            "$WORKBENCH_TRAIN_DATA, else ../shared/data/claims/checkthat2024_en).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", min=1, help="Use only the first N public examples (quick trials, tests)."
        ),
    ] = None,
    folds: Annotated[
        int,
        typer.Option(
            "--folds",
            min=0,
            help="Folds of the debate-grouped cross-validation printed before and after "
            "(0 skips it; it needs ClaimBuster's CSV files in the claimbuster folder beside "
            "--data).",
        ),
    ] = 5,
) -> None:
    """Refit the linear scorer on the public data plus this workbench's reviews.

    The linear model is the one that learns from reviews: it is the onnx scorer's first stage
    and blend partner, and the scorer of its own; refitting the transformer needs torch and an
    hour of CPU (scripts/train_onnx.py).
    """
    settings = _settings(db)
    with _user_errors():
        if importlib.util.find_spec("sklearn") is None:
            raise WorkbenchError(
                "train-extractor needs scikit-learn, the train extra: pip install '.[train]'"
            )
        from workbench.extract import train_linear

        folder = data or Path(os.environ.get("WORKBENCH_TRAIN_DATA") or DEFAULT_TRAIN_DATA)
        missing = [
            name
            for split in ("train", "dev", "dev-test")
            if not (folder / (name := train_linear.CT24_SPLIT.format(split=split))).is_file()
        ]
        if missing:
            raise WorkbenchError(
                f"{folder}: training data not found (missing {', '.join(missing)}); "
                "pass --data DIR or set WORKBENCH_TRAIN_DATA"
            )
        engine = _open(settings.database_url, migrate=False)
        reviewed = train_linear.workbench_examples(engine)
        base = settings.scorer_model if settings.scorer == "linear" else None
        try:
            report = train_linear.retrain(
                folder, out, extra=reviewed.examples, base=base, limit=limit, folds=folds
            )
        except OSError as exc:
            raise WorkbenchError(f"cannot write {out}: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise WorkbenchError(str(exc)) from exc
    _echo(
        f"workbench examples: {report.workbench_added} added ({reviewed.positives} with a "
        f"verdict, {reviewed.negatives} not a claim; {reviewed.conflicting} with both left out"
        + (
            f"; {report.dropped_overlap} also in dev-test left out"
            if report.dropped_overlap
            else ""
        )
        + f"), on top of {report.public_examples} public examples"
    )
    for label, metrics in (("before", report.before), ("after ", report.after)):
        _echo(
            f"dev-test {label}: precision {metrics['precision']:.4f}  "
            f"recall {metrics['recall']:.4f}  f1 {metrics['f1']:.4f}"
        )
    # The figure to trust for a new debate: dev-test is one set of debates.
    for label, cv in (("before", report.cv_before), ("after ", report.cv_after)):
        if cv is not None:
            _echo(
                f"debate-grouped CV {label}: f1 {cv.mean:.4f} ± {cv.sd:.4f} "
                f"({cv.folds} folds over {cv.debates} debates"
                + (", reviews in every training fold" if label == "after " else "")
                + ")"
            )
    _echo(f"wrote {report.path} (threshold {report.threshold:.4f})")
    _echo(f"use it: WORKBENCH_SCORER=linear WORKBENCH_SCORER_MODEL={report.path.resolve()}")


def _run_streamlit(database_url: str, port: int, host: str) -> int:
    """Run Streamlit until it ends or this process is told to stop, then stop all of it.

    Streamlit runs in a process group of its own, so stopping it reaches whatever it starts
    too. A SIGTERM, SIGINT (Ctrl+C) or SIGHUP to this process is passed on to that group:
    before, this process died of a SIGTERM at once and left Streamlit serving the data on the
    port. If Streamlit has not ended within GRACE seconds the group is killed.
    """
    # server.py serves Home.py as an st.App that answers /_stcore/metrics with 404: the
    # metrics need no sign-in and show which pages are used (docs/security.md).
    app_module = Path(__file__).parent / "app" / "server.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_module),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # Off whatever a .streamlit/config.toml in the working directory says: routes that
        # would answer without the app's sign-in.
        "--server.enableAgentApi",
        "false",
        "--server.enableStaticServing",
        "false",
    ]
    env = os.environ | {"WORKBENCH_DATABASE_URL": database_url}
    _echo(f"review app: http://{host}:{port}  (Ctrl+C to stop)")
    # preexec_fn runs between fork and exec, which is unsafe while other threads may hold
    # locks; with this process single-threaded it is not, and a SIGKILL of this process then
    # ends Streamlit too (the death signal survives exec; see workbench/process.py).
    single = threading.active_count() == 1
    process = subprocess.Popen(
        command,
        env=env,
        start_new_session=True,
        preexec_fn=set_parent_death_signal if single else None,
    )
    stopping: list[int] = []

    def forward(signum: int, _frame: object) -> None:
        stopping.append(signum)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signum)

    signals = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]
    previous = {signum: signal.signal(signum, forward) for signum in signals}
    try:
        try:
            code = process.wait(timeout=None)
        except BaseException:
            _stop_group(process.pid, signal.SIGTERM)
            raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        _stop_group(process.pid, signal.SIGTERM)
    if stopping:  # stopped on request: the usual status of a process ended by that signal
        return 0 if stopping[0] == signal.SIGINT else 128 + stopping[0]
    return code if code >= 0 else 128 - code


GRACE = 10.0  # seconds Streamlit has to stop before its group is killed


def _stop_group(pgid: int, signum: int) -> None:
    """Signal every process left in the group ``pgid``; kill them if they outstay GRACE."""
    deadline = time.monotonic() + GRACE
    try:
        os.killpg(pgid, signum)
        while time.monotonic() < deadline:
            os.killpg(pgid, 0)  # raises ProcessLookupError once the group is empty
            time.sleep(0.05)
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        return


# --- accounts and project settings ---------------------------------------------------------
# Whoever runs these commands holds the database itself, so they act as SYSTEM; the
# service still enforces what no one may do (remove the last admin, weak passwords).

users_app = typer.Typer(
    help="Accounts for team mode: once any account has a password, the app asks to log in.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

settings_app = typer.Typer(help="Project settings shared by every reviewer.", no_args_is_help=True)
app.add_typer(settings_app, name="settings")

NameArgument = Annotated[str, typer.Argument(help="The account's name (as reviewers log in).")]
PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of stdin instead of a hidden prompt.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON array instead of a table.")]


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a prompt that does not echo it."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise WorkbenchError("--password-stdin: stdin is empty; pipe the password in")
        return line.removesuffix("\n").removesuffix("\r")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    return password


def _open_for_users(db: str | None, *, migrate: bool) -> Engine:
    # Reading or changing accounts needs an initialised database; `add` brings an older schema
    # up to date like `ingest` does (a missing SQLite file is refused by all of them).
    return _open(_settings(db).database_url, migrate=migrate)


@users_app.command("add")
def users_add(
    name: NameArgument,
    role: Annotated[Role, typer.Option("--role", help="What the account may do.")],
    password_stdin: PasswordStdinOption = False,
    db: DbOption = None,
) -> None:
    """Create an account with a password (read from a prompt, or stdin)."""
    with _user_errors():
        engine = _open_for_users(db, migrate=True)
        password = _read_password(password_stdin)
        user = add_user(engine, SYSTEM, name, role, password)
    _echo(f"added {user.name} ({user.role.value})")


@users_app.command("list")
def users_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every account: name, role, whether it is disabled and whether it can log in."""
    with _user_errors():
        users = list_users(_open_for_users(db, migrate=False), SYSTEM)
    if as_json:
        _echo_json(json.dumps([u.model_dump(mode="json") for u in users], ensure_ascii=False))
        return
    rows = [("name", "role", "disabled", "can log in")] + [
        # Escaped before the widths are measured, so the columns line up as printed.
        (printable(u.name), u.role.value, _yes_no(u.disabled), _yes_no(u.can_log_in))
        for u in users
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        _echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@users_app.command("set-role")
def users_set_role(
    name: NameArgument,
    role: Annotated[Role, typer.Argument(help="admin, reviewer or viewer.")],
    db: DbOption = None,
) -> None:
    """Change what an account may do (the last admin who can log in stays an admin)."""
    with _user_errors():
        user = set_role(_open_for_users(db, migrate=False), SYSTEM, name, role)
    _echo(f"{user.name} is now {user.role.value}")


@users_app.command("disable")
def users_disable(name: NameArgument, db: DbOption = None) -> None:
    """Stop an account from logging in; its reviews and history are kept."""
    with _user_errors():
        user = set_disabled(_open_for_users(db, migrate=False), SYSTEM, name, True)
    _echo(f"{user.name} is disabled")


@users_app.command("enable")
def users_enable(name: NameArgument, db: DbOption = None) -> None:
    """Let a disabled account log in again."""
    with _user_errors():
        user = set_disabled(_open_for_users(db, migrate=False), SYSTEM, name, False)
    _echo(f"{user.name} is enabled")


@users_app.command("set-password")
def users_set_password(
    name: NameArgument, password_stdin: PasswordStdinOption = False, db: DbOption = None
) -> None:
    """Set a new password (and end the account's sign-in pause)."""
    with _user_errors():
        engine = _open_for_users(db, migrate=False)
        password = _read_password(password_stdin)
        user = set_password(engine, SYSTEM, name, password)
    _echo(f"password set for {user.name}")


@users_app.command("unlock")
def users_unlock(name: NameArgument, db: DbOption = None) -> None:
    """End an account's sign-in pause after failed attempts, keeping its password."""
    with _user_errors():
        user = unlock(_open_for_users(db, migrate=False), SYSTEM, name)
    _echo(f"{user.name} may sign in again at once")


@settings_app.command("show")
def settings_show(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The project settings and what each one means."""
    with _user_errors():
        current = get_project_settings(_open(_settings(db).database_url, migrate=False))
    if as_json:
        _echo_json(current.model_dump_json())
        return
    for key, field in ProjectSettings.model_fields.items():
        _echo(f"{key} = {getattr(current, key)}  # {field.description}")


@settings_app.command("set")
def settings_set(
    key: Annotated[str, typer.Argument(help=", ".join(ProjectSettings.model_fields))],
    value: Annotated[str, typer.Argument(help="The new value.")],
    db: DbOption = None,
) -> None:
    """Change one project setting; the change is kept in the history."""
    with _user_errors():
        engine = _open(_settings(db).database_url)
        current = set_project_setting(engine, SYSTEM, key, value)
    _echo(f"{key} = {getattr(current, key)}")


class Breakdown(StrEnum):
    document = "document"
    label = "label"
    reviewer = "reviewer"


class VerdictsOption(StrEnum):
    blind = "blind"
    current = "current"


@app.command()
def agreement(
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object with every figure.")
    ] = False,
    by: Annotated[
        Breakdown | None, typer.Option("--by", help="Add a breakdown to the text report.")
    ] = None,
    document: Annotated[
        int | None, typer.Option("--document", help="Only this document's claims (its id).")
    ] = None,
    table_csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the raw claim × reviewer → verdict table here."),
    ] = None,
    samples: Annotated[
        int, typer.Option("--samples", min=0, help="Bootstrap samples for alpha's interval.")
    ] = 1000,
    use: Annotated[
        VerdictsOption,
        typer.Option(
            "--use",
            help="blind: the verdicts given before each reviewer saw anyone else's (the "
            "default); current: the verdicts as they stand now.",
        ),
    ] = VerdictsOption.blind,
    db: DbOption = None,
) -> None:
    """How far reviewers agree: Krippendorff's α (95% CI), Fleiss' κ, Gwet's AC1, Cohen's κ."""
    from workbench.agreement.report import build_report
    from workbench.agreement.table import load_table
    from workbench.agreement.text import render

    with _user_errors():
        engine = _open(_settings(db).database_url, migrate=False)
        table = load_table(engine, document_id=document, use=use.value)
        if table_csv is not None:
            try:
                rows = table.save_csv(table_csv)
            except OSError as exc:
                raise WorkbenchError(f"cannot write {table_csv}: {exc.strerror or exc}") from exc
            _echo(f"wrote {rows} verdicts to {table_csv}", err=True)
        scope = "all documents"
        if document is not None:
            scope = table.document_titles.get(document, f"document {document}")
        report = build_report(table, scope=scope, samples=samples)
    if as_json:
        _echo_json(report.model_dump_json())
    else:
        _echo(render(report, by.value if by else None))
