"""The app's pages at 1,000 and at 100,000 claims, and in a small project beside a big one:
their cost must not grow with the corpus, nor with the other projects of the database.

    python bench/pages.py
    python bench/pages.py --backends sqlite --sizes 1000,100000 --repeats 7 --reuse
    python bench/pages.py --projects 20x5000+1x100000 --compare-large --repeats 7 --reuse

For each backend and size it builds a database (or, with ``--reuse``, reuses the one an
earlier ``--reuse`` run left): documents of 20 claims, an admin and 3 reviewers with passwords
(team mode), k = 2, the best-scored ~45% of the claims reviewed twice and ~5% once, one pair in
seven split, the consensus finals and half the split claims adjudicated, one history entry per
review, and similar-claims links for 1% of the claims. Rows go in with SQLAlchemy Core bulk
inserts, then ``workbench.review.stats.recount`` fills in the per-claim figures, as any bulk
path must.

``--projects COUNTxSIZE+...`` (issue 14's scale target): one database holding a project per
size (``20x5000+1x100000``: projects 1 to 20 of 5,000 claims, ``default`` and ``desk-02`` to
``desk-20``, then ``desk-21`` of 100,000), each built as above with its own documents, claims,
speakers, reviews, final verdicts, history and similar-claims links, numbered on from the
project before; the admin is a site admin, the 3 reviewers members of every project. The pages
are timed (a) in the last project of the smallest size, whose claims come after every other
small project's, (b) in the project of the largest size, both opened by name
(``?project=NAME``, as a link does), and (c) in a database holding one project of the smallest
size alone; ``--compare-large`` adds (d) one of the largest size alone. The ratio a/c is the
target (under 1.5: a project's pages cost what its own size costs, not the database's); b/a
and b/d are shown.

Then, with Streamlit's AppTest signed in as the admin (team mode), it times, as the median of
``--repeats`` runs after two warm-up runs:

- ``queue``: a full rerun of the Queue page, default filter (claims to review, reading order);
- ``queue by disagreement``: the same, Review state "Reviewed", sorted by disagreement;
- ``queue (reviewer)``: the Queue page signed in as a reviewer (their sidebar counts their
  own work, which spans every project they are in);
- ``verdict click``: a verdict on the Review page, which reruns the claim-view fragment only
  (AppTest runs whole scripts; the run is handed the fragment's id, as the browser does):
  the save, the next claim assigned, the next claim drawn;
- ``review full rerun``: the whole Review page, for comparison with the fragment.

and the same pages' SQL alone: the service calls each run makes (``current_actor``,
``choices``, ``progress``, ``workload``, ``corpus_marks``, ``list_claims``, as the admin or
the reviewer; for a verdict ``set_verdict``, ``assign.next_claim``, ``similar_claims``,
``get_claim``, ``lease_of``, ``visible_claim_history``). It prints one table per backend: each
page's time at every size (or a to d), the ratios (the first is the target: under 1.5), the
SQL alone at each, and the page's time over its SQL's at the last.

PostgreSQL: a schema of its own per database (``bench_pages_<size>``,
``bench_pages_20x5000_1x100000``) in the database the URL names, dropped at the end unless
``--reuse``. SQLite: files under ``--sqlite-dir``, removed at the end unless ``--reuse``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.app.support import fragment_run  # noqa: E402
from workbench.app.selection import PAGE_SIZE  # noqa: E402
from workbench.app.state import CURRENT_PROJECT, PROJECT_PARAM  # noqa: E402
from workbench.auth.accounts import add_user, current_actor, login  # noqa: E402
from workbench.auth.policy import SYSTEM  # noqa: E402
from workbench.db.models import (  # noqa: E402
    Base,
    Claim,
    ClaimSimilarity,
    Document,
    FinalVerdict,
    HistoryEntry,
    ProjectSetting,
    Review,
)
from workbench.db.open import open_database  # noqa: E402
from workbench.db.session import forget, unit_of_work  # noqa: E402
from workbench.projects.choice import choices  # noqa: E402
from workbench.projects.membership import grant  # noqa: E402
from workbench.projects.service import add_project  # noqa: E402
from workbench.projects.settings import set_project_setting  # noqa: E402
from workbench.review import assign, decisions, stats  # noqa: E402
from workbench.review.history import visible_claim_history  # noqa: E402
from workbench.review.queue import (  # noqa: E402
    ClaimFilter,
    corpus_marks,
    get_claim,
    list_claims,
    progress,
)
from workbench.review.workload import workload  # noqa: E402
from workbench.schemas import Actor, Role, Verdict  # noqa: E402
from workbench.similarity.query import similar_claims  # noqa: E402

HOME = ROOT / "workbench" / "app" / "Home.py"
# The Review page's claim-view fragment (workbench/app/views/review.py: FRAGMENT; a page
# script cannot be imported, it runs).
FRAGMENT = "review_claim"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench password, long enough"
ADMIN = "Ada"
REVIEWERS = ["Rui", "Rita", "Rosa"]
REVIEWER = REVIEWERS[0]  # the one whose Queue page is timed too
K = 2
CLAIMS_PER_DOCUMENT = 20
MARK = "bench_pages_built"  # a project_settings row the build writes last (the app ignores it)
VERDICTS = [Verdict.verified.value, Verdict.disputed.value, Verdict.unsupported.value]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BY_DISAGREEMENT = ClaimFilter(state="reviewed", sort="disagreement")
ROWS = 5000  # per INSERT statement
TARGET = 1.5


# --- where ---------------------------------------------------------------------------------


@contextmanager
def database(backend: str, name: str, args: argparse.Namespace) -> Iterator[str]:
    """The URL of the bench database ``name`` (``bench_pages_<name>``) on ``backend``; removed
    at the end unless ``--reuse``."""
    if backend == "sqlite":
        folder = Path(args.sqlite_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench_pages_{name}.sqlite"
        url = f"sqlite:///{path}"
        if not args.reuse:
            _remove_sqlite(path)
        try:
            yield url
        finally:
            forget(url)
            if not args.reuse:
                _remove_sqlite(path)
        return
    schema = f"bench_pages_{name}"
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not args.reuse:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    query = {"options": f"-csearch_path={schema}", "application_name": "bench_pages"}
    url = make_url(args.postgres_url).update_query_dict(query).render_as_string(False)
    try:
        yield url
    finally:
        forget(url)
        if not args.reuse:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- the corpus ------------------------------------------------------------------------------


def _mark(sizes: Sequence[int]) -> dict[str, Any]:
    # One project: the mark earlier runs left, so their databases are reused.
    return {"claims": sizes[0]} if len(sizes) == 1 else {"projects": list(sizes)}


def built(engine: Engine, sizes: Sequence[int]) -> bool:
    with unit_of_work(engine) as session:
        mark = session.get(ProjectSetting, (1, MARK))
        return mark is not None and mark.value == _mark(sizes)


def project_name(number: int) -> str:
    """Project ``number``'s name: the first is the one every database starts with."""
    return "default" if number == 1 else f"desk-{number:02d}"


@dataclass
class _Next:
    """The next free id of each table whose rows the build numbers itself."""

    document: int = 1
    claim: int = 1
    review: int = 1


def build(engine: Engine, sizes: Sequence[int], seed: int = 6) -> float:
    """Fill an empty, migrated database with one project per size (project ``i`` is
    :func:`project_name` (i)); returns the seconds it took."""
    started = time.perf_counter()
    admin = add_user(engine, SYSTEM, ADMIN, Role.admin, PASSWORD)  # site-wide
    # Added while the database has one project, they are its members (join_sole_project).
    reviewers = [add_user(engine, SYSTEM, n, Role.reviewer, PASSWORD) for n in REVIEWERS]
    following = _Next()
    for number, size in enumerate(sizes, start=1):
        if number > 1:
            add_project(engine, SYSTEM, project_name(number))
            for reviewer in reviewers:  # the three reviewers work on every desk
                grant(engine, SYSTEM, reviewer.name, number, Role.reviewer)
        set_project_setting(engine, SYSTEM, "reviews_per_claim", K, number)
        # Project 1 draws what it drew before projects, so earlier databases stay comparable.
        rng = random.Random(seed if number == 1 else seed * 1000 + number)
        rows = _project_rows(rng, number, size, following, [r.id for r in reviewers], admin.id)
        with engine.begin() as connection:
            for model in (Document, Claim, Review, HistoryEntry, FinalVerdict, ClaimSimilarity):
                table = Base.metadata.tables[model.__tablename__]
                chunks = rows[model]
                for start in range(0, len(chunks), ROWS):
                    connection.execute(table.insert(), chunks[start : start + ROWS])
    with engine.begin() as connection:
        # The bulk path's duty: the per-claim figures the service layer keeps otherwise.
        stats.recount(connection)
        if connection.dialect.name == "postgresql":
            for model in (Document, Claim, Review, HistoryEntry, FinalVerdict):
                name = model.__tablename__
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
        connection.execute(
            Base.metadata.tables[ProjectSetting.__tablename__].insert(),
            {
                "project_id": 1,
                "key": MARK,
                "value": _mark(sizes),
                "updated_at": datetime.now(UTC),
            },
        )
    _settle(engine)
    return time.perf_counter() - started


def _project_rows(
    rng: random.Random,
    project: int,
    size: int,
    following: _Next,
    reviewer_ids: list[int],
    admin_id: int,
) -> dict[type[Base], list[dict[str, Any]]]:
    """The rows of one project of ``size`` claims, numbered from ``following`` (advanced)."""
    documents = -(-size // CLAIMS_PER_DOCUMENT)
    # Each desk has its own speakers (project 1's are named as before projects).
    prefix = "Speaker " if project == 1 else f"Speaker {project:02d}."
    speakers = [f"{prefix}{i:05d}" for i in range(max(30, size // 40))]
    document_rows: list[dict[str, Any]] = []
    claim_rows: list[dict[str, Any]] = []
    for d in range(following.document, following.document + documents):
        sentences = []
        offset = 0
        for i in range(min(CLAIMS_PER_DOCUMENT, size - len(claim_rows))):
            speaker = rng.choice(speakers) if rng.random() < 0.7 else None
            sentence = (
                f"{speaker or 'The ministry'} said on day {rng.randint(1, 28)} that "
                f"{rng.randint(2, 99)} percent of claim {i} in report {d} held in {2000 + i}."
            )
            claim_rows.append(
                {
                    "id": following.claim + len(claim_rows),
                    "document_id": d,
                    "project_id": project,
                    "text": sentence,
                    "char_start": offset,
                    "char_end": offset + len(sentence),
                    "speaker": speaker,
                    "score": round(rng.betavariate(2, 2), 6),
                    "extractor": "bench@1",
                    "status": "not_a_claim" if rng.random() < 0.02 else "open",
                    "created_at": T0,
                }
            )
            sentences.append(sentence)
            offset += len(sentence) + 2
        document_rows.append(
            {
                "id": d,
                "project_id": project,
                "title": f"Report {d}: what was said on {rng.choice(speakers)}",
                "source": f"bench/report-{d}.txt",
                "url": None,
                "text": "\n\n".join(sentences),
                "sha256": f"{d:064x}",
                "published": None,
                "metadata": {},
                "ingested_at": T0,
            }
        )

    # The best-scored open claims are the reviewed ones, as "next claim by score" leaves them.
    ranked = sorted(
        (c for c in claim_rows if c["status"] == "open"), key=lambda c: (-c["score"], c["id"])
    )
    twice = ranked[: int(len(ranked) * 0.45)]
    once = ranked[len(twice) : len(twice) + int(len(ranked) * 0.05)]
    review_rows: list[dict[str, Any]] = []
    history_rows: list[dict[str, Any]] = []
    final_rows: list[dict[str, Any]] = []
    for claim in twice + once:
        n = 2 if len(review_rows) < 2 * len(twice) else 1
        who = rng.sample(reviewer_ids, n)
        first = rng.choices(VERDICTS, weights=[60, 25, 15])[0]
        split = n == 2 and rng.random() < 1 / 7
        given = [first, rng.choice([v for v in VERDICTS if v != first]) if split else first][:n]
        decided = T0 + timedelta(minutes=len(review_rows))
        for reviewer_id, verdict in zip(who, given, strict=True):
            review_id = following.review + len(review_rows)
            review_rows.append(
                {
                    "id": review_id,
                    "claim_id": claim["id"],
                    "reviewer_id": reviewer_id,
                    "verdict": verdict,
                    "blind_verdict": verdict,  # decided once, blind (review.blind)
                    "note": "",
                    "seconds_spent": round(rng.uniform(20, 200), 1),
                    "decided_at": decided,
                    "version": 1,
                    "created_at": decided,
                    "updated_at": decided,
                }
            )
            history_rows.append(
                {
                    "at": decided,
                    "actor_id": reviewer_id,
                    "entity": "review",
                    "entity_id": str(review_id),
                    "claim_id": claim["id"],
                    "action": "create",
                    "before": None,
                    "after": {"verdict": verdict, "note": ""},
                }
            )
        if n == 2 and not split:
            final_rows.append(_final(claim["id"], first, "consensus", None, decided))
        elif split and rng.random() < 0.5:
            later = decided + timedelta(hours=1)
            final_rows.append(_final(claim["id"], first, "adjudicated", admin_id, later))

    linked = rng.sample(claim_rows, max(2, size // 100))
    links: list[dict[str, Any]] = []
    for claim in linked:
        other = rng.choice(claim_rows)
        if other["document_id"] != claim["document_id"]:
            for a, b in ((claim, other), (other, claim)):
                links.append({"claim_id": a["id"], "similar_id": b["id"], "score": 0.9})
    links = list({(r["claim_id"], r["similar_id"]): r for r in links}.values())
    following.document += len(document_rows)
    following.claim += len(claim_rows)
    following.review += len(review_rows)
    return {
        Document: document_rows,
        Claim: claim_rows,
        Review: review_rows,
        HistoryEntry: history_rows,
        FinalVerdict: final_rows,
        ClaimSimilarity: links,
    }


def _final(
    claim_id: int, verdict: str, source: str, by: int | None, at: datetime
) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "verdict": verdict,
        "source": source,
        "reason": "bench" if source == "adjudicated" else "",
        "decided_by_id": by,
        "decided_at": at,
        "version": 1,
    }


def _settle(engine: Engine) -> None:
    """PostgreSQL: what autovacuum does after a load (statistics, the visibility map)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


# --- timing the pages ------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a column of the table is timed: a database and the project the pages open
    (None: the only one, as a database of one project opens it)."""

    url: str
    project: str | None = None
    project_id: int = 1


def interleaved(
    calls: dict[str, Callable[[], Any]], repeats: int, warm: int = 2
) -> dict[str, float]:
    """The median ms of each target's call, the targets taking turns run after run, so that a
    slow spell of the (shared, noisy) machine falls on every target alike."""
    times: dict[str, list[float]] = {label: [] for label in calls}
    for i in range(warm + repeats):
        for label, call in calls.items():
            started = time.perf_counter()
            call()
            if i >= warm:
                times[label].append((time.perf_counter() - started) * 1000)
    return {label: statistics.median(values) for label, values in times.items()}


def on(url: str, call: Callable[[], Any]) -> Callable[[], Any]:
    """``call`` with the app pointed at ``url`` (the app reads WORKBENCH_DATABASE_URL)."""

    def run() -> Any:
        os.environ["WORKBENCH_DATABASE_URL"] = url
        return call()

    return run


def signed_in(target: Target, page: str, name: str = ADMIN) -> AppTest:
    """An AppTest of the app on ``target``'s database, ``name`` signed in (team mode), on
    ``page`` of ``target``'s project (named in the address, ``?project=NAME``, as a link does)."""
    os.environ["WORKBENCH_DATABASE_URL"] = target.url
    at = AppTest.from_file(str(HOME), default_timeout=120)
    if target.project is not None:
        at.query_params[PROJECT_PARAM] = target.project
    at.run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click()
    at.run()
    at.switch_page(page)
    at.run()
    _check(at)
    chosen = at.session_state[CURRENT_PROJECT]
    if chosen is None or chosen.project.id != target.project_id:
        raise RuntimeError(f"the page opened another project than {target.project}")
    return at


def _check(at: AppTest) -> None:
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].value}")


def rerun(at: AppTest) -> None:
    """Run the page again, as a full rerun does, and check it did not raise."""
    _check(at.run())


def fragment_click(at: AppTest, key: str, fragment: str) -> AppTest:
    """Click button ``key`` inside fragment ``fragment``; rerun that fragment only."""
    at.button(key=key).click()
    return fragment_run(at, fragment)


def time_pages(targets: dict[str, Target], repeats: int) -> dict[str, dict[str, float]]:
    """Each page's median ms per target (see the module's docstring)."""
    st.cache_resource.clear()
    st.cache_data.clear()
    results: dict[str, dict[str, float]] = {}

    def each(pages: dict[str, AppTest], call: Callable[[AppTest], None]) -> dict[str, float]:
        calls = {label: on(targets[label].url, partial(call, at)) for label, at in pages.items()}
        return interleaved(calls, repeats)

    queues = {label: signed_in(target, "views/queue.py") for label, target in targets.items()}
    results["queue"] = each(queues, rerun)
    for label, at in queues.items():
        at.session_state["queue_filter"] = BY_DISAGREEMENT.model_dump()
        os.environ["WORKBENCH_DATABASE_URL"] = targets[label].url
        if "most disagreement first" not in at.run().caption[0].value:
            raise RuntimeError("the queue is not sorted by disagreement")
    results["queue by disagreement"] = each(queues, rerun)
    # A reviewer's sidebar counts their own work, which spans every project they are in.
    theirs = {label: signed_in(t, "views/queue.py", REVIEWER) for label, t in targets.items()}
    results["queue (reviewer)"] = each(theirs, rerun)

    reviews = {label: signed_in(target, "views/review.py") for label, target in targets.items()}
    turn = iter(range(10**6))

    def click(at: AppTest) -> None:
        key = f"verdict_{VERDICTS[next(turn) % 3]}"
        tree = fragment_click(at, key, FRAGMENT)
        _check(tree)
        if not tree.subheader or not str(tree.subheader[0].value).startswith("Claim #"):
            raise RuntimeError("the fragment did not show the next claim")

    results["verdict click"] = each(reviews, click)
    results["review full rerun"] = each(reviews, rerun)
    return results


def time_sql(
    targets: dict[str, Target], engines: dict[str, Engine], repeats: int
) -> dict[str, dict[str, float]]:
    """The pages' service calls alone, per target (see the module's docstring)."""
    admins = {label: login(engine, ADMIN, PASSWORD) for label, engine in engines.items()}
    reviewers = {label: login(engine, REVIEWER, PASSWORD) for label, engine in engines.items()}

    def queue(label: str, flt: ClaimFilter, by: dict[str, Actor] = admins) -> None:
        engine, who, project = engines[label], by[label], targets[label].project_id
        current_actor(engine, who)
        choices(engine, who)
        progress(engine, project_id=project)
        workload(engine, who, project=project)
        corpus_marks(engine)
        flt = flt.model_copy(update={"project_id": project})
        list_claims(engine, flt, page=1, page_size=PAGE_SIZE, actor=who)

    turn = iter(range(10**6))

    def verdict(label: str) -> None:
        engine, ada, project = engines[label], admins[label], targets[label].project_id
        claim_id = assign.next_claim(engine, ada, project=project)  # the claim on screen
        assert claim_id is not None, "no claim left to review"
        given = Verdict(VERDICTS[next(turn) % 3])
        decisions.set_verdict(engine, claim_id, ada, given, shown_at=datetime.now(UTC))
        following = assign.next_claim(engine, ada, project=project)
        similar_claims(engine, claim_id, ada)  # the offer to apply it to similar claims
        current_actor(engine, ada)
        progress(engine, project_id=project)
        assert following is not None
        get_claim(engine, following, ada)
        assign.lease_of(engine, ada, following)
        similar_claims(engine, following, ada)
        visible_claim_history(engine, ada, following)

    return {
        "queue": interleaved({t: partial(queue, t, ClaimFilter()) for t in engines}, repeats),
        "queue by disagreement": interleaved(
            {t: partial(queue, t, BY_DISAGREEMENT) for t in engines}, repeats
        ),
        "queue (reviewer)": interleaved(
            {t: partial(queue, t, ClaimFilter(), reviewers) for t in engines}, repeats
        ),
        "verdict click": interleaved({t: partial(verdict, t) for t in engines}, repeats),
    }


# --- the report ----------------------------------------------------------------------------


def prepare(backend: str, sizes: Sequence[int], url: str, args: argparse.Namespace) -> Engine:
    """The database at ``url``, built unless an earlier ``--reuse`` run left it complete."""
    engine = open_database(url)
    what = "+".join(f"{sizes.count(s)}x{s:,}" for s in sorted(set(sizes), key=sizes.index))
    if built(engine, sizes):
        print(f"  {backend} {what}: reusing the database", file=sys.stderr)
    else:
        if args.reuse:  # a half-built leftover: start again
            _reset(engine, url)
            engine = open_database(url)
        seconds = build(engine, sizes)
        print(f"  {backend} {what}: built in {seconds:.1f} s", file=sys.stderr)
    with unit_of_work(engine) as session:
        reviews = session.scalar(select(func.count(Review.id))) or 0
    print(f"  {backend} {what}: {reviews:,} reviews", file=sys.stderr)
    return engine


Results = dict[str, dict[str, float]]


def run_backend(backend: str, args: argparse.Namespace) -> tuple[Results, Results]:
    """Time the pages on ``backend`` at each target of the run (sizes, or projects)."""
    with ExitStack() as stack:
        targets: dict[str, Target] = {}
        engines: dict[str, Engine] = {}

        opened: dict[str, tuple[str, Engine]] = {}

        def add(label: str, sizes: list[int], project: int = 1, named: bool = False) -> None:
            name = str(sizes[0]) if len(sizes) == 1 else args.projects_name
            if name not in opened:  # two projects of one database: built once
                url = stack.enter_context(database(backend, name, args))
                opened[name] = (url, prepare(backend, sizes, url, args))
            url, engines[label] = opened[name]
            targets[label] = Target(url, project_name(project) if named else None, project)

        if args.projects:
            sizes = args.projects
            small, large = min(sizes), max(sizes)
            # The last small project: a walk of the database in document order reaches its
            # claims after every other small project's (the first one's come first).
            last_small = len(sizes) - sizes[::-1].index(small)
            add(f"a {small:,} of many", sizes, last_small, named=True)
            add(f"b {large:,} of many", sizes, sizes.index(large) + 1, named=True)
            add(f"c {small:,} alone", [small])
            if args.compare_large:
                add(f"d {large:,} alone", [large])
        else:
            for size in args.sizes:
                add(f"{size:,}", [size])
        print(f"  {backend}: timing", file=sys.stderr)
        return time_pages(targets, args.repeats), time_sql(targets, engines, args.repeats)


def _reset(engine: Engine, url: str) -> None:
    with engine.begin() as connection:
        _drop_all(connection)
    forget(url)


def _drop_all(connection: Connection) -> None:
    Base.metadata.drop_all(connection)
    connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def report(backend: str, pages: Results, sql: Results, pairs: list[tuple[str, str]]) -> bool:
    """One table per backend: each page's median at every target, the ``pairs``' ratios
    (the first pair's is the target), the SQL alone at every target, and page over SQL at
    the last one. True when the first pair's ratio is under the target on every page."""
    labels = list(pages["queue"])
    last = labels[-1]
    names = [f"{b.split()[0]}/{a.split()[0]}" if " " in a else "ratio" for a, b in pairs]
    print(f"\n{backend}: median ms; target: {names[0]} < {TARGET}; page/sql at {last}")
    width = max(9, *(len(label) for label in labels))
    header = [f"{'page':<22}", *(f"{label:>{width}}" for label in labels)]
    header += [f"{n:>6}" for n in names]
    header += [f"{'sql ' + label.split()[0]:>9}" for label in labels] + [f"{'page/sql':>9}"]
    print(" ".join(header))
    met = True
    for name, times in pages.items():
        ratios = [times[b] / times[a] for a, b in pairs]
        sqls = sql.get(name, {})
        if name in sql:  # the full rerun is shown for comparison only
            met &= ratios[0] < TARGET
        cells = [f"{name:<22}", *(f"{times[label]:>{width}.1f}" for label in labels)]
        cells += [f"{r:>6.2f}" for r in ratios]
        cells += [f"{_ms(sqls.get(label)):>9}" for label in labels]
        cells.append(f"{(f'{times[last] / sqls[last]:.1f}' if sqls.get(last) else ''):>9}")
        print(" ".join(cells))
    return met


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def parse_projects(spec: str) -> list[int]:
    """``20x5000+1x100000`` -> twenty 5,000s then one 100,000: one size per project."""
    sizes: list[int] = []
    for part in spec.split("+"):
        count, _, size = part.strip().partition("x")
        if not (count.isdigit() and size.isdigit()) or int(count) < 1 or int(size) < 1:
            raise SystemExit(f"--projects: {part!r} is not COUNTxSIZE (e.g. 20x5000+1x100000)")
        sizes += [int(size)] * int(count)
    if len(set(sizes)) < 2:
        raise SystemExit("--projects: name two sizes of project (e.g. 20x5000+1x100000)")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument(
        "--projects",
        help="COUNTxSIZE+...: time a project of the smallest and of the largest size in one "
        "database holding them all, against a database of the smallest alone",
    )
    parser.add_argument(
        "--compare-large",
        action="store_true",
        help="with --projects: also time a database of the largest project alone",
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the databases for next time")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument(
        "--sqlite-dir", default=str(Path(tempfile.gettempdir()) / "workbench-bench-pages")
    )
    args = parser.parse_args(argv)
    args.sizes = sorted(int(s) for s in args.sizes.split(","))
    if args.projects:
        args.projects_name = args.projects.replace("+", "_")
        args.projects = parse_projects(args.projects)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    shape = f"projects {args.projects_name}" if args.projects else f"sizes {args.sizes}"
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus, "
        f"Python {platform.python_version()}, Streamlit {st.__version__}; "
        f"{shape}, k = {K}, median of {args.repeats} after 2 warm-up runs"
    )
    met = True
    for backend in backends:
        pages, sql = run_backend(backend, args)
        labels = list(pages["queue"])
        if args.projects:
            pairs = [(labels[2], labels[0]), (labels[0], labels[1])]
            if args.compare_large:
                pairs.append((labels[3], labels[1]))
        else:
            pairs = [(labels[0], labels[-1])]
        met &= report(backend, pages, sql, pairs)
    print(f"\nratios under {TARGET}: {'yes' if met else 'no'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
