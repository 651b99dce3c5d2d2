"""The pages' queries go through indexes: no pass over every claim, no sort of every claim.

Every statement a service call runs is captured and explained with SQLite's EXPLAIN QUERY
PLAN, on a database of a few hundred claims: a full scan of ``claims`` or ``reviews`` (a
``SCAN`` without an index), or a sort of the rows found (``USE TEMP B-TREE``), would make
the call's cost grow with the corpus. An index walked in order and left at the page's end
(``SCAN claims USING INDEX ...`` under a LIMIT) is what a page should do. PostgreSQL plans by
its statistics, which a test database this small does not have: bench/pages.py measures it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from tests.review.test_assign import add_claims, add_user
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.projects.service import add_project
from workbench.projects.settings import set_project_setting
from workbench.review import adjudicate, assign, decisions, options, queue, workload
from workbench.schemas import Role, Verdict

pytestmark = pytest.mark.backends("sqlite")

FULL_SCAN = re.compile(r"\bSCAN (claims|reviews)\b(?! USING)")
# The query reads claims (or reviews) first: a sort there is a sort of what a range found.
DRIVEN_BY_CLAIMS = re.compile(r"(SEARCH|SCAN) (claims|reviews)\b")


@contextmanager
def captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, params))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def plans(engine: Engine, call: Callable[[], object]) -> list[str]:
    """The query plan of every SELECT ``call`` runs, one string each."""
    with captured(engine) as statements:
        call()
    found = []
    with engine.connect() as connection:
        for statement, params in statements:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            found.append(" | ".join(str(row[-1]) for row in rows) + f"  <- {statement[:120]}")
    return found


# A sort is fine over a group the filter itself bounds: one speaker's claims (found through
# ix_claims_speaker), the claims taken out of the queue (a few in a hundred), the reviews of
# the claims on a page, the claims waiting for adjudication (a union of the split claims and
# the adjudicated ones).
BOUNDED = re.compile(
    r"SEARCH claims USING (COVERING )?INDEX \w+ \((speaker|status)=\?\)"
    r"|SEARCH reviews USING INDEX ix_reviews_claim_(id|updated) \(claim_id=\?\)"
    r"|UNION USING TEMP B-TREE"
)


def assert_indexed(engine: Engine, call: Callable[[], object], *, bounded: bool = False) -> None:
    for plan in plans(engine, call):
        steps = plan.split("  <- ")[0]
        assert not FULL_SCAN.search(steps), plan
        if not DRIVEN_BY_CLAIMS.match(steps) or (bounded and BOUNDED.search(steps)):
            continue  # a sort of rows found by id (a page's URLs, a claim's reviews) is small
        assert "TEMP B-TREE" not in plan, plan


@pytest.fixture
def corpus(engine: Engine) -> Engine:
    """300 claims in 15 documents, a third reviewed (some twice, some split), k = 2."""
    claims = add_claims(engine, [((i * 37) % 100) / 100 for i in range(300)], docs=15)
    set_project_setting(engine, SYSTEM, "reviews_per_claim", 2)
    ana, ben = local_actor(engine, "Ana"), local_actor(engine, "Ben")
    for i, claim_id in enumerate(claims[:100]):
        decisions.set_verdict(engine, claim_id, ana, Verdict.verified)
        if i % 2 == 0:
            second = Verdict.disputed if i % 6 == 0 else Verdict.verified
            decisions.set_verdict(engine, claim_id, ben, second)
    decisions.mark_not_a_claim(engine, claims[-1], ana)
    with engine.begin() as connection:
        connection.execute(text("UPDATE claims SET speaker = 'Speaker ' || (id % 40)"))
    return engine


FILTERS = {
    "to review": queue.ClaimFilter(),
    "reviewed": queue.ClaimFilter(state="reviewed"),
    "reviewed by disagreement": queue.ClaimFilter(state="reviewed", sort="disagreement"),
    "not a claim": queue.ClaimFilter(state="not_a_claim"),
    "all": queue.ClaimFilter(state="all"),
    "a speaker": queue.ClaimFilter(speaker="Speaker 7"),
    "a speaker, reviewed": queue.ClaimFilter(speaker="Speaker 7", state="reviewed"),
    "a document": queue.ClaimFilter(document_id=3),
    "a document, reviewed": queue.ClaimFilter(document_id=3, state="reviewed"),
    "a score range": queue.ClaimFilter(min_score=0.5, max_score=0.9),
    "needs more reviews": queue.ClaimFilter(state="needs_more"),
    "fully reviewed": queue.ClaimFilter(state="complete"),
    "a verdict given": queue.ClaimFilter(state="all", verdict=Verdict.disputed),
    "a final verdict": queue.ClaimFilter(state="complete", final="verified"),
    "no final verdict": queue.ClaimFilter(state="complete", final="none"),
    "no final verdict, all": queue.ClaimFilter(state="all", final="none"),
    "adjudicated": queue.ClaimFilter(state="all", final_from="adjudicated"),
    "a reviewer": queue.ClaimFilter(state="all", reviewer="Ben"),
    "split": queue.ClaimFilter(state="reviewed", split=True),
    "split by disagreement": queue.ClaimFilter(state="reviewed", split=True, sort="disagreement"),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_a_queue_page_is_read_through_indexes(
    corpus: Engine, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Matches are many at 100,000 claims: the page walks the queue's order (under
    # queue.SPARSE they are found and sorted, tested below).
    monkeypatch.setattr(queue, "SPARSE", -1)
    flt = FILTERS[name]
    actor = add_user(corpus, "Ada", Role.admin)
    bounded = bool(flt.speaker) or flt.state == "not_a_claim"
    for page in (1, 3):
        call = lambda page=page: queue.list_claims(corpus, flt, page=page, actor=actor)  # noqa: E731
        assert_indexed(corpus, call, bounded=bounded)


def test_the_totals_read_no_claim(corpus: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress counts, and the queue's total unless narrowed, come from the kept totals:
    a few rows of changes and the newest claim id (the number of claims is counted once,
    when claims were added)."""
    monkeypatch.setattr(queue, "SPARSE", -1)  # the reviewed claims walked, as at 100,000
    queue.progress(corpus)  # counts the claims once
    for call in (
        lambda: queue.progress(corpus),
        lambda: queue.list_claims(
            corpus, queue.ClaimFilter(state="reviewed"), page_size=1, actor=SYSTEM
        ),
    ):
        found = plans(corpus, call)
        reads = [p for p in found if "count(" in p.split("  <- ")[1].lower()]
        assert all("FROM claims" not in p for p in reads), reads
        assert_indexed(corpus, call)


def test_the_next_claim_in_queue_order_is_a_seek(corpus: Engine) -> None:
    first = queue.next_claim_id(corpus, queue.ClaimFilter(), after=None)
    assert_indexed(corpus, lambda: queue.next_claim_id(corpus, queue.ClaimFilter(), after=first))


@pytest.mark.parametrize("order", ["score", "document"])
def test_assignment_seeks_past_the_fully_reviewed_claims(corpus: Engine, order: str) -> None:
    set_project_setting(corpus, SYSTEM, "assignment_order", order)
    cleo = local_actor(corpus, "Cleo")
    found = plans(corpus, lambda: assign.next_claim(corpus, cleo))
    # One statement, one seek per verdict count below k = 2 (a UNION ALL of the two).
    steps = [step for p in found for step in p.split("  <- ")[0].split(" | ")]
    seeks = [step for step in steps if "verdicts=?" in step]
    assert len(seeks) == 2, found
    index = "ix_claims_assign_score" if order == "score" else "ix_claims_queue"
    assert all(index in p for p in seeks), seeks
    assert_indexed(corpus, lambda: assign.next_claim(corpus, cleo))


def test_the_adjudication_queue_and_the_option_lists_are_indexed(corpus: Engine) -> None:
    ada = add_user(corpus, "Ada", Role.admin)
    assert adjudicate.adjudication_queue(corpus, ada).total > 0
    assert_indexed(corpus, lambda: adjudicate.adjudication_queue(corpus, ada), bounded=True)
    assert_indexed(corpus, lambda: options.speaker_options(corpus))
    assert_indexed(corpus, lambda: options.document_options(corpus))
    assert_indexed(corpus, lambda: queue.corpus_marks(corpus))


def test_the_sidebar_figures_are_index_ranges(corpus: Engine) -> None:
    """Each figure is a count over an index range or the kept totals, never a pass over the
    claims or the reviews (the reviewer's own through ix_reviews_reviewer_*)."""
    ana = local_actor(corpus, "Ana")
    found = plans(corpus, lambda: workload.workload(corpus, ana))
    assert any("ix_reviews_reviewer_open_verdicts" in p for p in found), found
    assert any("ix_reviews_reviewer_decided" in p for p in found), found
    assert_indexed(corpus, lambda: workload.workload(corpus, ana))


def test_beside_another_project_the_sidebar_reads_the_projects_own_claims(corpus: Engine) -> None:
    """With several projects the reviewer's entries of ix_reviews_reviewer_open_verdicts are
    every project's: "left for you" is counted from the project's partly reviewed claims."""
    ana = local_actor(corpus, "Ana")
    add_project(corpus, SYSTEM, "other")
    found = plans(corpus, lambda: workload.workload(corpus, ana, project=1))
    assert not any("ix_reviews_reviewer_open_verdicts" in p for p in found), found
    probe = "reviews USING INDEX sqlite_autoindex_reviews_1 (claim_id=? AND reviewer_id=?)"
    assert any(probe in p for p in found), found  # uq_reviews_claim_reviewer, per claim
    assert_indexed(corpus, lambda: workload.workload(corpus, ana, project=1))


SPARSE_FILTERS = {
    "needs more reviews": queue.ClaimFilter(state="needs_more"),
    "a verdict given": queue.ClaimFilter(state="all", verdict=Verdict.disputed),
    "adjudicated": queue.ClaimFilter(state="all", final_from="adjudicated"),
    "a reviewer": queue.ClaimFilter(state="all", reviewer="Ben"),
    "split": queue.ClaimFilter(state="all", split=True),
}


@pytest.mark.parametrize("name", list(SPARSE_FILTERS))
def test_few_matches_are_found_through_an_index_not_by_walking(corpus: Engine, name: str) -> None:
    """Under queue.SPARSE matches, a page reads only them: by id (the filter's own index gave
    them) or by its state's range, then sorts those few; never a pass over the claims."""
    flt = SPARSE_FILTERS[name]
    ada = add_user(corpus, "Ada", Role.admin)
    found = plans(corpus, lambda: queue.list_claims(corpus, flt, actor=ada))
    if queue.list_claims(corpus, flt, actor=ada).total == 0:
        # Counted none: no page is read (nobody adjudicated in this corpus).
        assert not any("SELECT claims.id, claims.document_id" in p for p in found), found
        return
    page = next(p for p in found if "SELECT claims.id, claims.document_id" in p)
    assert not FULL_SCAN.search(page), page
    assert re.search(
        r"SEARCH claims USING (INTEGER PRIMARY KEY|(COVERING )?INDEX ix_claims_)", page
    )
    assert "SCAN claims USING INDEX uq_claims_span" not in page, page
