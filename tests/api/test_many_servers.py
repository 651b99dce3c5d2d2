"""Many servers, one database (issue 15): two `workbench api` processes and a `workbench
serve --api`, two `workbench ingest` processes and two `workbench webhooks run` workers, all
at once on one PostgreSQL.

The same articles arrive through both ingests and the three APIs, reviewers save verdicts
through all three, and a receiver on 127.0.0.1 counts deliveries. Afterwards: each text is one
document, each accepted save is in the database at its last version, each event was
delivered exactly once, no 5xx, and no process printed a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from tests.api.conftest import api_server, auth
from tests.live_server import serving, stop
from workbench.auth import accounts
from workbench.auth.policy import SYSTEM
from workbench.auth.tokens import create_token
from workbench.db.models import Claim, Document, Review, User
from workbench.db.session import unit_of_work
from workbench.db.webhook_models import WebhookDelivery, WebhookEvent
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant
from workbench.projects.service import add_project
from workbench.projects.settings import set_project_setting
from workbench.schemas import DocumentIn, Role
from workbench.webhooks.service import add_webhook
from workbench.webhooks.signing import verify

PROJECT = "desk"
SECRET = "many-servers-shared-secret"
# Arriving concurrently, each through three or four writers: enough that the ingests (each
# document its own transaction) are still storing while the APIs' clients post.
ARTICLES = 90
REVIEWED = 8  # documents stored beforehand, whose claims the reviewers judge
WARM_UP = "lagoon"  # one document posted to each API before the race (see the test)
SERVERS = 3  # the APIs: two `workbench api`, one `workbench serve --api`
REVIEWERS = 4
DELIVERY_SECONDS = 120
STARTUP_SECONDS = 60
COMMAND = [sys.executable, "-c", "from workbench.cli import app; app()"]


def article(i: int, topic: str = "harbour") -> str:
    return (
        f"{topic.title()} report {i}\n\n"
        f"The ministry said {4000 + i} people were evacuated from the {topic} district {i} on "
        f"Monday. Officials said {12 + i} bridges closed in 2023 after the storm, according "
        f"to the city council.\n"
    )


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: counts deliveries by X-Workbench-Delivery."""

    deliveries: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextlib.contextmanager
def receiving() -> Iterator[tuple[str, Receiver]]:
    seen = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            good = verify(
                SECRET,
                self.headers.get("X-Workbench-Timestamp", ""),
                body,
                self.headers.get("X-Workbench-Signature", ""),
                now=time.time(),
            )
            with seen.lock:
                seen.deliveries[self.headers["X-Workbench-Delivery"]] += 1
                seen.events[json.loads(body)["id"]] += 1
                seen.bad_signatures += not good
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # the test counts; a line per request would bury a failure's output

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", seen
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def background(args: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A `workbench …` process with its own process group; stdout and stderr to ``log``."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*COMMAND, *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop(process)


def setup(engine: Engine, hook: str) -> tuple[str, dict[str, str], list[int]]:
    """The project, its accounts and tokens, the webhook, and the claims to review."""
    add_project(engine, SYSTEM, PROJECT)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 2, project=PROJECT)
    add_webhook(
        engine,
        SYSTEM,
        hook,
        ["review.decided", "final.decided", "document.ingested"],
        SECRET,
        allow_private=True,
    )
    accounts.add_user(engine, SYSTEM, "ada", Role.reviewer)
    grant(engine, SYSTEM, "ada", PROJECT, Role.admin)
    names = [f"r{i}" for i in range(REVIEWERS)]
    for name in names:
        accounts.add_user(engine, SYSTEM, name, Role.reviewer)
        grant(engine, SYSTEM, name, PROJECT, Role.reviewer)
    tokens = {n: create_token(engine, SYSTEM, n, "tests").secret for n in ["ada", *names]}
    documents = [
        DocumentIn(text=article(i, "river"), title=f"river {i}", source=f"river-{i}.txt")
        for i in range(REVIEWED)
    ]
    ingest_documents(engine, documents, default_extractor(), project=PROJECT)
    with unit_of_work(engine) as session:
        claims = list(session.scalars(select(Claim.id).order_by(Claim.id)))
    assert len(claims) >= REVIEWED
    return PROJECT, tokens, claims


@dataclass
class Outcomes:
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    # (claim, reviewer) -> (verdict, version) of the last save the server accepted
    saved: dict[tuple[int, str], tuple[str, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, response: httpx.Response, what: str) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code >= 300:
                self.failures.append(f"{what}: {response.status_code} {response.text[:300]}")


def post_articles(
    api: str, token: str, numbers: list[int], out: Outcomes, topic: str = "harbour"
) -> None:
    with httpx.Client(headers=auth(token), timeout=60) as client:
        for i in numbers:
            body = {"project": PROJECT, "text": article(i, topic), "title": f"{topic} {i}"}
            out.note(client.post(f"{api}/documents", json=body), f"POST article {i}")


def review(apis: list[str], name: str, token: str, claims: list[int], out: Outcomes) -> None:
    """Each claim judged, then changed, each save through the other API."""
    with httpx.Client(headers=auth(token), timeout=60) as client:
        for n, claim in enumerate(claims):
            version: int | None = None
            for step, verdict in enumerate(("verified", "disputed", "verified")):
                api = apis[(n + step) % len(apis)]
                body: dict[str, object] = {
                    "verdict": verdict,
                    "note": f"{name} {step}",
                    "urls": [],
                    "version": version,
                }
                response = client.put(f"{api}/claims/{claim}/review", json=body)
                out.note(response, f"{name} on claim {claim}")
                if response.status_code != 200:
                    break
                version = response.json()["version"]
                assert version is not None
                with out.lock:
                    out.saved[(claim, name)] = (verdict, version)


def ingested_some(engine: Engine) -> bool:
    with unit_of_work(engine) as session:
        found = session.scalar(select(Document.id).where(Document.source.like("%batch%")).limit(1))
    return found is not None


def delivered_all(engine: Engine) -> bool:
    with unit_of_work(engine) as session:
        pending = session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.status == "pending")
        )
    return pending == 0


@pytest.mark.backends("postgresql")
def test_two_apis_two_ingests_two_webhook_workers_on_one_database(
    engine: Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # linear@1 in every process: this is a race between writers, and with the default onnx
    # scorer an API post runs the whole transformer while `workbench ingest` runs its linear
    # stage alone (~15 times less CPU), so on a loaded machine the ingests stored every
    # article before any post did and the race was not run (no "api" document).
    monkeypatch.setenv("WORKBENCH_SCORER", "linear")
    logs = {name: tmp_path / name for name in ("api1", "api2", "serve")}
    for folder in logs.values():
        folder.mkdir()
    with contextlib.ExitStack() as stack:
        hook, seen = stack.enter_context(receiving())
        project, tokens, claims = setup(engine, hook)
        # Overlapping two thirds: every article goes through an ingest or two and two APIs.
        third = ARTICLES // 3
        for n, numbers in enumerate((range(0, 2 * third), range(third, ARTICLES))):
            lines = [json.dumps({"text": article(i), "title": f"harbour {i}"}) for i in numbers]
            (tmp_path / f"batch{n}.jsonl").write_text("\n".join(lines) + "\n")
        apis = [stack.enter_context(api_server(db_url, logs[name])) for name in ("api1", "api2")]
        served = stack.enter_context(serving(db_url, logs["serve"], args=("--api",)))
        apis.append(f"{served}/api/v1")
        # Each API process pays for its first post (its extractor loaded, its connections
        # opened): seconds on a loaded machine, in which one ingest once stored all of its 60
        # articles before any post had stored one, and the race was not run. Paid here, before
        # the ingests start, with documents of their own.
        assert len(apis) == SERVERS
        warm = Outcomes()
        for n, api in enumerate(apis):
            post_articles(api, tokens["ada"], [n], warm, topic=WARM_UP)
        assert not warm.failures and all(s < 300 for s in warm.statuses), warm.failures
        workers = [
            stack.enter_context(
                background(["webhooks", "run", "--db", db_url], tmp_path / f"hooks{n}.log")
            )
            for n in range(2)
        ]
        out = Outcomes()
        everything = list(range(ARTICLES))
        posting = [
            (apis[0], everything),  # from the first, as ingest 0 goes
            (apis[1], everything[::-1]),  # from the last, as ingest 1 ends
            (apis[2], everything[third:] + everything[:third]),  # from the middle
        ]
        posters = [
            threading.Thread(target=post_articles, args=(api, tokens["ada"], numbers, out))
            for api, numbers in posting
        ]
        threads: list[threading.Thread] = []
        for n in range(REVIEWERS):
            # Two reviewers on each claim: their verdicts agree or not, finals follow.
            mine = [c for i, c in enumerate(claims) if i % (REVIEWERS // 2) == n % (REVIEWERS // 2)]
            threads.append(
                threading.Thread(target=review, args=(apis, f"r{n}", tokens[f"r{n}"], mine, out))
            )
        ingests = [
            stack.enter_context(
                background(
                    [
                        "ingest",
                        str(tmp_path / f"batch{n}.jsonl"),
                        "--db",
                        db_url,
                        "--project",
                        project,
                        "--no-progress",
                        "--workers",
                        "1",
                        "--batch",
                        "1",
                    ],
                    tmp_path / f"ingest{n}.log",
                )
            )
            for n in range(2)
        ]
        for thread in threads:
            thread.start()
        # The posts start once the ingests are storing (they take seconds to start), so that
        # the writers race rather than take turns.
        deadline = time.monotonic() + STARTUP_SECONDS
        while not ingested_some(engine) and time.monotonic() < deadline:
            time.sleep(0.02)  # polling the table for the ingests' first document
        for thread in posters:
            thread.start()
        for thread in [*threads, *posters]:
            thread.join(timeout=300)
        for process in ingests:
            process.wait(timeout=300)
        deadline = time.monotonic() + DELIVERY_SECONDS
        while not delivered_all(engine) and time.monotonic() < deadline:
            time.sleep(0.5)  # polling the outbox until the workers have drained it
        logs_text = {
            str(path.relative_to(tmp_path)): path.read_text(errors="replace")
            for path in [*tmp_path.glob("*.log"), *tmp_path.glob("*/*.log")]
        }
        ingest_codes = [p.returncode for p in ingests]
        alive = [p.poll() is None for p in workers]

    # No 5xx, nothing refused that should have been accepted, no traceback anywhere.
    assert not out.failures, out.failures[:5]
    assert all(status < 300 for status in out.statuses), out.statuses
    assert ingest_codes == [0, 0], logs_text
    assert all(alive), logs_text
    for name, text in logs_text.items():
        assert "Traceback" not in text and "Exception" not in text, f"{name}:\n{text}"

    with unit_of_work(engine) as session:
        # Each distinct text is one document.
        twice = session.execute(
            select(Document.sha256, func.count()).group_by(Document.sha256).having(func.count() > 1)
        ).all()
        assert twice == []
        stored_documents = session.scalar(select(func.count()).select_from(Document))
        assert stored_documents == REVIEWED + SERVERS + ARTICLES
        # The race was run: both the ingests and the APIs stored some of the articles.
        sources = Counter(
            "ingest" if "batch" in source else "api"
            for source in session.scalars(
                select(Document.source).where(Document.title.like("harbour%"))
            )
        )
        assert sources["api"] > 0 and sources["ingest"] > 0, sources
        # Each accepted save is there, at the version the server answered last.
        rows = session.execute(
            select(Review.claim_id, User.name, Review.verdict, Review.version).join(
                User, User.id == Review.reviewer_id
            )
        ).all()
        stored = {(r.claim_id, r.name): (r.verdict, r.version) for r in rows}
        assert stored == out.saved
        # One document.ingested event per document stored, none for the duplicates refused.
        ingested = session.scalar(
            select(func.count())
            .select_from(WebhookEvent)
            .where(WebhookEvent.type == "document.ingested")
        )
        assert ingested == REVIEWED + SERVERS + ARTICLES
        deliveries = dict(
            session.execute(select(WebhookDelivery.uid, WebhookDelivery.status)).all()
        )
        events = set(session.scalars(select(WebhookEvent.uid)))
    # Each event delivered, exactly once.
    assert set(deliveries.values()) == {"delivered"}, Counter(deliveries.values())
    assert set(seen.deliveries) == set(deliveries)
    assert [uid for uid, n in seen.deliveries.items() if n > 1] == []
    assert set(seen.events) == events and max(seen.events.values()) == 1
    assert seen.bad_signatures == 0
