"""The app ``workbench api`` serves (uvicorn imports it by name, in each worker).

Each process also runs the webhook delivery worker beside its requests (``api_webhooks``,
on unless ``--no-webhooks``): the worker claims deliveries with ``SKIP LOCKED`` (on SQLite,
under the database's one writer), so several processes never send one twice.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from workbench.api.factory import create_api
from workbench.config import current_settings
from workbench.db.session import get_engine
from workbench.webhooks.deliver import start_in_background

# The worker ends after the round in progress; a round's requests time out well within this.
STOP_SECONDS = 30.0
# Requests a process runs at once (the routes are sync: each runs on a worker thread while the
# event loop parses and queues the rest). anyio's default, 40, had 40 threads of one process
# fight for its GIL and two cores, and on PostgreSQL check out more connections than the pool
# keeps (db.session.POOL_SIZE), each opened and closed again: with 50 clients saving, 12
# threads cost ~25% less server CPU per save and ~1 ms less of PostgreSQL's (bench/api.py).
ROUTE_THREADS = 12


@asynccontextmanager
async def deliver_webhooks(_: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = ROUTE_THREADS
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
