"""What every command shares: its options, its output, its errors and its database.

Options used by more than one command are declared once here as ``Annotated`` aliases (the
way sqlite-utils shares its option decorators), so ``--db`` or ``--json`` reads and helps the
same everywhere. Output goes through ``echo``/``echo_json``, which escape the control
characters that articles, names and file names may carry (see workbench/terminal.py), and a
report through ``print_report``, the one printer of every command's reports. A library
error becomes one red line on stderr and exit code 1 in ``user_errors``, the one place where
that translation happens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from workbench.config import Settings, get_settings
from workbench.db.open import display_url, open_database
from workbench.db.session import sqlite_path
from workbench.errors import WorkbenchError
from workbench.reports import Report
from workbench.terminal import printable, printable_json

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $WORKBENCH_DATABASE_URL, else sqlite:///db/workbench.sqlite).",
        show_default=False,
    ),
]
ProjectOption = Annotated[
    str | None,
    typer.Option(
        "--project",
        help="The project (default: $WORKBENCH_PROJECT, else the only one there is).",
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
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON array instead of a table.")]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the library's user-facing errors into one line on stderr and exit code 1."""
    try:
        yield
    except WorkbenchError as exc:
        typer.secho(printable(f"error: {exc}", keep="\n"), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1) from None


def settings_for(db: str | None, project: str | None = None) -> Settings:
    """The settings, ``--db`` (when given) over $WORKBENCH_DATABASE_URL and ``--project`` over
    $WORKBENCH_PROJECT; a bad WORKBENCH_* value is one line, not a traceback."""
    with user_errors():
        return get_settings(database_url=db, project=project)


def echo(message: str, *, err: bool = False) -> None:
    """Print human-readable output: every control character escaped but the line breaks
    (articles, names and file contents reach these lines; see workbench/terminal.py)."""
    typer.echo(printable(message, keep="\n"), err=err)


def echo_json(text: str) -> None:
    """Print JSON output, its strings' C1 and bidi controls escaped as \\uXXXX."""
    typer.echo(printable_json(text))


def print_report(report: Report, *, as_json: bool = False, where: str | None = None) -> None:
    """Print a report the one way every command does: its JSON with ``as_json``, else its
    text, the first line after ``where: `` when the command says where the work was done."""
    if as_json:
        echo_json(report.json_text())
        return
    text = report.summary()
    echo(text if where is None else f"{where}: {text}")


def open_named(url: str, *, migrate: bool = True, create: bool = False) -> Engine:
    """Name the database on stderr (stdout stays the command's output, pure JSON with
    --json), then open it. Only `init` and `demo` may create a SQLite file: any other command
    pointed at a path that does not exist is a mistake, not a request for an empty database."""
    where = display_url(url)
    path = sqlite_path(url)
    if path is not None and not path.is_absolute():
        where += f" ({Path.cwd() / path})"  # the file a relative URL names depends on the cwd
    echo(f"database: {where}", err=True)
    return open_database(url, migrate=migrate, create=create)
