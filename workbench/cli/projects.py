"""`workbench projects`: the desks on one server, each with its documents, settings, verdict
scale, guidelines and members. Whoever runs these holds the database, so they act as SYSTEM."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from workbench.auth.policy import SYSTEM
from workbench.cli.common import (
    DbOption,
    JsonOption,
    echo,
    echo_json,
    open_named,
    print_report,
    settings_for,
    user_errors,
)
from workbench.errors import InputFileError, InvalidInput
from workbench.projects.membership import members
from workbench.projects.scale import VerdictScale, parse_scale
from workbench.projects.service import (
    ProjectOut,
    add_project,
    list_projects,
    resolve_project,
    set_description,
    set_guidelines,
    set_scale,
)
from workbench.projects.settings import ProjectSettings, set_project_setting
from workbench.review.verdict_map import map_verdicts, parse_mapping
from workbench.terminal import printable

app = typer.Typer(
    help="Projects: several desks on one server, each with its own team, verdict scale and "
    "guidelines.",
    no_args_is_help=True,
)

NameArgument = Annotated[str, typer.Argument(help="The project's name (as in URLs).")]
# What `projects set` changes besides the settings of workbench.projects.settings.
PROJECT_KEYS = ("description", "verdicts")
GUIDELINES_MAX_BYTES = 1024 * 1024


@app.command("add")
def projects_add(
    name: NameArgument,
    verdicts: Annotated[
        str | None,
        typer.Option(
            "--verdicts",
            help='The verdict scale, best first: "true,mostly-true,half-true,false" '
            "(default: verified,disputed,unsupported).",
            show_default=False,
        ),
    ] = None,
    description: Annotated[
        str, typer.Option("--description", help="What the project is for.")
    ] = "",
    db: DbOption = None,
) -> None:
    """Add an empty project."""
    with user_errors():
        scale = _scale(verdicts) if verdicts is not None else None
        engine = open_named(settings_for(db).database_url)
        project = add_project(engine, SYSTEM, name, description=description, scale=scale)
    echo(f"added project {project.name}: {', '.join(project.scale.names)}")


@app.command("list")
def projects_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every project with its verdict scale and counts."""
    with user_errors():
        projects = list_projects(open_named(settings_for(db).database_url, migrate=False), SYSTEM)
    if as_json:
        echo_json(
            json.dumps(
                [
                    p.model_dump(mode="json", exclude={"guidelines"})
                    | {"verdicts": list(p.scale.names), "has_guidelines": bool(p.guidelines)}
                    for p in projects
                ],
                ensure_ascii=False,
            )
        )
        return
    rows = [("name", "documents", "claims", "reviews", "members", "verdicts")]
    rows += [
        (
            printable(p.name),
            str(p.documents),
            str(p.claims),
            str(p.reviews),
            str(p.members),
            ",".join(p.scale.names),
        )
        for p in projects
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@app.command("set")
def projects_set(
    name: NameArgument,
    key: Annotated[
        str, typer.Argument(help=", ".join(PROJECT_KEYS + tuple(ProjectSettings.model_fields)))
    ],
    value: Annotated[str, typer.Argument(help="The new value ('none' clears an optional one).")],
    db: DbOption = None,
) -> None:
    """Change a project's description, verdict scale or one of its settings (in the history)."""
    with user_errors():
        engine = open_named(settings_for(db).database_url)
        project = resolve_project(engine, name)
        if key == "description":
            set_description(engine, SYSTEM, project.name, value)
            echo(f"{project.name}: description set")
        elif key == "verdicts":
            changed = set_scale(engine, SYSTEM, project.name, _scale(value))
            echo(f"{project.name}: verdicts = {','.join(changed.scale.names)}")
        elif key in ProjectSettings.model_fields:
            current = set_project_setting(engine, SYSTEM, key, value, project.id)
            echo(f"{project.name}: {key} = {getattr(current, key)}")
        else:
            known = ", ".join(PROJECT_KEYS + tuple(ProjectSettings.model_fields))
            raise InvalidInput(f"unknown key {key!r}; the keys are: {known}")


@app.command("show")
def projects_show(name: NameArgument, db: DbOption = None, as_json: JsonOption = False) -> None:
    """One project: its description, verdict scale (with keys and ClaimReview ratings) and
    guidelines."""
    with user_errors():
        project = resolve_project(open_named(settings_for(db).database_url, migrate=False), name)
    if as_json:
        echo_json(project.model_dump_json())
        return
    _print_project(project)


@app.command("guidelines")
def projects_guidelines(
    name: NameArgument,
    file: Annotated[Path, typer.Argument(help="A Markdown file (UTF-8); '-' reads stdin.")],
    db: DbOption = None,
) -> None:
    """Replace a project's reviewing guidelines with a Markdown file; every version is kept in
    the history, and reviewers see them on the Review page."""
    with user_errors():
        text = _read_guidelines(file)
        engine = open_named(settings_for(db).database_url)
        project = set_guidelines(engine, SYSTEM, name, text)
    echo(f"{project.name}: guidelines version {project.guidelines_version}")


@app.command("members")
def projects_members(name: NameArgument, db: DbOption = None) -> None:
    """Who belongs to a project, with their role there (site admins are admins everywhere)."""
    with user_errors():
        found = members(open_named(settings_for(db).database_url, migrate=False), SYSTEM, name)
    for member in found:
        echo(f"{printable(member.user)}  {member.role.value}")


@app.command("map-verdicts")
def projects_map_verdicts(
    name: NameArgument,
    pairs: Annotated[
        list[str],
        typer.Argument(help="OLD=NEW, one or more: OLD's reviews and final verdicts become NEW."),
    ],
    scale: Annotated[
        str | None,
        typer.Option(
            "--scale",
            help='The verdict scale afterwards, as --verdicts takes it ("a,b,c" or JSON); '
            "default: the current one with each OLD renamed NEW, or dropped when NEW is on it.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename or merge verdicts in use, then change the scale, in one transaction (every
    review, blind verdict and final verdict of the project; each change in the history)."""
    with user_errors():
        mapping = parse_mapping(pairs)
        after = _scale(scale, "--scale") if scale is not None else None
        engine = open_named(settings_for(db).database_url)
        report = map_verdicts(engine, SYSTEM, name, mapping, after)
    print_report(report, as_json=as_json)


def _scale(spec: str, option: str = "--verdicts") -> VerdictScale:
    try:
        return parse_scale(spec)
    except ValueError as exc:
        raise InvalidInput(f"{option} {spec!r}: {_first_error(exc)}") from None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    return str(exc)


def _read_guidelines(file: Path) -> str:
    if str(file) == "-":
        data = sys.stdin.buffer.read(GUIDELINES_MAX_BYTES + 1)
        where = "stdin"
    else:
        if not file.is_file():
            raise InputFileError(str(file), None, None, "not a regular file")
        with file.open("rb") as handle:
            data = handle.read(GUIDELINES_MAX_BYTES + 1)
        where = str(file)
    if len(data) > GUIDELINES_MAX_BYTES:
        raise InputFileError(where, None, None, "guidelines larger than 1 MiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(where, line, None, "not UTF-8 text") from None


def _print_project(project: ProjectOut) -> None:
    echo(f"project: {project.name}")
    if project.description:
        echo(f"description: {project.description}")
    echo("verdicts (best first):")
    for verdict in project.scale.verdicts:
        key = f"[{verdict.key}] " if verdict.key else ""
        help_ = f": {verdict.description}" if verdict.description else ""
        echo(f"  {key}{verdict.name} (rating {verdict.rating}){help_}")
    if project.guidelines:
        echo(f"guidelines (version {project.guidelines_version}):")
        echo(project.guidelines)
    else:
        echo("guidelines: none")
