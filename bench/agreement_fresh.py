"""CPU seconds of the Agreement figures in a process that holds nothing, after a change.

    python bench/agreement_fresh.py --db sqlite:////tmp/synth100k.sqlite --repeats 3

Per repeat, one process computes the figures of the current version (so the stored table
and per-document figures exist) and changes one review (``heavy_pages.change_a_review``);
a second, new process then computes the figures, timed in CPU seconds (the machine's load
inflates them less than wall time) with what loading the stored table, patching it,
loading the stored per-document figures and building the report cost.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def prime(url: str, turn: int) -> None:
    import heavy_pages

    from workbench.agreement import snapshot
    from workbench.auth.accounts import login

    engine = heavy_pages.prepare(url, 5500)
    snapshot.figures(engine, login(engine, heavy_pages.ADMIN, heavy_pages.PASSWORD))
    heavy_pages.change_a_review(engine, turn)


def fresh(url: str) -> None:
    import heavy_pages

    from workbench.agreement import copies, incremental, snapshot
    from workbench.auth.accounts import login

    engine = heavy_pages.prepare(url, 5500)
    admin = login(engine, heavy_pages.ADMIN, heavy_pages.PASSWORD)
    spent: dict[str, float] = {}

    def timed(module: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.process_time() - started

        setattr(module, name, wrapper)

    timed(copies, "load")
    timed(incremental, "_patched")
    timed(snapshot, "_load_memo")
    timed(snapshot, "build_report")
    cpu, wall = time.process_time(), time.perf_counter()
    snapshot.figures(engine, admin)
    parts = ", ".join(f"{name} {seconds:.3f}" for name, seconds in spent.items())
    print(
        f"figures in a fresh process: {time.process_time() - cpu:.3f} CPU-s, "
        f"{time.perf_counter() - wall:.3f} s wall ({parts}); load {os.getloadavg()[0]:.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--phase", choices=("prime", "fresh"), help=argparse.SUPPRESS)
    parser.add_argument("--turn", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "prime":
        prime(args.db, args.turn)
        return 0
    if args.phase == "fresh":
        fresh(args.db)
        return 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for turn in range(args.repeats):
        for phase in ("prime", "fresh"):
            command = [sys.executable, __file__, "--db", args.db, "--phase", phase]
            subprocess.run([*command, "--turn", str(turn)], check=True, env=env)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
