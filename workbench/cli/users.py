"""`workbench users`: accounts for team mode.

Whoever runs these commands holds the database itself, so they act as SYSTEM; the
service still enforces what no one may do (remove the last admin, weak passwords).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from sqlalchemy import Engine

from workbench.auth.accounts import (
    add_user,
    list_users,
    set_disabled,
    set_email,
    set_password,
    set_role,
    unlock,
)
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
from workbench.errors import WorkbenchError
from workbench.projects.membership import grant, revoke
from workbench.schemas import Role
from workbench.terminal import printable

app = typer.Typer(
    help="Accounts for team mode: once any account has a password, the app asks to log in.",
    no_args_is_help=True,
)

NameArgument = Annotated[str, typer.Argument(help="The account's name (as reviewers log in).")]
PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of stdin instead of a hidden prompt.",
    ),
]
EmailOption = Annotated[
    str | None,
    typer.Option(
        "--email",
        help="The e-mail single sign-on maps to this account (the identity provider must "
        "vouch for it as verified).",
    ),
]


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
    return open_named(settings_for(db).database_url, migrate=migrate)


@app.command("add")
def users_add(
    name: NameArgument,
    role: Annotated[Role, typer.Option("--role", help="What the account may do.")],
    password_stdin: PasswordStdinOption = False,
    email: EmailOption = None,
    no_password: Annotated[
        bool,
        typer.Option(
            "--no-password",
            help="No password: the account signs in only through single sign-on (needs --email).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an account with a password (read from a prompt, or stdin), an e-mail for single
    sign-on, or both."""
    with user_errors():
        engine = _open_for_users(db, migrate=True)
        if no_password and email is None:
            raise WorkbenchError("--no-password needs --email: the account could not sign in")
        password = None if no_password else _read_password(password_stdin)
        user = add_user(engine, SYSTEM, name, role, password, email=email)
    suffix = f", {user.email}" if user.email else ""
    echo(f"added {user.name} ({user.role.value}{suffix})")


@app.command("list")
def users_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every account: name, role, whether it is disabled and whether it can log in."""
    with user_errors():
        users = list_users(_open_for_users(db, migrate=False), SYSTEM)
    if as_json:
        echo_json(json.dumps([u.model_dump(mode="json") for u in users], ensure_ascii=False))
        return
    # The e-mail column once single sign-on is in use: who signs in with which address.
    emails = any(u.email for u in users)
    rows: list[tuple[str, ...]] = [
        ("name", "role", "disabled", "can log in") + (("e-mail",) if emails else ())
    ]
    rows += [
        # Escaped before the widths are measured, so the columns line up as printed.
        (printable(u.name), u.role.value, _yes_no(u.disabled), _yes_no(u.can_log_in))
        + ((printable(u.email or ""),) if emails else ())
        for u in users
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@app.command("set-role")
def users_set_role(
    name: NameArgument,
    role: Annotated[Role, typer.Argument(help="admin, reviewer or viewer.")],
    db: DbOption = None,
) -> None:
    """Change what an account may do (the last admin who can log in stays an admin)."""
    with user_errors():
        user = set_role(_open_for_users(db, migrate=False), SYSTEM, name, role)
    echo(f"{user.name} is now {user.role.value}")


@app.command("disable")
def users_disable(name: NameArgument, db: DbOption = None) -> None:
    """Stop an account from logging in; its reviews and history are kept."""
    with user_errors():
        user = set_disabled(_open_for_users(db, migrate=False), SYSTEM, name, True)
    echo(f"{user.name} is disabled")


@app.command("enable")
def users_enable(name: NameArgument, db: DbOption = None) -> None:
    """Let a disabled account log in again."""
    with user_errors():
        user = set_disabled(_open_for_users(db, migrate=False), SYSTEM, name, False)
    echo(f"{user.name} is enabled")


@app.command("set-password")
def users_set_password(
    name: NameArgument, password_stdin: PasswordStdinOption = False, db: DbOption = None
) -> None:
    """Set a new password (and end the account's sign-in pause)."""
    with user_errors():
        engine = _open_for_users(db, migrate=False)
        password = _read_password(password_stdin)
        user = set_password(engine, SYSTEM, name, password)
    echo(f"password set for {user.name}")


@app.command("set-email")
def users_set_email(
    name: NameArgument,
    email: Annotated[
        str | None,
        typer.Argument(help="The address the identity provider vouches for; omit with --clear."),
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Take the e-mail away: no single sign-on.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Set the e-mail single sign-on maps to an account (or take it away with --clear)."""
    with user_errors():
        engine = _open_for_users(db, migrate=False)
        if (email is None) == (not clear):
            raise WorkbenchError("give an e-mail address, or --clear to take it away")
        user = set_email(engine, SYSTEM, name, email)
    echo(f"{user.name} signs in as {user.email}" if user.email else f"{user.name} has no e-mail")


@app.command("unlock")
def users_unlock(name: NameArgument, db: DbOption = None) -> None:
    """End an account's sign-in pause after failed attempts, keeping its password."""
    with user_errors():
        user = unlock(_open_for_users(db, migrate=False), SYSTEM, name)
    echo(f"{user.name} may sign in again at once")


@app.command("grant")
def users_grant(
    name: NameArgument,
    project: Annotated[str, typer.Option("--project", help="The project's name.")],
    role: Annotated[Role, typer.Option("--role", help="What the account may do there.")],
    db: DbOption = None,
) -> None:
    """Make an account a member of a project with a role there (or change that role)."""
    with user_errors():
        member = grant(_open_for_users(db, migrate=True), SYSTEM, name, project, role)
    echo(f"{member.user} is {member.role.value} of project {member.project}")


@app.command("revoke")
def users_revoke(
    name: NameArgument,
    project: Annotated[str, typer.Option("--project", help="The project's name.")],
    db: DbOption = None,
) -> None:
    """Take an account out of a project: its reviews stay, its access there goes."""
    with user_errors():
        revoke(_open_for_users(db, migrate=False), SYSTEM, name, project)
    echo(f"{name} is no longer a member of project {project}")
