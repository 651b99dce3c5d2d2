"""The tables: the single source of the stored schema (migrations are generated from these)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from workbench.db.defaults import document_project

# Every constraint gets a predictable name: Alembic's batch mode on SQLite needs names to
# alter or drop them, and PostgreSQL error messages then say which rule was broken.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and read back timezone-aware on every backend.

    SQLite keeps no offset, so without this a value would come back naive and compare
    unequal to what was written.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give every timestamp a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Project(Base):
    """A desk: its documents, settings, verdict scale and guidelines (workbench.projects).

    ``verdict_scale``: the ordered verdicts, best first, as ``projects.scale.VerdictScale``
    dumps them; ``guidelines_version`` counts the guidelines' changes (each in the history).
    """

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    verdict_scale: Mapped[Any] = mapped_column(JSONType)
    guidelines: Mapped[str] = mapped_column(Text, default="")
    guidelines_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Membership(Base):
    """A user's role in one project; a site admin (``users.role`` admin) is admin of every one."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'reviewer', 'viewer')", name="role"),
        Index("ix_memberships_project_id", "project_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20))


class Document(Base):
    __tablename__ = "documents"
    # The same text in two projects is two documents: unique per project.
    __table_args__ = (UniqueConstraint("project_id", "sha256", name="uq_documents_project_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime())
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, default=dict)
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    claims: Mapped[list[Claim]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Claim.char_start"
    )


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("char_start >= 0 AND char_end > char_start", name="offsets"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        CheckConstraint(
            "status IN ('open', 'not_a_claim', 'superseded', 'held_out')", name="status"
        ),
        CheckConstraint("origin IN ('extracted', 'corrected', 'added')", name="origin"),
        UniqueConstraint("document_id", "char_start", "char_end", name="uq_claims_span"),
        Index("ix_claims_status_score", "status", "score"),
        Index("ix_claims_speaker", "speaker"),
        Index("ix_claims_project_speaker", "project_id", "speaker"),  # review.options
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    # Its document's project (migration 0016): it leads the queue's, the assignment's and the
    # adjudication's indexes, so a project's pages seek its own claims. Never changes.
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id"), default=document_project, server_default="1"
    )
    text: Mapped[str] = mapped_column(Text)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    extractor: Mapped[str] = mapped_column(String(100))
    # The scorer whose score ``score`` is (issue 16). With a two-stage scorer (``onnx``) ingest
    # stores the fast linear@1 score at once and the background re-scorer
    # (workbench.review.rescore) replaces it with the transformer's, so claims appear without
    # waiting for the slow model; the queue says which score it shows. None: ``extractor``
    # (every claim of a single-stage scorer, and those stored before migration 0013).
    scored_by: Mapped[str | None] = mapped_column(String(100))
    # A re-scorer's hold on the claim while it scores it: a token and when it was taken. Set
    # by a conditional UPDATE (only when unheld or held too long), so two workers, in one
    # process or in several servers on one database, never take the same claim; a worker
    # killed mid-batch leaves a hold that expires (workbench.review.rescore.HOLD_SECONDS).
    rescore_token: Mapped[str | None] = mapped_column(String(32))
    rescore_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="open")
    # Who took it out of the queue, so a later extractor can learn from the decision.
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Where the span came from (workbench.review.corrections): the extractor, a reviewer's
    # correction of an extracted claim (its boundaries moved, split, merged), or a reviewer who
    # added a sentence the extractor missed. A corrected claim replaces the claims it came from,
    # which are kept, with their reviews, as ``superseded``: ``corrected_from_id`` names the
    # claim it was cut from, and ``merged_from_id`` the second claim of a merge. Both point to
    # older claims, so a restore that inserts claims in id order never meets a missing parent.
    # (No Python-side default: an INSERT that does not name it, as every extractor's does, lets
    # the database fill it in, so code written before the column still stores claims.)
    origin: Mapped[str] = mapped_column(String(20), server_default="extracted")
    corrected_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    merged_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    # Figures that follow from the claim's reviews, kept here so the queue, the assignment and
    # the adjudication queue filter and sort through an index instead of aggregating every
    # review on each page view. workbench.review.stats keeps them: in the transaction of every
    # verdict change, under the claim's row lock, and in bulk after inserts that bypass it.
    # How many of its reviews have a verdict.
    verdicts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The share of pairs of those verdicts that differ (0 when they all agree, and under two
    # verdicts, where there is nothing to disagree on: ``verdicts`` tells the two apart).
    disagreement: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # The claim waits for an admin's final verdict (the Adjudication page): open, and its
    # verdicts disagree or agree only after the reveal and no admin decided, or an admin
    # decided and a review changed since. Kept by workbench.review.awaiting in the transaction
    # of every change that can move it, so the page counts and pages an index range. (No
    # Python-side default, as ``origin``: an INSERT that does not name it, as ingest's, lets
    # the database fill it in, so ingest works on a schema from before the column too.)
    awaits_adjudication: Mapped[bool] = mapped_column(Boolean, server_default=false())

    document: Mapped[Document] = relationship(back_populates="claims")
    reviews: Mapped[list[Review]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Review.id"
    )


# The queue in reading order for one review state (to review: verdicts = 0), and the
# assignment's walk in reading order, one seek per verdict count below k.
Index(
    "ix_claims_queue",
    Claim.project_id,
    Claim.status,
    Claim.verdicts,
    Claim.document_id,
    Claim.char_start,
    Claim.char_end,
)
# A project's claims in reading order (the queue's pages no index range of a state gives).
Index(
    "ix_claims_project_span", Claim.project_id, Claim.document_id, Claim.char_start, Claim.char_end
)
# The re-scorer's claims still holding a provisional score (scored_by, or NULL: extractor).
Index("ix_claims_scored_by", Claim.scored_by, Claim.extractor)
# The assignment's walk by check-worthiness: best first, ties by id.
Index(
    "ix_claims_assign_score",
    Claim.project_id,
    Claim.status,
    Claim.verdicts,
    Claim.score.desc(),
    Claim.id,
)
# The queue sorted by disagreement (admins), and the adjudication queue (disagreement > 0).
Index(
    "ix_claims_disagreement",
    Claim.project_id,
    Claim.status,
    Claim.disagreement.desc(),
    Claim.verdicts.desc(),
    Claim.document_id,
    Claim.char_start,
    Claim.char_end,
)
# The adjudication queue, oldest claim first: only the waiting claims have an entry, so the
# page's count and its page of ids read that many entries, not every claim's.
Index(
    "ix_claims_awaiting",
    Claim.project_id,
    Claim.id,
    sqlite_where=Claim.awaits_adjudication.is_(True),
    postgresql_where=Claim.awaits_adjudication.is_(True),
)


class ClaimCount(Base):
    """How many open claims are reviewed and how many are out of the queue, as changes.

    Each transaction that moves a claim between those groups (a first verdict, the last one
    cleared, "not a claim", put back) inserts one row with its change, in the same transaction;
    reading sums the rows (workbench.review.stats.totals), and now and then folds them into
    one. Rows are only ever inserted by writers, so reviewers saving at the same moment never
    wait on a shared counter row, and the totals cost the same at any corpus size.
    """

    __tablename__ = "claim_counts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The project of the claims it counts (migration 0016): the totals are per project.
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id"), index=True, server_default="1"
    )
    reviewed: Mapped[int] = mapped_column(Integer, default=0)  # open claims with a verdict
    not_a_claim: Mapped[int] = mapped_column(Integer, default=0)  # claims out of the queue
    # Claims replaced by their correction (status superseded): out of the queue too.
    superseded: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Sentences the extractor keeps out of the queue (status held_out, migration 0013): not
    # claims, so the totals leave them out of every count.
    held_out: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class User(Base):
    """An account. Without a password it cannot log in (single-user mode, imported names)."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'reviewer', 'viewer')", name="role"),
        CheckConstraint("failed_logins >= 0", name="failed_logins"),
        # A unique index rather than a constraint: SQLite cannot add a UNIQUE constraint to
        # a table without copying it (migration 0007). NULLs (no e-mail) may repeat.
        Index("ix_users_email", "email", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20), default="reviewer", server_default="reviewer")
    # An argon2id hash in PHC string form (it carries its own salt and parameters).
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # The address single sign-on maps to this account (trimmed, lower case); None: no SSO.
    email: Mapped[str | None] = mapped_column(String(254))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BrowserSession(Base):
    """A signed-in browser: its cookie's token, stored only as a SHA-256 (auth/sessions.py).

    A row starts as a sign-in *ticket* (``ticket_hash`` set, ``token_hash`` NULL): the app
    hands the browser the ticket, a route exchanges it once for the cookie's token. The row
    is deleted at logout, and with every other row of its account when the account is
    disabled or its password changes.
    """

    __tablename__ = "browser_sessions"
    __table_args__ = (Index("ix_browser_sessions_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())  # the absolute lifetime's end


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("claim_id", "reviewer_id", name="uq_reviews_claim_reviewer"),
        # The adjudication queue's "a review changed after the admin decided": max(updated_at)
        # of a claim's reviews, one seek per decided claim (migration 0012).
        Index("ix_reviews_claim_updated", "claim_id", "updated_at"),
        # The adjudication queue finds the claims whose agreement came after the reveal here:
        # few reviews are ever flagged, so it reads a short range, not every review.
        Index("ix_reviews_changed_after_reveal", "changed_after_reveal"),
        # The sidebar's "reviewed today" and "left for you" (workbench.review.workload): a
        # range of the reviewer's own entries, however many reviews the others have.
        Index("ix_reviews_reviewer_decided", "reviewer_id", "decided_at"),
        Index("ix_reviews_reviewer_open_verdicts", "reviewer_id", "open_verdicts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # NULL while the reviewer has written a note or added URLs but not decided yet. A name of
    # the claim's project's scale (the services check it; no CHECK since migration 0017).
    verdict: Mapped[str | None] = mapped_column(String(20), index=True)
    # The verdict as it stood before the reviewer could see anyone else's (blind review; the
    # rule is in workbench.review.blind). NULL until their first decision; a verdict taken
    # back leaves it as it was. Agreement is measured on it, and consensus needs it.
    blind_verdict: Mapped[str | None] = mapped_column(String(20))
    # The reviewer saved a verdict other than their blind one after the reveal. Never cleared:
    # it records that the change happened, even if they later went back.
    changed_after_reveal: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The claim's verdict count (``claims.verdicts``) while this review has a verdict and the
    # claim is open; NULL otherwise. Kept by workbench.review.stats with the claim's figures,
    # so "claims I decided that still need reviews" is a range of one reviewer's index entries.
    open_verdicts: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    # Seconds from the claim being shown to the reviewer's (latest) decision.
    seconds_spent: Mapped[float | None] = mapped_column(Float)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Evidence.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Evidence(Base):
    """A corroborating URL attached to one review."""

    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("review_id", "url", name="uq_evidence_review_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    review: Mapped[Review] = relationship(back_populates="evidence")


class ClaimSketch(Base):
    """A claim's MinHash signature (``workbench.similarity.measure``).

    Kept so that candidates found through the band keys can be screened by an estimate of
    their similarity without re-reading and re-hashing their text.
    """

    __tablename__ = "claim_sketches"

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)  # similarity.SKETCH_VERSION that made it
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class ClaimSketchKey(Base):
    """One MinHash band key of a claim: claims sharing a key are candidates to compare.

    The primary key starts with ``key`` so that finding the candidates of a new claim is an
    index range scan that needs no table row, instead of a comparison with every stored
    claim; ``claim_id`` has its own index for deletes.
    """

    __tablename__ = "claim_sketch_keys"
    # On SQLite the primary key is the table (no rowid): one tree fewer to write per key.
    __table_args__ = (
        Index("ix_claim_sketch_keys_claim_id", "claim_id"),
        {"sqlite_with_rowid": False},
    )

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )


class ClaimSimilarity(Base):
    """Two claims of different documents that say the same thing, and how similar they are.

    Stored once in each direction, so "the claims similar to X" is one indexed range of the
    primary key. Pairs, not group ids: similarity is not transitive, and a chain of
    near-matches must not put two unrelated claims in one group.
    """

    __tablename__ = "claim_similarities"
    __table_args__ = (
        CheckConstraint("claim_id <> similar_id", name="distinct_claims"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_range"),
        Index("ix_claim_similarities_similar_id", "similar_id"),
    )

    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    similar_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Float)


class Lease(Base):
    """A reviewer's claim on a review slot: it counts against k until it expires."""

    __tablename__ = "leases"
    __table_args__ = (
        UniqueConstraint("claim_id", "user_id", name="uq_leases_claim_user"),
        Index("ix_leases_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FinalVerdict(Base):
    """The verdict a claim ends with, and how it was reached."""

    __tablename__ = "final_verdicts"
    __table_args__ = (
        CheckConstraint("source IN ('single', 'consensus', 'adjudicated')", name="source"),
        Index("ix_final_verdicts_source", "source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), unique=True)
    verdict: Mapped[str] = mapped_column(String(20))  # a name of the project's scale
    source: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    # NULL for "single" and "consensus": those follow from the reviews, nobody decided them.
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    decided_by: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Comment(Base):
    """A word on a claim between its reviewers and the adjudicator (``review.discussion``).

    ``comment``: a reviewer's (or an admin's) note for the adjudicator; ``question``: an admin
    sends the claim back to one reviewer (``addressed_to_id``), open until ``resolved_at``;
    ``answer``: that reviewer's reply (``reply_to_id`` names the question). Plain text, shown
    as text, never as HTML. Who may read which is the blind-review rule of the discussion
    module, not a column.
    """

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("kind IN ('comment', 'question', 'answer')", name="kind"),
        # A question is addressed to someone; comments and answers are not.
        CheckConstraint(
            "(kind = 'question') = (addressed_to_id IS NOT NULL)", name="question_addressed"
        ),
        # A reviewer's open questions, for their queue and the Review page: a short range.
        Index("ix_comments_open_questions", "addressed_to_id", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    addressed_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    addressed_to: Mapped[User | None] = relationship(foreign_keys=[addressed_to_id])


class ProjectSetting(Base):
    """One setting of a project (reviews_per_claim, lease_minutes, assignment_order)."""

    __tablename__ = "project_settings"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class HistoryEntry(Base):
    """The append-only audit trail: who changed what, when, and the value before and after."""

    __tablename__ = "history"
    __table_args__ = (
        CheckConstraint("action IN ('create', 'update', 'delete')", name="action"),
        Index("ix_history_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # NULL for changes the system made (a consensus verdict following from reviews).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entity: Mapped[str] = mapped_column(String(30))  # review, url, final_verdict, user, setting
    entity_id: Mapped[str] = mapped_column(String(100))
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(10))
    before: Mapped[Any] = mapped_column(JSONType, nullable=True)
    after: Mapped[Any] = mapped_column(JSONType, nullable=True)

    actor: Mapped[User | None] = relationship()


class FigureSnapshot(Base):
    """A page's figures as computed at one version of the data (``workbench.db.snapshots``):
    the Agreement page's per choice of verdicts and scope, the Progress page's per-reviewer
    sums. Shared by every session and every process on the database; recomputed when the
    version read at an open differs. Derived data only: losing a row loses nothing but time."""

    __tablename__ = "figure_snapshots"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # "agreement:blind:all"
    version: Mapped[str] = mapped_column(String(200))
    payload: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed JSON
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
