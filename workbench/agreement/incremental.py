"""The claim × reviewer table kept in memory and brought up to date claim by claim.

Reading the whole table takes seconds at a million reviews (issue 13: 6 of the 10 s an
Agreement open took after any change), while a change touches a claim or two. A server
process keeps the table it last read, with the data's version at that reading
(``workbench.db.snapshots.version``: the newest ids of documents, claims, reviews, final
verdicts and history), and at the next version re-reads only the claims changed since:

* a review or final verdict added: its id is above the version's, its row names the claim;
* a review, URL, final verdict or claim status changed: the change appended a history entry
  (``workbench.review.writes``, ``workbench.audit``) above the version's, naming the claim.

Anything else re-reads the whole table: a new document or claim (imports, corrections), a
history entry naming no claim (an account renamed), more than :data:`MOST_CHANGED` claims.

The claims re-read replace their rows whole (in place when they are the same claims, the
usual change of a verdict), so a change landing while the table is read
(after its version was) is simply read twice. The result is the table :func:`load_table`
would read, array for array (``tests/agreement/test_incremental.py`` checks it on random
changes, on both backends).

A restore can bring back older ids with other data behind them: the table held here is used
only while the database still holds the token stored with it (``figure_snapshots``, which a
restore empties), so a restored database is read whole.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, select

from workbench.agreement import table as tables
from workbench.agreement.table import VerdictsUsed, VerdictTable
from workbench.audit import Entity
from workbench.db import snapshots
from workbench.db.models import Document, FinalVerdict, HistoryEntry, Review
from workbench.db.session import unit_of_work

# Above this many changed claims the whole table is read: a long IN list is no faster, and
# SQLite bounds the number of bound parameters of one statement.
MOST_CHANGED = 500


@dataclass(frozen=True)
class _Held:
    version: str
    token: str
    table: VerdictTable


_held: dict[tuple[str, VerdictsUsed], _Held] = {}
_lock = threading.Lock()


def current_table(engine: Engine, *, use: VerdictsUsed, version: str) -> VerdictTable:
    """The whole table as of ``version`` or later (read after it): patched from the one held
    in memory when that is possible, else read whole. ``version`` is read by the caller
    before calling, as ``workbench.db.snapshots`` requires."""
    key = (engine.url.render_as_string(hide_password=True), use)
    marker = f"agreement-table:{use}"
    with _lock:  # one reader per table: two sessions opening at once share the work
        held = _held.get(key)
        table = None
        if held is not None and held.version == version:
            if snapshots.load(engine, marker, version) == held.token.encode():
                return held.table
        elif held is not None and snapshots.load(engine, marker, held.version) == (
            held.token.encode()
        ):
            table = _patched(engine, held, version, use)
        if table is None:
            table = tables.load_table(engine, use=use)
        token = uuid.uuid4().hex
        snapshots.store(engine, marker, version, token.encode())
        _held[key] = _Held(version, token, table)
        return table


def forget() -> None:
    """Drop the tables held in this process (tests, benchmarks)."""
    with _lock:
        _held.clear()


def changed_claims(engine: Engine, since: str, now: str) -> set[int] | None:
    """The claims whose rows may differ between versions ``since`` and ``now``; None when
    something else changed (or too much), and the table must be read whole."""
    before = [int(part) for part in since.split(".")]
    after = [int(part) for part in now.split(".")]
    if len(before) != 5 or len(after) != 5:
        return None
    documents, claims, reviews, finals, history = before
    if (
        after[0] != documents
        or after[1] != claims
        or any(b > a for b, a in zip(before, after, strict=True))
    ):
        return None
    with unit_of_work(engine, read_only=True) as session:
        found: set[int] = set(
            session.scalars(select(Review.claim_id).where(Review.id > reviews)).all()
        )
        found.update(
            session.scalars(select(FinalVerdict.claim_id).where(FinalVerdict.id > finals)).all()
        )
        entries = session.execute(
            select(HistoryEntry.claim_id, HistoryEntry.entity).where(HistoryEntry.id > history)
        ).all()
        newest_document = session.scalar(select(Document.id).order_by(Document.id.desc()).limit(1))
    if int(newest_document or 0) != documents:
        return None
    for claim_id, entity in entries:
        if claim_id is not None:
            found.add(int(claim_id))
        elif entity != Entity.setting.value:  # settings do not enter the table
            return None
    return found if len(found) <= MOST_CHANGED else None


def _patched(engine: Engine, held: _Held, version: str, use: VerdictsUsed) -> VerdictTable | None:
    changed = changed_claims(engine, held.version, version)
    if changed is None:
        return None
    old = held.table
    part = tables.load_claims(engine, changed, use=use)
    if not set(part.reviewers) <= set(old.reviewers):
        return None  # a reviewer's first verdict: a new column, read whole
    keep = ~np.isin(old.claim_ids, np.fromiter(changed, np.int64, len(changed)))
    columns = [old.reviewers.index(name) for name in part.reviewers]
    if np.array_equal(old.claim_ids[~keep], part.claim_ids):
        return _in_place(old, part, np.flatnonzero(~keep), columns)

    def widened(values: np.ndarray) -> np.ndarray:
        wide = np.full((len(part.claim_ids), len(old.reviewers)), np.nan)
        wide[:, columns] = values
        return wide

    claim_ids = np.concatenate([old.claim_ids[keep], part.claim_ids])
    order = np.argsort(claim_ids, kind="stable")
    texts = [t for t, k in zip(old.claim_texts, keep.tolist(), strict=True) if k]
    texts += part.claim_texts
    ratings = np.concatenate([old.ratings[keep], widened(part.ratings)])[order]
    if (np.isnan(ratings).all(axis=0)).any():
        return None  # a reviewer's last verdict gone: their column goes, read whole
    old_changed = old.changed if old.changed is not None else np.zeros(old.n_claims, np.int64)
    part_changed = part.changed if part.changed is not None else np.zeros(part.n_claims, np.int64)
    return VerdictTable(
        claim_ids=claim_ids[order],
        document_ids=np.concatenate([old.document_ids[keep], part.document_ids])[order],
        reviewers=old.reviewers,
        ratings=ratings,
        seconds=np.concatenate([old.seconds[keep], widened(part.seconds)])[order],
        decided=np.concatenate([old.decided[keep], widened(part.decided)])[order],
        final=np.concatenate([old.final[keep], part.final])[order],
        claim_texts=[texts[i] for i in order.tolist()],
        # Titles are not versioned by an id: read whole every time (thousands of short rows).
        document_titles=part.document_titles,
        use=use,
        changed=np.concatenate([old_changed[keep], part_changed])[order],
    )


def _in_place(
    old: VerdictTable, part: VerdictTable, rows: np.ndarray, columns: list[int]
) -> VerdictTable | None:
    """The usual change (verdicts of claims already in the table, still in it): their rows
    replaced where they are, without re-ordering 100,000 claims."""
    matrices = []
    for name in ("ratings", "seconds", "decided"):
        values = getattr(old, name).copy()
        values[rows] = np.nan
        values[np.ix_(rows, np.asarray(columns, dtype=np.int64))] = getattr(part, name)
        matrices.append(values)
    ratings, seconds, decided = matrices
    if (np.isnan(ratings).all(axis=0)).any():
        return None  # a reviewer's last verdict gone: their column goes, read whole
    document_ids, final = old.document_ids.copy(), old.final.copy()
    document_ids[rows], final[rows] = part.document_ids, part.final
    changed = old.changed.copy() if old.changed is not None else np.zeros(old.n_claims, np.int64)
    if part.changed is not None:
        changed[rows] = part.changed
    texts = list(old.claim_texts)
    for row, text in zip(rows.tolist(), part.claim_texts, strict=True):
        texts[row] = text
    return VerdictTable(
        claim_ids=old.claim_ids,
        document_ids=document_ids,
        reviewers=old.reviewers,
        ratings=ratings,
        seconds=seconds,
        decided=decided,
        final=final,
        claim_texts=texts,
        document_titles=part.document_titles,
        use=old.use,
        changed=changed,
    )
