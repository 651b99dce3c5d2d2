"""The Export page offers the dataset as CSV, JSONL, Parquet and ClaimReview."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from tests.app.support import sign_in
from workbench.app import downloads
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.export.service import ExportFormat, render_export
from workbench.review import decisions, queue
from workbench.schemas import Verdict

App = Callable[[], AppTest]


def _download(url: str) -> tuple[int, bytes]:
    """GET ``url`` from the routes the app's server adds (``workbench.app.server``)."""
    client = TestClient(Starlette(routes=downloads.ROUTES))
    response = client.get(url)
    return response.status_code, response.content


def test_every_format_is_written_to_a_file_with_progress_and_downloaded_once(
    seeded: Engine, app: App
) -> None:
    claim_id = queue.next_claim_id(seeded, queue.ClaimFilter(), after=None)
    assert claim_id is not None
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)

    at = sign_in(app())
    at.switch_page("views/export.py")
    at.run(timeout=30)
    assert not at.exception
    assert [b.label for b in at.main.button] == [
        "Prepare CSV",
        "Prepare JSONL",
        "Prepare Parquet",
        "Prepare ClaimReview",
    ]
    assert not at.get("download_button")  # nothing is built, nor held, before a click
    captions = " ".join(c.value for c in at.caption)
    assert "one row per claim and review" in captions and "one JSON object per claim" in captions
    assert "schema.org ClaimReview" in captions and "workbench export" in captions

    files: dict[str, bytes] = {}
    folders: list[Path] = []
    for fmt in ExportFormat:
        at.button(key=f"prepare_{fmt.value}").click()
        at.run(timeout=30)
        assert not at.exception
        # The bar ends full, saying what was written; the link is the page's only download.
        bar = at.main.get("progress")[-1]
        assert bar.proto.value == 100 and "written" in bar.proto.text
        assert "ready:" in at.success[0].value and "works once" in at.success[0].value
        links = at.get("link_button")
        assert len(links) == 1
        url = links[0].proto.url
        assert url.startswith(f"/{downloads.ROUTE}/")
        token = url.rsplit("/", 1)[1]
        offered = downloads._offers[token]
        folders.append(offered.folder)
        assert offered.folder.stat().st_mode & 0o077 == 0  # only the server's user reads it
        status, body = _download(url)
        assert status == 200
        files[fmt.value] = body
        assert not offered.folder.exists()  # removed once sent
        assert _download(url)[0] == 404  # once only

    # What was downloaded: the service's export, whole.
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode())))
    assert {r["verdict"] for r in rows if r["claim_id"] == str(claim_id)} == {"verified"}
    assert files["csv"] == render_export(seeded, ExportFormat.csv, actor=SYSTEM)
    lines = files["jsonl"].decode().splitlines()
    assert (
        len(lines) == queue.list_claims(seeded, queue.ClaimFilter(state="all"), actor=SYSTEM).total
    )
    assert json.loads(lines[0])["claim_id"]
    parquet = pq.read_table(io.BytesIO(files["parquet"]))
    assert parquet.num_rows == len(lines)
    graph = json.loads(files["claimreview"])["@graph"]
    assert [item["claimReviewed"] for item in graph] == [
        json.loads(line)["text"] for line in lines if json.loads(line)["claim_id"] == claim_id
    ]


def test_a_file_not_downloaded_is_removed(seeded: Engine, app: App) -> None:
    at = sign_in(app())
    at.switch_page("views/export.py")
    at.run(timeout=30)
    at.button(key="prepare_csv").click()
    at.run(timeout=30)
    first = downloads._offers[at.get("link_button")[0].proto.url.rsplit("/", 1)[1]]
    # Preparing another withdraws the first: its link is dead, its file gone.
    at.button(key="prepare_jsonl").click()
    at.run(timeout=30)
    assert not first.folder.exists()
    url = at.get("link_button")[0].proto.url
    second = downloads._offers[url.rsplit("/", 1)[1]]
    # An expired link answers 404 and its file goes at the next offer (or at exit).
    downloads.purge(now=second.expires)
    assert not second.folder.exists()
    assert _download(url) == (404, downloads.GONE.encode())
