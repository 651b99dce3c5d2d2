"""`workbench import FILE.jsonl`: reviews made elsewhere, loaded onto the claims stored here.

The input is this workbench's own JSONL export (``ExportRecord``, schema versions 1 to 4), or
the minimum another tool would write in the same shape: ``claim_id`` or ``document.sha256`` +
``char_start`` + ``char_end``, and ``reviews`` (``reviewer``, ``verdict``, optionally ``note``,
``urls``, ``decided_at``, ``seconds_spent``, ``blind_verdict``, ``changed_after_reveal``).
Unknown fields are ignored.

* **Matching.** A line that names its document's sha256 and the claim's offsets is matched by
  those (ids from another database mean nothing here); otherwise by ``claim_id``. A ``text``,
  when given, must equal the stored claim's text, or the line is a conflict. A line whose claim
  is not here is reported by line number and skipped; the rest of the file goes on.
* **Two passes.** The whole file is read and validated first, line by line (never held in
  memory); the first bad line raises :class:`InputFileError` naming the file, the line and
  the field, and nothing is written. Validation covers every value's range, not only its
  type (``workbench.storable``): ids and offsets fit an INTEGER column on both backends,
  ``seconds_spent`` is 0 to 30 days, ``decided_at`` and a URL's ``added_at`` are between
  2000-01-01 and tomorrow. A value that parses but does not fit used to fail in the driver
  while writing, after earlier batches were committed.
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
  but recomputed here (:func:`refresh_final`, with this database's ``reviews_per_claim``). An
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

Every change is in the history as the app's changes are, with the importing admin as actor
(``None``, the system, for the command line).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from workbench.audit import Change, Entity, record
from workbench.auth.accounts import log_user, user_name
from workbench.auth.policy import Action, Caller, authorize
from workbench.db.models import Claim, Document, Evidence, FinalVerdict, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import DatabaseBusy, InputFileError, InvalidInput
from workbench.ingest.formats.common import human_size, os_error_message, undecodable
from workbench.review.adjudicate import (
    MAX_REASON_CHARS,
    final_snapshot,
    record_final,
    refresh_final,
)
from workbench.review.decisions import MAX_NOTE_CHARS
from workbench.review.urls import normalise_url
from workbench.schemas import FinalSource, Role, Verdict
from workbench.storable import INT_MAX, int_problem, seconds_problem, time_problem, unstorable
from workbench.transfer.bulk_lock import bulk_lock

BATCH = 500  # lines a transaction at most...
TRANSACTION_SECONDS = 0.2  # ... and about this long at most: what a reviewer's save may wait
SQLITE_PAUSE = 0.1  # between transactions on SQLite: the write lock is free for the others
SCHEMA_VERSIONS = (1, 2, 3, 4)  # the ExportRecord versions this reads
MAX_LINE_BYTES = 64 * 1024 * 1024  # one record; a longer line is refused without being read
IMPORTED = "[imported]"  # prefixes the reason of an imported adjudicated final verdict


# --- the input: one line ------------------------------------------------------------------


def _utc(value: datetime | None) -> datetime | None:
    """A time without a zone is taken as UTC (as ingest reads ``published``)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _plausible_time(value: datetime | None) -> datetime | None:
    """A time the workbench could have stamped (2000-01-01 to tomorrow), in UTC."""
    value = _utc(value)
    if value is None:
        return None
    problem = time_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _id(value: int | None, low: int = 1) -> int | None:
    """An id or an offset that fits an INTEGER column on every backend."""
    if value is None:
        return None
    problem = int_problem(value, low, INT_MAX)
    if problem is not None:
        raise ValueError(problem)
    return value


def _storable(value: str) -> str:
    problem = unstorable(value)
    if problem is not None:
        raise ValueError(problem)
    return value


class ImportUrl(BaseModel):
    """A corroborating URL: ``{"url": ..., "added_at": ...}`` as exported, or a plain string."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str
    added_at: datetime | None = None

    @field_validator("url")
    @classmethod
    def _normalised(cls, value: str) -> str:
        # The same rules as a URL a reviewer types in: http(s) with a host, canonical form.
        try:
            return normalise_url(value)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None

    @field_validator("added_at")
    @classmethod
    def _zoned(cls, value: datetime | None) -> datetime | None:
        return _plausible_time(value)


class ImportReview(BaseModel):
    """One reviewer's review of the line's claim."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    reviewer: str
    verdict: Verdict | None  # required, and null while undecided
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
    urls: list[ImportUrl] = Field(default_factory=list)
    decided_at: datetime | None = None
    seconds_spent: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    # Schema version 4 (workbench.review.blind); absent: the verdict is the blind one.
    blind_verdict: Verdict | None = None
    changed_after_reveal: bool = False

    @field_validator("reviewer")
    @classmethod
    def _name(cls, value: str) -> str:
        try:
            return user_name(value)  # as accounts store names: trimmed, printable
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None

    @field_validator("note", mode="before")
    @classmethod
    def _no_note(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("note")
    @classmethod
    def _note_storable(cls, value: str) -> str:
        return _storable(value)

    @field_validator("urls", mode="before")
    @classmethod
    def _plain_urls(cls, value: object) -> object:
        if value is None:
            return []
        if isinstance(value, list):
            return [{"url": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("decided_at")
    @classmethod
    def _zoned(cls, value: datetime | None) -> datetime | None:
        return _plausible_time(value)

    @field_validator("seconds_spent")
    @classmethod
    def _spent(cls, value: float | None) -> float | None:
        # 1e308 seconds is a valid float, and an OverflowError in every page that adds it to
        # a time: held to what a reviewer could have spent.
        problem = None if value is None else seconds_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @property
    def names_blind_verdict(self) -> bool:
        return "blind_verdict" in self.model_fields_set

    def blind(self) -> tuple[str | None, bool]:
        """(blind verdict, changed after the reveal) as stored for this review."""
        verdict = self.verdict.value if self.verdict else None
        blind = self.blind_verdict.value if self.blind_verdict else None
        if blind is None:
            return verdict, False
        # A verdict other than the blind one can only have come after the reveal.
        return blind, self.changed_after_reveal or (verdict is not None and verdict != blind)

    def url_list(self) -> list[str]:
        """The normalised URLs, each once, in the file's order."""
        return list(dict.fromkeys(u.url for u in self.urls))


class ImportDocument(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sha256: str | None = None

    @field_validator("sha256")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digest = value.strip().lower()
        if len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
            raise ValueError("must be the 64 hexadecimal digits of the sha256 of the text")
        return digest


class ImportRecord(BaseModel):
    """One line of an import: what ``ExportRecord`` writes, or the minimum another tool would.

    Lenient where the export is strict: only the claim's address and ``reviews`` are required,
    and unknown fields are ignored.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    schema_version: int | None = None
    claim_id: int | None = None
    document: ImportDocument | None = None
    char_start: int | None = None
    char_end: int | None = None
    text: str | None = None
    reviews: list[ImportReview]
    final_verdict: Verdict | None = None
    final_source: FinalSource | None = None
    final_reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)

    @field_validator("schema_version")
    @classmethod
    def _readable(cls, value: int | None) -> int | None:
        if value is not None and value not in SCHEMA_VERSIONS:
            raise ValueError(
                f"{value} is not a version this workbench reads "
                f"({SCHEMA_VERSIONS[0]} to {SCHEMA_VERSIONS[-1]})"
            )
        return value

    @field_validator("claim_id")
    @classmethod
    def _claim_id(cls, value: int | None) -> int | None:
        # Checked here, in the first pass: an id that does not fit the column would otherwise
        # fail as a driver error while the lines before it are already committed.
        return _id(value)

    @field_validator("char_start", "char_end")
    @classmethod
    def _offset(cls, value: int | None) -> int | None:
        return _id(value, low=0)

    @field_validator("final_reason")
    @classmethod
    def _reason_storable(cls, value: str | None) -> str | None:
        return None if value is None else _storable(value)

    @property
    def sha256(self) -> str | None:
        return self.document.sha256 if self.document else None

    @property
    def by_offsets(self) -> bool:
        """True when the line names document and offsets: they, not the id, find the claim."""
        return None not in (self.sha256, self.char_start, self.char_end)

    @property
    def adjudicated(self) -> bool:
        return self.final_source == FinalSource.adjudicated


# pydantic's wording is for programmers; these say what the file's author should fix.
_MESSAGES = {
    "missing": "is missing",
    "string_type": "must be a string",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "datetime_type": "must be an ISO 8601 time, like 2024-03-01T09:30:00Z",
    "datetime_parsing": "must be an ISO 8601 time, like 2024-03-01T09:30:00Z",
    "datetime_from_date_parsing": "must be an ISO 8601 time, like 2024-03-01T09:30:00Z",
}
# The enum fields of a line, all of which may be null.
_ENUMS: dict[str, type[Verdict] | type[FinalSource]] = {
    "verdict": Verdict,
    "blind_verdict": Verdict,
    "final_verdict": Verdict,
    "final_source": FinalSource,
}
_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number"}


def _field_path(loc: tuple[int | str, ...]) -> str | None:
    """``("reviews", 0, "verdict")`` → ``reviews[0].verdict``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or None


def _explain(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "enum":
        choices = _ENUMS.get(str(error["loc"][-1]))
        allowed = (
            ", ".join(choice.value for choice in choices) + " or null"
            if choices is not None
            else str(ctx.get("expected", "one of the known values"))
        )
        return f"must be {allowed}, not {error['input']!r}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}, not {error['input']!r}"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    message = str(error["msg"])
    return message[:1].lower() + message[1:]


def parse_line(raw: str, path: str, number: int) -> ImportRecord:
    """One line as an :class:`ImportRecord`, or :class:`InputFileError` naming the field."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InputFileError(
            path, number, None, f"not valid JSON: {error.msg} (column {error.colno})"
        ) from None
    except ValueError as error:  # an integer of more than 4,300 digits
        raise InputFileError(path, number, None, f"not usable JSON: {error}") from None
    except RecursionError:
        raise InputFileError(path, number, None, "not usable JSON: nested too deeply") from None
    if not isinstance(data, dict):
        kind = "true/false" if isinstance(data, bool) else _JSON_KINDS.get(type(data), "null")
        raise InputFileError(path, number, None, f"a line must hold one JSON object, not {kind}")
    try:
        item = ImportRecord.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems on this line)" if len(errors) > 1 else ""
        field = _field_path(first["loc"])
        raise InputFileError(path, number, field, _explain(first) + more) from None
    if not item.by_offsets and item.claim_id is None:
        raise InputFileError(
            path,
            number,
            None,
            "names no claim: give claim_id, or document.sha256 with char_start and char_end",
        )
    start, end = item.char_start, item.char_end
    if start is not None and end is not None and end <= start:
        raise InputFileError(
            path, number, "char_end", f"must be greater than char_start ({item.char_start})"
        )
    if item.adjudicated and item.final_verdict is None:
        raise InputFileError(
            path, number, "final_verdict", "is missing; an adjudicated final needs a verdict"
        )
    return item


def read_records(path: Path) -> Iterator[tuple[int, ImportRecord]]:
    """Each non-blank line of ``path`` with its number, parsed, as a stream.

    Raises :class:`InputFileError` at the first line that cannot be used (or if the file
    cannot be read), naming the file, the line and the field.
    """
    source = str(path)
    try:
        with path.open("rb") as stream:
            yield from _parsed(stream, source)
    except OSError as error:
        raise InputFileError(source, None, None, os_error_message(error)) from None


def _parsed(stream: BinaryIO, source: str) -> Iterator[tuple[int, ImportRecord]]:
    offset = 0
    number = 0
    while chunk := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        start, offset = offset, offset + len(chunk)
        if len(chunk) > MAX_LINE_BYTES:
            message = f"line is over the {human_size(MAX_LINE_BYTES)} limit for one record"
            raise InputFileError(source, number, None, message)
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputFileError(source, number, None, undecodable(error, start)) from None
        if number == 1:
            line = line.removeprefix("\ufeff")
        if line.strip():
            yield number, parse_line(line, source, number)


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


class ImportReport(BaseModel):
    file: str
    lines: int = 0  # records read (blank lines aside)
    claims_matched: int = 0  # distinct claims here that lines were matched to
    reviews_added: int = 0
    reviews_unchanged: int = 0  # already here, identical
    finals_added: int = 0  # adjudicated final verdicts imported
    conflicts: list[ImportConflict] = Field(default_factory=list)
    unmatched: list[UnmatchedLine] = Field(default_factory=list)
    new_reviewers: list[str] = Field(default_factory=list)  # accounts created, no password

    def summary(self) -> str:
        return (
            f"{self.lines} lines, {self.claims_matched} claims matched: "
            f"{self.reviews_added} reviews added, {self.reviews_unchanged} unchanged, "
            f"{self.finals_added} adjudicated finals added, {len(self.conflicts)} conflicts, "
            f"{len(self.unmatched)} unmatched, {len(self.new_reviewers)} new reviewers "
            "(an interrupted import is finished by running it again: nothing is added twice)"
        )


# --- the import -----------------------------------------------------------------------------


def import_reviews(
    engine: Engine, path: Path, *, actor: Caller, batch: int = BATCH
) -> ImportReport:
    """Load the reviews of a JSONL file into the database (see the module's docstring).

    ``actor`` must be allowed to import (admins, and ``SYSTEM``: the command line, whose user
    already holds the database). Raises :class:`InputFileError` for a bad file, before
    anything is written.
    """
    stored = authorize(engine, actor, Action.import_data)
    path = Path(path)
    with bulk_lock(engine, "import"):
        for _ in read_records(path):  # the first pass: every line valid, or nothing is written
            pass
        importer = _Importer(ImportReport(file=str(path)), stored)
        pause = SQLITE_PAUSE if engine.dialect.name == "sqlite" else 0.0
        lines = read_records(path)
        more = True
        while more:
            more = _transaction(engine, importer, lines, max(batch, 1), path)
            importer.committed()
            if more and pause:
                time.sleep(pause)
    return importer.report


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

    def __init__(self, report: ImportReport, actor: Caller) -> None:
        self.report = report
        self.actor = actor
        self.actor_id = actor.id
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
        session.execute(select(Claim.id).where(Claim.id == claim.id).with_for_update())
        added = False
        for review in item.reviews:
            added = self._review(session, number, claim.id, review) or added
        if item.adjudicated:
            self._final(session, number, claim.id, item)
        if added:
            # After the adjudicated final (if any): refresh_final leaves an adjudicated final be.
            refresh_final(session, claim.id)

    def _match(self, session: Session, number: int, item: ImportRecord) -> Claim | None:
        if item.by_offsets:
            document_id = session.scalar(select(Document.id).where(Document.sha256 == item.sha256))
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
        review = Review(
            claim_id=claim_id,
            reviewer_id=reviewer_id,
            verdict=item.verdict.value if item.verdict else None,
            blind_verdict=blind_verdict,
            changed_after_reveal=changed,
            note=item.note,
            decided_at=decided_at,
            seconds_spent=item.seconds_spent,
            evidence=[_evidence(url, added_at[url]) for url in urls],
        )
        session.add(review)
        session.flush()
        # The history as decisions.py writes it: the review, then each URL.
        after: dict[str, object] = {"verdict": review.verdict, "note": review.note}
        if changed:
            after["changed_after_reveal"] = True
        record(
            session,
            actor_id=self.actor_id,
            entity=Entity.review,
            entity_id=review.id,
            action=Change.create,
            before=None,
            after=after,
            claim_id=claim_id,
        )
        for evidence in review.evidence:
            record(
                session,
                actor_id=self.actor_id,
                entity=Entity.url,
                entity_id=evidence.id,
                action=Change.create,
                before=None,
                after={"url": evidence.url, "review_id": review.id},
                claim_id=claim_id,
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
            self.report.new_reviewers.append(name)
        self._pending[name] = user.id
        return user.id

    def _final(self, session: Session, number: int, claim_id: int, item: ImportRecord) -> None:
        verdict = item.final_verdict
        assert verdict is not None  # parse_line refuses an adjudicated final without one
        final = session.scalar(select(FinalVerdict).where(FinalVerdict.claim_id == claim_id))
        if final is not None and final.source == FinalSource.adjudicated.value:
            if final.verdict != verdict.value:
                self._conflict(
                    number,
                    claim_id,
                    None,
                    f"claim {claim_id} is adjudicated here as {final.verdict}, in the file as "
                    f"{verdict.value}; the final verdict here was kept",
                )
            return
        reason = f"{IMPORTED} {(item.final_reason or '').strip() or '(no reason given)'}"
        now = datetime.now(UTC)  # after the reviews: not "reviews changed since adjudication"
        if final is None:
            final = FinalVerdict(
                claim_id=claim_id,
                verdict=verdict.value,
                source=FinalSource.adjudicated.value,
                reason=reason,
                decided_by_id=self.actor_id,
                decided_at=now,
            )
            session.add(final)
            session.flush()
            after = final_snapshot(final)
            record_final(session, self.actor_id, claim_id, Change.create, None, after)
        else:  # a single or consensus final: an admin's decision takes its place
            before = final_snapshot(final)
            final.verdict = verdict.value
            final.source = FinalSource.adjudicated.value
            final.reason = reason
            final.decided_by_id = self.actor_id
            final.decided_at = now
            session.flush()
            record_final(
                session, self.actor_id, claim_id, Change.update, before, final_snapshot(final)
            )
        self.report.finals_added += 1

    def _unmatched(self, number: int, reason: str) -> None:
        self.report.unmatched.append(UnmatchedLine(line=number, reason=reason))

    def _conflict(self, number: int, claim_id: int, reviewer: str | None, reason: str) -> None:
        self.report.conflicts.append(
            ImportConflict(line=number, claim_id=claim_id, reviewer=reviewer, reason=reason)
        )


def _evidence(url: str, added_at: datetime | None) -> Evidence:
    # Only when the file says: an explicit None would be stored as NULL, not as "now".
    return Evidence(url=url) if added_at is None else Evidence(url=url, added_at=added_at)


def _differences(review: Review, item: ImportReview, urls: list[str]) -> list[str]:
    """What differs between a stored review and the file's (timing is not compared)."""
    found = []
    file_verdict = item.verdict.value if item.verdict else None
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
