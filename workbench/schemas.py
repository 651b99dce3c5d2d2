"""Pydantic models for every record that crosses a boundary.

Validate at the edge (files, forms, imports), trust inside. The SQLAlchemy tables in
``workbench.db.models`` store these; the two are kept in step by the export round-trip test.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

# A verdict is a name of its project's verdict scale (workbench.projects.scale), stored as it
# is in reviews, final verdicts and exports: lower case, no spaces, so it reads the same in a
# URL, a CSV cell and a command line; 20 characters, what the columns hold. Whether a name is
# on the scale of the claim's project is the services' check (workbench.review), not this.
VERDICT_PATTERN = r"^[a-z][a-z0-9_-]{0,19}$"
VerdictName = Annotated[str, StringConstraints(strip_whitespace=True, pattern=VERDICT_PATTERN)]


class Verdict(enum.StrEnum):
    """The default scale's verdicts, as constants for tests, samples and benchmarks.

    Not what a verdict may be: that is the claim's project's scale (:data:`VerdictName`,
    checked by the services); nothing in ``workbench`` checks a verdict against this."""

    verified = "verified"  # the evidence supports the claim as stated
    disputed = "disputed"  # credible evidence contradicts it, or it is contested
    unsupported = "unsupported"  # no evidence was found that would confirm it


class Role(enum.StrEnum):
    """What an account may do (enforced in the service layer, see ``workbench.auth``)."""

    admin = "admin"  # manages users, imports, settings; adjudicates; exports
    reviewer = "reviewer"  # reviews what is assigned
    viewer = "viewer"  # reads; exports nothing


class FinalSource(enum.StrEnum):
    """How a claim's final verdict was reached."""

    single = "single"  # k = 1: the one review is final
    consensus = "consensus"  # all k reviews agree
    adjudicated = "adjudicated"  # an admin decided, with a reason


class Actor(BaseModel):
    """Who is calling a service function: every write names its actor."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    role: Role
    # An API token limited to one project (workbench.auth.tokens) acts only there: the one
    # permission check refuses it any other project. None: wherever the account may act.
    limited_to: int | None = None


class ClaimStatus(enum.StrEnum):
    open = "open"
    not_a_claim = "not_a_claim"  # a bad extraction, taken out of the queue without a verdict
    # Replaced by a reviewer's correction (workbench.review.corrections): out of the queue,
    # kept with its reviews so that what was decided on it stays auditable.
    superseded = "superseded"
    # A sentence the extractor itself keeps out of the queue: a two-stage scorer's candidate
    # below its threshold, stored at ingest for the background re-scorer
    # (workbench.review.rescore) to judge with the full model. Not a claim yet, and not a
    # person's "not a claim": out of the queue, the counts, agreement, exports and training.
    held_out = "held_out"


class ClaimOrigin(enum.StrEnum):
    """Where a claim's span came from."""

    extracted = "extracted"  # the extractor
    corrected = "corrected"  # a reviewer moved, split or merged extracted (or corrected) claims
    added = "added"  # a reviewer added a sentence the extractor missed


class DocumentIn(BaseModel):
    """One document as a reader produced it, before it is stored."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(min_length=1)
    title: str
    source: str = Field(description="file path, or the URL the record named")
    url: str | None = None
    published: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value


class ClaimCandidate(BaseModel):
    """A claim the extractor found: ``text == document_text[char_start:char_end]``."""

    model_config = ConfigDict(frozen=True)

    text: str
    char_start: int = Field(ge=0)
    char_end: int = Field(ge=0)
    speaker: str | None
    score: float = Field(ge=0.0, le=1.0)
    extractor: str = Field(description="name@version of the extractor that found it")
    # Ingest only (left out of what ``workbench extract`` prints): the scorer whose score this
    # is when it is provisional (None: ``extractor``'s), and whether the sentence scored
    # below the threshold and is stored out of the queue, for the re-scorer to judge again.
    scored_by: str | None = Field(default=None, exclude=True)
    below_threshold: bool = Field(default=False, exclude=True)


class ExtractedClaim(ClaimCandidate):
    """What `workbench extract --jsonl` prints: a candidate and the document it came from."""

    document: str


class EvidenceOut(BaseModel):
    url: str
    added_at: datetime


class ReviewOut(BaseModel):
    id: int
    reviewer: str
    verdict: VerdictName | None
    note: str
    urls: list[EvidenceOut]
    version: int
    created_at: datetime
    updated_at: datetime
    # When the verdict was given (None while undecided) and the seconds from the claim being
    # shown to that decision (None when unknown, e.g. a review saved before times were kept).
    decided_at: datetime | None = None
    seconds_spent: float | None = None
    # The verdict given before the reviewer could see anyone else's, and whether they saved
    # another after that (workbench.review.blind). Defaults read a version 3 export: what a
    # file without them says is that nothing changed after a reveal.
    blind_verdict: VerdictName | None = None
    changed_after_reveal: bool = False


class DocumentRef(BaseModel):
    id: int
    title: str
    source: str
    sha256: str
    url: str | None = None  # the article's address, when the input named one
    published: datetime | None = None


Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    """One page of a longer list, as the app's tables and the queues return them."""

    items: list[Item]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


class ClaimOut(BaseModel):
    """A stored claim with the little of its document a list needs."""

    id: int
    document_id: int
    document_title: str
    text: str
    char_start: int
    char_end: int
    speaker: str | None
    score: float
    extractor: str
    status: ClaimStatus
    origin: ClaimOrigin = ClaimOrigin.extracted
    # The scorer of ``score`` when it is not ``extractor`` (None: it is): a provisional score
    # from a two-stage scorer's first stage, until workbench.review.rescore replaces it.
    scored_by: str | None = None
    review_count: int = 0
    disagreement: float | None = Field(
        default=None, description="share of pairs of its verdicts that differ (2+ verdicts)"
    )

    @property
    def score_label(self) -> str:
        """Whose score ``score`` is, for the queue and the review page: the extractor's, or
        a provisional first-stage score waiting for the full model."""
        if self.scored_by is None or self.scored_by == self.extractor:
            return self.extractor
        return f"{self.scored_by}, provisional"


class ClaimRow(Protocol):
    """What :func:`claim_out` reads of a stored claim (``workbench.db.models.Claim``; typed
    here by shape, as the tables sit a layer above these models)."""

    @property
    def id(self) -> int: ...
    @property
    def document_id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def char_start(self) -> int: ...
    @property
    def char_end(self) -> int: ...
    @property
    def speaker(self) -> str | None: ...
    @property
    def score(self) -> float: ...
    @property
    def extractor(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def scored_by(self) -> str | None: ...
    @property
    def verdicts(self) -> int: ...
    @property
    def disagreement(self) -> float: ...


def claim_out(claim: ClaimRow, title: str, *, review_count: int | None = None) -> ClaimOut:
    """A stored claim as lists show it: the one builder of ``ClaimOut`` for the queue, the
    review page, adjudication and ingest's answer. ``title``: its document's (the caller has
    it, loaded with the claim or at hand); ``review_count`` defaults to the stored count of
    its verdicts."""
    verdicts = claim.verdicts if review_count is None else review_count
    return ClaimOut(
        id=claim.id,
        document_id=claim.document_id,
        document_title=title,
        text=claim.text,
        char_start=claim.char_start,
        char_end=claim.char_end,
        speaker=claim.speaker,
        score=claim.score,
        extractor=claim.extractor,
        status=ClaimStatus(claim.status),
        origin=ClaimOrigin(claim.origin),
        scored_by=claim.scored_by,
        review_count=verdicts,
        # Under two verdicts there is nothing to disagree on: no figure rather than 0.
        disagreement=round(claim.disagreement, 3) if claim.verdicts >= 2 else None,
    )


class FinalVerdictOut(BaseModel):
    """A claim's final verdict, how it was reached, and the version a save must match."""

    claim_id: int
    verdict: VerdictName
    source: FinalSource
    reason: str
    decided_by: str | None = Field(description="None for single and consensus verdicts")
    decided_at: datetime
    version: int


class ExportRecord(BaseModel):
    """One line of the JSONL export: a claim, its document, all its reviews, its final verdict.

    Version 2 added ``final_verdict``, ``final_source`` and ``final_reason`` (all null while
    the claim has no final verdict). Version 3 added the reviews' ``decided_at`` and
    ``seconds_spent``, the document's ``url`` and ``published``, and ``final_decided_at``.
    Version 4 added the reviews' ``blind_verdict`` and ``changed_after_reveal`` (blind
    review, ``workbench.review.blind``); read from an older file they default to none and
    false, and an importer takes the verdict as the blind one.
    Version 5 added the claim's ``origin`` (``extracted``, ``corrected`` or ``added``) and
    ``corrected_from`` (the ids of the claims a correction replaced, oldest first; empty for
    an extracted claim), and the status ``superseded`` of a claim a correction replaced
    (``workbench.review.corrections``); read from an older file they are ``extracted`` and
    empty.
    """

    schema_version: int = 5
    claim_id: int
    text: str
    char_start: int
    char_end: int
    speaker: str | None
    score: float
    extractor: str
    status: ClaimStatus
    document: DocumentRef
    reviews: list[ReviewOut]
    final_verdict: VerdictName | None = None
    final_source: FinalSource | None = None
    final_reason: str | None = None
    final_decided_at: datetime | None = None
    origin: ClaimOrigin = ClaimOrigin.extracted
    corrected_from: list[int] = Field(default_factory=list)


class UserOut(BaseModel):
    """An account as the admin pages and `workbench users list` show it (never the hash)."""

    id: int
    name: str
    role: Role
    disabled: bool
    can_log_in: bool
    created_at: datetime
    # The address single sign-on maps to this account (None: it signs in by password only).
    email: str | None = None


class HistoryOut(BaseModel):
    """One entry of the audit trail."""

    id: int
    at: datetime
    actor: str | None = Field(description="None for changes the system made itself")
    entity: str
    entity_id: str
    claim_id: int | None
    action: str
    before: Any
    after: Any


class ReviewerProgress(BaseModel):
    """One reviewer's work so far, for the admin's progress page."""

    reviewer: str
    role: Role
    disabled: bool
    done: int = Field(description="claims with a verdict by this reviewer")
    in_progress: int = Field(description="claims leased to them and not decided yet")
    active_hours: float = Field(description="time at work: decisions less than a break apart")
    pace_per_hour: float | None = Field(description="decisions per active hour")
    median_seconds: float | None = Field(description="median time from shown to decided")
    last_decision: datetime | None


class ReviewerVerdict(BaseModel):
    reviewer: str
    verdict: VerdictName


class SimilarClaim(BaseModel):
    """A claim of another document that says the same thing as the one being reviewed."""

    id: int
    document_id: int
    document_title: str
    text: str
    speaker: str | None
    status: ClaimStatus
    similarity: float = Field(ge=0.0, le=1.0)
    verdicts: list[ReviewerVerdict] = Field(default_factory=list)
