"""One-time downloads of a file the app wrote to a private temporary folder (the Export page).

Streamlit's ``st.download_button`` (1.67) turns whatever it is given, a file object or what a
callable returns, into bytes (``convert_data_to_bytes_and_infer_mime``) and keeps them in its
in-memory media store for as long as the session shows the button: a 186 MB export held
186 MB of the server's memory, more while it was being built in a ``BytesIO``. So the Export
page writes the export to a file in a folder of its own (``mkdtemp``: mode 0700), and offers
it through a route of the app's server (``server.py`` adds :data:`ROUTES` to its ``st.App``)
that streams the file from disk:

* the link carries a random token (32 bytes), valid once and for :data:`LIFETIME`; the token
  is the only way to the file, and it is only ever shown to the session that made it;
* the file and its folder are deleted once sent, or when the token expires unused (checked
  whenever a file is offered, and at exit), or when the same session prepares another.

Tokens live in this process: with several app replicas behind one address, the download must
reach the replica that wrote the file (sticky sessions, as Streamlit's own websockets need).
"""

from __future__ import annotations

import atexit
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute

from workbench.app.paths import both, under_base

# The route's last two parts: /<ROUTE>/<token>, under any base path (server.baseUrlPath).
ROUTE = "workbench-download"
LIFETIME = 15 * 60.0  # seconds a link stays valid if unused
GONE = (
    "This download link has expired or was used already: prepare the export again on the "
    "Export page."
)


@dataclass(frozen=True)
class Offer:
    path: Path
    folder: Path  # the private folder holding it, removed with it
    filename: str  # the name the browser saves it under
    mime: str
    expires: float  # time.monotonic()


@dataclass(frozen=True)
class Ready:
    """A file offered to a session, as its page shows it (kept in the session's state: a
    class of this module, not of the page script, which is defined anew on every run)."""

    label: str  # what it is: "CSV", ...
    token: str
    filename: str
    size: int  # bytes
    rows: int


_offers: dict[str, Offer] = {}
_lock = threading.Lock()


def private_folder() -> Path:
    """A new folder only this process's user can read (``mkdtemp`` makes it 0700)."""
    return Path(tempfile.mkdtemp(prefix="workbench-export-"))


def offer(path: Path, folder: Path, *, filename: str, mime: str) -> str:
    """Make ``path`` downloadable once; returns the token of its link."""
    purge()
    token = secrets.token_urlsafe(32)
    with _lock:
        _offers[token] = Offer(path, folder, filename, mime, time.monotonic() + LIFETIME)
    return token


def link(token: str, base_path: str = "") -> str:
    """The address of the download, relative to the server's root (``base_path``: Streamlit's
    ``server.baseUrlPath``)."""
    return under_base(f"/{ROUTE}/{token}", base_path)


def take(token: str) -> Offer | None:
    """The offer of ``token``, which it no longer names (one download a link); None if it
    never did or has expired (its file then removed)."""
    with _lock:
        found = _offers.pop(token, None)
    if found is not None and found.expires <= time.monotonic():
        discard(found)
        return None
    return found


def withdraw(token: str) -> None:
    """Remove an offer not taken (the session prepared another one)."""
    with _lock:
        found = _offers.pop(token, None)
    if found is not None:
        discard(found)


def discard(found: Offer) -> None:
    shutil.rmtree(found.folder, ignore_errors=True)


def purge(now: float | None = None) -> None:
    """Remove the offers whose links expired, and their files."""
    now = time.monotonic() if now is None else now
    with _lock:
        gone = [token for token, found in _offers.items() if found.expires <= now]
        expired = [_offers.pop(token) for token in gone]
    for found in expired:
        discard(found)


@atexit.register
def _remove_all() -> None:
    purge(now=float("inf"))


async def download(request: Request) -> Response:
    """Send the offered file from disk in chunks (Starlette's FileResponse), then delete it."""
    found = take(str(request.path_params.get("token", "")))
    if found is None or not found.path.is_file():
        return PlainTextResponse(GONE, status_code=404, headers={"Cache-Control": "no-store"})
    return FileResponse(
        found.path,
        media_type=found.mime,
        filename=found.filename,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
        background=BackgroundTask(discard, found),
    )


ROUTES: list[BaseRoute] = both(f"/{ROUTE}/{{token}}", download, ["GET"])
