"""The table patched claim by claim is the table read whole, after any mix of changes.

``workbench.agreement.incremental`` keeps the claim × reviewer table in memory and re-reads
only the claims changed since its version. On random teams and random sequences of changes
(verdicts given, changed and cleared, notes, URLs, adjudications, claims taken out, a new
reviewer, a new claim), every array of the patched table equals the one read whole, and the
report built on it equals the report built on a fresh read, on both backends.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable

import numpy as np
import pytest
from sqlalchemy import Engine

from tests.review.test_assign import add_claims, add_user, set_k
from workbench.agreement import incremental, snapshot
from workbench.agreement import table as tables
from workbench.agreement.report import build_report
from workbench.db import snapshots
from workbench.db.models import Claim
from workbench.db.session import unit_of_work
from workbench.errors import WorkbenchError
from workbench.review import decisions
from workbench.review.adjudicate import adjudicate
from workbench.schemas import Role, Verdict

VERDICTS = (Verdict.verified, Verdict.disputed, Verdict.unsupported)


def assert_same(patched: tables.VerdictTable, whole: tables.VerdictTable) -> None:
    for name in ("claim_ids", "document_ids", "ratings", "seconds", "decided", "final", "changed"):
        np.testing.assert_array_equal(getattr(patched, name), getattr(whole, name), err_msg=name)
        assert getattr(patched, name).dtype == getattr(whole, name).dtype, name
    assert patched.reviewers == whole.reviewers
    assert patched.claim_texts == whole.claim_texts
    assert patched.document_titles == whole.document_titles
    assert patched.use == whole.use


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_patched_table_is_the_table_read_whole(
    engine: Engine, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    incremental.forget()
    patches: list[int] = []
    load_claims = tables.load_claims

    def counting(*args: object, **kwargs: object) -> tables.VerdictTable:
        patches.append(1)
        return load_claims(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tables, "load_claims", counting)
    set_k(engine, 3)
    claims = add_claims(engine, [0.9 - i / 100 for i in range(30)], docs=3)
    admin = add_user(engine, "Ada", Role.admin)
    team = [add_user(engine, name) for name in ("Rui", "Rita", "Rosa", "Raul")]
    for claim_id in claims:
        for reviewer in rng.sample(team, rng.randint(1, 3)):
            decisions.set_verdict(engine, claim_id, reviewer, rng.choice(VERDICTS))
    taken_out: set[int] = set()

    def verdict() -> None:
        decisions.set_verdict(engine, rng.choice(claims), rng.choice(team), rng.choice(VERDICTS))

    def clear() -> None:
        decisions.set_verdict(engine, rng.choice(claims), rng.choice(team), None)

    def note() -> None:
        decisions.set_note(engine, rng.choice(claims), rng.choice(team), "see the source")

    def url() -> None:
        decisions.add_url(engine, rng.choice(claims), rng.choice(team), "https://example.org/a")

    def adjudicated() -> None:
        adjudicate(engine, admin, rng.choice(claims), rng.choice(VERDICTS), "read the sources")

    def out() -> None:
        claim_id = rng.choice([c for c in claims if c not in taken_out])
        reviewer = rng.choice(team)
        decisions.set_verdict(engine, claim_id, reviewer, rng.choice(VERDICTS))
        decisions.mark_not_a_claim(engine, claim_id, reviewer)
        taken_out.add(claim_id)

    def newcomer() -> None:
        team.append(add_user(engine, f"New{len(team)}"))
        decisions.set_verdict(engine, rng.choice(claims), team[-1], rng.choice(VERDICTS))

    def new_claim() -> None:
        with unit_of_work(engine) as session:
            claim = Claim(
                document_id=1,
                text=f"new {len(claims)}",
                char_start=1000 + 10 * len(claims),
                char_end=1005 + 10 * len(claims),
                speaker=None,
                score=0.5,
                extractor="test@1",
            )
            session.add(claim)
            session.flush()
            claims.append(claim.id)

    changes: list[Callable[[], None]] = [verdict] * 8 + [clear, note, url, adjudicated, out]
    changes += [newcomer, new_claim]
    for step in range(25):
        for _ in range(rng.choice((1, 1, 2, 3))):
            # A refused change (a claim with its reviews, or taken out) is no change.
            with contextlib.suppress(WorkbenchError):
                rng.choice(changes)()
        for use in ("blind", "current"):
            version = snapshot.version(engine)
            patched = incremental.current_table(engine, use=use, version=version)
            whole = tables.load_table(engine, use=use)
            assert_same(patched, whole)
            if step % 5 == 0:
                assert build_report(patched, samples=50) == build_report(whole, samples=50)
    assert len(patches) >= 20  # most steps patched the held table rather than reading it whole


def test_figures_after_a_change_equal_figures_computed_from_scratch(engine: Engine) -> None:
    incremental.forget()
    set_k(engine, 3)
    claims = add_claims(engine, [0.9 - i / 100 for i in range(15)], docs=2)
    admin = add_user(engine, "Ada", Role.admin)
    team = [add_user(engine, name) for name in ("Rui", "Rita", "Rosa")]
    for n, claim_id in enumerate(claims):
        for r, reviewer in enumerate(team):
            decisions.set_verdict(engine, claim_id, reviewer, VERDICTS[(n + r * (n % 3)) % 3])
    snapshot.figures(engine, admin)
    decisions.set_verdict(engine, claims[4], team[0], Verdict.unsupported)
    after = snapshot.figures(engine, admin)
    incremental.forget()  # a process that never held the table: reads it whole
    fresh = snapshot.compute(engine, use="blind", document_id=None, version=after.version)
    assert after == fresh


def test_a_table_held_in_memory_is_not_used_once_the_stored_token_is_gone(
    engine: Engine,
) -> None:
    # What a restore does (it empties figure_snapshots): the held table must be read again.
    incremental.forget()
    set_k(engine, 2)
    claims = add_claims(engine, [0.9, 0.8], docs=1)
    rui, rita = add_user(engine, "Rui"), add_user(engine, "Rita")
    decisions.set_verdict(engine, claims[0], rui, Verdict.verified)
    decisions.set_verdict(engine, claims[0], rita, Verdict.verified)
    version = snapshot.version(engine)
    incremental.current_table(engine, use="blind", version=version)
    with engine.begin() as connection:
        snapshots.forget_all(connection)
    reads: list[str] = []
    load_table = tables.load_table

    def counting(*args: object, **kwargs: object) -> tables.VerdictTable:
        reads.append("table")
        return load_table(*args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tables, "load_table", counting)
        incremental.current_table(engine, use="blind", version=version)
    assert reads == ["table"]
