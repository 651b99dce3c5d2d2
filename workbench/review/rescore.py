"""Re-scoring claims with the slow second stage of a two-stage scorer, after ingest (issue 16).

Why: the ``onnx`` scorer (linear@1, then a fine-tuned MiniLM) is ~50 times slower than the
linear model; run whole at ingest it made 10,000 articles take ~15 minutes instead of ~105 s.
So ingest (``workbench.extract.ingest_extractor``) stores linear@1's score at once, in the
queue when it passes linear@1's threshold and out of it (status ``held_out``, which is not
a person's "not a claim") when it only passes the cascade's lower cut, and this module gives
every such claim the full model's score later. ``claims.scored_by`` names the first stage while a
claim's score is provisional (NULL once it is the extractor's own), so the queue can say so.

A claim is re-scored once: its score is replaced and it becomes the full model's claim
(``extractor`` its name, ``scored_by`` NULL), and, unless a person
has touched it (a status someone set, a review, a live lease), it is put in the queue or
taken out of it by the full model's threshold, with a history entry without an actor. A
person's decision is never overridden; the score still is, since it is only a ranking.

Work is done in small batches, each in short transactions, so the app and ingest never wait
long on it: a batch is *taken* with a conditional UPDATE (only claims nobody holds, or held
longer than ``HOLD_SECONDS``) under a fresh token, scored with no transaction open, and
*settled* in one transaction that writes only the claims still held under that token. Two
workers, threads or processes or servers on one database, never take the same claim; a
worker killed mid-batch leaves nothing half-written (the batch's writes are one
transaction) and a hold that expires, after which another worker takes the claims again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, CursorResult, Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from workbench.audit import Change, Entity, record
from workbench.config import Settings, get_settings
from workbench.db.models import Claim, Lease, Review
from workbench.db.session import unit_of_work
from workbench.extract import stance
from workbench.extract.scorers import SentenceScorer, load_scorer, score_bounded
from workbench.review import stats
from workbench.schemas import ClaimStatus

log = logging.getLogger(__name__)

#: Claims per batch: ~40 ms of transformer time each on one core, so a batch holds its claims
#: for about a second and its settling transaction writes a few dozen rows.
BATCH = 32
#: A hold older than this is a dead worker's (killed mid-batch): the claims are free again.
HOLD_SECONDS = 600
#: How long the background worker sleeps when there is nothing to re-score.
IDLE_SECONDS = 5.0


@dataclass(frozen=True)
class Stages:
    """The full scorer, the name of its first stage (the provisional scores' ``scored_by``)
    and the threshold that decides whether a re-scored claim is in the queue."""

    scorer: SentenceScorer
    provisional: str
    threshold: float


def stages(settings: Settings | None = None) -> Stages | None:
    """The configured scorer as two stages, or None when it has a single one (``linear``,
    ``heuristic``...): then ingest scored every claim for good and there is nothing to do."""
    settings = settings or get_settings()
    scorer = load_scorer(settings.scorer, settings.scorer_model)
    first = getattr(scorer, "linear", None)
    if first is None or getattr(scorer, "cascade_threshold", None) is None:
        return None
    cut = settings.claim_threshold
    return Stages(scorer, str(first.name), scorer.threshold if cut is None else cut)


@dataclass
class Rescored:
    """What one or more batches did."""

    scored: int = 0
    into_queue: int = 0  # put in the queue by the full model's score
    out_of_queue: int = 0  # taken out of it
    lost: int = 0  # taken over by another worker after this one's hold expired

    def add(self, other: Rescored) -> None:
        self.scored += other.scored
        self.into_queue += other.into_queue
        self.out_of_queue += other.out_of_queue
        self.lost += other.lost


def _free(provisional: str, now: datetime) -> ColumnElement[bool]:
    stale = now - timedelta(seconds=HOLD_SECONDS)
    return and_(
        _provisional(provisional),
        or_(Claim.rescore_claimed_at.is_(None), Claim.rescore_claimed_at < stale),
    )


def _provisional(name: str) -> ColumnElement[bool]:
    """Claims whose score is ``name``'s: ingested by a two-stage scorer, or by ``name`` itself
    (a corpus ingested with ``linear`` before ``onnx`` was chosen); both via ix_claims_scored_by."""
    return or_(Claim.scored_by == name, and_(Claim.scored_by.is_(None), Claim.extractor == name))


def take(engine: Engine, provisional: str, limit: int, token: str) -> list[tuple[int, str]]:
    """Hold up to ``limit`` claims still scored by ``provisional`` under ``token``; their
    ids and texts. The UPDATE repeats the condition, so of two workers that read the same
    ids the second one's UPDATE finds them held (PostgreSQL re-checks a row it waited for;
    SQLite runs one writer at a time) and takes nothing."""
    for _ in range(5):  # another worker took the ones read: read the next free ones
        now = datetime.now(UTC)
        free = _free(provisional, now)
        with unit_of_work(engine) as session:
            ids = list(
                session.scalars(select(Claim.id).where(free).order_by(Claim.id).limit(limit))
            )
            if not ids:
                return []
            result = session.execute(
                update(Claim)
                .where(Claim.id.in_(ids), free)
                .values(rescore_token=token, rescore_claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            held = result.rowcount if isinstance(result, CursorResult) else 1
        if held:
            break
    with unit_of_work(engine) as session:
        rows = session.execute(
            select(Claim.id, Claim.text).where(Claim.rescore_token == token).order_by(Claim.id)
        )
        return [(int(i), str(t)) for i, t in rows]


def score(stages_: Stages, texts: Sequence[str]) -> list[float]:
    """The full model's scores, adjusted for stance as the extractor does."""
    raw = score_bounded(stages_.scorer, texts)
    return [min(1.0, max(0.0, float(v))) for v in stance.adjust_many(raw, list(texts))]


def settle(engine: Engine, stages_: Stages, token: str, scores: dict[int, float]) -> Rescored:
    """Write the scores of the claims still held under ``token``, in one transaction."""
    done = Rescored()
    now = datetime.now(UTC)
    with unit_of_work(engine) as session:
        ids = list(scores)
        held = {
            int(i): (str(status), by)
            for i, status, by in session.execute(
                select(Claim.id, Claim.status, Claim.status_changed_by_id)
                .where(Claim.id.in_(ids), Claim.rescore_token == token)
                .with_for_update()
            )
        }
        done.lost = len(ids) - len(held)
        touched = _touched_by_people(session, list(held), now)
        for claim_id, (status, changed_by) in sorted(held.items()):
            value = scores[claim_id]
            session.execute(
                update(Claim)
                .where(Claim.id == claim_id)
                .values(
                    # The full model's claim now in every respect, score and place in the
                    # queue: its extractor, with no separate scorer (NULL: the extractor's).
                    score=value,
                    extractor=stages_.scorer.name,
                    scored_by=None,
                    rescore_token=None,
                    rescore_claimed_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            done.scored += 1
            if changed_by is not None or claim_id in touched:
                continue  # a person's decision stands
            if status not in (ClaimStatus.open, ClaimStatus.held_out):
                continue  # a status only a person or a correction sets (already excluded above)
            wanted = ClaimStatus.open if value >= stages_.threshold else ClaimStatus.held_out
            if wanted.value == status:
                continue
            stats.status_changed(session, claim_id, wanted)
            record(
                session,
                actor_id=None,
                entity=Entity.claim_status,
                entity_id=claim_id,
                action=Change.update,
                before={"status": status},
                after={"status": wanted.value, "scored_by": stages_.scorer.name},
                claim_id=claim_id,
            )
            if wanted == ClaimStatus.open:
                done.into_queue += 1
            else:
                done.out_of_queue += 1
    return done


def _touched_by_people(session: Session, ids: list[int], now: datetime) -> set[int]:
    """Of ``ids``, the claims someone reviews or holds a live lease on."""
    if not ids:
        return set()
    reviewed = session.scalars(select(Review.claim_id).where(Review.claim_id.in_(ids)))
    leased = session.scalars(
        select(Lease.claim_id).where(Lease.claim_id.in_(ids), Lease.expires_at > now)
    )
    return {int(i) for i in reviewed} | {int(i) for i in leased}


def rescore_batch(engine: Engine, stages_: Stages, limit: int = BATCH) -> Rescored | None:
    """Take, score and settle one batch; None when no claim is left to take."""
    token = uuid.uuid4().hex
    taken = take(engine, stages_.provisional, limit, token)
    if not taken:
        return None
    values = score(stages_, [text for _, text in taken])
    return settle(engine, stages_, token, dict(zip([i for i, _ in taken], values, strict=True)))


def pending(engine: Engine, provisional: str) -> int:
    """How many claims still show a ``provisional`` score."""
    with unit_of_work(engine) as session:
        found = session.scalar(
            select(func.count()).select_from(Claim).where(_provisional(provisional))
        )
    return int(found or 0)


def rescore(
    engine: Engine,
    stages_: Stages,
    limit: int | None = None,
    batch: int = BATCH,
    stop: threading.Event | None = None,
) -> Rescored:
    """Re-score claims batch by batch until none is left, ``limit`` are done or ``stop`` is
    set."""
    total = Rescored()
    while limit is None or total.scored < limit:
        if stop is not None and stop.is_set():
            break
        size = batch if limit is None else min(batch, limit - total.scored)
        done = rescore_batch(engine, stages_, size)
        if done is None:
            break
        total.add(done)
    return total


class BackgroundRescorer:
    """A daemon thread that re-scores claims while the app is served (``workbench serve`` and
    ``demo`` run it in their own process, beside Streamlit's, so it never holds up a page).

    It sleeps ``IDLE_SECONDS`` when nothing is left, so claims ingested while it runs are
    picked up; with a single-stage scorer configured it does nothing. Errors are logged and
    retried after a pause: a busy database must not end it.
    """

    def __init__(self, engine: Engine, idle: float = IDLE_SECONDS, batch: int = BATCH) -> None:
        self.engine = engine
        self.idle = idle
        self.batch = batch
        self.stopping = threading.Event()
        self.done = Rescored()
        self._thread = threading.Thread(target=self._run, name="workbench-rescore", daemon=True)

    def start(self) -> BackgroundRescorer:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        # Below the app's priority (Linux threads have their own nice value): reviewers'
        # pages come first on a loaded machine.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        try:
            stages_ = stages()
        except Exception:
            log.exception("background re-scoring disabled: the scorer cannot be loaded")
            return
        if stages_ is None:
            return
        while not self.stopping.is_set():
            try:
                done = rescore_batch(self.engine, stages_, self.batch)
            except Exception:
                log.exception("background re-scoring: batch failed, retrying later")
                done = None
            if done is None:
                self.stopping.wait(self.idle)
            else:
                self.done.add(done)
