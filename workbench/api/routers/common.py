"""What the routers share: the documented error answers, the project a request is about,
and the one way a row out of the caller's sight is answered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from workbench.api.bodies import ErrorBody
from workbench.api.errors import not_found
from workbench.errors import NotAMember, NotFound
from workbench.schemas import Actor

_ERROR = {"model": ErrorBody}
# In the OpenAPI schema of every route that takes a token.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {**_ERROR, "description": "no token, or an unknown, revoked or expired one"},
    403: {**_ERROR, "description": "the token's account may not do this here"},
    404: {**_ERROR, "description": "no such row in a project the caller belongs to"},
    422: {**_ERROR, "description": "a field of the request is invalid"},
    429: {**_ERROR, "description": "too many bad tokens from this address"},
}
BAD_REQUEST: dict[int | str, dict[str, Any]] = {
    400: {**_ERROR, "description": "the request breaks a rule (the message says which)"}
}


def project_of(caller: Actor, project: str | None) -> int | str | None:
    """The project a request names, or the one its token is limited to (None: the only
    project, or the only one the caller belongs to)."""
    if project is None:
        return caller.limited_to
    return int(project) if project.isdigit() and len(project) < 10 else project


@contextmanager
def hidden(what: str) -> Iterator[None]:
    """A row missing and a row in a project the caller is not a member of get the same
    answer: 404 with the same words, so ids cannot be probed across projects."""
    try:
        yield
    except (NotFound, NotAMember) as exc:
        raise not_found(what) from exc
