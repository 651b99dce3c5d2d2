"""CPU and SQL statements of one reviewer's save, single-threaded (issue 13).

    python bench/save_cpu.py --db sqlite:// --saves 500
    python bench/save_cpu.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test --saves 500
    python bench/save_cpu.py --db sqlite:// --saves 500 --notes

One reviewer loops "next claim, then a verdict on it" (what each reviewer of
``bench/concurrent_review.py`` does per verdict) in a scratch database built as that bench
builds it. Prints one JSON line: this process's CPU (``time.process_time``) per call of each,
and the SQL statements each sends (counted by an engine event listener). CPU time is what
20 reviewer threads queue for under the GIL, and it is robust on a shared, loaded machine
where the concurrent bench's percentiles are not.

``--notes`` also times, per claim after its verdict, a note's save and a URL's add (the
other saves of the concurrent bench's reviewers; ``set_note``, ``add_url``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).parent))
import concurrent_review as bench

from workbench.auth.accounts import login
from workbench.db.open import open_database
from workbench.review import assign, decisions
from workbench.schemas import Verdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="sqlite:// or a postgresql+psycopg:// URL")
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument(
        "--notes", action="store_true", help="also time a note and a URL saved per claim"
    )
    args = parser.parse_args(argv)
    verdicts = list(Verdict)
    with bench.scratch_database(args.db) as url:
        engine = open_database(url)
        names = bench.build(engine, 1, args.saves + 50, 2)
        actor = login(engine, names[0], bench.PASSWORD)
        statements = [0]

        @event.listens_for(engine, "before_cursor_execute")
        def count(*_: Any) -> None:
            statements[0] += 1

        calls = ["next_claim", "set_verdict"] + (["set_note", "add_url"] if args.notes else [])
        cpu = dict.fromkeys(calls, 0.0)
        sent = dict.fromkeys(calls, 0)

        def measured(name: str, call: Callable[[], Any]) -> Any:
            before, cpu_before = statements[0], time.process_time()
            result = call()
            cpu[name] += time.process_time() - cpu_before
            sent[name] += statements[0] - before
            return result

        for i in range(20):  # warm up the statement cache and the pool first
            claim_id = assign.next_claim(engine, actor)
            assert claim_id is not None
            decisions.set_verdict(engine, claim_id, actor, verdicts[i % len(verdicts)])
            if args.notes:
                decisions.set_note(engine, claim_id, actor, f"warm-up {i}")
                decisions.add_url(engine, claim_id, actor, f"https://example.org/w/{i}")
        cpu = dict.fromkeys(cpu, 0.0)
        sent = dict.fromkeys(sent, 0)
        for i in range(args.saves):
            claim_id = measured("next_claim", lambda: assign.next_claim(engine, actor))
            assert claim_id is not None
            verdict = verdicts[i % len(verdicts)]
            measured(
                "set_verdict",
                partial(
                    decisions.set_verdict,
                    engine,
                    claim_id,
                    actor,
                    verdict,
                    shown_at=datetime.now(UTC),
                ),
            )
            if args.notes:
                note = f"checked against source {i}"
                measured("set_note", partial(decisions.set_note, engine, claim_id, actor, note))
                link = f"https://example.org/source/{i}"
                measured("add_url", partial(decisions.add_url, engine, claim_id, actor, link))
    result: dict[str, Any] = {"db": url.split(":")[0], "saves": args.saves}
    for name in cpu:
        result[f"{name}_cpu_ms"] = round(cpu[name] * 1000 / args.saves, 2)
        result[f"{name}_statements"] = round(sent[name] / args.saves, 1)
    result["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
