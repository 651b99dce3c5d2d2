"""`workbench tokens`: personal API tokens for the HTTP API (issue 15).

Whoever runs these commands holds the database, so they act as SYSTEM, as `workbench users`
does: they may make a token for any account (the service lets an account make its own, for
a page or an endpoint that signs the person in first). The secret is printed once, alone on
the last line of stdout, and only its hash is kept.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from workbench.auth.policy import SYSTEM
from workbench.auth.tokens import TokenOut, create_token, list_tokens, revoke_token
from workbench.cli.common import (
    DbOption,
    JsonOption,
    echo,
    echo_json,
    open_named,
    settings_for,
    user_errors,
)
from workbench.terminal import printable

app = typer.Typer(
    help="Personal API tokens: `Authorization: Bearer TOKEN` on the HTTP API (workbench api).",
    no_args_is_help=True,
)


@app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="The account the token acts as.")],
    label: Annotated[
        str, typer.Option("--label", help="What the token is for (shown by `tokens list`).")
    ] = "api",
    expires_days: Annotated[
        int | None,
        typer.Option("--expires-days", help="Days until it stops working (default: never)."),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project", help="Limit the token to this project (default: any of the account's)."
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Make a token for an account; its secret is printed once, on the last line."""
    with user_errors():
        engine = open_named(settings_for(db).database_url, migrate=True)
        made = create_token(engine, SYSTEM, name, label, expires_days=expires_days, project=project)
    echo(
        f"token {made.token.id} for {made.token.user}: keep it now, it is not shown again", err=True
    )
    echo(made.secret)


@app.command("list")
def tokens_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every token: id, account, label, project, created, expires, last used, revoked (never
    the secret)."""
    with user_errors():
        tokens = list_tokens(open_named(settings_for(db).database_url, migrate=False), SYSTEM)
    if as_json:
        echo_json(json.dumps([t.model_dump(mode="json") for t in tokens], ensure_ascii=False))
        return
    rows: list[tuple[str, ...]] = [
        ("id", "user", "label", "project", "created", "expires", "last used", "revoked")
    ]
    rows += [_row(t) for t in tokens]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `tokens list`).")],
    db: DbOption = None,
) -> None:
    """Revoke a token: the API refuses it from its next request on."""
    with user_errors():
        token = revoke_token(
            open_named(settings_for(db).database_url, migrate=False), SYSTEM, token_id
        )
    echo(f"token {token.id} ({printable(token.user)}, {printable(token.name)}) is revoked")


def _row(token: TokenOut) -> tuple[str, ...]:
    def when(value: object) -> str:
        return "-" if value is None else f"{value:%Y-%m-%d %H:%M}"

    return (
        str(token.id),
        printable(token.user),
        printable(token.name),
        printable(token.project or "any"),
        when(token.created_at),
        when(token.expires_at),
        when(token.last_used_at),
        when(token.revoked_at),
    )
