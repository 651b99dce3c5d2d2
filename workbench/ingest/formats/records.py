"""Turn one JSONL or CSV record into a ``DocumentIn``, or into errors naming the bad field.

Both formats carry the same fields (``text`` required; ``title``, ``url``, ``published``,
``metadata`` optional; anything else is kept in ``metadata``), so they share one validator.

A ``url`` is held to the rules for evidence URLs (``workbench.urls``): it is published
(ClaimReview's ``appearance.url``) and shown as a link, so ``javascript:``, ``data:`` and an
address with a password in it must not get through. A bad one costs the record its URL, not
its text: the document is stored without it, and a warning names the file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from workbench.errors import InvalidInput
from workbench.ingest.formats.common import ReadError, ReadWarning, over_limit, title_from
from workbench.schemas import DocumentIn
from workbench.storable import unstorable
from workbench.urls import normalise_url

KNOWN_FIELDS = ("text", "title", "url", "published", "metadata")

# pydantic's wording is for programmers; these say what the record's author should fix.
_MESSAGES = {
    "missing": "is missing; every record needs a non-empty text",
    "string_too_short": "is empty; every record needs a non-empty text",
    "string_type": "must be a string",
    "dict_type": "must be an object",
}


def parse_published(value: object) -> datetime | str:
    """An ISO date or datetime; a time without a zone is taken as UTC. A ``str`` is an error."""
    if not isinstance(value, str):
        return "must be an ISO date string, like 2024-03-01 or 2024-03-01T09:30:00+01:00"
    try:
        published = datetime.fromisoformat(value.strip())
    except ValueError:
        return f"{value[:40]!r} is not an ISO date, like 2024-03-01 or 2024-03-01T09:30:00+01:00"
    return published if published.tzinfo is not None else published.replace(tzinfo=UTC)


def checked_url(raw: str, *, path: str, line: int | None) -> str | ReadWarning:
    """``raw`` in its canonical form, or the warning that it was dropped (and why)."""
    try:
        return normalise_url(raw)
    except InvalidInput as bad:
        return ReadWarning(path, line, "url", f"{bad}; the document is kept without it")


def to_document(
    record: Mapping[str, Any],
    *,
    path: str,
    line: int,
    max_bytes: int,
    extra: Mapping[str, Any],
) -> list[DocumentIn | ReadError]:
    """The record as a document, or the error naming its bad field; a warning first for a
    URL dropped. ``extra`` (the unknown keys) goes into metadata under its own keys.

    Keys in the record's own ``metadata`` win over same-named unknown keys: they were meant.
    A ``None`` optional field counts as absent, so ``"title": null`` gets the default title.
    """

    def error(field: str | None, message: str) -> list[DocumentIn | ReadError]:
        return [ReadError(path, line, field, message)]

    text = record.get("text")
    if isinstance(text, str):
        problem = unstorable(text)
        if problem is not None:
            return error("text", problem)
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            return error("text", f"is {over_limit(size, max_bytes)}")
    published: datetime | None = None
    if record.get("published") not in (None, ""):
        parsed = parse_published(record["published"])
        if isinstance(parsed, str):
            return error("published", parsed)
        published = parsed
    metadata = record.get("metadata")
    if isinstance(metadata, Mapping):
        metadata = {**extra, **metadata}
    elif metadata is None:
        metadata = dict(extra)
    url = None if record.get("url") == "" else record.get("url")
    warnings: list[DocumentIn | ReadError] = []
    if isinstance(url, str):
        checked = checked_url(url, path=path, line=line)
        if isinstance(checked, ReadWarning):
            warnings.append(checked)
            url = None
        else:
            url = checked
    title = record.get("title")
    if title is None or (isinstance(title, str) and not title.strip()):
        title = title_from(text) if isinstance(text, str) else ""
    fields = {
        "text": text,
        "title": title,
        "source": url if isinstance(url, str) else f"{path}#L{line}",
        "url": url,
        "published": published,
        "metadata": metadata,
    }
    try:
        # strict: a number is not a title and a list is not a text; say so instead of coercing.
        return [*warnings, DocumentIn.model_validate(fields, strict=True)]
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else None
        message = _MESSAGES.get(first["type"], str(first["msg"]).removeprefix("Value error, "))
        if field == "text" and text is None:
            message = _MESSAGES["missing"]
        if message == "text is empty":
            message = "is blank; every record needs a non-empty text"
        return error(field, message)
