"""The Progress page's sums of the decided reviews, without the page: seconds and CPU seconds.

    python bench/progress_sums.py --db sqlite:////tmp/synth100k.sqlite
    python bench/progress_sums.py --db "postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dsynth100k"

On a database ``workbench synth`` made (see bench/heavy_pages.py, which builds one and adds the
admin whose review each repeat changes), the median of ``--repeats`` runs of:

- ``whole read``: ``workbench.review.progress.decisions``, every decided review read and
  summed (what a process holding nothing does after a change);
- ``after one change``: ``current_decisions`` at the next version after one review changed,
  the reviews held by this process patched from the changed claim.

CPU seconds are this process's (the database server's are not counted: SQLite's are, it runs
in the process). The machine may be shared: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from heavy_pages import change_a_review, prepare  # noqa: E402

from workbench.review import progress  # noqa: E402


def timed(call: Callable[[], object]) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - started, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a database workbench synth filled")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    engine = prepare(args.db, 5500)
    sums = progress.decisions(engine)
    print(
        f"{engine.dialect.name}: {sum(d.done for d in sums.values()):,} decided reviews, "
        f"{len(sums)} reviewers; median of {args.repeats}; "
        f"load average {os.getloadavg()[0]:.2f} before"
    )
    whole = [timed(lambda: progress.decisions(engine)) for _ in range(args.repeats)]
    progress.forget()
    progress.current_decisions(engine, progress.data_version(engine))  # held, as after an open
    patched = []
    for turn in range(args.repeats):
        change_a_review(engine, turn)
        version = progress.data_version(engine)
        patched.append(timed(partial(progress.current_decisions, engine, version)))
    for label, runs in (("whole read", whole), ("after one change", patched)):
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{label:<18} {wall:>6.2f} s  {cpu:>6.2f} CPU s")
    print(f"load average {os.getloadavg()[0]:.2f} after")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
