"""The `workbench` command. Each command parses its arguments and calls the library."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from tqdm import tqdm

from workbench.config import Settings, get_settings
from workbench.database import open_database
from workbench.db.session import forget
from workbench.errors import WorkbenchError
from workbench.export import ExportFormat, export_to_file
from workbench.export.service import default_path
from workbench.extract import default_extractor
from workbench.ingest.readers import ReadError, expand_paths, read_file
from workbench.ingest.service import IngestReport, count_documents, ingest_paths
from workbench.schemas import DocumentIn, ExtractedClaim

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
DEMO_DB_PATH = Path("db") / "demo.sqlite"


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the library's user-facing errors into one line on stderr and exit code 1."""
    try:
        yield
    except WorkbenchError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


def _settings(db: str | None) -> Settings:
    return get_settings(database_url=db)


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database, or upgrade its schema to this version."""
    settings = _settings(db)
    with _user_errors():
        open_database(settings.database_url)
    typer.echo(f"database ready: {settings.database_url}")


@app.command()
def ingest(
    paths: PathsArgument,
    db: DbOption = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on long batches.")] = True,
) -> None:
    """Load documents, extract their claims and store both; duplicates are skipped."""
    settings = _settings(db)
    with _user_errors():
        engine = open_database(settings.database_url)
        report = _ingest(engine, paths, settings, progress=progress)
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(code=1)


def _ingest(
    engine: Engine, paths: list[Path], settings: Settings, *, progress: bool
) -> IngestReport:
    # delay: the bar appears only once a batch has taken more than a moment.
    total = count_documents(paths)
    with tqdm(total=total, unit="doc", delay=1.0, disable=not progress, file=sys.stderr) as bar:

        def on_item(item: DocumentIn | ReadError) -> None:
            if isinstance(item, ReadError):
                tqdm.write(f"error: {item}", file=sys.stderr)
            bar.update(1)

        return ingest_paths(
            engine,
            paths,
            default_extractor(settings.claim_threshold),
            max_bytes=settings.max_file_bytes,
            on_item=on_item,
        )


@app.command()
def extract(
    paths: PathsArgument,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per claim.")] = False,
) -> None:
    """Print the claims found in documents; stores nothing."""
    settings = get_settings()
    extractor = default_extractor(settings.claim_threshold)
    files_, errors = expand_paths(paths)
    failed = len(errors)
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    for path in files_:
        for item in read_file(path, max_bytes=settings.max_file_bytes):
            if isinstance(item, ReadError):
                typer.echo(f"error: {item}", err=True)
                failed += 1
                continue
            for candidate in extractor.extract(item.text):
                claim = ExtractedClaim(document=item.source, **candidate.model_dump())
                if jsonl:
                    typer.echo(claim.model_dump_json())
                else:
                    who = f"{claim.speaker}: " if claim.speaker else ""
                    typer.echo(
                        f"{claim.document}:{claim.char_start}-{claim.char_end} "
                        f"[{claim.score:.2f}] {who}{claim.text}"
                    )
    if failed:
        raise typer.Exit(code=1)


@app.command()
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="File format.")
    ] = ExportFormat.jsonl,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Output file (default: a timestamped file under exports/)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write every claim with its reviews to CSV or JSONL."""
    settings = _settings(db)
    with _user_errors():
        engine = open_database(settings.database_url, migrate=False)
        target = out or default_path(settings.export_dir, fmt)
        try:
            result = export_to_file(engine, fmt, target)
        except OSError as exc:
            raise WorkbenchError(f"cannot write {target}: {exc.strerror or exc}") from exc
    typer.echo(f"wrote {result.rows} rows to {result.path}")


@app.command()
def serve(
    db: DbOption = None,
    port: PortOption = 8501,
    host: HostOption = "127.0.0.1",
) -> None:
    """Open the review app in the browser (Streamlit)."""
    settings = _settings(db)
    with _user_errors():
        open_database(settings.database_url)
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
        engine = open_database(url)
        report = _ingest(engine, [Path(samples)], settings, progress=True)
    typer.echo(f"demo database {DEMO_DB_PATH}: {report.summary()}")
    if serve_app:
        raise typer.Exit(code=_run_streamlit(url, port, host))


def _run_streamlit(database_url: str, port: int, host: str) -> int:
    home = Path(__file__).parent / "app" / "Home.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(home),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    env = os.environ | {"WORKBENCH_DATABASE_URL": database_url}
    typer.echo(f"review app: http://{host}:{port}  (Ctrl+C to stop)")
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0
