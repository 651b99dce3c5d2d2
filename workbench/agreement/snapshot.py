"""The Agreement page's figures, computed once per version of the data and stored.

At 100,000 claims and a million reviews, reading the claim × reviewer table and computing the
report takes seconds (6.8 s on a first open, issue 13), while the page opens many times between
two changes of what it shows. So the figures of each choice of verdicts (blind or current) and
scope (all documents or one) are stored in ``agreement_snapshots`` with the *version* of the
data they were computed at, and an open reads the version (one round trip of primary-key
lookups) and reuses the stored figures when it is the same: every session and every server
process on the database shares them, and a restarted server opens the page at once.

Never stale: the version is ``workbench.review.stats.Marks`` (the newest id of documents,
claims, reviews, final verdicts and history entries). Every change to a review, a URL, a final
verdict, a claim's status or an account appends a history entry in its own transaction
(``workbench.review.writes``, ``workbench.audit``), and bulk paths add rows, so any change
the figures could show moves the version, and the next open recomputes. The version is read
*before* the data: figures stored under a version are never older than it (a change landing
in between only makes them newer, and moves the version, so they are recomputed at the next
open anyway). Leases are left out: they change with every claim handed out and no figure
depends on them.

The payload is the report as JSON (the pydantic model), never pickle: the database must not
be a way to run code in the server. The raw CSV is not stored (a million rows): the page
builds it when the download is asked for (:func:`csv_bytes`).
"""

from __future__ import annotations

import io
import zlib

from pydantic import BaseModel
from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.exc import IntegrityError

from workbench.agreement import table as tables
from workbench.agreement.report import AgreementReport, build_report
from workbench.agreement.table import VerdictsUsed, VerdictTable
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import AgreementSnapshot
from workbench.db.session import unit_of_work
from workbench.review import stats

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
    """The data's version (see the module's docstring): equal at two readings only when no
    figure of the page can differ between them."""
    with unit_of_work(engine, read_only=True) as session:
        m = stats.marks(session)
    return f"{m.documents}.{m.claims}.{m.reviews}.{m.finals}.{m.history}"


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
    key = f"{use}:{'all' if document_id is None else document_id}"
    with unit_of_work(engine, read_only=True) as session:
        stored = session.execute(
            select(AgreementSnapshot.version, AgreementSnapshot.payload).where(
                AgreementSnapshot.key == key
            )
        ).one_or_none()
    if stored is not None and stored[0] == current:
        return Figures.model_validate_json(zlib.decompress(stored[1]))
    made = compute(engine, use=use, document_id=document_id, version=current)
    _store(engine, key, made)
    return made


def compute(engine: Engine, *, use: VerdictsUsed, document_id: int | None, version: str) -> Figures:
    """The figures from the database as it is now (the slow path)."""
    whole = tables.load_table(engine, use=use)
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
        return whole, "all documents"
    table = whole.rows(whole.document_ids == document_id)
    return table, whole.document_titles.get(document_id, f"document {document_id}")


def _store(engine: Engine, key: str, made: Figures) -> None:
    payload = zlib.compress(made.model_dump_json().encode("utf-8"), 6)
    try:
        with unit_of_work(engine) as session:
            session.execute(delete(AgreementSnapshot).where(AgreementSnapshot.key == key))
            session.execute(
                insert(AgreementSnapshot).values(key=key, version=made.version, payload=payload)
            )
    except IntegrityError:
        pass  # another process stored the same key at the same moment: theirs is as good
