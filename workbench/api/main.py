"""The app ``workbench api`` serves (uvicorn imports it by name, in each worker).

Each process also runs the webhook delivery worker beside its requests (``api_webhooks``,
on unless ``--no-webhooks``): the worker claims deliveries with ``SKIP LOCKED`` (on SQLite,
under the database's one writer), so several processes never send one twice.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from workbench.api.factory import create_api
from workbench.config import current_settings
from workbench.db.session import get_engine
from workbench.webhooks.deliver import start_in_background

# The worker ends after the round in progress; a round's requests time out well within this.
STOP_SECONDS = 30.0


@asynccontextmanager
async def deliver_webhooks(_: FastAPI) -> AsyncIterator[None]:
    settings = current_settings()
    if not settings.api_webhooks:
        yield
        return
    stop = threading.Event()
    worker = start_in_background(get_engine(settings.database_url), stop)
    try:
        yield
    finally:
        stop.set()
        worker.join(STOP_SECONDS)


app = create_api(lifespan=deliver_webhooks)
