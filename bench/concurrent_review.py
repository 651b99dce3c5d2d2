"""Many reviewers at once against the service layer: nothing lost, nothing over-assigned.

    python bench/concurrent_review.py --db sqlite:// --reviewers 20 --verdicts 200
    python bench/concurrent_review.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/concurrent_review.py --db sqlite:// --reviewers 20 --verdicts 200 --claims 10000

``--claims 10000`` is the usual day: reviewers rarely meet on a claim (by default the corpus
has just enough claims for the verdicts, so all compete for the same few). ``--think-ms``
makes each reviewer pause before each action (by default none: a stress test where 20
threads save back to back, so a save waits for the others' CPU; ``cpu_ms_per_call`` says how
much each costs).

It builds what it needs in the database it is given: on PostgreSQL a schema of its own
(dropped at the end), on SQLite a temporary file (or the path given, which must not exist yet,
removed at the end). In it: the migrations, a synthetic corpus of ``ceil(verdicts / k)``
claims, and one account per reviewer. Each reviewer is a thread that logs in and loops: take
the next claim (a lease), add a URL to it now and then, give a verdict; every few verdicts
edit an earlier review's note, sometimes from a stale "other tab" (an older version, which
must be refused with StaleEdit), and add a URL to it; now and then open a claim straight
from the queue without a lease (which must be refused once the claim's k slots are taken).

At the end every acknowledged write is checked against the database, and one JSON line is
printed:

- ``lost_updates``: acknowledged values missing from the database at the end (a review's
  verdict, note, URLs or version differing from the last acknowledged save; a review gone),
  plus saves over an older version that were accepted instead of refused;
- ``over_assigned``: claims with more than k verdicts;
- ``errors``: unexpected exceptions (expected refusals are counted apart);
- ``stale_refusals``, ``slot_refusals``: the refusals the run provoked on purpose;
- ``save_p50_ms``/``save_p95_ms``/``save_p99_ms``: the time of one save (verdict, note or
  URL), as the caller sees it, and ``assign_p50_ms``/``assign_p95_ms`` for "next claim".

Exit status 0 when lost_updates, over_assigned and errors are all 0, else 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from workbench.auth.accounts import add_user, login
from workbench.auth.policy import SYSTEM
from workbench.db.models import Claim, Document, Review
from workbench.db.open import open_database
from workbench.db.session import forget, unit_of_work
from workbench.errors import InvalidInput, StaleEdit
from workbench.projects.settings import set_project_setting
from workbench.review import assign, decisions
from workbench.schemas import Actor, ReviewOut, Role, Verdict

PASSWORD = "bench password, long enough"
VERDICTS = list(Verdict)
T = TypeVar("T")


# --- where the run happens -----------------------------------------------------------------


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """A URL to an empty database made for this run, removed afterwards."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with _sqlite_file(parsed.database) as path:
            target = f"sqlite:///{path}"
            try:
                yield target
            finally:
                forget(target)
        return
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit(f"--db must be a sqlite or postgresql URL, not {url!r}")
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The schema is chosen by the URL, so every connection of every pool lands in it.
    target = parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    try:
        yield target
    finally:
        forget(target)  # close our connections first: they would hold the tables
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def _sqlite_file(database: str | None) -> Iterator[Path]:
    if database and database != ":memory:":
        path = Path(database)
        if path.exists():
            raise SystemExit(f"{path} exists: give a new path (the run deletes it afterwards)")
        try:
            yield path
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as folder:
        yield Path(folder) / "bench.sqlite"


def build(engine: Engine, reviewers: int, claims: int, k: int) -> list[str]:
    """The corpus, the settings and the accounts; returns the reviewers' names."""
    set_project_setting(engine, SYSTEM, "reviews_per_claim", k)
    rng = random.Random(0)
    with unit_of_work(engine) as session:
        per_document = 20
        for d in range(math.ceil(claims / per_document)):
            sentences = [
                f"Speaker {d}-{i} said that {rng.randint(2, 99)} percent of the budget went "
                f"to schools in {rng.randint(1990, 2024)}."
                for i in range(min(per_document, claims - d * per_document))
            ]
            body = " ".join(sentences)
            document = Document(
                project_id=1,
                title=f"Bench document {d}",
                source=f"bench/{d}.txt",
                text=body,
                sha256=f"{d:064x}",
            )
            session.add(document)
            session.flush()
            at = 0
            for sentence in sentences:
                session.add(
                    Claim(
                        document_id=document.id,
                        project_id=1,
                        text=sentence,
                        char_start=at,
                        char_end=at + len(sentence),
                        speaker=None,
                        score=round(rng.random(), 3),
                        extractor="bench@1",
                    )
                )
                at += len(sentence) + 1
    names = [f"bench-reviewer-{i:02d}" for i in range(reviewers)]
    for name in names:
        add_user(engine, SYSTEM, name, Role.reviewer, PASSWORD)
    return names


# --- the reviewers -------------------------------------------------------------------------


@dataclass
class Acked:
    """What the database must hold for one review: the last acknowledged save of it."""

    review: ReviewOut
    versions: list[int] = field(default_factory=list)  # every version a save returned


@dataclass
class Run:
    engine: Engine
    target: int
    k: int
    claim_ids: list[int]
    lock: threading.Lock = field(default_factory=threading.Lock)
    given: int = 0  # verdicts acknowledged or in flight
    acked: dict[tuple[int, int], Acked] = field(default_factory=dict)
    save_ms: list[float] = field(default_factory=list)
    assign_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stale_refusals: int = 0
    stale_accepted: int = 0
    slot_refusals: int = 0
    think: float = 0.0  # mean seconds a reviewer pauses before each action

    def pause(self, rng: random.Random) -> None:
        """A reviewer reading the claim, or the page it saved to: none by default."""
        if self.think > 0:
            time.sleep(rng.expovariate(1 / self.think))

    def reserve(self) -> bool:
        with self.lock:
            if self.given >= self.target:
                return False
            self.given += 1
            return True

    def unreserve(self) -> None:
        with self.lock:
            self.given -= 1

    def ack(self, actor: Actor, claim_id: int, review: ReviewOut) -> None:
        with self.lock:
            entry = self.acked.setdefault((claim_id, actor.id), Acked(review))
            entry.review = review
            entry.versions.append(review.version)


def timed(bucket: list[float], lock: threading.Lock, call: Callable[[], T]) -> T:
    start = time.perf_counter()
    try:
        return call()
    finally:
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            bucket.append(elapsed)


def reviewer(run: Run, name: str, seed: int, start: threading.Barrier) -> None:
    rng = random.Random(seed)
    engine = run.engine
    try:
        actor = login(engine, name, PASSWORD)
        start.wait()
        mine: list[int] = []  # claims this reviewer decided, for later edits
        while run.reserve():
            run.pause(rng)
            direct = rng.random() < 0.1
            if direct:
                # Opened from the queue, no lease: refused once the k slots are taken.
                undecided = [c for c in run.claim_ids if c not in mine]
                claim_id: int | None = rng.choice(undecided) if undecided else None
            else:
                claim_id = timed(run.assign_ms, run.lock, lambda: assign.next_claim(engine, actor))
            if claim_id is None:
                run.unreserve()
                break
            shown_at = datetime.now(UTC)
            run.pause(rng)
            try:
                if rng.random() < 0.3:
                    save(run, actor, claim_id, partial(add_url, engine, actor, claim_id, rng))
                verdict = rng.choice(VERDICTS)
                call = partial(
                    decisions.set_verdict, engine, claim_id, actor, verdict, shown_at=shown_at
                )
                save(run, actor, claim_id, call)
            except InvalidInput as exc:
                run.unreserve()
                if not direct or "already has its" not in str(exc):
                    raise
                with run.lock:
                    run.slot_refusals += 1
                continue
            mine.append(claim_id)
            if len(mine) > 1 and rng.random() < 0.35:
                edit_earlier(run, actor, rng.choice(mine[:-1]), rng)
    except Exception as exc:  # every unexpected failure is counted and shown, none hidden
        start.abort()  # a reviewer who could not log in must not leave the others waiting
        with run.lock:
            run.errors.append(f"{name}: {type(exc).__name__}: {exc}")
        traceback.print_exc(file=sys.stderr)


def add_url(engine: Engine, actor: Actor, claim_id: int, rng: random.Random) -> ReviewOut:
    return decisions.add_url(
        engine, claim_id, actor, f"https://example.org/{actor.id}/{claim_id}/{rng.randrange(10**6)}"
    )


def save(run: Run, actor: Actor, claim_id: int, call: Callable[[], ReviewOut]) -> ReviewOut:
    review = timed(run.save_ms, run.lock, call)
    run.ack(actor, claim_id, review)
    return review


def edit_earlier(run: Run, actor: Actor, claim_id: int, rng: random.Random) -> None:
    """Change the note of an earlier review, sometimes from an out-of-date tab."""
    with run.lock:
        known = run.acked[(claim_id, actor.id)]
        current = known.review.version
        older = [v for v in known.versions if v != current]
    stale = bool(older) and rng.random() < 0.5
    expected = rng.choice(older) if stale else current
    note = f"checked again {uuid.uuid4().hex[:8]}"
    engine = run.engine
    try:
        save(
            run,
            actor,
            claim_id,
            lambda: decisions.set_note(engine, claim_id, actor, note, expected_version=expected),
        )
    except StaleEdit as exc:
        if not stale:
            raise  # nobody else writes this review: a refusal of the current version is a bug
        with run.lock:
            run.stale_refusals += 1
        # Reload, as the app does, and save again over the version now shown.
        assert isinstance(exc.current, ReviewOut)
        fresh = exc.current.version
        save(
            run,
            actor,
            claim_id,
            lambda: decisions.set_note(engine, claim_id, actor, note, expected_version=fresh),
        )
    else:
        if stale:
            with run.lock:
                run.stale_accepted += 1  # saved over a newer version: an update was lost
    if rng.random() < 0.5:
        save(run, actor, claim_id, lambda: add_url(engine, actor, claim_id, rng))


# --- the checks ----------------------------------------------------------------------------


def lost_updates(run: Run) -> int:
    """Acknowledged values that the database does not hold at the end."""
    lost = run.stale_accepted
    with unit_of_work(run.engine) as session:
        reviews = {(r.claim_id, r.reviewer_id): r for r in session.scalars(select(Review))}
        for key, acked in run.acked.items():
            row = reviews.get(key)
            if row is None:
                lost += 1
                continue
            want = acked.review
            lost += (row.verdict or None) != (want.verdict or None)
            lost += row.note != want.note
            lost += {e.url for e in row.evidence} != {e.url for e in want.urls}
            lost += row.version != want.version
        # A verdict stored that nobody was told about would be as wrong as one lost.
        lost += sum(1 for key, r in reviews.items() if r.verdict and key not in run.acked)
    return lost


def over_assigned(engine: Engine, k: int) -> int:
    with unit_of_work(engine) as session:
        counts = (
            select(Review.claim_id)
            .where(Review.verdict.is_not(None))
            .group_by(Review.claim_id)
            .having(func.count(Review.id) > k)
            .subquery()
        )
        return session.scalar(select(func.count()).select_from(counts)) or 0


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, math.ceil(q / 100 * len(ordered)) - 1)
    return round(ordered[rank], 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--db",
        required=True,
        help="sqlite:// (temp file), sqlite:///new.db, "
        "or a postgresql+psycopg:// URL (a schema of its own is made)",
    )
    parser.add_argument("--reviewers", type=int, default=20)
    parser.add_argument("--verdicts", type=int, default=200)
    parser.add_argument("--k", type=int, default=2, help="reviews per claim")
    parser.add_argument(
        "--claims",
        type=int,
        default=0,
        help="claims in the corpus (default: just enough for the verdicts, ceil(verdicts / k), "
        "so that every reviewer competes for the same few; 10000 is the usual day, where "
        "reviewers rarely meet on a claim)",
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause of a reviewer before each action (exponential; default 0: every "
        "reviewer saves as fast as the machine allows, a stress test)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    claims = max(args.claims, math.ceil(args.verdicts / args.k))
    with scratch_database(args.db) as url:
        engine = open_database(url)
        names = build(engine, args.reviewers, claims, args.k)
        with unit_of_work(engine) as session:
            claim_ids = list(session.scalars(select(Claim.id)))
        run = Run(
            engine=engine,
            target=args.verdicts,
            k=args.k,
            claim_ids=claim_ids,
            think=args.think_ms / 1000,
        )
        # Everyone logs in first, then all start at once (this thread too, for the clock).
        start = threading.Barrier(len(names) + 1)
        threads = [
            threading.Thread(target=reviewer, args=(run, name, args.seed * 1000 + i, start))
            for i, name in enumerate(names)
        ]
        for thread in threads:
            thread.start()
        with suppress(threading.BrokenBarrierError):  # counted by the reviewer who broke it
            start.wait()
        began = time.perf_counter()
        cpu = time.process_time()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
        cpu = time.process_time() - cpu
        verdicts = sum(1 for a in run.acked.values() if a.review.verdict is not None)
        result = {
            "backend": make_url(url).get_backend_name(),
            "reviewers": args.reviewers,
            "k": args.k,
            "claims": claims,
            "verdicts": verdicts,
            "lost_updates": lost_updates(run),
            "over_assigned": over_assigned(engine, args.k),
            "errors": len(run.errors),
            "stale_refusals": run.stale_refusals,
            "slot_refusals": run.slot_refusals,
            "saves": len(run.save_ms),
            "save_p50_ms": percentile(run.save_ms, 50),
            "save_p95_ms": percentile(run.save_ms, 95),
            "save_p99_ms": percentile(run.save_ms, 99),
            "assign_p50_ms": percentile(run.assign_ms, 50),
            "assign_p95_ms": percentile(run.assign_ms, 95),
            "seconds": round(seconds, 2),
            # This process's CPU (every reviewer thread, the GIL's one core at most) per save
            # or assignment: the floor of a save's time when 20 threads queue for it.
            "cpu_ms_per_call": round(cpu * 1000 / max(1, len(run.save_ms) + len(run.assign_ms)), 2),
            "think_ms": args.think_ms,
            "load_average": round(os.getloadavg()[0], 2),
        }
    for error in run.errors[:10]:
        print(error, file=sys.stderr)
    print(json.dumps(result))
    ok = not (result["lost_updates"] or result["over_assigned"] or result["errors"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
