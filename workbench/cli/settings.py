"""`workbench settings`: the project settings shared by every reviewer, kept in the database
(each change in the history), unlike the WORKBENCH_* variables of workbench/config.py."""

from __future__ import annotations

from typing import Annotated

import typer

from workbench.auth.policy import SYSTEM
from workbench.cli.common import (
    DbOption,
    JsonOption,
    ProjectOption,
    echo,
    echo_json,
    open_named,
    settings_for,
    user_errors,
)
from workbench.projects.settings import ProjectSettings, get_project_settings, set_project_setting

app = typer.Typer(help="Project settings shared by every reviewer.", no_args_is_help=True)


@app.command("show")
def settings_show(
    db: DbOption = None, as_json: JsonOption = False, project: ProjectOption = None
) -> None:
    """The project settings and what each one means."""
    settings = settings_for(db, project)
    with user_errors():
        engine = open_named(settings.database_url, migrate=False)
        current = get_project_settings(engine, settings.project)
    if as_json:
        echo_json(current.model_dump_json())
        return
    for key, field in ProjectSettings.model_fields.items():
        echo(f"{key} = {getattr(current, key)}  # {field.description}")


@app.command("set")
def settings_set(
    key: Annotated[str, typer.Argument(help=", ".join(ProjectSettings.model_fields))],
    value: Annotated[str, typer.Argument(help="The new value.")],
    db: DbOption = None,
    project: ProjectOption = None,
) -> None:
    """Change one project setting; the change is kept in the history."""
    settings = settings_for(db, project)
    with user_errors():
        engine = open_named(settings.database_url)
        current = set_project_setting(engine, SYSTEM, key, value, settings.project)
    echo(f"{key} = {getattr(current, key)}")
