"""The dependencies every route takes: the database, and who is calling.

``Caller``: the token in ``Authorization: Bearer TOKEN``, resolved at each request
(``auth.tokens.authenticate``: revoked, expired, a disabled or removed account: 401 at
once). A client that keeps sending bad tokens is slowed down as the sign-in slows a client
(``auth.throttle``): past ten failures, 429 with Retry-After, doubling up to 15 minutes. The
failures are counted in the database (``auth.client_failures``), so every API process on it
shares one budget per client; a good token costs no throttle read or write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from workbench.api.errors import ApiError
from workbench.auth import tokens
from workbench.auth.client_failures import SharedClientThrottle
from workbench.config import current_settings
from workbench.db.session import get_engine
from workbench.schemas import Actor

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="workbench"'}


async def engine() -> Engine:
    # async: no I/O here, so it runs on the event loop, not in a worker thread (a sync
    # dependency is a round trip through the thread pool per request).
    return get_engine(current_settings().database_url)


EngineDep = Annotated[Engine, Depends(engine)]


def throttle_of(request: Request) -> SharedClientThrottle:
    """The app's bad-token throttle (``factory.create_api`` gives each app its own memory of
    pauses, as each process has; the counts are in the database)."""
    found: SharedClientThrottle = request.app.state.throttle
    return found


def _slow_down(wait: int) -> ApiError:
    return ApiError(
        429,
        "too_many_requests",
        f"too many bad tokens from this address; try again in {wait} s",
        headers={"Retry-After": str(wait)},
    )


def current_actor(request: Request, db: EngineDep) -> Actor:
    client = request.client.host if request.client else "unknown"
    now = datetime.now(UTC)
    throttle = throttle_of(request)
    wait = throttle.known_paused(client, now)
    if wait:
        raise _slow_down(wait)
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if not header:
        raise ApiError(
            401, "unauthorized", "send a token: Authorization: Bearer TOKEN", headers=_CHALLENGE
        )
    actor = tokens.authenticate(db, secret.strip()) if scheme.lower() == "bearer" else None
    if actor is None:
        wait = throttle.failed(db, client, now)
        if wait:  # paused by another process: this one knows now
            raise _slow_down(wait)
        raise ApiError(
            401,
            "unauthorized",
            "the token is unknown, revoked or expired, or its account is disabled; "
            "make a new one with `workbench tokens create`",
            headers=_CHALLENGE,
        )
    return actor


CallerDep = Annotated[Actor, Depends(current_actor)]
