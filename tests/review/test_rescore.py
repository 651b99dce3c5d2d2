"""Provisional scores at ingest, re-scored later by the full model (workbench.review.rescore).

Ingest with a two-stage scorer stores linear@1's scores (``scored_by``) and, out of the queue,
the sentences the cascade would have shown the transformer; re-scoring gives each the full
model's score and puts it in or out of the queue, never against a person's decision. Batches
are taken with a conditional UPDATE: two workers never score one claim, and a worker killed
mid-batch leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, update
from typer.testing import CliRunner

from tests.review.test_stats import assert_kept
from workbench.app import render, selection
from workbench.auth.accounts import local_actor
from workbench.auth.policy import SYSTEM
from workbench.cli import app
from workbench.config import Settings
from workbench.db.models import Claim, Document, HistoryEntry
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput
from workbench.export.rows import iter_records
from workbench.extract import default_extractor, ingest_extractor
from workbench.ingest.service import ingest_paths
from workbench.review import decisions, queue, stats
from workbench.review import rescore as rs
from workbench.schemas import ClaimStatus, Verdict

ROOT = Path(__file__).resolve().parents[2]


class FakeFull:
    """A stand-in for the full model: fast, deterministic, and it counts what it scores."""

    name = "fake-full@1"
    threshold = 0.5

    def __init__(self, value: float | None = None, delay: float = 0.0) -> None:
        self.value = value
        self.delay = delay
        self.seen: list[str] = []
        self.lock = threading.Lock()

    def score_many(self, texts: Sequence[str]) -> list[float]:
        time.sleep(self.delay)  # a slow model: workers overlap
        with self.lock:
            self.seen += list(texts)
        if self.value is not None:
            return [self.value] * len(texts)
        return [(len(t) % 10) / 10 for t in texts]


def fake_stages(value: float | None = None, delay: float = 0.0) -> rs.Stages:
    return rs.Stages(FakeFull(value, delay), "linear@1", FakeFull.threshold)


@pytest.fixture
def provisional(engine: Engine, sample_dir: Path) -> Engine:
    """The sample articles ingested as `workbench ingest` does with WORKBENCH_SCORER=onnx."""
    report = ingest_paths(engine, [sample_dir], ingest_extractor(scorer="onnx"), max_bytes=10**7)
    assert report.added == 5 and not report.errors
    # The report counts the claims put in the queue, not the sentences kept out of it.
    assert report.claims == queue.progress(engine).total
    return engine


def rows(engine: Engine) -> list[tuple[int, str, float, str | None, str, str | None]]:
    with unit_of_work(engine) as session:
        return [
            (i, text, score, by, status, token)
            for i, text, score, by, status, token in session.execute(
                select(
                    Claim.id,
                    Claim.text,
                    Claim.score,
                    func.coalesce(Claim.scored_by, Claim.extractor),  # whose score it is
                    Claim.status,
                    Claim.rescore_token,
                ).order_by(Claim.id)
            )
        ]


def test_ingest_stores_first_stage_scores_and_keeps_the_cascades_candidates_out_of_the_queue(
    provisional: Engine,
) -> None:
    found = rows(provisional)
    linear = ingest_extractor(scorer="onnx")
    assert {by for *_, by, _, _ in found} == {"linear@1"}
    opened = [score for _, _, score, _, status, _ in found if status == "open"]
    hidden = [score for _, _, score, _, status, _ in found if status == "held_out"]
    assert opened and hidden and len(opened) + len(hidden) == len(found)
    assert min(opened) >= linear.threshold > max(hidden)
    with unit_of_work(provisional) as session:
        assert (
            session.scalar(select(func.count()).where(Claim.status_changed_by_id.is_not(None))) == 0
        )
        assert {e for e in session.scalars(select(Claim.extractor))} == {"minilm-onnx@4"}
        totals = stats.totals(session)
    # Held out is the extractor's own decision, not a person's "not a claim": in no count of
    # claims, not in the "Not a claim" filter, not among "All" claims or a document's claims.
    assert (totals.claims, totals.not_a_claim, totals.held_out) == (len(opened), 0, len(hidden))
    assert queue.progress(provisional).not_a_claim == 0
    for state, expected in [("not_a_claim", 0), ("all", len(opened))]:
        flt = queue.ClaimFilter(state=state)
        page = queue.list_claims(provisional, flt, page_size=1000, actor=SYSTEM)
        assert page.total == len(page.items) == expected, state
    assert sum(d.claims for d in queue.list_documents(provisional)) == len(opened)
    assert_kept(provisional)  # the hidden ones are counted out of the queue
    assert rs.pending(provisional, "linear@1") == len(found)


def test_rescoring_ends_where_the_cascaded_full_model_would_have_at_ingest(
    provisional: Engine,
) -> None:
    found = rs.stages(Settings(scorer="onnx"))
    assert found is not None and found.provisional == "linear@1"
    done = rs.rescore(provisional, found, batch=16)
    assert done.scored == len(rows(provisional)) and done.lost == 0
    assert rs.pending(provisional, "linear@1") == 0
    full = default_extractor(scorer="onnx")
    with unit_of_work(provisional) as session:
        documents = list(session.execute(select(Document.id, Document.text)))
        shown = {
            (d, a, b): score
            for d, a, b, score in session.execute(
                select(Claim.document_id, Claim.char_start, Claim.char_end, Claim.score).where(
                    Claim.status == "open"
                )
            )
        }
    expected = {
        (d, c.char_start, c.char_end): c.score for d, text in documents for c in full.extract(text)
    }
    assert shown.keys() == expected.keys()
    assert all(abs(shown[k] - expected[k]) < 1e-9 for k in expected)
    assert {by for *_, by, _, _ in rows(provisional)} == {"minilm-onnx@4"}
    assert_kept(provisional)


def test_a_persons_decision_stands_and_only_the_score_changes(provisional: Engine) -> None:
    ids = [i for i, *_, status, _ in rows(provisional) if status == "open"]
    reviewed, dismissed = ids[0], ids[1]
    decisions.set_verdict(provisional, reviewed, local_actor(provisional, "Ana"), Verdict.verified)
    decisions.mark_not_a_claim(provisional, dismissed, local_actor(provisional, "Ana"))
    rs.rescore(provisional, fake_stages(value=0.0))  # the full model would drop everything
    after = {i: (score, by, status) for i, _, score, by, status, _ in rows(provisional)}
    assert after[reviewed] == (0.0, "fake-full@1", "open")
    assert after[dismissed] == (0.0, "fake-full@1", "not_a_claim")
    assert sum(status == "open" for *_, status in after.values()) == 1
    rs.rescore(provisional, fake_stages(value=1.0))  # nothing left at linear@1: no change
    assert after == {i: (s, b, st) for i, _, s, b, st, _ in rows(provisional)}
    assert_kept(provisional)


def test_the_rescorer_moves_claims_between_open_and_held_out_only(provisional: Engine) -> None:
    found = rows(provisional)
    opened = [i for i, *_, status, _ in found if status == "open"]
    held = [i for i, *_, status, _ in found if status == "held_out"]
    ana = local_actor(provisional, "Ana")
    with pytest.raises(InvalidInput, match="held out of the queue by the extractor"):
        decisions.set_verdict(provisional, held[0], ana, Verdict.verified)
    decisions.mark_not_a_claim(provisional, held[0], ana)  # a person's, on a held-out one
    decisions.reopen_claim(provisional, held[1], ana)  # a person put one in the queue
    done = rs.rescore(provisional, fake_stages(value=0.0))  # the full model drops everything
    after = {i: status for i, *_, status, _ in rows(provisional)}
    assert done.out_of_queue == len(opened) and done.into_queue == 0
    assert {after[i] for i in opened} == {"held_out"}  # demoted: not "not a claim"
    assert (after[held[0]], after[held[1]]) == ("not_a_claim", "open")  # people's stand
    assert queue.progress(provisional).not_a_claim == 1  # Ana's only
    assert_kept(provisional)


def test_a_reviewer_adding_a_held_out_sentence_puts_it_in_the_queue(provisional: Engine) -> None:
    from workbench.review import corrections

    held, document_id, start, end = next(
        (i, d, a, b) for i, d, a, b, status in _spans(provisional) if status == "held_out"
    )
    done = corrections.add_claim(
        provisional, document_id, local_actor(provisional, "Ana"), start, end
    )
    assert [c.id for c in done.created] == [held]  # the same row, not a second one
    assert {i: status for i, *_, status, _ in rows(provisional)}[held] == "open"
    rs.rescore(provisional, fake_stages(value=0.0))  # a person put it there: it stays
    assert {i: status for i, *_, status, _ in rows(provisional)}[held] == "open"
    assert_kept(provisional)


def _spans(engine: Engine) -> list[tuple[int, int, int, int, str]]:
    with unit_of_work(engine) as session:
        return [
            (int(i), int(d), int(a), int(b), str(s))
            for i, d, a, b, s in session.execute(
                select(
                    Claim.id, Claim.document_id, Claim.char_start, Claim.char_end, Claim.status
                ).order_by(Claim.id)
            )
        ]


def test_an_imported_review_puts_a_held_out_sentence_in_the_queue(
    provisional: Engine, tmp_path: Path
) -> None:
    from workbench.transfer.import_reviews import import_reviews

    held = next(i for i, *_, status, _ in rows(provisional) if status == "held_out")
    line = {"claim_id": held, "reviews": [{"reviewer": "Ana", "verdict": "verified"}]}
    source = tmp_path / "reviews.jsonl"
    source.write_text(json.dumps(line) + "\n")
    local_actor(provisional, "Ana")  # the reviewer has an account here
    report = import_reviews(provisional, source, actor=SYSTEM)
    assert report.reviews_added == 1, report
    assert {i: status for i, *_, status, _ in rows(provisional)}[held] == "open"
    rs.rescore(provisional, fake_stages(value=0.0))  # a person reviewed it: it stays
    assert {i: status for i, *_, status, _ in rows(provisional)}[held] == "open"
    assert_kept(provisional)


def test_a_status_the_rescorer_sets_is_in_the_history_without_an_actor(
    provisional: Engine,
) -> None:
    done = rs.rescore(provisional, fake_stages(value=1.0))
    with unit_of_work(provisional) as session:
        entries = list(
            session.execute(
                select(HistoryEntry.actor_id, HistoryEntry.after).where(
                    HistoryEntry.entity == "claim_status"
                )
            )
        )
    assert done.into_queue == len(entries) > 0 and done.out_of_queue == 0
    assert all(actor is None and after["status"] == "open" for actor, after in entries)
    assert queue.progress(provisional).not_a_claim == 0


def test_two_workers_never_score_the_same_claim(provisional: Engine) -> None:
    stages_ = fake_stages(delay=0.02)
    results: list[rs.Rescored] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(rs.rescore(provisional, stages_, batch=3))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=work) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert not errors
    total = len(rows(provisional))
    scorer = stages_.scorer
    assert isinstance(scorer, FakeFull)
    assert len(scorer.seen) == total  # every claim scored once, by one worker
    assert sum(r.scored for r in results) == total and all(r.lost == 0 for r in results)
    assert sum(1 for r in results if r.scored) >= 2  # the workers did share the work
    assert rs.pending(provisional, "linear@1") == 0
    with unit_of_work(provisional) as session:
        per_claim = session.execute(
            select(HistoryEntry.claim_id, func.count())
            .where(HistoryEntry.entity == "claim_status")
            .group_by(HistoryEntry.claim_id)
        ).all()
    assert all(n == 1 for _, n in per_claim)
    assert_kept(provisional)


def test_a_late_worker_whose_hold_expired_writes_nothing(provisional: Engine) -> None:
    stages_ = fake_stages(value=1.0)
    first = rs.take(provisional, "linear@1", 4, "a" * 32)
    assert rs.take(provisional, "linear@1", 4, "b" * 32) != first  # held: the next ones
    with unit_of_work(provisional) as session:  # the first worker stalls past its hold
        session.execute(
            update(Claim)
            .where(Claim.rescore_token == "a" * 32)
            .values(rescore_claimed_at=datetime.now(UTC) - timedelta(seconds=rs.HOLD_SECONDS + 1))
        )
    again = rs.take(provisional, "linear@1", 4, "c" * 32)
    assert again == first  # taken over
    late = rs.settle(provisional, stages_, "a" * 32, {i: 1.0 for i, _ in first})
    assert (late.scored, late.lost) == (0, 4)
    assert all(by == "linear@1" for i, _, _, by, _, _ in rows(provisional) if i in dict(first))
    done = rs.settle(provisional, stages_, "c" * 32, {i: 1.0 for i, _ in first})
    assert (done.scored, done.lost) == (4, 0)
    assert_kept(provisional)


KILLER = """
import os, signal, sys
from workbench.db.open import open_database
from workbench.review import rescore as rs, stats

class Full:
    name = "fake-full@1"
    threshold = 0.5
    def score_many(self, texts):
        return [1.0 if i % 2 else 0.0 for i, _ in enumerate(texts)]

engine = open_database(sys.argv[1])
calls = []
real = stats.status_changed
def status_changed(session, claim_id, status):
    calls.append(claim_id)
    if len(calls) == 3:  # mid-batch, inside the settling transaction, after some writes
        os.kill(os.getpid(), signal.SIGKILL)
    return real(session, claim_id, status)
stats.status_changed = status_changed
rs.rescore_batch(engine, rs.Stages(Full(), "linear@1", 0.5), 12)
"""


def test_a_worker_killed_mid_batch_leaves_consistent_data(provisional: Engine, db_url: str) -> None:
    before = rows(provisional)
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", KILLER, db_url], env=env, capture_output=True, timeout=120
    )
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()[-2000:]
    after = rows(provisional)
    # Nothing of the batch was written but its hold (taken in its own transaction).
    assert [r[:5] for r in after] == [r[:5] for r in before]
    held = [i for i, *_, token in after if token is not None]
    assert len(held) == 12
    assert_kept(provisional)
    stages_ = fake_stages(value=1.0)
    rs.rescore(provisional, stages_)
    assert rs.pending(provisional, "linear@1") == 12  # still held: not taken before expiry
    with unit_of_work(provisional) as session:
        session.execute(
            update(Claim)
            .where(Claim.id.in_(held))
            .values(rescore_claimed_at=datetime.now(UTC) - timedelta(seconds=rs.HOLD_SECONDS + 1))
        )
    rs.rescore(provisional, stages_)
    assert rs.pending(provisional, "linear@1") == 0
    assert all(token is None for *_, token in rows(provisional))
    assert_kept(provisional)


def test_a_single_stage_scorer_has_nothing_to_rescore() -> None:
    assert rs.stages(Settings(scorer="linear")) is None
    assert ingest_extractor(scorer="linear").keep_from is None


def test_the_background_worker_rescores_then_stops(
    provisional: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rs, "stages", lambda settings=None: fake_stages(value=1.0))
    worker = rs.BackgroundRescorer(provisional, idle=0.05, batch=8).start()
    deadline = time.monotonic() + 60
    while rs.pending(provisional, "linear@1") and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert rs.pending(provisional, "linear@1") == 0
    assert not worker._thread.is_alive()
    assert worker.done.scored == len(rows(provisional))


@pytest.mark.backends("sqlite")
def test_the_queue_says_which_score_it_shows(provisional: Engine) -> None:
    page = queue.list_claims(provisional, queue.ClaimFilter(), actor=SYSTEM)
    frame = selection.claims_frame(page.items)
    assert list(frame.columns) == [
        "id",
        "claim",
        "speaker",
        "score",
        selection.SCORED_BY,
        "document",
        "reviews",
    ]
    assert set(frame[selection.SCORED_BY]) == {"linear@1, provisional"}
    assert "(linear@1, provisional)" in render.claim_meta_html(page.items[0], "x.txt")
    found = rs.stages(Settings(scorer="onnx"))
    assert found is not None
    rs.rescore(provisional, found)
    page = queue.list_claims(provisional, queue.ClaimFilter(), actor=SYSTEM)
    assert selection.SCORED_BY not in selection.claims_frame(page.items).columns
    assert "(minilm-onnx@4)" in render.claim_meta_html(page.items[0], "x.txt")
    assert page.items[0].score_label == "minilm-onnx@4"


@pytest.mark.backends("sqlite")
def test_the_rescore_command(
    provisional: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    monkeypatch.setenv("WORKBENCH_SCORER", "onnx")
    total = len(rows(provisional))
    result = runner.invoke(app, ["rescore", "--db", db_url, "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert "5 claims re-scored" in result.stdout
    assert f"{total - 5} still scored by linear@1" in result.stdout
    result = runner.invoke(app, ["rescore", "--db", db_url])
    assert result.exit_code == 0
    assert "0 still scored by linear@1" in result.stdout
    monkeypatch.setenv("WORKBENCH_SCORER", "linear")
    result = runner.invoke(app, ["rescore", "--db", db_url])
    assert result.exit_code == 0
    assert "nothing to re-score: the linear scorer has a single stage" in result.stdout


@pytest.mark.backends("sqlite")
def test_a_corpus_ingested_with_linear_alone_is_rescored_too(
    engine: Engine, sample_dir: Path
) -> None:
    linear = default_extractor(scorer="linear")
    ingest_paths(engine, [sample_dir], linear, max_bytes=10**7)
    with unit_of_work(engine) as session:  # single-stage: no provisional marker stored
        assert session.scalar(select(func.count()).where(Claim.scored_by.is_not(None))) == 0
    n = len(rows(engine))
    assert rs.pending(engine, "linear@1") == n
    page = queue.list_claims(engine, queue.ClaimFilter(), actor=SYSTEM)
    assert {c.score_label for c in page.items} == {"linear@1"}  # linear's own: not provisional
    assert rs.rescore(engine, fake_stages(value=1.0)).scored == n
    assert {by for *_, by, _, _ in rows(engine)} == {"fake-full@1"}
    assert rs.pending(engine, "linear@1") == 0


@pytest.mark.backends("sqlite")
def test_export_leaves_out_what_the_extractor_keeps_out_of_the_queue(provisional: Engine) -> None:
    records = list(iter_records(provisional))
    assert len(records) == queue.progress(provisional).total  # the open claims only
    some = next(i for i, *_, status, _ in rows(provisional) if status == "open")
    decisions.mark_not_a_claim(provisional, some, local_actor(provisional, "Ana"))
    marked = [r for r in iter_records(provisional) if r.claim_id == some]
    assert [r.status for r in marked] == [ClaimStatus.not_a_claim]  # a person's: exported


@pytest.mark.backends("sqlite")
def test_train_extractor_learns_only_from_peoples_not_a_claim(provisional: Engine) -> None:
    from workbench.extract.train_linear import workbench_examples

    assert workbench_examples(provisional).negatives == 0  # the held-out candidates: nobody's
    some = next(i for i, *_, status, _ in rows(provisional) if status == "held_out")
    decisions.reopen_claim(provisional, some, local_actor(provisional, "Ana"))
    decisions.mark_not_a_claim(provisional, some, local_actor(provisional, "Ana"))
    assert workbench_examples(provisional).negatives == 1
