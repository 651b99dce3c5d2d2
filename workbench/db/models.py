"""The tables: the single source of the stored schema (migrations are generated from these)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
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
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
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
        CheckConstraint("status IN ('open', 'not_a_claim')", name="status"),
        UniqueConstraint("document_id", "char_start", "char_end", name="uq_claims_span"),
        Index("ix_claims_status_score", "status", "score"),
        Index("ix_claims_speaker", "speaker"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    char_start: Mapped[int] = mapped_column(Integer)
    char_end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(200))
    score: Mapped[float] = mapped_column(Float)
    extractor: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="open")
    # Who took it out of the queue, so a later extractor can learn from the decision.
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="claims")
    reviews: Mapped[list[Review]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="Review.id"
    )


class User(Base):
    """A reviewer. Issue 2 knows them by name only; accounts and roles come later."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("claim_id", "reviewer_id", name="uq_reviews_claim_reviewer"),
        CheckConstraint(
            "verdict IS NULL OR verdict IN ('verified', 'disputed', 'unsupported')",
            name="verdict",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # NULL while the reviewer has written a note or added URLs but not decided yet.
    verdict: Mapped[str | None] = mapped_column(String(20), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
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
    """A claim's MinHash signature (``workbench.extract.similarity``).

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
    __table_args__ = (Index("ix_claim_sketch_keys_claim_id", "claim_id"),)

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
