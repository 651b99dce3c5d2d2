"""The corpus commands: `init`, `ingest`, `extract`, `synth`, `demo`, `rebuild-similarity`.

They create the database and fill it (or, for `extract`, only show what would be stored).
Long ones draw a progress bar on stderr, which is theirs to draw: the services report each
document through a callback and know nothing of terminals.
"""

from __future__ import annotations

import sys
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from tqdm import tqdm

from workbench.cli.common import (
    DbOption,
    FollowLinksOption,
    HostOption,
    PathsArgument,
    PortOption,
    ProjectOption,
    echo,
    echo_json,
    open_named,
    print_report,
    settings_for,
    user_errors,
)
from workbench.cli.serve import run_streamlit
from workbench.config import Settings
from workbench.db.open import display_url
from workbench.db.session import forget
from workbench.extract import default_extractor, ingest_extractor
from workbench.ingest.preview import claims_in_files
from workbench.ingest.readers import ReadError, ReadWarning
from workbench.ingest.service import (
    BATCH_DOCUMENTS,
    IngestReport,
    count_documents,
    default_workers,
    ingest_paths,
)
from workbench.projects.service import resolve_project
from workbench.projects.settings import get_project_settings
from workbench.review.queue import list_documents
from workbench.schemas import DocumentIn
from workbench.terminal import printable

DEMO_DB_PATH = Path("db") / "demo.sqlite"


def init(db: DbOption = None) -> None:
    """Create the database, or upgrade its schema to this version."""
    settings = settings_for(db)
    with user_errors():
        open_named(settings.database_url, create=True)
    # A PostgreSQL URL may carry a password: never print it.
    echo(f"database ready: {display_url(settings.database_url)}")


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
    project: ProjectOption = None,
) -> None:
    """Load documents, extract their claims and store both; texts the project already holds
    are skipped."""
    settings = settings_for(db, project)
    with user_errors():
        engine = open_named(settings.database_url)
        report = _ingest(
            engine,
            paths,
            settings,
            progress=progress,
            workers=workers,
            batch=batch,
            follow_links=follow_links,
        )
    print_report(report)
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
    whole_model: bool = False,
) -> IngestReport:
    project = resolve_project(engine, settings.project)
    # The project's own scorer and threshold, where it has them, over the server's.
    chosen = get_project_settings(engine, project.id)
    scorer = chosen.scorer or settings.scorer
    threshold = (
        chosen.claim_threshold if chosen.claim_threshold is not None else settings.claim_threshold
    )
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
            # A two-stage scorer's first stage only, the rest re-scored in the background;
            # ``whole_model`` (a few articles) scores them for good at once.
            (default_extractor if whole_model else ingest_extractor)(
                threshold, scorer, settings.scorer_model
            ),
            max_bytes=settings.max_file_bytes,
            on_item=on_item,
            workers=workers or default_workers(),
            batch_documents=batch,
            follow_links=follow_links,
            project=project.id,
        )


def extract(
    paths: PathsArgument,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per claim.")] = False,
    follow_links: FollowLinksOption = False,
) -> None:
    """Print the claims found in documents; stores nothing."""
    settings = settings_for(None)
    with user_errors():
        extractor = default_extractor(
            settings.claim_threshold, settings.scorer, settings.scorer_model
        )
    failed = 0
    found = claims_in_files(
        paths, extractor, max_bytes=settings.max_file_bytes, follow_links=follow_links
    )
    for claim in found:
        if isinstance(claim, ReadError):
            warning = isinstance(claim, ReadWarning)
            failed += not warning
            echo(f"{'warning' if warning else 'error'}: {claim}", err=True)
        elif jsonl:
            echo_json(claim.model_dump_json())
        else:
            who = f"{claim.speaker}: " if claim.speaker else ""
            echo(
                f"{claim.document}:{claim.char_start}-{claim.char_end} "
                f"[{claim.score:.2f}] {who}{claim.text}"
            )
    if failed:
        raise typer.Exit(code=1)


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

    settings = settings_for(db)
    with user_errors():
        engine = open_named(settings.database_url)
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
    print_report(report, where=display_url(settings.database_url))


def rebuild_similarity_command(db: DbOption = None) -> None:
    """Recompute which claims say the same thing across documents (after an upgrade)."""
    from workbench.similarity.rebuild import rebuild_similarity

    settings = settings_for(db)
    with user_errors():
        engine = open_named(settings.database_url)
        total = len(list_documents(engine))
        with tqdm(total=total, unit="doc", delay=1.0, file=sys.stderr) as bar:

            def advance(_document_id: int) -> None:
                bar.update(1)

            report = rebuild_similarity(engine, on_document=advance)
    print_report(report)


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
    settings = settings_for(url)
    with user_errors(), as_file(files("workbench") / "sample_data") as samples:
        engine = open_named(url, create=True)
        # Five articles: the whole model at once (a second or two), so the demo opens on its
        # final ranking, with nothing waiting to be re-scored.
        report = _ingest(engine, [Path(samples)], settings, progress=True, whole_model=True)
    print_report(report, where=f"demo database {DEMO_DB_PATH}")
    if serve_app:
        raise typer.Exit(code=run_streamlit(url, port, host, engine))
