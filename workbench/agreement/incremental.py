"""The claim × reviewer table kept in memory and brought up to date claim by claim.

Reading the whole table takes seconds at a million reviews (issue 13: 6 of the 10 s an
Agreement open took after any change), while a change touches a claim or two. A server
process keeps the table it last read, with the data's version at that reading
(``workbench.db.snapshots.version``: the newest ids of documents, claims, reviews, final
verdicts and history), and at the next version re-reads only the claims changed since:

* a review or final verdict added: its id is above the version's, its row names the claim;
* a review, URL, final verdict or claim status changed: the change appended a history entry
  (``workbench.review.writes``, ``workbench.audit``) above the version's, naming the claim.

A consensus undone deletes the claim's final verdict (and writes a history entry naming
it); when that was the newest, the version's final-verdict id goes back, and as a new one
may then reuse an id, every final verdict is read (short rows) and compared with the table's.

Anything else re-reads the whole table: a new document or claim (imports, corrections), a
history entry naming no claim (an account renamed), more than :data:`MOST_CHANGED` claims.

The claims re-read replace their rows whole (in place when they are the same claims, the
usual change of a verdict), so a change landing while the table is read
(after its version was) is simply read twice. The result is the table :func:`load_table`
would read, array for array (``tests/agreement/test_incremental.py`` checks it on random
changes, on both backends).

A process that holds no table (just started, another replica) loads the copy stored in the
database (:mod:`workbench.agreement.copies`) and patches it from the copy's version the same
way. A copy is stored after every whole read, and again once the claims patched since the last
one exceed :data:`STORE_AFTER`, so that the claims a fresh process re-reads stay few.

A restore can bring back older ids with other data behind them: a table held here or stored
is used only while the database still holds the token it was read under
(``copies.TOKEN_KEY`` in ``figure_snapshots``, which a restore empties), so a restored
database is read whole.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, select

from workbench.agreement import copies
from workbench.agreement import table as tables
from workbench.agreement.table import VerdictsUsed, VerdictTable
from workbench.audit import MOST_CHANGED, changed_claims
from workbench.db import snapshots
from workbench.db.models import FinalVerdict
from workbench.db.session import unit_of_work

# A new copy is stored once this many claims were patched since the last (an over-count:
# a claim changed twice counts twice): storing costs ~0.2 s at 100,000 claims, re-reading a
# hundred claims in a fresh process a few hundredths.
STORE_AFTER = 100


@dataclass(frozen=True)
class _Held:
    version: str
    token: str
    table: VerdictTable
    unstored: int  # claims patched since the stored copy (over-counted)


_held: dict[tuple[str, VerdictsUsed, int | None], _Held] = {}
_lock = threading.Lock()


def current_table(
    engine: Engine, *, use: VerdictsUsed, version: str, project_id: int | None = None
) -> VerdictTable:
    """The whole table as of ``version`` or later (read after it): patched from the one held
    in memory, or else from the copy stored in the database, when that is possible, else read
    whole. ``version`` is read by the caller before calling, as ``workbench.db.snapshots``
    requires. ``project_id``: the table of that project's claims (held and stored apart);
    None: of every claim."""
    key = (engine.url.render_as_string(hide_password=True), use, project_id)
    with _lock:  # one reader per table: two sessions opening at once share the work
        # Read before the data, as the version is: a restore landing after this leaves
        # what is read now under a token that no longer exists.
        token = snapshots.token(engine, copies.TOKEN_KEY)
        # A table's codes are indices into the scale it was read with: one read under
        # another scale is not patched, it is read whole (map-verdicts, a scale changed).
        labels = tables.labels_of(engine, project_id)
        held = _held.get(key)
        if held is not None and (held.token != token or held.table.labels[: len(labels)] != labels):
            held = None  # restored, or the scale changed, since it was read
        if held is not None and held.version == version:
            return held.table
        patched = (
            None
            if held is None
            else _patched(engine, held.table, held.version, version, project_id)
        )
        if patched is not None and held is not None:
            table, unstored = patched[0], held.unstored + patched[1]
        else:
            table, unstored = _from_stored(engine, use, token, version, project_id, labels)
        if unstored > STORE_AFTER:
            try:
                copies.store(engine, table, version=version, token=token, project_id=project_id)
                unstored = 0
            except ValueError:
                pass  # a table this format cannot hold: the next fresh process reads whole
        _held[key] = _Held(version, token, table, unstored)
        return table


def _from_stored(
    engine: Engine,
    use: VerdictsUsed,
    token: str,
    version: str,
    project_id: int | None = None,
    labels: tuple[str, ...] | None = None,
) -> tuple[VerdictTable, int]:
    """The table from the copy stored in the database, patched to ``version``, else read
    whole; and the claims patched since the copy (over :data:`STORE_AFTER`: store one)."""
    stored = copies.load(engine, use=use, token=token, project_id=project_id)
    if stored is not None and (labels is None or stored[1].labels[: len(labels)] == labels):
        since, table = stored
        if since == version:
            return table, 0
        patched = _patched(engine, table, since, version, project_id)
        if patched is not None:
            return patched
    return tables.load_table(engine, use=use, project_id=project_id), STORE_AFTER + 1


def forget() -> None:
    """Drop the tables held in this process (tests, benchmarks)."""
    with _lock:
        _held.clear()


def _patched(
    engine: Engine, old: VerdictTable, since: str, version: str, project_id: int | None = None
) -> tuple[VerdictTable, int] | None:
    """``old`` (read at ``since``) brought to ``version``, and the claims re-read; None when
    it must be read whole."""
    changed = changed_claims(engine, since, version)
    if changed is None:
        return None
    if _finals_went_back(since, version):
        changed |= _finals_changed(engine, old)
        if len(changed) > MOST_CHANGED:
            return None
    table = _with_claims(engine, old, changed, project_id)
    return None if table is None else (table, len(changed))


def _finals_went_back(since: str, version: str) -> bool:
    return int(since.split(".")[3]) > int(version.split(".")[3])


def _finals_changed(engine: Engine, old: VerdictTable) -> set[int]:
    """The claims of ``old`` whose final verdict is not the one it holds, by reading every
    final verdict (tens of thousands of short rows): once the newest final verdict was
    deleted, a new one can reuse an id at or below the version's, and only a comparison
    finds it, whatever wrote it."""
    code = old.code
    now = np.full(old.n_claims, np.nan)
    with unit_of_work(engine, read_only=True) as session:
        # Core rows (the session's connection): the ORM's row handling doubled the cost.
        query = select(FinalVerdict.claim_id, FinalVerdict.verdict)
        rows = session.connection().execute(query).all()
    ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
    codes = np.fromiter((code.get(str(r[1]), np.nan) for r in rows), np.float64, len(rows))
    at = np.searchsorted(old.claim_ids, ids)
    inside = at < old.n_claims
    inside[inside] = old.claim_ids[at[inside]] == ids[inside]
    now[at[inside]] = codes[inside]
    differs = ~((now == old.final) | (np.isnan(now) & np.isnan(old.final)))
    return {int(c) for c in old.claim_ids[differs].tolist()}


def _with_claims(
    engine: Engine, old: VerdictTable, changed: set[int], project_id: int | None = None
) -> VerdictTable | None:
    use = old.use
    part = tables.load_claims(engine, changed, use=use, project_id=project_id)
    if part.labels != old.labels:
        return None  # the scale changed (or a verdict off it came): codes mean other labels
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
        labels=old.labels,
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
        labels=old.labels,
    )
