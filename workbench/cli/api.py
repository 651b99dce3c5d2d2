"""`workbench api`: the HTTP API (workbench/api) on uvicorn.

The command names the API's ASGI app by its import string rather than importing it: the CLI
and the API are siblings (docs/architecture.md), and uvicorn needs the string anyway to start
``--workers`` processes. The database URL reaches them as ``WORKBENCH_DATABASE_URL``.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from workbench.cli.common import DbOption, HostOption, echo, open_named, settings_for, user_errors
from workbench.config import env_name

API_APP = "workbench.api.main:app"


def api(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port for the API.")] = 8000,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (default 1).")
    ] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of reverse proxies (comma-separated) whose X-Forwarded-For names "
            "the client; default none: the socket's address is the client's.",
            show_default=False,
        ),
    ] = None,
    no_webhooks: Annotated[
        bool,
        typer.Option(
            "--no-webhooks",
            help="Do not deliver webhooks from the API's processes (a `workbench webhooks "
            "run` worker does); default: each process delivers (WORKBENCH_API_WEBHOOKS).",
        ),
    ] = False,
) -> None:
    """Serve the HTTP JSON API (/api/v1/, docs at /docs) with personal API tokens."""
    settings = settings_for(db)
    with user_errors():
        open_named(settings.database_url, migrate=False)
    # The workers read their settings as every process does: from the environment.
    os.environ[env_name("database_url")] = settings.database_url
    if no_webhooks:
        os.environ[env_name("api_webhooks")] = "false"
    echo(f"API: http://{host}:{port}/api/v1/  docs: http://{host}:{port}/docs  (Ctrl+C to stop)")
    uvicorn.run(
        API_APP,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # The client's address is the socket's, unless it is a proxy named here: the bad-token
        # throttle is per client address, and behind a proxy every client would share the
        # proxy's. X-Forwarded-For from anyone else would let a client choose its own key.
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )
