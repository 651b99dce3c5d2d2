"""The HTTP API under load: concurrent clients saving verdicts, and documents in by POST.

    python bench/api.py --db sqlite:// --clients 20,50
    python bench/api.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test --workers 2

A real `workbench api` subprocess (``--workers`` processes) serves a scratch database made
for the run (a schema of its own on PostgreSQL, a temporary file on SQLite; removed at the
end), holding the migrations, a synthetic corpus (``concurrent_review.build``, k = 1) and one
reviewer account with its own token per client.

**Saves.** For each ``--clients`` count, that many threads, each with its own token and its
own keep-alive connection, start together and each PUT ``/claims/{id}/review`` on
``--saves`` claims of their own (no two clients on one claim, none seen by an earlier round):
the time of each request as the client sees it (connection, server, save, answer), ``--runs``
rounds. Any answer but 200, or a transport error, is an error.

**Documents.** ``--articles`` synthetic articles POSTed one by one to ``/documents`` (one
client, as an ingest script would) into one project, and the same articles through
``ingest_documents`` (what `workbench ingest` does, without the process's start-up) into
another: documents per second each, and the ratio API / ingest.

One JSON line per measure, then a summary line; exit status 1 if any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
import concurrent_review as corpus

from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.auth.tokens import create_token
from workbench.db.open import open_database
from workbench.extract import default_extractor
from workbench.ingest.service import ingest_documents
from workbench.projects.membership import grant
from workbench.projects.service import add_project
from workbench.schemas import DocumentIn, Role

STARTUP_SECONDS = 60
P95_TARGET_MS = 150.0


@contextmanager
def api_process(url: str, workers: int) -> Iterator[str]:
    """`workbench api` on a free port until the block ends; yields its /api/v1 base."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-c", "from workbench.cli import app; app()", "api"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - read back when the server stops
    process = subprocess.Popen(
        [*command, "--db", url, "--port", str(port), "--workers", str(workers)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit(f"`workbench api` did not start:\n{log.read().decode()}")
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)  # polling a bounded health check
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
        if "Traceback" in output:
            print(output, file=sys.stderr)


@dataclass
class Round:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(base: str, token: str, claims: list[int], start: threading.Barrier, out: Round) -> None:
    mine: list[float] = []
    failed: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(headers=headers, timeout=60) as http:
        http.get(f"{base}/me")  # the connection opened before the clock starts
        start.wait()
        for claim in claims:
            body: dict[str, object] = {
                "verdict": "verified",
                "note": "",
                "urls": [],
                "version": None,
            }
            began = time.perf_counter()
            try:
                answer = http.put(f"{base}/claims/{claim}/review", json=body)
            except httpx.HTTPError as error:
                failed.append(f"claim {claim}: {error!r}")
                continue
            mine.append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                failed.append(f"claim {claim}: {answer.status_code} {answer.text[:200]}")
    with out.lock:
        out.latencies_ms.extend(mine)
        out.errors.extend(failed)


def saves(base: str, tokens: list[str], claims: Iterator[int], per_client: int) -> Round:
    out = Round()
    start = threading.Barrier(len(tokens))
    threads = [
        threading.Thread(
            target=client, args=(base, token, [next(claims) for _ in range(per_client)], start, out)
        )
        for token in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def article(i: int) -> str:
    return (
        f"Harbour report {i}\n\n"
        f"The ministry said {4000 + i} people were evacuated from the harbour district on "
        f"Monday. Officials said {12 + i % 50} bridges closed in 2023 after the storm, "
        f"according to the city council. Unemployment fell to {3 + i % 7}.{i % 10}% in March, "
        f"the statistics office reported, while {100 + i} schools reopened.\n"
    )


def documents(engine_url: str, base: str, token: str, count: int) -> dict[str, float]:
    texts = [article(i) for i in range(count)]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(headers=headers, timeout=60) as http:
        # A first document loads the extractor in the server, as a running server has it.
        http.post(f"{base}/documents", json={"project": "api-docs", "text": article(-1)})
        began = time.perf_counter()
        for i, text in enumerate(texts):
            body = {"project": "api-docs", "text": text, "title": f"harbour {i}"}
            answer = http.post(f"{base}/documents", json=body)
            if answer.status_code != 201:
                raise SystemExit(f"POST /documents: {answer.status_code} {answer.text[:200]}")
        api_seconds = time.perf_counter() - began
    engine = open_database(engine_url)
    items = [
        DocumentIn(text=t, title=f"harbour {i}", source=f"{i}.txt") for i, t in enumerate(texts)
    ]
    extractor = default_extractor()
    ingest_documents(
        engine,
        [DocumentIn(text=article(-1), title="warm-up", source="warm-up.txt")],
        extractor,
        project="cli-docs",
    )
    began = time.perf_counter()
    ingest_documents(engine, items, extractor, project="cli-docs")
    ingest_seconds = time.perf_counter() - began
    api_rate, ingest_rate = count / api_seconds, count / ingest_seconds
    return {
        "api_docs_per_s": round(api_rate, 1),
        "ingest_docs_per_s": round(ingest_rate, 1),
        "ratio_api_over_ingest": round(api_rate / ingest_rate, 3),
    }


def percentile(values: list[float], q: float) -> float:
    return corpus.percentile(values, q)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", required=True, help="sqlite:// or a postgresql+psycopg:// URL")
    parser.add_argument("--clients", default="20,50", help="concurrent clients, comma-separated")
    parser.add_argument("--saves", type=int, default=10, help="saves per client per round")
    parser.add_argument("--runs", type=int, default=3, help="rounds per client count")
    parser.add_argument("--workers", type=int, default=1, help="`workbench api --workers`")
    parser.add_argument("--articles", type=int, default=200, help="0: no documents measure")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.clients.split(",")]
    needed = sum(counts) * args.saves * args.runs
    load = os.getloadavg()[0]
    with corpus.scratch_database(args.db) as url:
        engine = open_database(url, create=True)
        corpus.build(engine, max(counts), needed, 1)
        names = [f"bench-reviewer-{i:02d}" for i in range(max(counts))]
        for name in names:
            grant(engine, SYSTEM, name, 1, Role.reviewer)
        tokens = [create_token(engine, SYSTEM, name, "bench").secret for name in names]
        add_user(engine, SYSTEM, "bench-admin", Role.admin, corpus.PASSWORD)
        for project in ("api-docs", "cli-docs"):
            add_project(engine, SYSTEM, project)
        admin = create_token(engine, SYSTEM, "bench-admin", "bench").secret
        claims = iter(range(1, needed + 1))
        failed = 0
        summary: dict[str, object] = {"backend": engine.dialect.name, "workers": args.workers}
        with api_process(url, args.workers) as base:
            for count in counts:
                p95s: list[float] = []
                for run in range(args.runs):
                    result = saves(base, tokens[:count], claims, args.saves)
                    failed += len(result.errors)
                    line = {
                        "clients": count,
                        "run": run + 1,
                        "load_1min": round(os.getloadavg()[0], 2),
                        "saves": len(result.latencies_ms),
                        "errors": len(result.errors),
                        "p50_ms": percentile(result.latencies_ms, 50),
                        "p95_ms": percentile(result.latencies_ms, 95),
                        "max_ms": round(max(result.latencies_ms, default=0.0), 1),
                    }
                    p95s.append(float(line["p95_ms"]))
                    print(json.dumps(line), flush=True)
                    for error in result.errors[:3]:
                        print(f"  error: {error}", file=sys.stderr)
                summary[f"p95_ms_median_{count}"] = statistics.median(p95s)
            if args.articles:
                rates = documents(url, base, admin, args.articles)
                print(json.dumps({"documents": args.articles, **rates}), flush=True)
                summary.update(rates)
        summary["errors"] = failed
        summary["load_1min_at_start"] = round(load, 2)
        summary["p95_target_met"] = all(
            float(str(v)) < P95_TARGET_MS for k, v in summary.items() if k.startswith("p95_ms")
        )
        print(json.dumps(summary), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
