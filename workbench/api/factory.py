"""The API as an ASGI app: its routers under one version prefix, its error shape, its limits.

``create_api("/api/v1")`` is what ``workbench api`` serves (``main.app``);
``create_api("/v1")`` is mounted at ``/api`` inside the review app's own process by
``workbench serve --api`` (``workbench/site/server.py``), so the paths are the same on both.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import Lifespan

from workbench import __version__
from workbench.api import errors
from workbench.api.routers import (
    claims,
    documents,
    exports,
    finals,
    health,
    history,
    projects,
    reviews,
)
from workbench.auth.client_failures import SharedClientThrottle

DESCRIPTION = """The fact-check workbench's HTTP API: the same services and permission check as
the review app and the `workbench` command. Send `Authorization: Bearer TOKEN` (make one with
`workbench tokens create NAME`). Errors are `{"error": {"code", "message", "field"}}`."""


def create_api(prefix: str = "/api/v1", *, lifespan: Lifespan[FastAPI] | None = None) -> FastAPI:
    app = FastAPI(
        lifespan=lifespan,
        title="Fact-check workbench API",
        version=__version__,
        description=DESCRIPTION,
        middleware=[Middleware(errors.BodyLimit)],
    )
    errors.install(app)
    # Pauses this app has seen (the counts are shared, in the database: auth.client_failures).
    app.state.throttle = SharedClientThrottle()
    for router in (
        health.router,
        projects.router,
        documents.router,
        claims.router,
        reviews.router,
        finals.router,
        history.router,
        exports.router,
    ):
        app.include_router(router, prefix=prefix)
    return app
