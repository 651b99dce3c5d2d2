"""The table every agreement figure rests on: claim × reviewer → verdict, read in one query.

Only claims still in the dataset count (status ``open``): a claim taken out as "not a
check-worthy claim" has no verdict to agree on. Reviews without a verdict yet (a note or a URL
saved before deciding) are not ratings.

Which verdict of a review is its rating is the caller's choice, ``use``: ``blind`` (the
default), the verdict as given before the reviewer could see anyone else's, so that agreement
measures what reviewers judged independently and not what they converged on after the reveal
(``workbench.review.blind``); or ``current``, the verdict as it stands now. A review with no
blind verdict recorded (made before they were kept, with no history to recover it) rates by
its verdict in both views.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, TextIO

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim, Document, FinalVerdict, Project, Review, User
from workbench.db.session import unit_of_work
from workbench.files.atomic import atomic_text_file
from workbench.files.csv_safety import neutralise
from workbench.projects.scale import DEFAULT_SCALE, names_of
from workbench.projects.service import resolve_project
from workbench.schemas import ClaimStatus

# The labels of a table read before projects had scales of their own, and of the default
# scale: the category codes of the coefficients are indices into a table's ``labels``.
DEFAULT_LABELS: tuple[str, ...] = DEFAULT_SCALE.names

# Which verdict of each review the figures rest on (see the module's docstring).
VerdictsUsed = Literal["blind", "current"]
VERDICTS_USED: tuple[VerdictsUsed, ...] = ("blind", "current")

# claim id, document id, reviewer, verdict (never None here), seconds spent, decided at,
# and whether the review's current verdict differs from its blind one
ReviewRow = tuple[int, int, str, str | None, float | None, datetime | None, bool]


@dataclass(frozen=True)
class VerdictTable:
    """Reviews as matrices: one row a claim, one column a reviewer, NaN where none.

    ``ratings`` holds category codes (indices into ``labels``, the project's scale, best
    first); ``seconds`` and ``decided`` (POSIX seconds) sit in the same cells. ``final`` is
    each claim's final verdict code, NaN where it has none.
    """

    claim_ids: NDArray[np.int64]
    document_ids: NDArray[np.int64]
    reviewers: list[str]
    ratings: NDArray[np.float64]
    seconds: NDArray[np.float64]
    decided: NDArray[np.float64]
    final: NDArray[np.float64]
    claim_texts: list[str]
    document_titles: dict[int, str]
    # Which verdicts ``ratings`` holds, and per claim how many of its reviews' current
    # verdicts differ from their blind ones (changed after the reveal).
    use: VerdictsUsed = "blind"
    changed: NDArray[np.int64] | None = None
    labels: tuple[str, ...] = DEFAULT_LABELS

    @property
    def code(self) -> dict[str, int]:
        """Each label's category code."""
        return {label: code for code, label in enumerate(self.labels)}

    @property
    def changed_after_reveal(self) -> int:
        """Reviews in the table whose current verdict is not their blind one."""
        return 0 if self.changed is None else int(self.changed.sum())

    @property
    def verdicts(self) -> int:
        """The verdicts in the table (its CSV's rows)."""
        return int(np.count_nonzero(~np.isnan(self.ratings)))

    @property
    def n_claims(self) -> int:
        return int(self.ratings.shape[0])

    def rows(self, mask: NDArray[np.bool_]) -> VerdictTable:
        """The same table narrowed to the claims ``mask`` selects."""
        return VerdictTable(
            claim_ids=self.claim_ids[mask],
            document_ids=self.document_ids[mask],
            reviewers=self.reviewers,
            ratings=self.ratings[mask],
            seconds=self.seconds[mask],
            decided=self.decided[mask],
            final=self.final[mask],
            claim_texts=[t for t, keep in zip(self.claim_texts, mask, strict=True) if keep],
            document_titles=self.document_titles,
            use=self.use,
            changed=None if self.changed is None else self.changed[mask],
            labels=self.labels,
        )

    def save_csv(self, path: Path) -> int:
        """:meth:`write_csv` to ``path``, which appears whole or not at all."""
        with atomic_text_file(path) as handle:
            return self.write_csv(handle)

    def write_csv(self, out: TextIO) -> int:
        """The raw table, long form: one row per review, so any tool can recompute a figure.

        Long rather than wide so that a reviewer's name never becomes a column header and
        a file with thousands of claims stays a plain three-column table. Returns the rows.
        """
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["claim_id", "document_id", "reviewer", "verdict", "final_verdict"])
        count = 0
        rows, cols = np.nonzero(~np.isnan(self.ratings))
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            final = self.final[row]
            writer.writerow(
                [
                    int(self.claim_ids[row]),
                    int(self.document_ids[row]),
                    neutralise(self.reviewers[col]),
                    self.labels[int(self.ratings[row, col])],
                    "" if np.isnan(final) else self.labels[int(final)],
                ]
            )
            count += 1
        return count


def load_table(
    engine: Engine,
    *,
    document_id: int | None = None,
    use: VerdictsUsed = "blind",
    project_id: int | None = None,
) -> VerdictTable:
    """Every decided review of an open claim (of one document, if given; of one project's
    claims, if given), as a table of their blind verdicts, or of their current ones
    (``use``)."""
    return _load(engine, use=use, document_id=document_id, project_id=project_id)


def load_claims(
    engine: Engine,
    claim_ids: Collection[int],
    *,
    use: VerdictsUsed,
    project_id: int | None = None,
) -> VerdictTable:
    """:func:`load_table` narrowed to the claims ``claim_ids`` (those of them that have a
    decided review and are open, in the project if given): the rows a change of those claims
    can have changed."""
    return _load(engine, use=use, only=sorted(claim_ids), project_id=project_id)


def _load(
    engine: Engine,
    *,
    use: VerdictsUsed,
    document_id: int | None = None,
    only: Sequence[int] | None = None,
    project_id: int | None = None,
) -> VerdictTable:
    blind = func.coalesce(Review.blind_verdict, Review.verdict)
    query = (
        select(
            Review.claim_id,
            Claim.document_id,
            User.name,
            blind if use == "blind" else Review.verdict,
            Review.seconds_spent,
            Review.decided_at,
            Review.verdict != blind,
        )
        .join(Claim, Claim.id == Review.claim_id)
        .join(User, User.id == Review.reviewer_id)
        .where(Review.verdict.is_not(None), Claim.status == ClaimStatus.open.value)
        .order_by(Review.claim_id)
    )
    if document_id is not None:
        query = query.where(Claim.document_id == document_id)
    if project_id is not None:
        query = query.where(Claim.project_id == project_id)
    if only is not None:
        query = query.where(Review.claim_id.in_(only))
    # Read-only: on SQLite a long read must not hold the write lock (every save would wait).
    with unit_of_work(engine, read_only=True) as session:
        scales = _scales(session, project_id)
        rows = session.execute(query).all()
        claim_ids = np.unique(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
        texts: dict[int, str] = {}
        finals: dict[int, str] = {}
        titles: dict[int, str] = {}
        if len(claim_ids):
            # Side tables are read whole and filtered here: an IN list of 100,000 ids is
            # slower than the scan, and both are small next to the reviews.
            wanted = set(claim_ids.tolist())
            claim_query = select(Claim.id, Claim.text).where(Claim.status == ClaimStatus.open.value)
            final_query = select(FinalVerdict.claim_id, FinalVerdict.verdict)
            if only is not None:  # a few claims: looked up, not scanned
                claim_query = claim_query.where(Claim.id.in_(only))
                final_query = final_query.where(FinalVerdict.claim_id.in_(only))
            if project_id is not None:
                claim_query = claim_query.where(Claim.project_id == project_id)
            if document_id is not None:
                claim_query = claim_query.where(Claim.document_id == document_id)
                final_query = final_query.join(Claim, Claim.id == FinalVerdict.claim_id).where(
                    Claim.document_id == document_id
                )
            texts = {cid: text for cid, text in session.execute(claim_query) if cid in wanted}
            finals = {cid: v for cid, v in session.execute(final_query) if cid in wanted}
            titles = dict(session.execute(_titles(project_id)).all())
        elif only is not None:  # a patch of the whole table, which holds every title
            titles = dict(session.execute(_titles(project_id)).all())
    return _assemble(rows, claim_ids, texts, finals, titles, use, _labels(scales, rows, finals))


def labels_of(engine: Engine, project_id: int | None = None) -> tuple[str, ...]:
    """The labels a table of the project (None: of every claim) has, unless its rows hold
    verdicts off the scale (:func:`_labels`): what a table kept or stored must still have."""
    with unit_of_work(engine, read_only=True) as session:
        return _labels(_scales(session, project_id), (), {})


def _scales(session: Session, project_id: int | None) -> list[tuple[str, ...]]:
    query = select(Project.verdict_scale).order_by(Project.id)
    if project_id is not None:
        query = query.where(Project.id == project_id)
    return [names_of(stored) for stored in session.scalars(query)]


def _labels(
    scales: Sequence[tuple[str, ...]], rows: Sequence[ReviewRow], finals: dict[int, str]
) -> tuple[str, ...]:
    """The project's scale, best first (of every project: the first one's, then the others'
    verdicts not on it); then, sorted, any verdict the rows hold that is off it (a hand-edited
    row): the table reads what is stored rather than failing."""
    labels = list(scales[0]) if scales else list(DEFAULT_LABELS)
    for names in scales[1:]:
        labels += [name for name in names if name not in labels]
    known = set(labels)
    other = {str(r[3]) for r in rows} | set(finals.values())
    return (*labels, *sorted(other - known))


def _titles(project_id: int | None) -> Select[int, str]:
    query = select(Document.id, Document.title)
    return query if project_id is None else query.where(Document.project_id == project_id)


def _assemble(
    rows: Sequence[ReviewRow],
    claim_ids: NDArray[np.int64],
    texts: dict[int, str],
    finals: dict[int, str],
    titles: dict[int, str],
    use: VerdictsUsed = "blind",
    labels: tuple[str, ...] = DEFAULT_LABELS,
) -> VerdictTable:
    code = {label: n for n, label in enumerate(labels)}
    reviewers = sorted({r[2] for r in rows})
    column = {name: i for i, name in enumerate(reviewers)}
    shape = (len(claim_ids), len(reviewers))
    n = len(rows)
    # Column by column into NumPy, then one fancy-indexed assignment per matrix: a loop of
    # cell assignments costs seconds at a million reviews.
    row_index = np.searchsorted(claim_ids, np.fromiter((r[0] for r in rows), np.int64, n))
    col_index = np.fromiter((column[r[2]] for r in rows), np.int64, n)
    ratings = np.full(shape, np.nan)
    ratings[row_index, col_index] = np.fromiter((code[str(r[3])] for r in rows), np.float64, n)
    seconds = np.full(shape, np.nan)
    seconds[row_index, col_index] = np.fromiter(
        (np.nan if r[4] is None else r[4] for r in rows), np.float64, n
    )
    decided = np.full(shape, np.nan)
    decided[row_index, col_index] = np.fromiter(
        (np.nan if r[5] is None else r[5].timestamp() for r in rows), np.float64, n
    )
    changed = np.zeros(len(claim_ids), dtype=np.int64)
    np.add.at(changed, row_index, np.fromiter((bool(r[6]) for r in rows), np.int64, n))
    document_ids = np.zeros(len(claim_ids), dtype=np.int64)
    document_ids[row_index] = np.fromiter((r[1] for r in rows), np.int64, n)
    final = np.array(
        [code[finals[c]] if c in finals else np.nan for c in claim_ids.tolist()], dtype=np.float64
    )
    return VerdictTable(
        claim_ids=claim_ids,
        document_ids=document_ids,
        reviewers=reviewers,
        ratings=ratings,
        seconds=seconds,
        decided=decided,
        final=final,
        claim_texts=[texts.get(c, "") for c in claim_ids.tolist()],
        document_titles=titles,
        use=use,
        changed=changed,
        labels=labels,
    )


def audited_table(
    engine: Engine,
    actor: Caller,
    *,
    document_id: int | None = None,
    use: VerdictsUsed = "blind",
    project: int | str | None = None,
) -> VerdictTable:
    """The claim × reviewer → verdict table the report rests on, for those who may audit
    agreement (``SYSTEM``: the command line, which also writes it out with ``--csv``).
    ``project`` (id or name): its claims only, and the right is the one in it; None: every
    claim, as before projects (the account's own role)."""
    project_id = None if project is None else resolve_project(engine, project, actor).id
    authorize(engine, actor, Action.audit_agreement, project_id)
    return load_table(engine, document_id=document_id, use=use, project_id=project_id)


def scope_of(table: VerdictTable, document_id: int | None) -> str:
    """What a report covers, as its heading says: all documents, or the one's title."""
    if document_id is None:
        return "all documents"
    return table.document_titles.get(document_id, f"document {document_id}")
