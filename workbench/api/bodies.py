"""The API's own request and response bodies: what only the HTTP API sends or receives.

Records the rest of the workbench shares (a claim, a review, a final verdict, a project) are
the services' own models from ``workbench.schemas`` and the services; these wrap them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workbench.schemas import ClaimOut, DocumentRef, HistoryOut, ReviewOut, VerdictName

MAX_TEXT_CHARS = 20 * 1024 * 1024


class ErrorDetail(BaseModel):
    code: str = Field(description="what went wrong, for programs: not_found, forbidden, ...")
    message: str = Field(description="what went wrong and what to do, for people")
    field: str | None = Field(default=None, description="the body or query field at fault")


class ErrorBody(BaseModel):
    """Every error the API answers, whatever its status."""

    error: ErrorDetail


class StaleBody(ErrorBody):
    """409: the review changed since the version sent; ``current`` is how it is now."""

    current: ReviewOut | None = None


class Health(BaseModel):
    status: str = "ok"
    version: str


class DocumentBody(BaseModel):
    """One document, as a JSONL line of ``workbench ingest`` carries it."""

    model_config = ConfigDict(extra="allow")

    text: str = Field(description="the article's full text", max_length=MAX_TEXT_CHARS)
    title: str | None = None
    url: str | None = None
    published: str | None = Field(default=None, description="ISO 8601 date or time")
    metadata: dict[str, Any] | None = None
    project: str | None = Field(
        default=None, description="the project's name (default: the token's, or the only one)"
    )


class DocumentBatch(BaseModel):
    documents: list[DocumentBody] = Field(min_length=1, max_length=100)
    project: str | None = Field(default=None, description="for every document of the batch")


class DocumentCreated(BaseModel):
    document: DocumentRef
    claims: list[ClaimOut]
    duplicate: bool = Field(description="the same text was already stored: nothing new")
    warnings: list[str] = Field(default_factory=list)


class BatchItem(BaseModel):
    index: int = Field(description="the document's position in the batch, from 0")
    result: DocumentCreated | None = None
    error: ErrorDetail | None = None


class BatchResult(BaseModel):
    items: list[BatchItem]


class ClaimList(BaseModel):
    items: list[ClaimOut]
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null: end")


class ClaimWithReviews(BaseModel):
    claim: ClaimOut
    context: str = Field(description="the paragraph the claim sits in")
    document_source: str
    reviews: list[ReviewOut] = Field(description="the reviews the caller may see")
    hidden_reviews: int = Field(description="reviews withheld until the caller decides (blind)")


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: VerdictName | None = Field(
        max_length=100,
        description="one of the project's scale; null: no verdict (yet, or taken back)",
    )
    note: str = ""
    urls: list[str] = Field(default_factory=list, max_length=50)
    version: int | None = Field(
        ge=0,
        le=2**31 - 1,
        description="the version of your review you last saw; null: you had none",
    )


class FinalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: VerdictName = Field(max_length=100, description="one of the project's scale")
    reason: str = Field(min_length=1, max_length=10_000)
    version: int | None = Field(
        ge=0, le=2**31 - 1, description="the final verdict's version you saw; null: none"
    )


class TokenInfo(BaseModel):
    """Who the token acts as (``GET /me``)."""

    id: int
    name: str
    role: str
    limited_to_project: int | None


class HistoryPage(BaseModel):
    items: list[HistoryOut]
    next_cursor: str | None = Field(description="pass as ``cursor`` for the next page; null: end")
