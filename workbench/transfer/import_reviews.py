"""`workbench import FILE.jsonl`: reviews made elsewhere, loaded onto the claims stored here.

The input (this workbench's JSONL export, or the minimum another tool would write in its
shape) is read and validated by :mod:`workbench.transfer.import_records`; this module matches
its lines to the claims here and writes them, through ``workbench.review.writes``, the
review package's one write path: the rows and history an import writes are the app's.

* **Matching.** A line that names its document's sha256 and the claim's offsets is matched by
  those (ids from another database mean nothing here); otherwise by ``claim_id``. A ``text``,
  when given, must equal the stored claim's text, or the line is a conflict. A line whose claim
  is not here is reported by line number and skipped; the rest of the file goes on.
* **Two passes.** The whole file is read and validated first (``import_records``); the first
  bad line raises :class:`InputFileError` naming the file, the line and the field, and
  nothing is written.
* **Short transactions.** Then the lines are written in transactions of at most ``BATCH`` lines
  and about ``TRANSACTION_SECONDS``: a reviewer saving meanwhile waits for one of them at most
  (on PostgreSQL only if they save a claim the import is writing, on SQLite always: one write
  lock). On SQLite the import pauses ``SQLITE_PAUSE`` between two transactions: a 20,000-line
  import used to hold the lock for seconds at a time, and saves waited 7 s or failed with
  "database is locked". A waiting save tries for the lock every 2 ms
  (:func:`workbench.db.session._sqlite_begin`), so it gets in at the start of the pause;
  SQLite's own busy handler tried only every 100 ms and often slept through it (saves p95
  ~1 s). ``bench/import_contention.py`` measures it.
* **One at a time.** An import or a restore holds the database's bulk lock
  (:mod:`workbench.transfer.bulk_lock`): a second one at the same time is refused at once.
* **Idempotent.** A (claim, reviewer) review already here with the same verdict, note and URLs
  counts as unchanged; with anything different it is a conflict, reported and left as it is:
  an import never overwrites a review. So importing a file twice, or again after a crash,
  adds nothing the first run added.
* **Reviewers.** A name not known here becomes a ``reviewer`` account without a password: it
  cannot log in until an admin sets one (``workbench users set-password``).
* **Finals.** ``single`` and ``consensus`` finals follow from the reviews, so they are not read
  but recomputed here (``refresh_final``, with this database's ``reviews_per_claim``), once per
  line, after its reviews and its adjudicated final (one automatic final in the history). An
  ``adjudicated`` final is imported, its reason prefixed with ``[imported]``, when the claim
  has no adjudicated final here yet; a different adjudicated verdict here is a conflict.
* **Blind verdicts** (``workbench.review.blind``). A review without ``blind_verdict`` (schema
  versions 1 to 3, other tools) takes its verdict as the blind one: the file says nothing of a
  reveal. A review whose verdict differs from the blind verdict it names is stored as changed
  after the reveal whatever its ``changed_after_reveal`` says, since a change before the reveal
  would have moved the blind verdict with it. The finals recomputed here then follow the blind
  verdicts as the app's do. A blind verdict the file names is compared like the verdict.
* **Status.** Claims marked "not a claim" here still get their reviews (they are data, and an
  audit of agreement may want them); a line's own ``status`` is not imported.

* **One project.** An import goes into one project (``project``, as ``resolve_project``
  rules: required when the database holds several). Its verdicts must be on that project's
  verdict scale, and a line that names a claim by id must name one of that project's claims:
  either is refused in the first pass (file, line and value) and nothing is written. A line
  matched by sha256 and offsets is matched among that project's documents only. A reviewer
  account the import creates is made a reviewer of the project.

Every change is in the history as the app's changes are, with the importing admin as actor
(``None``, the system, for the command line).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from workbench.auth.accounts import log_user
from workbench.auth.memberships import set_membership
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim, Document, Project, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import DatabaseBusy, InputFileError
from workbench.projects.service import ProjectOut, resolve_project
from workbench.reports import Report
from workbench.review import stats
from workbench.review.writes import (
    add_review,
    final_row,
    lock_claim,
    record_adjudication,
    refresh_final,
)
from workbench.schemas import ClaimStatus, FinalSource, Role
from workbench.transfer.bulk_lock import bulk_lock
from workbench.transfer.import_records import ImportRecord, ImportReview, read_records

BATCH = 500  # lines a transaction at most...
TRANSACTION_SECONDS = 0.2  # ... and about this long at most: what a reviewer's save may wait
SQLITE_PAUSE = 0.1  # between transactions on SQLite: the write lock is free for the others
IMPORTED = "[imported]"  # prefixes the reason of an imported adjudicated final verdict


# --- the report -----------------------------------------------------------------------------


class ImportConflict(BaseModel):
    """Something the file says that disagrees with what is stored; what is stored was kept."""

    line: int
    claim_id: int | None  # the claim here
    reviewer: str | None  # None when the whole line (its text, its final verdict) conflicts
    reason: str


class UnmatchedLine(BaseModel):
    """A line whose claim is not in this database: skipped."""

    line: int
    reason: str


class ImportReport(Report):
    file: str
    lines: int = 0  # records read (blank lines aside)
    claims_matched: int = 0  # distinct claims here that lines were matched to
    reviews_added: int = 0
    reviews_unchanged: int = 0  # already here, identical
    finals_added: int = 0  # adjudicated final verdicts imported
    conflicts: list[ImportConflict] = Field(default_factory=list)
    unmatched: list[UnmatchedLine] = Field(default_factory=list)
    new_reviewers: list[str] = Field(default_factory=list)  # accounts created, no password

    def counts(self) -> str:
        """What the import did, on one line."""
        return (
            f"{self.lines} lines, {self.claims_matched} claims matched: "
            f"{self.reviews_added} reviews added, {self.reviews_unchanged} unchanged, "
            f"{self.finals_added} adjudicated finals added, {len(self.conflicts)} conflicts, "
            f"{len(self.unmatched)} unmatched, {len(self.new_reviewers)} new reviewers "
            "(an interrupted import is finished by running it again: nothing is added twice)"
        )

    def summary(self) -> str:
        lines = [f"{self.file}: {self.counts()}"]
        lines += [f"line {u.line}: unmatched, skipped: {u.reason}" for u in self.unmatched]
        lines += [f"line {c.line}: conflict: {c.reason}" for c in self.conflicts]
        if self.new_reviewers:
            lines.append(
                "new reviewer accounts (no password, cannot log in yet): "
                + ", ".join(self.new_reviewers)
            )
            lines.append("to let one log in: workbench users set-password NAME")
        return "\n".join(lines)


# --- the import -----------------------------------------------------------------------------


def import_reviews(
    engine: Engine,
    path: Path,
    *,
    actor: Caller,
    batch: int = BATCH,
    project: int | str | None = None,
) -> ImportReport:
    """Load the reviews of a JSONL file into the project's claims (see the module's docstring).

    ``actor`` must be allowed to import into ``project`` (its admins, and ``SYSTEM``: the
    command line, whose user already holds the database). Raises :class:`InputFileError` for
    a bad file, before anything is written.
    """
    chosen = resolve_project(engine, project, actor)
    stored = authorize(engine, actor, Action.import_data, chosen.id)
    path = Path(path)
    with bulk_lock(engine, "import"):
        # The first pass: every line valid, or nothing is written.
        by_id: dict[int, int] = {}  # claim id → the first line naming it by id
        for number, record in read_records(path, chosen.scale):
            if not record.by_offsets and record.claim_id is not None:
                by_id.setdefault(record.claim_id, number)
        _own_claims(engine, path, chosen, by_id)
        importer = _Importer(ImportReport(file=str(path)), stored, chosen.id)
        pause = SQLITE_PAUSE if engine.dialect.name == "sqlite" else 0.0
        lines = read_records(path, chosen.scale)
        more = True
        while more:
            more = _transaction(engine, importer, lines, max(batch, 1), path)
            importer.committed()
            if more and pause:
                time.sleep(pause)
    return importer.report


def _own_claims(engine: Engine, path: Path, project: ProjectOut, by_id: dict[int, int]) -> None:
    """Refuse the first line that names, by id, a claim of another project than ``project``
    (a claim id that is nowhere is left to the second pass: unmatched, as before)."""
    ids = sorted(by_id)
    foreign: list[tuple[int, int, str]] = []  # (line, claim id, its project)
    with unit_of_work(engine) as session:
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            rows = session.execute(
                select(Claim.id, Project.name)
                .join(Document, Document.id == Claim.document_id)
                .join(Project, Project.id == Document.project_id)
                .where(Claim.id.in_(chunk), Document.project_id != project.id)
            ).all()
            foreign += [(by_id[claim_id], claim_id, name) for claim_id, name in rows]
    if foreign:
        line, claim_id, name = min(foreign)
        raise InputFileError(
            str(path),
            line,
            "claim_id",
            f"claim {claim_id} is a claim of project {name}, not of {project.name}, "
            "which this import goes into; nothing was imported",
        )


def _transaction(
    engine: Engine,
    importer: _Importer,
    lines: Iterator[tuple[int, ImportRecord]],
    batch: int,
    path: Path,
) -> bool:
    """Write lines in one short transaction; whether any are left."""
    started = time.monotonic()
    number = 0
    try:
        with unit_of_work(engine) as session:
            for count, (number, item) in enumerate(lines, start=1):
                importer.line(session, number, item)
                if count >= batch or time.monotonic() - started >= TRANSACTION_SECONDS:
                    return True
    except DatabaseBusy:
        raise DatabaseBusy(
            f"{path}: the database stayed busy while line {number} was written; the lines "
            "before it were imported: run the same command again to import the rest (nothing "
            "is added twice)"
        ) from None
    return False


class _Importer:
    """Writes lines into the caller's transaction, and keeps the report."""

    def __init__(self, report: ImportReport, actor: Caller, project_id: int) -> None:
        self.report = report
        self.actor = actor
        self.actor_id = actor.id
        self.project_id = project_id
        self._users: dict[str, int] = {}  # reviewer name → id, as committed
        self._pending: dict[str, int] = {}  # as written in the open transaction
        self._claims: set[int] = set()

    def committed(self) -> None:
        self._users.update(self._pending)
        self._pending.clear()
        self.report.claims_matched = len(self._claims)

    def line(self, session: Session, number: int, item: ImportRecord) -> None:
        self.report.lines += 1
        claim = self._match(session, number, item)
        if claim is None:
            return
        if item.text is not None and item.text != claim.text:
            self._conflict(
                number,
                claim.id,
                None,
                f"the text differs from claim {claim.id}'s here "
                f"({_short(item.text)!r} in the file, {_short(claim.text)!r} here); "
                "nothing of this line was imported",
            )
            return
        self._claims.add(claim.id)
        # As a reviewer's save does, lock the claim first: on PostgreSQL this serialises the
        # import with reviewers saving the same claim (SQLite already holds the write lock).
        lock_claim(session, claim.id)
        added = False
        for review in item.reviews:
            added = self._review(session, number, claim.id, review) or added
        if item.adjudicated:
            self._final(session, number, claim.id, item)
        if added and claim.status == ClaimStatus.held_out:
            # A sentence the extractor held out (workbench.review.rescore) that a person
            # reviewed elsewhere: a claim, in the queue, which the re-scorer then leaves be.
            stats.status_changed(session, claim.id, ClaimStatus.open)
        if added:
            # After the adjudicated final (if any): refresh_final leaves an adjudicated final be.
            refresh_final(session, claim.id)

    def _match(self, session: Session, number: int, item: ImportRecord) -> Claim | None:
        if item.by_offsets:
            document_id = session.scalar(
                select(Document.id).where(
                    Document.sha256 == item.sha256, Document.project_id == self.project_id
                )
            )
            if document_id is None:
                self._unmatched(number, f"no document with sha256 {item.sha256} here")
                return None
            claim = session.scalar(
                select(Claim).where(
                    Claim.document_id == document_id,
                    Claim.char_start == item.char_start,
                    Claim.char_end == item.char_end,
                )
            )
            if claim is None:
                self._unmatched(
                    number,
                    f"document {item.sha256} has no claim at characters "
                    f"{item.char_start}-{item.char_end} here",
                )
            return claim
        claim = session.get(Claim, item.claim_id)
        if claim is not None and claim.document.project_id != self.project_id:
            claim = None  # the first pass refused it; one that moved since is not here either
        if claim is None:
            self._unmatched(number, f"no claim with id {item.claim_id} here")
        return claim

    def _review(self, session: Session, number: int, claim_id: int, item: ImportReview) -> bool:
        """Insert the review unless the reviewer has one here already; True if inserted."""
        reviewer_id = self._reviewer(session, item.reviewer)
        urls = item.url_list()
        existing = session.scalar(
            select(Review)
            .where(Review.claim_id == claim_id, Review.reviewer_id == reviewer_id)
            .options(selectinload(Review.evidence))
        )
        if existing is not None:
            differences = _differences(existing, item, urls)
            if differences:
                self._conflict(
                    number,
                    claim_id,
                    item.reviewer,
                    f"{item.reviewer} already reviewed claim {claim_id} here with a different "
                    f"{'; '.join(differences)}; the review here was kept",
                )
            else:
                self.report.reviews_unchanged += 1
            return False
        decided_at = item.decided_at
        if decided_at is None and item.verdict is not None:
            decided_at = datetime.now(UTC)
        added_at = {u.url: u.added_at for u in reversed(item.urls)}  # the first one wins
        blind_verdict, changed = item.blind()
        add_review(
            session,
            claim_id,
            reviewer_id,
            actor_id=self.actor_id,
            verdict=item.verdict,
            blind_verdict=blind_verdict,
            changed_after_reveal=changed,
            note=item.note,
            decided_at=decided_at,
            seconds_spent=item.seconds_spent,
            urls=[(url, added_at[url]) for url in urls],
            refresh=False,  # once for the line, in line()
        )
        self.report.reviews_added += 1
        return True

    def _reviewer(self, session: Session, name: str) -> int:
        known = self._pending.get(name) or self._users.get(name)
        if known is not None:
            return known
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            # No password: the account exists for its reviews and cannot log in until an
            # admin sets one.
            user = User(name=name, role=Role.reviewer.value, password_hash=None)
            session.add(user)
            session.flush()
            log_user(session, self.actor, user, None)
            project = session.get(Project, self.project_id)
            assert project is not None  # resolved before the import began
            set_membership(session, self.actor_id, user, project, Role.reviewer)
            self.report.new_reviewers.append(name)
        self._pending[name] = user.id
        return user.id

    def _final(self, session: Session, number: int, claim_id: int, item: ImportRecord) -> None:
        verdict = item.final_verdict
        assert verdict is not None  # parse_line refuses an adjudicated final without one
        final = final_row(session, claim_id)
        if final is not None and final.source == FinalSource.adjudicated.value:
            if final.verdict != verdict:
                self._conflict(
                    number,
                    claim_id,
                    None,
                    f"claim {claim_id} is adjudicated here as {final.verdict}, in the file as "
                    f"{verdict}; the final verdict here was kept",
                )
            return
        reason = f"{IMPORTED} {(item.final_reason or '').strip() or '(no reason given)'}"
        # Decided now, after the reviews: not "reviews changed since adjudication". Over a
        # single or consensus final, an admin's decision takes its place.
        record_adjudication(session, claim_id, verdict, reason, actor_id=self.actor_id)
        self.report.finals_added += 1

    def _unmatched(self, number: int, reason: str) -> None:
        self.report.unmatched.append(UnmatchedLine(line=number, reason=reason))

    def _conflict(self, number: int, claim_id: int, reviewer: str | None, reason: str) -> None:
        self.report.conflicts.append(
            ImportConflict(line=number, claim_id=claim_id, reviewer=reviewer, reason=reason)
        )


def _differences(review: Review, item: ImportReview, urls: list[str]) -> list[str]:
    """What differs between a stored review and the file's (timing is not compared)."""
    found = []
    file_verdict = item.verdict
    if review.verdict != file_verdict:
        here, there = review.verdict or "none", file_verdict or "none"
        found.append(f"verdict ({here} here, {there} in the file)")
    if item.names_blind_verdict and review.blind_verdict != item.blind()[0]:
        here, there = review.blind_verdict or "none", item.blind()[0] or "none"
        found.append(f"blind verdict ({here} here, {there} in the file)")
    if review.note != item.note:
        found.append("note")
    if {e.url for e in review.evidence} != set(urls):
        found.append("set of URLs")
    return found


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
