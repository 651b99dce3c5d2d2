"""The Adjudication page's query alone (``adjudication_queue``), in wall and CPU seconds.

    PYTHONPATH=$PWD python bench/adjudication_queue.py --db sqlite:////tmp/synth100k.sqlite

On a database ``workbench synth`` filled (see bench/heavy_pages.py), signed in as an admin
(added if missing), the first page of ten and a page near the end are each fetched
``--repeats`` times; printed: the median wall seconds and the median CPU seconds of this
process (``time.process_time``: the Python side, not the database server's, which for
SQLite runs in this process too). The figures the page shows (the total) are printed with
them, so two runs on copies of one corpus can be compared. Also the time to migrate, when
``--migrate`` is given: ``workbench init`` (alembic upgrade to head) timed once, first.

Run with PYTHONPATH naming the checkout to measure (the script adds its own checkout last).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.db.models import User
from workbench.db.open import open_database
from workbench.db.session import get_engine, unit_of_work
from workbench.review.adjudicate import adjudication_queue
from workbench.schemas import Actor, Role

ADMIN = "Bench Admin"
PASSWORD = "bench password, long enough"


def admin(url: str) -> Actor:
    engine = open_database(url)
    with unit_of_work(engine) as session:
        user = session.scalar(select(User).where(User.name == ADMIN))
        if user is not None:
            return Actor(id=user.id, name=user.name, role=Role(user.role))
    made = add_user(engine, SYSTEM, ADMIN, Role.admin, PASSWORD)
    return Actor(id=made.id, name=made.name, role=Role(made.role))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--migrate", action="store_true", help="upgrade the schema first, timed")
    args = parser.parse_args(argv)
    if args.migrate:
        from workbench.db.migrate import upgrade

        started, cpu = time.perf_counter(), time.process_time()
        upgrade(get_engine(args.db))
        print(
            f"migration to head: {time.perf_counter() - started:.2f} s wall, "
            f"{time.process_time() - cpu:.2f} s CPU (this process)"
        )
    engine = open_database(args.db)
    actor = admin(args.db)
    total = adjudication_queue(engine, actor).total
    last = max(1, (total + 9) // 10)
    for label, page in (("page 1", 1), (f"page {last - 1}", max(1, last - 1))):
        walls, cpus = [], []
        for _ in range(args.repeats):
            started, cpu = time.perf_counter(), time.process_time()
            result = adjudication_queue(engine, actor, page=page)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            assert result.total == total and result.items
        print(
            f"adjudication_queue {label} of {total} waiting: "
            f"{statistics.median(walls):.3f} s wall, {statistics.median(cpus):.3f} s CPU "
            f"(median of {args.repeats})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
