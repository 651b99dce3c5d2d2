"""`workbench webhooks`: tell other systems when verdicts are decided (signed HTTP POSTs).

Whoever runs these holds the database, so they act as SYSTEM (a site admin's right,
``manage_webhooks``). ``run`` is the delivery worker; the HTTP API process runs the same
worker on a thread (``webhooks.deliver.start_in_background``)."""

from __future__ import annotations

import json
import sys
import threading
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
from workbench.errors import InvalidInput
from workbench.outbox import EventType
from workbench.terminal import printable
from workbench.webhooks import deliver
from workbench.webhooks.service import (
    MAX_SECRET_CHARS,
    add_webhook,
    list_deliveries,
    list_webhooks,
    remove_webhook,
)

app = typer.Typer(
    help="Webhooks: signed HTTP POSTs to other systems when verdicts are decided.",
    no_args_is_help=True,
)


@app.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="Where to POST the events (http or https).")],
    events: Annotated[
        str,
        typer.Option(
            "--events",
            help=f"Comma-separated: {', '.join(e.value for e in EventType)}.",
            show_default=False,
        ),
    ],
    secret_stdin: Annotated[
        bool,
        typer.Option(
            "--secret-stdin",
            help="Read the signing secret from the first line of stdin (required: a secret "
            "given as an argument would stay in the shell's history).",
        ),
    ] = False,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            help="Only this project's events (default: every project).",
            show_default=False,
        ),
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private",
            help="Allow a loopback, private or link-local target (a receiver inside your own "
            "network).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Send the named events to URL, signed with a secret read from stdin."""
    with user_errors():
        if not secret_stdin:
            raise InvalidInput(
                'give the secret on stdin: echo "$SECRET" | workbench webhooks '
                "add URL --events ... --secret-stdin"
            )
        secret = sys.stdin.readline(MAX_SECRET_CHARS + 2).rstrip("\r\n")
        engine = open_named(settings_for(db).database_url)
        hook = add_webhook(
            engine, SYSTEM, url, [events], secret, project=project, allow_private=allow_private
        )
    where = hook.project or "every project"
    echo(f"added webhook {hook.id}: {', '.join(hook.events)} of {where} to {hook.url}")


@app.command("list")
def webhooks_list(
    removed: Annotated[bool, typer.Option("--removed", help="Show removed ones too.")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The webhooks, without their secrets."""
    with user_errors():
        hooks = list_webhooks(open_named(settings_for(db).database_url), SYSTEM, removed=removed)
    if as_json:
        echo_json(json.dumps([h.model_dump(mode="json") for h in hooks], ensure_ascii=False))
        return
    if not hooks:
        echo("no webhooks: `workbench webhooks add URL --events ... --secret-stdin` adds one")
        return
    for h in hooks:
        state = "" if h.active else "  (removed)"
        private = "  allow-private" if h.allow_private else ""
        echo(
            f"{h.id}  {printable(h.url)}  {','.join(h.events)}  "
            f"{printable(h.project or 'every project')}{private}{state}"
        )


@app.command("remove")
def webhooks_remove(
    webhook_id: Annotated[int, typer.Argument(help="The webhook's id (`webhooks list`).")],
    db: DbOption = None,
) -> None:
    """Stop a webhook; its pending deliveries are given up, its record is kept."""
    with user_errors():
        hook = remove_webhook(open_named(settings_for(db).database_url), SYSTEM, webhook_id)
    echo(f"removed webhook {hook.id} ({hook.url})")


@app.command("deliveries")
def webhooks_deliveries(
    failed: Annotated[bool, typer.Option("--failed", help="Only the failed ones.")] = False,
    webhook: Annotated[
        int | None, typer.Option("--webhook", help="Only this webhook's.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many, newest first.")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The newest deliveries: status, attempts, the last answer or error."""
    with user_errors():
        rows = list_deliveries(
            open_named(settings_for(db).database_url, migrate=False),
            SYSTEM,
            failed=failed,
            webhook_id=webhook,
            limit=limit,
        )
    if as_json:
        echo_json(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False))
        return
    for r in rows:
        code = "" if r.last_status_code is None else f" {r.last_status_code}"
        error = f"  {r.last_error}" if r.last_error else ""
        echo(
            f"{r.id}  {r.status}{code}  {r.event}  webhook {r.webhook_id}  "
            f"{r.attempts} attempt(s)  {r.created_at:%Y-%m-%d %H:%M:%S}{printable(error)}"
        )


@app.command("run")
def webhooks_run(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit.")] = False,
    db: DbOption = None,
) -> None:
    """Deliver pending events until stopped (Ctrl-C); several may run against one database."""
    with user_errors():
        engine = open_named(settings_for(db).database_url)
        if once:
            print_report(deliver.run_once(engine))
            return
        stop = threading.Event()
        echo("delivering webhook events; Ctrl-C stops", err=True)
        try:
            deliver.run(engine, stop=stop, on_round=lambda r: echo(r.summary()))
        except KeyboardInterrupt:
            stop.set()
