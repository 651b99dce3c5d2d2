"""The Agreement page's figures, computed once per version of the data and stored.

At 100,000 claims and a million reviews, reading the claim × reviewer table and computing the
report takes seconds (6.8 s on a first open, issue 13). The figures of each choice of verdicts
(blind or current) and scope (all documents or one) are stored with the version of the data
they were computed at (``workbench.db.snapshots``, which says why they are never stale), and
reused by every session and server process until the version moves.

The raw CSV is not stored (a million rows): the page builds it when the download is asked for
(:func:`csv_bytes`).
"""

from __future__ import annotations

import io

from pydantic import BaseModel
from sqlalchemy import Engine

from workbench.agreement import incremental
from workbench.agreement import table as tables
from workbench.agreement.report import AgreementReport, build_report
from workbench.agreement.table import VerdictsUsed, VerdictTable, scope_of
from workbench.auth.policy import Action, Caller, authorize
from workbench.db import snapshots

SAMPLES = 1000  # bootstrap resamples of alpha's 95% interval, as the page shows it


class Figures(BaseModel):
    """What the Agreement page shows for one choice of verdicts and scope."""

    version: str
    report: AgreementReport
    claims: int  # claims with a verdict in the whole table (0: nothing to show yet)
    rows: int  # verdicts in the scope: the rows of its CSV
    # Documents with verdicts, by title, and their titles: the page's scope choice.
    documents: list[int]
    titles: dict[int, str]


def version(engine: Engine) -> str:
    """The data's version (``workbench.db.snapshots.version``)."""
    return snapshots.version(engine)


def figures(
    engine: Engine,
    caller: Caller,
    *,
    use: VerdictsUsed = "blind",
    document_id: int | None = None,
    known: str | None = None,
) -> Figures:
    """The figures for ``use`` and the scope (``document_id``, None: all documents), as of
    now: the stored ones when the version has not moved since they were computed, else
    computed and stored. Admins only (the stored role is checked). ``known``: the version the
    caller has just read, to save reading it twice."""
    authorize(engine, caller, Action.audit_agreement)
    current = known or version(engine)
    key = f"agreement:{use}:{'all' if document_id is None else document_id}"
    stored = snapshots.load(engine, key, current)
    if stored is not None:
        return Figures.model_validate_json(stored)
    made = compute(engine, use=use, document_id=document_id, version=current)
    snapshots.store(engine, key, current, made.model_dump_json().encode("utf-8"))
    return made


def compute(engine: Engine, *, use: VerdictsUsed, document_id: int | None, version: str) -> Figures:
    """The figures from the database as it is now (the slow path), on the table as held in
    memory and brought up to date by the claims changed since (``incremental``)."""
    whole = incremental.current_table(engine, use=use, version=version)
    titles = whole.document_titles
    documents = sorted(
        {int(d) for d in whole.document_ids.tolist()},
        key=lambda d: (titles.get(d, "").casefold(), d),
    )
    table, scope = _scoped(whole, document_id)
    return Figures(
        version=version,
        report=build_report(table, scope=scope, samples=SAMPLES),
        claims=whole.n_claims,
        rows=table.verdicts,
        documents=documents,
        titles={d: titles.get(d, f"document {d}") for d in documents},
    )


def csv_bytes(
    engine: Engine, caller: Caller, *, use: VerdictsUsed = "blind", document_id: int | None = None
) -> bytes:
    """The raw table of the scope as the page's download holds it (read now)."""
    authorize(engine, caller, Action.audit_agreement)
    table, _ = _scoped(tables.load_table(engine, use=use), document_id)
    out = io.StringIO()
    table.write_csv(out)
    return out.getvalue().encode("utf-8")


def _scoped(whole: VerdictTable, document_id: int | None) -> tuple[VerdictTable, str]:
    if document_id is None:
        return whole, scope_of(whole, None)
    return whole.rows(whole.document_ids == document_id), scope_of(whole, document_id)
