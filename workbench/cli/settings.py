"""`workbench settings`: the project settings shared by every reviewer, kept in the database
(each change in the history), unlike the WORKBENCH_* variables of workbench/config.py."""

from __future__ import annotations

from typing import Annotated

import typer

from workbench.auth.policy import SYSTEM
from workbench.cli.common import (
    DbOption,
    JsonOption,
    echo,
    echo_json,
    open_named,
    settings_for,
    user_errors,
)
from workbench.project import ProjectSettings, get_project_settings, set_project_setting

app = typer.Typer(help="Project settings shared by every reviewer.", no_args_is_help=True)


@app.command("show")
def settings_show(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The project settings and what each one means."""
    with user_errors():
        current = get_project_settings(open_named(settings_for(db).database_url, migrate=False))
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
) -> None:
    """Change one project setting; the change is kept in the history."""
    with user_errors():
        engine = open_named(settings_for(db).database_url)
        current = set_project_setting(engine, SYSTEM, key, value)
    echo(f"{key} = {getattr(current, key)}")
