"""The `workbench` command: one module per group of commands, each parsing its arguments,
calling one service and printing the result.

- ``common``: the shared options (``--db``, ``--json``, ...), output, errors, the database;
- ``corpus``: init, ingest, extract, synth, demo, rebuild-similarity;
- ``transfer``: export, import;
- ``model``: score, train-extractor;
- ``agreement``; ``users``, ``settings``, ``projects`` and ``webhooks`` (subcommand groups);
- ``serve``: the review app, and the Streamlit process it runs; ``api``: the HTTP API;
- ``tokens``: personal API tokens.

The commands are registered here, in the order `workbench --help` lists them.
"""

from __future__ import annotations

import typer

from workbench.cli import (
    agreement,
    api,
    corpus,
    model,
    projects,
    serve,
    settings,
    tokens,
    transfer,
    users,
    webhooks,
)

app = typer.Typer(
    help="Fact-check annotation workbench: ingest articles, extract claims, review, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

app.command()(corpus.init)
app.command()(corpus.ingest)
app.command()(corpus.extract)
app.command()(transfer.export)
app.command()(corpus.synth)
app.command("import")(transfer.import_command)
app.command("rebuild-similarity")(corpus.rebuild_similarity_command)
app.command()(serve.serve)
app.command()(api.api)
app.command()(corpus.demo)
app.command()(model.score)
app.command("train-extractor")(model.train_extractor)
app.command()(model.rescore)
app.add_typer(users.app, name="users")
app.add_typer(settings.app, name="settings")
app.add_typer(projects.app, name="projects")
app.add_typer(tokens.app, name="tokens")
app.command()(agreement.agreement)
app.add_typer(webhooks.app, name="webhooks")

__all__ = ["app"]
