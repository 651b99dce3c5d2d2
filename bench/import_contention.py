"""Reviewers saving verdicts while `workbench import` loads a large file: how long a save waits.

    python bench/import_contention.py --db sqlite://
    python bench/import_contention.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test

It builds what it needs in a scratch database (as ``concurrent_review.py`` does: a schema of its
own on PostgreSQL, a temporary file on SQLite, both removed at the end): ``--lines`` claims for
the import file plus a few hundred for the reviewers, and ``--reviewers`` accounts. Then:

1. *alone* (unless ``--no-alone``): a real ``workbench import`` process loads ``--lines``
   lines (one review each) with nobody saving: the import's own time on this machine now, what
   its time beside the reviewers is compared with (the load of a shared machine moves both);
2. *idle*: the reviewers save verdicts for ``--idle-seconds`` (each a thread: save, pause
   ``--pause`` s, save again, on claims of its own, alternating verdicts) on a quiet database;
3. *busy*: the same while a real ``workbench import`` process loads ``--lines`` other lines
   (on claims the reviewers do not touch), until it ends.

Printed: one JSON line with the saves' p50/p95/max in each phase, the failed saves, the ratio
of busy to idle p95, and the import's own time and exit status; then the same in words. Exit
status 1 when the busy p95 is 500 ms or more, a save failed, or the import did not succeed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from concurrent_review import PASSWORD, build, scratch_database
from sqlalchemy import select

from workbench.auth.accounts import login
from workbench.db.models import Claim
from workbench.db.open import open_database
from workbench.db.session import unit_of_work
from workbench.errors import WorkbenchError
from workbench.review import decisions
from workbench.schemas import Actor, Verdict

LIMIT_MS = 500.0
COMMAND = str(Path(sys.executable).parent / "workbench")


@dataclass
class Phase:
    saves_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # What the phase's `until` call returned (the import's seconds, exit code and last line).
    result: tuple[float, int, str] | None = None

    def figures(self) -> dict[str, float | int | None]:
        ordered = sorted(self.saves_ms)

        def pct(p: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            "saves": len(ordered),
            "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p95_ms": pct(0.95),
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "failed": len(self.failures),
        }


def reviewer(
    url: str, actor: Actor, claims: list[int], pause: float, phase: Phase, stop: threading.Event
) -> None:
    engine = open_database(url, migrate=False)
    rng = random.Random(actor.id)
    verdicts = list(Verdict)
    n = 0
    while not stop.is_set():
        claim_id = claims[n % len(claims)]
        verdict = verdicts[(n // len(claims)) % len(verdicts)]
        n += 1
        started = time.perf_counter()
        try:
            decisions.set_verdict(engine, claim_id, actor, verdict)
        except WorkbenchError as exc:  # what a reviewer would be shown
            with phase.lock:
                phase.failures.append(str(exc))
        except Exception as exc:  # a traceback in the app: the worst outcome
            with phase.lock:
                phase.failures.append(f"{type(exc).__name__}: {exc}")
        else:
            elapsed = (time.perf_counter() - started) * 1000
            with phase.lock:
                phase.saves_ms.append(elapsed)
        stop.wait(pause * rng.uniform(0.5, 1.5))


def run_phase(
    url: str,
    actors: list[Actor],
    claims: list[list[int]],
    pause: float,
    until: float | Callable[[], tuple[float, int, str]],
) -> Phase:
    phase = Phase()
    stop = threading.Event()
    threads = [
        threading.Thread(target=reviewer, args=(url, a, c, pause, phase, stop), daemon=True)
        for a, c in zip(actors, claims, strict=True)
    ]
    for thread in threads:
        thread.start()
    if callable(until):
        phase.result = until()
    else:
        time.sleep(until)
    stop.set()
    for thread in threads:
        thread.join()
    return phase


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="sqlite://", help="sqlite:// or a postgresql URL")
    parser.add_argument("--lines", type=int, default=20_000, help="lines in the import file")
    parser.add_argument("--reviewers", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between saves")
    parser.add_argument("--idle-seconds", type=float, default=15.0)
    parser.add_argument("--no-alone", action="store_true", help="skip the import alone")
    args = parser.parse_args()
    files = 1 if args.no_alone else 2

    with scratch_database(args.db) as url, tempfile.TemporaryDirectory() as folder:
        engine = open_database(url)
        per_reviewer = 40
        total = files * args.lines + per_reviewer * args.reviewers
        names = build(engine, args.reviewers, total, k=1)
        with unit_of_work(engine) as session:
            ids = list(session.scalars(select(Claim.id).order_by(Claim.id)))
        spare = ids[files * args.lines :]
        claims = [spare[i * per_reviewer : (i + 1) * per_reviewer] for i in range(len(names))]
        actors = [login(engine, name, PASSWORD) for name in names]
        paths = [Path(folder) / f"reviews-{f}.jsonl" for f in range(files)]
        for f, path in enumerate(paths):
            with path.open("w", encoding="utf-8") as out:
                for n, claim_id in enumerate(ids[f * args.lines : (f + 1) * args.lines]):
                    verdict = list(Verdict)[n % 3].value
                    review = {"reviewer": f"imported-{n % 5}", "verdict": verdict}
                    out.write(json.dumps({"claim_id": claim_id, "reviews": [review]}) + "\n")

        def importing(path: Path) -> tuple[float, int, str]:
            started = time.perf_counter()
            done = subprocess.run(
                [COMMAND, "import", str(path), "--db", url],
                capture_output=True,
                text=True,
                check=False,
            )
            last = (done.stdout or done.stderr).strip().splitlines()
            return time.perf_counter() - started, done.returncode, last[0] if last else ""

        alone_seconds = None
        if not args.no_alone:
            alone_seconds, alone_code, alone_said = importing(paths[1])
            if alone_code != 0:
                raise SystemExit(f"the import alone failed: {alone_said}")
        idle = run_phase(url, actors, claims, args.pause, args.idle_seconds)
        busy = run_phase(url, actors, claims, args.pause, lambda: importing(paths[0]))
        assert busy.result is not None
        seconds, code, said = busy.result

    quiet, loaded = idle.figures(), busy.figures()
    ratio = None
    if quiet["p95_ms"] and loaded["p95_ms"]:
        ratio = round(float(loaded["p95_ms"]) / float(quiet["p95_ms"]), 2)
    backend = args.db.split(":", 1)[0].split("+", 1)[0]
    print(
        json.dumps(
            {
                "backend": backend,
                "lines": args.lines,
                "reviewers": args.reviewers,
                "idle": quiet,
                "during_import": loaded,
                "p95_ratio": ratio,
                "import_seconds": round(seconds, 1),
                "import_alone_seconds": alone_seconds and round(alone_seconds, 1),
                "import_exit": code,
                "failures": sorted(set(busy.failures + idle.failures))[:5],
            }
        )
    )
    print(
        f"{backend}: saves p50/p95 {quiet['p50_ms']}/{quiet['p95_ms']} ms idle, "
        f"{loaded['p50_ms']}/{loaded['p95_ms']} ms (max {loaded['max_ms']}) during a "
        f"{args.lines:,}-line import of {seconds:.1f} s (alone: "
        f"{'-' if alone_seconds is None else f'{alone_seconds:.1f} s'}); p95 x{ratio}; "
        f"{loaded['failed']} failed; import: {said}"
    )
    slow = loaded["p95_ms"] is None or float(loaded["p95_ms"]) >= LIMIT_MS
    return 1 if slow or loaded["failed"] or idle.failures or code != 0 else 0


if __name__ == "__main__":
    sys.exit(main())
