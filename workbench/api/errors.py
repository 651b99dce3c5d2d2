"""Every error the API answers, in one shape: ``{"error": {"code", "message", "field"}}``.

The services raise ``WorkbenchError``s that say what and where; here, and only here, each
kind gets its HTTP status. FastAPI's own errors (a body that is not JSON, a field of the wrong
type, an unknown route) are turned into the same shape, so a client reads one thing.

Not leaking what exists: a claim or project in a project the caller is not a member of
(``NotAMember``) is answered as one that does not exist (404, the same words), so ids cannot
be probed for what another desk holds.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workbench.errors import (
    DatabaseBusy,
    InvalidInput,
    LoginFailed,
    NotAMember,
    NotFound,
    PermissionDenied,
    ProjectRequired,
    SlotsFull,
    StaleEdit,
    WorkbenchError,
)

log = logging.getLogger(__name__)

# A batch of 100 documents of news size is a few MB; a single document may be up to the
# ingest limit (20 MiB of text, a little more as JSON).
MAX_BODY_BYTES = 32 * 1024 * 1024


class ApiError(Exception):
    """An answer the API layer itself gives (a missing token, a hidden row)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers


def body(code: str, message: str, field: str | None = None, **more: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}, **more}


def answer(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **more: Any,
) -> JSONResponse:
    return JSONResponse(
        jsonable_encoder(body(code, message, field, **more)), status_code=status, headers=headers
    )


def not_found(what: str) -> ApiError:
    """The one answer for a row that is missing or in a project the caller cannot see."""
    return ApiError(404, "not_found", f"{what} not found (or not in a project you belong to)")


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


def install(app: FastAPI) -> None:
    """The handlers that turn every error into the one shape."""

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return answer(exc.status, exc.code, exc.message, exc.field, headers=exc.headers)

    @app.exception_handler(WorkbenchError)
    async def _workbench(_: Request, exc: WorkbenchError) -> JSONResponse:
        return workbench_answer(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(part) for part in first.get("loc", ())]
        if first.get("type") == "json_invalid" or tuple(where) == ("body",):
            # Not JSON, or JSON that is not an object: nothing in it to name a field of.
            return answer(400, "malformed_json", "the body must be a JSON object", None)
        # ("body", "documents", 0, "text") -> "documents.0.text"; the source is not a field.
        field = ".".join(where[1:] if where and where[0] in ("body", "query", "path") else where)
        message = f"{field or 'the request'}: {first.get('msg', 'invalid')}"
        return answer(422, "invalid", message, field or None)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        headers = dict(exc.headers) if exc.headers else None
        return answer(exc.status_code, code, str(exc.detail), None, headers=headers)

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in the API", exc_info=exc)
        return answer(500, "internal", "the server failed; the error is in its log", None)


def workbench_answer(exc: WorkbenchError) -> JSONResponse:
    message = str(exc)
    field = exc.field if isinstance(exc, InvalidInput) else None
    if isinstance(exc, ProjectRequired):
        words = f"you may use several projects ({exc.names}): name one with project=NAME"
        return answer(400, "project_required", words, "project")
    if isinstance(exc, SlotsFull):
        return answer(409, "full", message, None)
    if isinstance(exc, StaleEdit):
        return answer(409, "stale", message, None, current=exc.current)
    if isinstance(exc, NotAMember):
        return answer(404, "not_found", "not found (or not in a project you belong to)")
    if isinstance(exc, PermissionDenied):
        return answer(403, "forbidden", message)
    if isinstance(exc, NotFound):
        return answer(404, "not_found", message)
    if isinstance(exc, LoginFailed):
        return answer(401, "unauthorized", message)
    if isinstance(exc, DatabaseBusy):
        return answer(503, "busy", message, headers={"Retry-After": "1"})
    if isinstance(exc, InvalidInput):
        return answer(400, "invalid", message, field)
    return answer(400, "bad_request", message, field)


class BodyLimit:
    """ASGI middleware: a request body over :data:`MAX_BODY_BYTES` is refused with 413 before
    it is read whole: by its Content-Length when it gives one, else as its chunks arrive."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = answer(413, "too_large", _too_large(self.limit), None)
        await response(scope, receive, send)


def _too_large(limit: int) -> str:
    return f"the request body is over {limit // (1024 * 1024)} MiB"


class _TooLarge(HTTPException):
    # An HTTPException: FastAPI re-raises those from reading a body (any other exception
    # there becomes its own 400), so the handler above answers it in the one shape.
    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))
