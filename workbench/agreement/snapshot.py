"""The Agreement page's figures, computed once per version of the data and stored.

At 100,000 claims and a million reviews, reading the claim × reviewer table and computing the
report takes seconds (6.8 s on a first open, issue 13). The figures of each choice of verdicts
(blind or current) and scope (all documents or one) are stored with the version of the data
they were computed at (``workbench.db.snapshots``, which says why they are never stale), and
reused by every session and server process until the version moves.

The raw CSV is not stored (a million rows): the page builds it when the download is asked for
(:func:`csv_bytes`).

The per-document and per-week figures a report remembers in the process (keyed by their
ratings' content, ``report._remembered``) are stored too, once a report had to compute many
of them, and loaded by a process that starts without them: otherwise its first report after
a change computes 5,500 documents' coefficients again (1.4 s at 100,000 claims).
"""

from __future__ import annotations

import contextlib
import io
import threading
import zlib

from pydantic import BaseModel, ValidationError
from sqlalchemy import Engine

from workbench.agreement import copies, incremental
from workbench.agreement import report as reports
from workbench.agreement import table as tables
from workbench.agreement.figures import AgreementReport
from workbench.agreement.report import MemoUse, build_report
from workbench.agreement.table import VerdictsUsed, VerdictTable, scope_of
from workbench.auth.policy import Action, Caller, authorize
from workbench.db import snapshots
from workbench.projects.service import resolve_project

SAMPLES = 1000  # bootstrap resamples of alpha's 95% interval, as the page shows it
# A report that computed more remembered figures than this stores them (a few changes
# recompute a document or two each: not worth 0.1 s of writing).
MEMO_STORE_AFTER = 50


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
    project: int | str | None = None,
) -> Figures:
    """The figures for ``use`` and the scope (``document_id``, None: all documents), as of
    now: the stored ones when the version has not moved since they were computed, else
    computed and stored. Admins only (the stored role is checked). ``known``: the version the
    caller has just read, to save reading it twice. ``project`` (id or name): that project's
    claims, and the right to audit there (stored under a key of its own); None: every
    claim's, as before projects."""
    project_id = None if project is None else resolve_project(engine, project, caller).id
    authorize(engine, caller, Action.audit_agreement, project_id)
    current = known or version(engine)
    key = f"agreement:{use}:{'all' if document_id is None else document_id}"
    if project_id is not None:
        key = f"{key}:project-{project_id}"
    stored = snapshots.load(engine, key, current)
    if stored is not None:
        found = Figures.model_validate_json(stored)
        # Figures are per verdict of the scale: figures of another scale (changed, or verdicts
        # mapped) are not reused, whatever the version says.
        labels = tables.labels_of(engine, project_id)
        if tuple(found.report.labels[: len(labels)]) == labels:
            return found
    made = compute(engine, use=use, document_id=document_id, version=current, project_id=project_id)
    snapshots.store(engine, key, current, made.model_dump_json().encode("utf-8"))
    return made


def compute(
    engine: Engine,
    *,
    use: VerdictsUsed,
    document_id: int | None,
    version: str,
    project_id: int | None = None,
) -> Figures:
    """The figures from the database as it is now (the slow path), on the table as held in
    memory and brought up to date by the claims changed since (``incremental``)."""
    whole = incremental.current_table(engine, use=use, version=version, project_id=project_id)
    _load_memo(engine, use)
    noted = MemoUse()
    titles = whole.document_titles
    documents = sorted(
        {int(d) for d in whole.document_ids.tolist()},
        key=lambda d: (titles.get(d, "").casefold(), d),
    )
    table, scope = _scoped(whole, document_id)
    report = build_report(table, scope=scope, samples=SAMPLES, noted=noted)
    if document_id is None and noted.computed > MEMO_STORE_AFTER:
        _store_memo(engine, use, noted)
    return Figures(
        version=version,
        report=report,
        claims=whole.n_claims,
        rows=table.verdicts,
        documents=documents,
        titles={d: titles.get(d, f"document {d}") for d in documents},
    )


_memo_loaded: set[tuple[str, VerdictsUsed, int]] = set()
_memo_lock = threading.Lock()


def forget() -> None:
    """Drop what this process holds for the figures (the tables, the remembered per-document
    figures): what a process just started holds (tests, benchmarks)."""
    incremental.forget()
    reports.forget_memo()
    with _memo_lock:
        _memo_loaded.clear()


def _memo_key(use: VerdictsUsed) -> str:
    return f"agreement-memo:{use}:{reports.memo_code()}"


def _load_memo(engine: Engine, use: VerdictsUsed) -> None:
    """The stored memo of ``use`` into this process's, once (again after it was emptied)."""
    url = engine.url.render_as_string(hide_password=True)
    with _memo_lock:
        loaded = (url, use, reports.memo_clears())
        if loaded in _memo_loaded:
            return
        _memo_loaded.add(loaded)
        token = snapshots.token(engine, copies.TOKEN_KEY)
        stored = snapshots.load_raw(engine, _memo_key(use))
        if stored is None or stored[0] != token:
            return  # none, or from before a restore
        # Unreadable: the figures are computed, and stored again.
        with contextlib.suppress(zlib.error, ValidationError, ValueError):
            reports.remember_json(zlib.decompress(stored[1]))


def _store_memo(engine: Engine, use: VerdictsUsed, noted: MemoUse) -> None:
    # Stored under the database's token rather than a version: the figures are a function of
    # content, right at any version, but only this database's are trusted (a restore drops
    # them with the token).
    token = snapshots.token(engine, copies.TOKEN_KEY)
    payload = zlib.compress(reports.memo_json(noted.keys), 1)
    snapshots.store_raw(engine, _memo_key(use), token, payload)


def csv_bytes(
    engine: Engine,
    caller: Caller,
    *,
    use: VerdictsUsed = "blind",
    document_id: int | None = None,
    project: int | str | None = None,
) -> bytes:
    """The raw table of the scope as the page's download holds it (read now)."""
    project_id = None if project is None else resolve_project(engine, project, caller).id
    authorize(engine, caller, Action.audit_agreement, project_id)
    table, _ = _scoped(tables.load_table(engine, use=use, project_id=project_id), document_id)
    out = io.StringIO()
    table.write_csv(out)
    return out.getvalue().encode("utf-8")


def _scoped(whole: VerdictTable, document_id: int | None) -> tuple[VerdictTable, str]:
    if document_id is None:
        return whole, scope_of(whole, None)
    return whole.rows(whole.document_ids == document_id), scope_of(whole, document_id)
