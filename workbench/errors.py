"""Errors the service layer raises for a user to read (tracebacks are for bugs)."""

from __future__ import annotations

from datetime import datetime


class WorkbenchError(Exception):
    """Something the user can fix; the message says what and where."""


class NotFound(WorkbenchError):
    pass


class InvalidInput(WorkbenchError, ValueError):
    """Input that breaks a rule. ``field``: the field of the request it is about, when one is
    (the HTTP API names it in its error body)."""

    def __init__(self, *args: object, field: str | None = None) -> None:
        super().__init__(*args)
        self.field = field


class InputFileError(InvalidInput):
    """A file, line or field of an input file that cannot be used, named as ingest names them:
    ``reviews.jsonl:3: field 'reviews[0].verdict': must be ...``."""

    def __init__(self, path: str, line: int | None, field: str | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = path if line is None else f"{path}:{line}"
        what = message if field is None else f"field '{field}': {message}"
        super().__init__(f"{where}: {what}", field=field)


class ProjectRequired(InvalidInput):
    """Several projects, and the call named none: each entry point says how to name one."""

    def __init__(self, names: str) -> None:
        self.names = names
        super().__init__(
            f"this database holds several projects ({names}): "
            "name one with --project NAME or WORKBENCH_PROJECT"
        )


class OffScale(InvalidInput):
    """A verdict that is not on the project's scale (the HTTP API names the field: "verdict"
    unless the verdict came in another one, such as a filter's "final")."""

    def __init__(self, message: str, *, field: str = "verdict") -> None:
        super().__init__(message, field=field)


class SlotsFull(InvalidInput):
    """Every review slot of the claim is taken and the reviewer holds no lease on it: a state
    of the claim, not a bad request (the HTTP API answers 409)."""


class DatabaseURLError(WorkbenchError, ValueError):
    """The database URL cannot be used (unreadable, unknown dialect, driver not installed, a
    SQLite folder that cannot be made); the message says why, without the URL's password."""


class DatabaseError(WorkbenchError):
    """The database named cannot be opened or used as it is: missing, unreachable, no schema
    to work in, not initialised, or newer than this workbench (``workbench.db.open``)."""


class DatabaseBusy(WorkbenchError):
    """Another writer held the database (or the rows) for too long; nothing was changed."""


class PermissionDenied(WorkbenchError, PermissionError):
    """The caller's role or ownership does not allow this; nothing was changed."""


class NotAMember(PermissionDenied):
    """The account is not a member of the project the action is about (or an API token is
    limited to another project). The HTTP API answers it as it answers a missing row, so a
    stranger to a project cannot learn what it holds."""


class LoginFailed(WorkbenchError):
    """Wrong name or password, a disabled account, or too many recent failures."""


class StaleEdit(WorkbenchError):
    """Someone saved a newer version since this one was shown; nothing was overwritten."""

    def __init__(self, what: str, changed_by: str, changed_at: datetime, current: object) -> None:
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current = current
        super().__init__(
            f"{what} was changed by {changed_by} at {changed_at:%Y-%m-%d %H:%M:%S} UTC "
            "after you opened it; your change was not saved. Reload to see the newer value."
        )
