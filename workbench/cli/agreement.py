"""`workbench agreement`: how far reviewers agree, as text or JSON (workbench/agreement)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from workbench.auth.policy import SYSTEM
from workbench.cli.common import (
    DbOption,
    ProjectOption,
    echo,
    open_named,
    print_report,
    settings_for,
    user_errors,
)
from workbench.errors import WorkbenchError


class Breakdown(StrEnum):
    document = "document"
    label = "label"
    reviewer = "reviewer"


class VerdictsOption(StrEnum):
    blind = "blind"
    current = "current"


def agreement(
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object with every figure.")
    ] = False,
    by: Annotated[
        Breakdown | None, typer.Option("--by", help="Add a breakdown to the text report.")
    ] = None,
    document: Annotated[
        int | None, typer.Option("--document", help="Only this document's claims (its id).")
    ] = None,
    table_csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Also write the raw claim × reviewer → verdict table here."),
    ] = None,
    samples: Annotated[
        int, typer.Option("--samples", min=0, help="Bootstrap samples for alpha's interval.")
    ] = 1000,
    use: Annotated[
        VerdictsOption,
        typer.Option(
            "--use",
            help="blind: the verdicts given before each reviewer saw anyone else's (the "
            "default); current: the verdicts as they stand now.",
        ),
    ] = VerdictsOption.blind,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """How far reviewers agree: Krippendorff's α (95% CI), Fleiss' κ, Gwet's AC1, Cohen's κ."""
    from workbench.agreement.report import build_report
    from workbench.agreement.table import audited_table, scope_of

    with user_errors():
        settings = settings_for(db, project)
        engine = open_named(settings.database_url, migrate=False)
        # As every command: through the service's permission check, as SYSTEM (whoever runs
        # it holds the database); the table is read once for the figures and the CSV.
        # A project's claims, labelled by its scale; none named: every claim, as before.
        table = audited_table(
            engine, SYSTEM, document_id=document, use=use.value, project=settings.project
        )
        if table_csv is not None:
            try:
                rows = table.save_csv(table_csv)
            except OSError as exc:
                raise WorkbenchError(f"cannot write {table_csv}: {exc.strerror or exc}") from exc
            echo(f"wrote {rows} verdicts to {table_csv}", err=True)
        report = build_report(table, scope=scope_of(table, document), samples=samples)
    print_report(report.broken_down(by.value if by else None), as_json=as_json)
