"""Issue 15's remaining endpoints against a live `workbench api`: verdicts of a project's
own scale, a claim whose slots are all taken (409), history, agreement, exports and their
manifest, and webhooks delivered by the API's own process."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from pathlib import Path

import httpx
import pyarrow.parquet as pq
from sqlalchemy import Engine

from tests.api.conftest import api_server, assert_error, auth, build_world
from tests.webhooks.receiver import receiver
from workbench.auth.policy import SYSTEM
from workbench.auth.tokens import create_token
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant
from workbench.projects.scale import parse_scale
from workbench.projects.service import add_project
from workbench.projects.settings import set_project_setting
from workbench.schemas import DocumentIn, Role
from workbench.webhooks.service import add_webhook

POLITIFACT = "true,mostly-true,half-true,mostly-false,false,pants-on-fire"
TEXT = (
    "Senate floor\n\n"
    "The senator said unemployment fell to 3 percent in 2023, the lowest in fifty years. "
    "Officials said 40,000 homes were built last year, according to the housing agency.\n"
)


def politifact(engine: Engine) -> None:
    add_project(engine, SYSTEM, "truth", scale=parse_scale(POLITIFACT))
    ingest_documents(
        engine,
        [DocumentIn(text=TEXT, title="Senate", source="senate.txt")],
        default_extractor(),
        project="truth",
    )
    grant(engine, SYSTEM, "rae", "truth", Role.reviewer)
    grant(engine, SYSTEM, "ada", "truth", Role.admin)


def test_a_six_verdict_scale_full_slots_history_and_agreement(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    politifact(engine)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 1, "health")
    grant(engine, SYSTEM, "eli", "health", Role.reviewer)
    rae, ada, eli = auth(w.tokens["rae"]), auth(w.tokens["ada"]), auth(w.tokens["eli"])
    with api_server(db_url, tmp_path) as api:
        listed = httpx.get(f"{api}/claims?project=truth", headers=rae).json()["items"]
        claim = listed[0]["id"]
        review: dict[str, object] = {
            "verdict": "pants-on-fire",
            "note": "",
            "urls": [],
            "version": None,
        }
        saved = httpx.put(f"{api}/claims/{claim}/review", json=review, headers=rae)
        assert saved.status_code == 200, saved.text
        assert saved.json()["verdict"] == "pants-on-fire"
        # The default scale's verdict is not this desk's: 400 naming the field and the scale.
        off = {**review, "verdict": "disputed", "version": saved.json()["version"]}
        refused = assert_error(
            httpx.put(f"{api}/claims/{claim}/review", json=off, headers=rae), 400, "invalid"
        )
        assert refused["error"]["field"] == "verdict"
        assert "not on project truth's scale" in refused["error"]["message"]
        mine = httpx.get(
            f"{api}/claims?project=truth&state=reviewed&verdict=pants-on-fire", headers=rae
        )
        assert [c["id"] for c in mine.json()["items"]] == [claim]
        # One review a claim here: rae's verdict is already the final one; ada overrules it.
        shown = httpx.get(f"{api}/claims/{claim}/final", headers=ada).json()["final"]
        assert shown["verdict"] == "pants-on-fire"
        final = {
            "verdict": "mostly-false",
            "reason": "The agency's figure.",
            "version": shown["version"],
        }
        decided = httpx.put(f"{api}/claims/{claim}/final", json=final, headers=ada)
        assert decided.status_code == 200 and decided.json()["verdict"] == "mostly-false"
        bad_final = {**final, "verdict": "verified"}
        assert_error(
            httpx.put(f"{api}/claims/{listed[1]['id']}/final", json=bad_final, headers=ada),
            400,
            "invalid",
        )

        # One review a claim in health: rae takes it, eli (no lease) finds it full: 409.
        taken = w.claims["health"][0]
        rae_review: dict[str, object] = {
            "verdict": "disputed",
            "note": "",
            "urls": [],
            "version": None,
        }
        assert (
            httpx.put(f"{api}/claims/{taken}/review", json=rae_review, headers=rae).status_code
            == 200
        )
        full = httpx.put(f"{api}/claims/{taken}/review", json=rae_review, headers=eli)
        assert "already has its 1 review" in assert_error(full, 409, "full")["error"]["message"]

        # A claim's history, as each may see it.
        history = httpx.get(f"{api}/claims/{taken}/history", headers=rae).json()
        assert any(e["actor"] == "rae" and e["entity"] == "review" for e in history)
        assert_error(httpx.get(f"{api}/claims/{claim}/history", headers=eli), 404, "not_found")
        # A project's history in keyset pages, for its admins.
        whole = httpx.get(f"{api}/history?project=health&limit=1000", headers=ada).json()
        assert whole["items"] and whole["next_cursor"] is None
        seen, cursor = [], None
        while True:
            page = httpx.get(
                f"{api}/history",
                headers=ada,
                params={"project": "health", "limit": 2, **({"cursor": cursor} if cursor else {})},
            ).json()
            seen += [e["id"] for e in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [e["id"] for e in whole["items"]]
        future = httpx.get(f"{api}/history?project=health&since=2999-01-01", headers=ada)
        assert future.json()["items"] == []
        assert_error(httpx.get(f"{api}/history?project=health", headers=rae), 403, "forbidden")
        assert_error(
            httpx.get(f"{api}/history?project=health&cursor=h1:x", headers=ada),
            400,
            "invalid_cursor",
        )
        assert_error(httpx.get(f"{api}/history?project=election", headers=ada), 404)

        # Agreement: the object `workbench agreement --json` prints.
        figures = httpx.get(f"{api}/agreement?project=health&samples=50", headers=ada)
        assert figures.status_code == 200, figures.text
        report = figures.json()
        assert (
            report["reviewers"] == ["rae"]
            and report["labels"] == ["verified", "disputed", "unsupported"]
            and "overall" in report
        )
        assert_error(httpx.get(f"{api}/agreement?project=health", headers=rae), 403)


def test_exports_stream_with_filters_and_their_manifest(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    politifact(engine)
    ada, rae = auth(w.tokens["ada"]), auth(w.tokens["rae"])
    with api_server(db_url, tmp_path) as api:
        claim = w.claims["health"][0]
        formula: dict[str, object] = {
            "verdict": "disputed",
            "note": '=HYPERLINK("https://evil")',
            "urls": [],
            "version": None,
        }
        assert (
            httpx.put(f"{api}/claims/{claim}/review", json=formula, headers=rae).status_code == 200
        )
        for fmt, kind, ext in (
            ("jsonl", "application/x-ndjson", "jsonl"),
            ("csv", "text/csv", "csv"),
            ("parquet", "application/vnd.apache.parquet", "parquet"),
            ("claimreview", "application/ld+json", "jsonld"),
        ):
            query = {"project": "health", "format": fmt}
            got = httpx.get(f"{api}/export", params=query, headers=ada)
            assert got.status_code == 200, got.text
            assert got.headers["content-type"].startswith(kind)
            assert f'filename="health-claims.{ext}"' in got.headers["content-disposition"]
            manifest = httpx.get(f"{api}/export/manifest", params=query, headers=ada).json()
            assert manifest["file"] == f"health-claims.{ext}" and manifest["format"] == fmt
            assert manifest["filters"]["project"] == "health"
            if fmt != "parquet":  # pyarrow stamps nothing variable, but bytes are not the point
                assert manifest["sha256"] == hashlib.sha256(got.content).hexdigest()
                assert manifest["bytes"] == len(got.content)
            if fmt == "jsonl":
                lines = got.content.decode().splitlines()
                assert len(lines) == manifest["rows"] == len(w.claims["health"])
            if fmt == "csv":
                rows = list(csv.DictReader(io.StringIO(got.content.decode())))
                notes = [r["note"] for r in rows if r["note"]]
                assert notes == ["'" + str(formula["note"])]
            if fmt == "parquet":
                assert pq.read_table(io.BytesIO(got.content)).num_rows == manifest["rows"]
        # The CLI's filters: a verdict of the desk's scale, one off it, an unknown reviewer.
        verdict = httpx.get(
            f"{api}/export",
            headers=auth(w.tokens["boss"]),
            params={"project": "truth", "verdict": ["false", "pants-on-fire"]},
        )
        assert verdict.status_code == 200 and verdict.content == b""
        off = httpx.get(f"{api}/export?project=truth&verdict=disputed", headers=ada)
        assert assert_error(off, 400, "invalid")["error"]["field"] == "verdict"
        nobody = httpx.get(f"{api}/export?project=health&reviewer=zed", headers=ada)
        assert "no reviewer named 'zed'" in assert_error(nobody, 400)["error"]["message"]
        mine = httpx.get(f"{api}/export?project=health&reviewer=rae&format=jsonl", headers=ada)
        assert [json.loads(x)["claim_id"] for x in mine.content.splitlines()] == [claim]
        assert_error(
            httpx.get(f"{api}/export?project=health&document_id=99999999999", headers=ada), 422
        )
        # Who: as the Export page (a project's admins), and nothing across projects.
        assert_error(httpx.get(f"{api}/export?project=health", headers=rae), 403, "forbidden")
        assert_error(httpx.get(f"{api}/export?project=election", headers=ada), 404)
        assert_error(httpx.get(f"{api}/export/manifest?project=health", headers=rae), 403)
        # A site admin's token limited to health opens nothing of another project.
        limited = auth(create_token(engine, SYSTEM, "boss", "health only", project="health").secret)
        assert httpx.get(f"{api}/export", headers=limited).status_code == 200
        for path in ("export", "export/manifest", "history", "agreement"):
            assert_error(httpx.get(f"{api}/{path}?project=election", headers=limited), 404)
        other = w.claims["election"][0]
        assert_error(httpx.get(f"{api}/claims/{other}/history", headers=limited), 404)


def test_the_api_process_delivers_webhooks(engine: Engine, db_url: str, tmp_path: Path) -> None:
    w = build_world(engine)
    rae = auth(w.tokens["rae"])
    review: dict[str, object] = {"verdict": "verified", "note": "", "urls": [], "version": None}
    with receiver() as got:
        add_webhook(
            engine,
            SYSTEM,
            got.url,
            ["review.decided"],
            "s3cret-s3cret-s3cret",
            project="health",
            allow_private=True,
        )
        with api_server(db_url, tmp_path) as api:
            claim = w.claims["health"][0]
            assert (
                httpx.put(f"{api}/claims/{claim}/review", json=review, headers=rae).status_code
                == 200
            )
            deadline = time.monotonic() + 30
            while not got.requests and time.monotonic() < deadline:
                time.sleep(0.1)  # polling a bounded wait for the worker's delivery
            assert got.requests, "the API's worker delivered nothing in 30 s"
            payload = json.loads(got.requests[0].body)
            assert payload["type"] == "review.decided"
        # --no-webhooks: the event waits for a worker; this API sends nothing.
        with api_server(db_url, tmp_path, "--no-webhooks") as api:
            other = w.claims["health"][1]
            assert (
                httpx.put(f"{api}/claims/{other}/review", json=review, headers=rae).status_code
                == 200
            )
            time.sleep(3)  # the worker would poll every second: three rounds' worth
            assert len(got.requests) == 1


def test_each_worker_process_delivers_and_none_twice(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    w = build_world(engine)
    grant(engine, SYSTEM, "rae", "election", Role.reviewer)
    rae = auth(w.tokens["rae"])
    claims = w.claims["health"] + w.claims["election"]
    with receiver(delay=0.2) as got:
        add_webhook(
            engine,
            SYSTEM,
            got.url,
            ["review.decided"],
            "s3cret-s3cret-s3cret",
            allow_private=True,
        )
        with api_server(db_url, tmp_path, "--workers", "2") as api:
            for claim in claims:
                body: dict[str, object] = {
                    "verdict": "verified",
                    "note": "",
                    "urls": [],
                    "version": None,
                }
                saved = httpx.put(f"{api}/claims/{claim}/review", json=body, headers=rae)
                assert saved.status_code == 200, saved.text
            deadline = time.monotonic() + 30
            while len(got.by_delivery()) < len(claims) and time.monotonic() < deadline:
                time.sleep(0.1)  # polling a bounded wait for the workers' deliveries
            time.sleep(1.5)  # a second round of both workers: a duplicate would show now
            counts = got.by_delivery()
            assert len(counts) == len(claims) and set(counts.values()) == {1}, counts
