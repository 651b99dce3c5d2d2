"""What ``workbench import FILE.jsonl`` reads: one line of reviews, validated whole.

The input is this workbench's own JSONL export (``ExportRecord``, schema versions 1 to 4), or
the minimum another tool would write in the same shape: ``claim_id`` or ``document.sha256`` +
``char_start`` + ``char_end``, and ``reviews`` (``reviewer``, ``verdict``, optionally ``note``,
``urls``, ``decided_at``, ``seconds_spent``, ``blind_verdict``, ``changed_after_reveal``).
Unknown fields are ignored.

Kept apart from the writing (``workbench.transfer.import_reviews``) because the import reads
the file twice: a first pass validates every line, line by line (never held in memory), and
the first bad line raises :class:`InputFileError` naming the file, the line and the field,
before anything is written. Validation covers every value's range, not only its type
(``workbench.storable``): ids and offsets fit an INTEGER column on both backends,
``seconds_spent`` is 0 to 30 days, ``decided_at`` and a URL's ``added_at`` are between
2000-01-01 and tomorrow. A value that parses but does not fit used to fail in the driver
while writing, after earlier batches were committed.

Verdicts (``verdict``, ``blind_verdict``, ``final_verdict``) are checked against the verdict
scale of the project the import goes into (``read_records(path, scale)``; the default scale
when none is given): a verdict that is not on it is refused there, naming the file, the line
and the value, and nothing is written. They are kept as the strings the scale names them by.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import ErrorDetails

from workbench.auth.accounts import user_name
from workbench.errors import InputFileError, InvalidInput
from workbench.ingest.formats.common import human_size, os_error_message, undecodable
from workbench.projects.scale import DEFAULT_SCALE, VerdictScale
from workbench.review.adjudicate import MAX_REASON_CHARS
from workbench.review.decisions import MAX_NOTE_CHARS
from workbench.schemas import FinalSource
from workbench.storable import INT_MAX, int_problem, seconds_problem, time_problem, unstorable
from workbench.urls import normalise_url

SCHEMA_VERSIONS = (1, 2, 3, 4, 5)  # the ExportRecord versions this reads
MAX_LINE_BYTES = 64 * 1024 * 1024  # one record; a longer line is refused without being read


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


def _on_scale(value: str | None, info: ValidationInfo) -> str | None:
    """A verdict of the project's scale (the validation context's ``scale``), or null."""
    if value is None:
        return None
    scale: VerdictScale = (info.context or {}).get("scale") or DEFAULT_SCALE
    if value not in scale.names:
        raise ValueError(f"must be {', '.join(scale.names)} or null, not {value!r}")
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
    verdict: str | None  # required, and null while undecided; a verdict of the scale
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)
    urls: list[ImportUrl] = Field(default_factory=list)
    decided_at: datetime | None = None
    seconds_spent: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    # Schema version 4 (workbench.review.blind); absent: the verdict is the blind one.
    blind_verdict: str | None = None
    changed_after_reveal: bool = False

    @field_validator("verdict", "blind_verdict")
    @classmethod
    def _verdict(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _on_scale(value, info)

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
        verdict = self.verdict
        blind = self.blind_verdict
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
    final_verdict: str | None = None
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

    @field_validator("final_verdict")
    @classmethod
    def _final_verdict(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _on_scale(value, info)

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
# The enum fields of a line, all of which may be null (verdicts: see ``_on_scale``).
_ENUMS: dict[str, type[FinalSource]] = {"final_source": FinalSource}
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


def parse_line(raw: str, path: str, number: int, scale: VerdictScale | None = None) -> ImportRecord:
    """One line as an :class:`ImportRecord`, its verdicts on ``scale`` (default: the default
    scale), or :class:`InputFileError` naming the field."""
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
        item = ImportRecord.model_validate(data, context={"scale": scale or DEFAULT_SCALE})
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


def read_records(
    path: Path, scale: VerdictScale | None = None
) -> Iterator[tuple[int, ImportRecord]]:
    """Each non-blank line of ``path`` with its number, parsed (verdicts on ``scale``), as a
    stream.

    Raises :class:`InputFileError` at the first line that cannot be used (or if the file
    cannot be read), naming the file, the line and the field.
    """
    source = str(path)
    try:
        with path.open("rb") as stream:
            yield from _parsed(stream, source, scale)
    except OSError as error:
        raise InputFileError(source, None, None, os_error_message(error)) from None


def _parsed(
    stream: BinaryIO, source: str, scale: VerdictScale | None
) -> Iterator[tuple[int, ImportRecord]]:
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
            yield number, parse_line(line, source, number, scale)
