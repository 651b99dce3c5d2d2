"""The HTTP API under load: concurrent clients saving verdicts, and documents in by POST.

    python bench/api.py --db sqlite:// --clients 20,50
    python bench/api.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test --workers 2

A real `workbench api` subprocess (``--workers`` processes) serves a scratch database made
for the run (a schema of its own on PostgreSQL, a temporary file on SQLite; removed at the
end), holding the migrations, a synthetic corpus (``concurrent_review.build``, k = 1) and one
reviewer account with its own token per client.

**Saves.** For each ``--clients`` count, that many clients, each with its own token and its
own keep-alive connection (opened before the clock starts), start together and each PUT
``/claims/{id}/review`` on ``--saves`` claims of their own (no two clients on one claim, none
seen by an earlier round): the time of each request as the client sees it (connection,
server, save, answer), ``--runs`` rounds. Any answer but 200, or a transport error, is an
error. The clients are threads of several client processes (5 each, stdlib ``http.client``):
50 threads of one process, as before, made each answer wait for that process's GIL before
its clock stopped, and cost more CPU than the server's save. Back to back is a stress
test: each client's next save leaves the moment the last one answers, so the latency is set
by throughput (clients / saves per second). ``--think-ms T`` paces each client instead, a
random think time of mean T ms (exponential, seeded) before each save, as pipelines and
people have: then the latency is what a save costs at that offered rate, and ``saves_per_s``
says what rate the round reached.

**CPU per save.** Each round also says how many milliseconds of CPU (user + system, from
``/proc/<pid>/stat``) a save cost, split: ``server`` (the `workbench api` process group,
its workers and their webhook threads), ``database`` (the PostgreSQL backends the server
opened, told apart by their ``application_name``; 0 on SQLite, which runs inside the
server), ``clients`` (the client processes while saving), their ``total``; and, for context,
``database_all`` (every PostgreSQL process, other jobs' queries included) and ``machine``
(the whole machine's busy CPU, everything on it). Other jobs inflate CPU time far less than
wall-clock latency, but not to nothing: on this 2-core machine at a load average of 5-9 the
same code's server CPU per save ranged 3.2-5.6 ms between runs (shared caches, fewer cycles
per CPU second). Compare a change by interleaved runs (before, after, before, after, ...)
and read p95s only from a quiet machine.

**Documents.** ``--articles`` synthetic articles POSTed one by one to ``/documents`` (one
client, as an ingest script would) into one project, and the same articles through
``ingest_documents`` (what `workbench ingest` does, without the process's start-up) into
another: documents per second each, and the ratio API / ingest.

One JSON line per measure, then a summary line; exit status 1 if any request failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import pwd
import random
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
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

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
def api_process(url: str, workers: int) -> Iterator[tuple[str, int]]:
    """`workbench api` on a free port until the block ends; yields its /api/v1 base and its
    process group (the uvicorn process and its workers)."""
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
        yield base, process.pid
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
    client_cpu_s: float = 0.0
    seconds: float = 0.0  # the round's wall time, first client started to last answer


# Clients per client process: a process's threads share its GIL, so a few only. With 50
# threads in one process (httpx), an answer waited for the GIL before its clock stopped, and
# the clients cost ~1.5 ms of CPU a save; here http.client, 5 threads a process.
THREADS_PER_PROCESS = 5
SAVE_BODY = json.dumps({"verdict": "verified", "note": "", "urls": [], "version": None}).encode()


def _client_thread(
    connection: http.client.HTTPConnection,
    path: str,
    token: str,
    claims: list[int],
    start: Any,
    latencies: list[float],
    errors: list[str],
    think_s: float,
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # Paced clients wait an exponential think time (mean think_s) before each save, the
    # first included, so they do not all arrive at the barrier's instant; seeded per client.
    pace = random.Random(claims[0] if claims else 0)
    start.wait()
    for claim in claims:
        if think_s:
            time.sleep(pace.expovariate(1 / think_s))
        began = time.perf_counter()
        try:
            connection.request("PUT", f"{path}/claims/{claim}/review", SAVE_BODY, headers)
            answer = connection.getresponse()
            text = answer.read()
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"claim {claim}: {error!r}")
            connection.close()  # http.client reconnects at the next request
            continue
        latencies.append((time.perf_counter() - began) * 1000)
        if answer.status != 200:
            errors.append(f"claim {claim}: {answer.status} {text[:200]!r}")


def _client_process(
    base: str, jobs: list[tuple[str, list[int]]], start: Any, out: Any, think_s: float
) -> None:
    """Some of the clients, one thread each with its own token and keep-alive connection;
    puts (latencies, errors, CPU seconds of this process while saving) on ``out``."""
    parts = urlsplit(base)
    connections = []
    for token, _ in jobs:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        # The connection opened before the clock starts (and this process's CPU counted).
        connection.request("GET", f"{parts.path}/me", headers={"Authorization": f"Bearer {token}"})
        connection.getresponse().read()
        connections.append(connection)
    latencies: list[float] = []
    errors: list[str] = []
    cpu = time.process_time()
    threads = [
        threading.Thread(
            target=_client_thread,
            args=(connection, parts.path, token, claims, start, latencies, errors, think_s),
        )
        for connection, (token, claims) in zip(connections, jobs, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((latencies, errors, time.process_time() - cpu))
    for connection in connections:
        connection.close()


def saves(
    base: str, tokens: list[str], claims: Iterator[int], per_client: int, think_s: float = 0.0
) -> Round:
    """One round: every client (its own token, connection and claims) starts at once, and
    saves back to back (``think_s`` 0) or after a random think time of that mean."""
    context = multiprocessing.get_context("fork")
    start = context.Barrier(len(tokens))
    out = context.Queue()
    jobs = [(token, [next(claims) for _ in range(per_client)]) for token in tokens]
    groups = [jobs[i : i + THREADS_PER_PROCESS] for i in range(0, len(jobs), THREADS_PER_PROCESS)]
    processes = [
        context.Process(target=_client_process, args=(base, group, start, out, think_s))
        for group in groups
    ]
    began = time.perf_counter()
    for process in processes:
        process.start()
    result = Round()
    for _ in processes:
        latencies, errors, cpu = out.get()
        result.latencies_ms.extend(latencies)
        result.errors.extend(errors)
        result.client_cpu_s += cpu
    result.seconds = time.perf_counter() - began
    for process in processes:
        process.join()
    return result


TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str] | None:
    """/proc/<pid>/stat's fields from the state on (index 0 = field 3), or None if gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) of the live processes of a process group: the server."""
    total = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(entry.name)
            if fields is not None and int(fields[2]) == pgid:
                total += int(fields[11]) + int(fields[12])
    return total * TICK_S


def postgres_cpu_s() -> float:
    """CPU seconds of every PostgreSQL server process, and of the backends that ended (the
    postmaster's reaped children): the database's CPU, whoever's queries it ran."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if pwd.getpwuid(entry.stat().st_uid).pw_name != "postgres":
                continue
        except (OSError, KeyError):
            continue
        fields = _stat(entry.name)
        if fields is None:
            continue
        total += int(fields[11]) + int(fields[12])
        if int(fields[1]) == 1:  # the postmaster: its ended backends' CPU too
            total += int(fields[13]) + int(fields[14])
    return total * TICK_S


def backends_cpu_s(engine: Engine, application: str) -> dict[int, float]:
    """CPU seconds of each live backend the server opened (tagged ``application_name``)."""
    with engine.connect() as connection:
        pids = connection.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
            {"name": application},
        ).scalars()
        found: dict[int, float] = {}
        for pid in pids:
            fields = _stat(pid)
            if fields is not None:
                found[pid] = (int(fields[11]) + int(fields[12])) * TICK_S
    return found


def machine_busy_s() -> float:
    """Busy CPU seconds of the whole machine (every job on it): /proc/stat's first line."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) * TICK_S


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


APPLICATION = "workbench-bench-api"


def _cpu(engine: Engine, server: int) -> dict[str, float]:
    """CPU seconds so far: the server's processes, its database backends (the live ones, by
    pid: a delta of two readings compares the same processes), every PostgreSQL process
    (other jobs' too), and the whole machine."""
    if engine.dialect.name == "postgresql":
        backends = backends_cpu_s(engine, APPLICATION)
        database_all = postgres_cpu_s()
    else:
        backends, database_all = {}, 0.0
    return {
        "server": group_cpu_s(server),
        "database_all": database_all,
        "machine": machine_busy_s(),
        **{f"pid{pid}": v for pid, v in backends.items()},
    }


def _spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """The CPU seconds between two readings; the backends' by pid (one that started in
    between counts whole; one that ended in between is missed, which the server's kept
    pool makes rare: compare ``database`` with ``database_all`` on a quiet machine)."""
    spent = {k: after[k] - before[k] for k in ("server", "database_all", "machine")}
    spent["database"] = sum(v - before.get(k, 0.0) for k, v in after.items() if k.startswith("pid"))
    return spent


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
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean think time before each save (exponential); 0: back to back",
    )
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
        summary: dict[str, object] = {
            "backend": engine.dialect.name,
            "workers": args.workers,
            "think_ms": args.think_ms,
        }
        served = url
        if engine.dialect.name == "postgresql":
            # Tags the server's backends, whose CPU is then told apart from other jobs'.
            served = (
                make_url(url)
                .update_query_dict({"application_name": APPLICATION})
                .render_as_string(hide_password=False)
            )
        with api_process(served, args.workers) as (base, server):
            for count in counts:
                p95s: list[float] = []
                for run in range(args.runs):
                    cpu = _cpu(engine, server)
                    result = saves(base, tokens[:count], claims, args.saves, args.think_ms / 1000)
                    spent = _spent(cpu, _cpu(engine, server))
                    failed += len(result.errors)
                    done = max(1, len(result.latencies_ms))

                    def per_save(seconds: float, done: int = done) -> float:
                        return round(seconds * 1000 / done, 2)

                    line = {
                        "clients": count,
                        "run": run + 1,
                        "load_1min": round(os.getloadavg()[0], 2),
                        "saves": len(result.latencies_ms),
                        "saves_per_s": round(len(result.latencies_ms) / result.seconds, 1),
                        "errors": len(result.errors),
                        "p50_ms": percentile(result.latencies_ms, 50),
                        "p95_ms": percentile(result.latencies_ms, 95),
                        "max_ms": round(max(result.latencies_ms, default=0.0), 1),
                        "cpu_ms_per_save": {
                            "server": per_save(spent["server"]),
                            "database": per_save(spent["database"]),
                            "database_all": per_save(spent["database_all"]),
                            "clients": per_save(result.client_cpu_s),
                            "total": per_save(
                                spent["server"] + spent["database"] + result.client_cpu_s
                            ),
                            "machine": per_save(spent["machine"]),
                        },
                    }
                    p95s.append(float(str(line["p95_ms"])))
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
