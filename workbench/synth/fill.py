"""Filling a database with a synthetic corpus: accounts, documents, claims, reviews, finals.

Rows go in with SQLAlchemy Core bulk inserts and explicit ids (see the package docstring);
the articles come from :mod:`workbench.synth.news`.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from pydantic import Field
from sqlalchemy import Connection, Engine, Table, func, select, text

from workbench.auth.accounts import add_user
from workbench.auth.policy import SYSTEM
from workbench.db.models import (
    Base,
    Claim,
    Document,
    Evidence,
    FinalVerdict,
    Review,
    User,
)
from workbench.errors import InvalidInput
from workbench.projects.service import resolve_project
from workbench.projects.settings import ProjectSettings, set_project_setting
from workbench.reports import Report
from workbench.review.stats import recount
from workbench.schemas import Role
from workbench.synth.news import EPOCH, Article, article
from workbench.synth.vocabulary import (
    EVIDENCE_SITES,
    FIRST,
    LAST,
    NOTES,
    REASONS,
)

EXTRACTOR = "synth@1"
ADMIN = "synth-admin"
VERDICTS = ("verified", "disputed", "unsupported")
DEFAULT_MIX = (0.55, 0.30, 0.15)
DEFAULT_AGREEMENT = 0.8
DEFAULT_ADJUDICATED = 0.5  # share of the claims whose reviews disagree that an admin decides
REVIEW_WEEKS = 8
ROWS_PER_STATEMENT = 5000


class SynthReport(Report):
    documents: int = 0
    claims: int = 0
    reviewers: int = 0
    reviews: int = 0
    urls: int = 0
    verdicts: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    finals: dict[str, int] = Field(default_factory=dict)  # by source
    awaiting_adjudication: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        total = max(sum(self.verdicts.values()), 1)
        mix = ", ".join(f"{v} {100 * n / total:.0f}%" for v, n in self.verdicts.items())
        finals = ", ".join(f"{n} {s}" for s, n in sorted(self.finals.items())) or "none"
        return (
            f"{self.documents} documents, {self.claims} claims, {self.reviewers} reviewers, "
            f"{self.reviews} reviews ({mix}), {self.urls} evidence URLs; final verdicts: "
            f"{finals}; {self.awaiting_adjudication} awaiting adjudication; "
            f"{self.seconds:.1f} s"
        )


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _reviewer_names(seed: int, count: int) -> list[str]:
    rng = random.Random(f"synth-reviewers:{seed}")
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        if len(seen) >= len(FIRST) * len(LAST) // 2:
            name = f"{name} {len(names) + 1}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _accounts(engine: Engine, names: Sequence[str], role: Role) -> list[int]:
    """The ids of accounts called ``names``, created (without a password) where missing."""
    ids: list[int] = []
    with engine.connect() as connection:
        rows = connection.execute(select(User.name, User.id).where(User.name.in_(names)))
        known = {name: user_id for name, user_id in rows}
    for name in names:
        if name not in known:
            known[name] = add_user(engine, SYSTEM, name, role).id
        ids.append(known[name])
    return ids


def _next_ids(connection: Connection) -> dict[str, int]:
    tables = (Document, Claim, Review, Evidence, FinalVerdict)
    return {
        m.__tablename__: (connection.scalar(select(func.max(_table(m).c.id))) or 0) + 1
        for m in tables
    }


def _advance_sequences(connection: Connection) -> None:
    """PostgreSQL: move each id sequence past the ids this module inserted explicitly."""
    if connection.dialect.name != "postgresql":
        return
    for model in (Document, Claim, Review, Evidence, FinalVerdict):
        name = model.__tablename__
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"coalesce((SELECT max(id) FROM {name}), 0) + 1, false)"
            )
        )


def _insert(connection: Connection, model: type[Base], rows: list[dict[str, Any]]) -> None:
    table = _table(model)
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        connection.execute(table.insert(), rows[start : start + ROWS_PER_STATEMENT])


def _pick_reviewers(
    rng: np.random.Generator, weights: np.ndarray[Any, Any], claims: int, k: int
) -> np.ndarray[Any, Any]:
    """For each claim, ``k`` distinct reviewer indexes, busier reviewers more often.

    Weighted sampling without replacement (Efraimidis-Spirakis): the k largest u**(1/w).
    """
    keys = np.log(rng.random((claims, len(weights)))) / weights
    return np.argsort(-keys, axis=1)[:, :k]


def synthesize(
    engine: Engine,
    *,
    documents: int,
    reviewers: int,
    reviews_per_claim: int,
    seed: int = 0,
    append: bool = False,
    mix: Sequence[float] = DEFAULT_MIX,
    agreement: float = DEFAULT_AGREEMENT,
    adjudicated: float = DEFAULT_ADJUDICATED,
    on_document: Callable[[int], None] | None = None,
    project: int | str | None = None,
) -> SynthReport:
    """Fill ``engine``'s database with a synthetic corpus (see the module docstring), in
    ``project`` (id or name; None: the only one).

    Refuses a database that already holds documents unless ``append``: synthetic rows mixed
    into a real project by accident could not be told apart from real reviews afterwards. With
    ``append`` the new articles continue the numbering after the documents already stored
    (so they are new texts), and accounts of the same names are reused. Not meant to run
    while others write to the same database: ids are assigned here, from the current maxima.
    """
    if documents < 0 or reviewers < 0:
        raise InvalidInput("--documents and --reviewers cannot be negative")
    if not 0 <= reviews_per_claim <= reviewers:
        raise InvalidInput(
            f"--reviews-per-claim must be between 0 and --reviewers ({reviewers}), "
            f"got {reviews_per_claim}"
        )
    if len(mix) != len(VERDICTS) or min(mix) < 0 or sum(mix) <= 0:
        raise InvalidInput("the verdict mix needs three non-negative shares")
    if not 0.0 <= agreement <= 1.0 or not 0.0 <= adjudicated <= 1.0:
        raise InvalidInput("agreement and the adjudicated share are probabilities, in [0, 1]")
    began = time.perf_counter()
    report = SynthReport()
    project_id = resolve_project(engine, project).id
    with engine.connect() as connection:
        existing = connection.scalar(select(func.count()).select_from(_table(Document))) or 0
    if existing and not append:
        raise InvalidInput(
            f"the database already holds {existing} documents; synth fills an empty database "
            "(pass --append to add a synthetic corpus to this one)"
        )
    names = _reviewer_names(seed, reviewers)
    reviewer_ids = _accounts(engine, names, Role.reviewer)
    report.reviewers = len(reviewer_ids)
    admin_id = _accounts(engine, [ADMIN], Role.admin)[0] if reviews_per_claim > 1 else None
    if not existing and 1 <= reviews_per_claim <= _max_k():
        set_project_setting(engine, SYSTEM, "reviews_per_claim", reviews_per_claim, project_id)

    weights_rng = np.random.default_rng([seed, 7])
    weights = np.exp(weights_rng.normal(0.0, 0.5, size=max(reviewers, 1)))[:reviewers]
    shares = latent_mix(mix, agreement)
    # Documents per transaction: about 20,000 review rows, or 200 documents without reviews.
    per_batch = max(1, min(200, 20000 // max(1, 20 * reviews_per_claim)))
    for batch_start in range(existing, existing + documents, per_batch):
        batch_end = min(batch_start + per_batch, existing + documents)
        made = [article(seed, i) for i in range(batch_start, batch_end)]
        with engine.begin() as connection:
            ids = _next_ids(connection)
            rows = _Rows(ids, project_id)
            for art in made:
                rows.add_article(
                    art,
                    seed=seed,
                    total=existing + documents,
                    reviewer_ids=reviewer_ids,
                    weights=weights,
                    shares=shares,
                    k=reviews_per_claim,
                    agreement=agreement,
                    adjudicated=adjudicated,
                    admin_id=admin_id,
                    report=report,
                )
            _insert(connection, Document, rows.documents)
            _insert(connection, Claim, rows.claims)
            _insert(connection, Review, rows.reviews)
            _insert(connection, Evidence, rows.evidence)
            _insert(connection, FinalVerdict, rows.finals)
            _advance_sequences(connection)
            # Bulk rows bypass the service layer: the pages' per-claim figures and totals
            # are recomputed for this batch's claims.
            recount(connection, (row["id"] for row in rows.claims))
        report.documents += len(made)
        if on_document is not None:
            for art in made:
                on_document(art.index)
    if engine.dialect.name == "postgresql":
        # What autovacuum would do after a bulk load, when it gets to it (never, where it is
        # off): without statistics the planner takes the million reviews for a few hundred
        # rows and picks plans that read them all (the Adjudication page: 1.1 s, JIT 0.4 s);
        # without the visibility map an index-only scan reads the table anyway (0.38 s
        # instead of 0.14 s for the same query).
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
    report.seconds = time.perf_counter() - began
    return report


def latent_mix(mix: Sequence[float], agreement: float) -> np.ndarray[Any, Any]:
    """The distribution of the claims' true verdicts that makes the reviews' verdicts ``mix``.

    A reviewer gives the true verdict with probability a, else one of the other two, so a
    verdict's share among the reviews is m' = a m + (1 - a)(1 - m) / 2 for a true share m;
    inverted here (and clipped at 0 where ``mix`` asks for less than disagreement alone gives).
    """
    asked: np.ndarray[Any, Any] = np.asarray(mix, dtype=float) / float(sum(mix))
    noise = (1.0 - agreement) / (len(VERDICTS) - 1)
    if agreement - noise <= 0:
        return asked
    latent: np.ndarray[Any, Any] = np.clip((asked - noise) / (agreement - noise), 0.0, None)
    shares: np.ndarray[Any, Any] = latent / latent.sum()
    return shares


def _max_k() -> int:
    for meta in ProjectSettings.model_fields["reviews_per_claim"].metadata:
        if hasattr(meta, "le"):
            return int(meta.le)
    return 10


class _Rows:
    """The rows of one batch of articles, with ids assigned from ``next_ids``."""

    def __init__(self, next_ids: dict[str, int], project_id: int) -> None:
        self.ids = next_ids
        self.project_id = project_id
        self.documents: list[dict[str, Any]] = []
        self.claims: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.evidence: list[dict[str, Any]] = []
        self.finals: list[dict[str, Any]] = []

    def _id(self, table: str) -> int:
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def add_article(
        self,
        art: Article,
        *,
        seed: int,
        total: int,
        reviewer_ids: Sequence[int],
        weights: np.ndarray[Any, Any],
        shares: np.ndarray[Any, Any],
        k: int,
        agreement: float,
        adjudicated: float,
        admin_id: int | None,
        report: SynthReport,
    ) -> None:
        rng = np.random.default_rng([seed, art.index, 1])
        py = random.Random(f"synth-reviews:{seed}:{art.index}")
        # Ingested over the first half of the period, in order; reviewed in the days after.
        span = REVIEW_WEEKS * 7 * 86400
        ingested = EPOCH + timedelta(seconds=span * 0.5 * art.index / max(total, 1))
        document_id = self._id("documents")
        self.documents.append(
            {
                "id": document_id,
                "project_id": self.project_id,
                "title": art.title[:500],
                "source": art.source,
                "url": art.url,
                "text": art.text,
                "sha256": hashlib.sha256(art.text.encode("utf-8")).hexdigest(),
                "published": art.published,
                "metadata": {"synth": True, "outlet": art.outlet, "topic": art.topic},
                "ingested_at": ingested,
            }
        )
        n = len(art.claims)
        report.claims += n
        truth = rng.choice(len(VERDICTS), size=n, p=shares)
        if k:
            chosen = _pick_reviewers(rng, weights, n, k)
            agrees = rng.random((n, k)) < agreement
            shift = rng.integers(1, len(VERDICTS), size=(n, k))
            given = np.where(agrees, truth[:, None], (truth[:, None] + shift) % len(VERDICTS))
            # Seconds after ingest until each decision: most within days, some weeks later.
            delays = rng.exponential(3 * 86400, size=(n, k)) + rng.uniform(600, 7200, (n, k))
            spent = rng.lognormal(math.log(75), 0.8, size=(n, k)).round(1)
            url_count = rng.choice(3, size=(n, k), p=(0.6, 0.3, 0.1))
            noted = rng.random((n, k)) < 0.15
            # Plain lists: indexing NumPy arrays one value at a time is slow.
            table = zip(
                (reviewer_ids[i] for i in chosen.ravel().tolist()),
                given.ravel().tolist(),
                delays.ravel().tolist(),
                spent.ravel().tolist(),
                url_count.ravel().tolist(),
                noted.ravel().tolist(),
                strict=True,
            )
        for c, claim in enumerate(art.claims):
            claim_id = self._id("claims")
            self.claims.append(
                {
                    "id": claim_id,
                    "document_id": document_id,
                    "project_id": self.project_id,
                    "text": art.text[claim.char_start : claim.char_end],
                    "char_start": claim.char_start,
                    "char_end": claim.char_end,
                    "speaker": claim.speaker,
                    "score": claim.score,
                    "extractor": EXTRACTOR,
                    "status": "open",
                    "created_at": ingested,
                }
            )
            if not k:
                continue
            last = ingested
            votes: list[int] = []
            for j in range(k):
                reviewer, vote, delay, seconds, urls, note = next(table)
                decided = ingested + timedelta(seconds=delay)
                last = max(last, decided)
                votes.append(vote)
                verdict = VERDICTS[vote]
                report.verdicts[verdict] += 1
                review_id = self._id("reviews")
                self.reviews.append(
                    {
                        "id": review_id,
                        "claim_id": claim_id,
                        "reviewer_id": reviewer,
                        "verdict": verdict,
                        # Synthetic reviewers decide once, blind (workbench.review.blind).
                        "blind_verdict": verdict,
                        "note": py.choice(NOTES) if note else "",
                        "seconds_spent": seconds,
                        "decided_at": decided,
                        "version": 1,
                        "created_at": decided - timedelta(seconds=seconds),
                        "updated_at": decided,
                    }
                )
                for u in range(urls):
                    site = EVIDENCE_SITES[(c + j + u * 3 + art.index) % len(EVIDENCE_SITES)]
                    self.evidence.append(
                        {
                            "id": self._id("evidence"),
                            "review_id": review_id,
                            "url": f"{site}{art.topic}-{art.index}-{c}-{u}",
                            "note": "",
                            "added_at": decided - timedelta(seconds=seconds / 2),
                        }
                    )
                report.urls += urls
            report.reviews += k
            self._final(
                claim_id, votes, last, k, py, adjudicated=adjudicated, admin_id=admin_id,
                report=report,
            )  # fmt: skip

    def _final(
        self,
        claim_id: int,
        values: list[int],
        last: datetime,
        k: int,
        py: random.Random,
        *,
        adjudicated: float,
        admin_id: int | None,
        report: SynthReport,
    ) -> None:
        if len(set(values)) == 1:
            source = "single" if k == 1 else "consensus"
            verdict, reason, by, at = VERDICTS[values[0]], "", None, last
        elif admin_id is not None and py.random() < adjudicated:
            counts = np.bincount(values, minlength=len(VERDICTS))
            source = "adjudicated"
            verdict = VERDICTS[int(np.argmax(counts))]
            reason, by = py.choice(REASONS), admin_id
            at = last + timedelta(hours=py.uniform(2, 72))
        else:
            report.awaiting_adjudication += 1
            return
        report.finals[source] = report.finals.get(source, 0) + 1
        self.finals.append(
            {
                "id": self._id("final_verdicts"),
                "claim_id": claim_id,
                "verdict": verdict,
                "source": source,
                "reason": reason,
                "decided_by_id": by,
                "decided_at": at,
                "version": 1,
            }
        )
