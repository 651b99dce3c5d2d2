"""The Export page offers the dataset as CSV, JSONL, Parquet and ClaimReview."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pyarrow.parquet as pq
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.app.support import sign_in
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.export.service import ExportFormat, render_export
from workbench.review import decisions, queue
from workbench.schemas import Verdict

App = Callable[[], AppTest]


def test_every_format_is_offered(seeded: Engine, app: App) -> None:
    claim_id = queue.next_claim_id(seeded, queue.ClaimFilter(), after=None)
    assert claim_id is not None
    decisions.set_verdict(seeded, claim_id, local_actor(seeded, "Ana"), Verdict.verified)

    at = sign_in(app())
    at.switch_page("views/export.py")
    at.run(timeout=30)
    assert not at.exception
    buttons = at.download_button
    assert [b.label for b in buttons] == [
        "Download CSV",
        "Download JSONL",
        "Download Parquet",
        "Download ClaimReview",
    ]
    captions = " ".join(c.value for c in at.caption)
    assert "one row per claim and review" in captions and "one JSON object per claim" in captions
    assert "schema.org ClaimReview" in captions and "workbench export" in captions
    for index in range(4):
        at.download_button[index].click()
        at.run(timeout=30)
        assert not at.exception

    # What the buttons serve: the service's bytes, built on click.
    rows = list(
        csv.DictReader(io.StringIO(render_export(seeded, ExportFormat.csv, actor=SYSTEM).decode()))
    )
    assert {r["verdict"] for r in rows if r["claim_id"] == str(claim_id)} == {"verified"}
    lines = render_export(seeded, ExportFormat.jsonl, actor=SYSTEM).decode().splitlines()
    assert (
        len(lines) == queue.list_claims(seeded, queue.ClaimFilter(state="all"), actor=SYSTEM).total
    )
    assert json.loads(lines[0])["claim_id"]
    parquet = pq.read_table(io.BytesIO(render_export(seeded, ExportFormat.parquet, actor=SYSTEM)))
    assert parquet.num_rows == len(lines)
    graph = json.loads(render_export(seeded, ExportFormat.claimreview, actor=SYSTEM))["@graph"]
    assert [item["claimReviewed"] for item in graph] == [
        json.loads(line)["text"] for line in lines if json.loads(line)["claim_id"] == claim_id
    ]
