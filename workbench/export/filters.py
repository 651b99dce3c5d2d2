"""Which claims an export holds: every field narrows, and all of it is done in SQL.

An export is a set of *claims*, each written whole: a filter chooses claims, never single
reviews, so a claim's final verdict always comes with every review it was reached from.

- ``verdict``: the claim's **final** verdict is one of these (so it has one);
- ``final_source``: its final verdict was reached this way (``single``, ``consensus``,
  ``adjudicated``);
- ``reviewer``: one of these reviewers has a review of the claim (decided or not);
- ``document_id``: the claim comes from one of these documents;
- ``since`` / ``until``: a review of the claim was *decided* (its verdict given, the
  review's ``decided_at``) at or after ``since`` and before ``until``; together with
  ``reviewer``, that reviewer's review must be the one decided in the range. A date without
  a time is midnight, a time without an offset is UTC;
- ``min_score`` / ``max_score``: the claim's check-worthiness score, bounds included;
- ``final_only``: only claims with a final verdict (the ClaimReview format sets it).

The project is not a field of the filter: every export is of one project (``project_id`` of
:func:`apply` and :func:`check`, resolved by the export service), and the manifest names it.

A list matches any of its values; an empty list or ``None`` does not filter.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Engine, Select, exists, select

from workbench.db.models import Claim, Document, FinalVerdict, Review, User
from workbench.db.session import unit_of_work
from workbench.errors import InvalidInput
from workbench.projects.scale import check_on_scale
from workbench.projects.service import ProjectOut, check_verdicts
from workbench.schemas import ClaimStatus, FinalSource, VerdictName


class ExportFilter(BaseModel):
    """The claims to export (see the module's docstring for what each field means)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    verdict: list[VerdictName] = Field(default_factory=list)  # of the project's scale
    final_source: list[FinalSource] = Field(default_factory=list)
    reviewer: list[str] = Field(default_factory=list)
    document_id: list[int] = Field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    min_score: float | None = Field(default=None, ge=0.0, le=1.0)
    max_score: float | None = Field(default=None, ge=0.0, le=1.0)
    final_only: bool = False

    @field_validator("since", "until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @model_validator(mode="after")
    def _ranges(self) -> Self:
        if self.since and self.until and self.since >= self.until:
            raise ValueError("since must be before until")
        if (
            self.min_score is not None
            and self.max_score is not None
            and self.min_score > self.max_score
        ):
            raise ValueError("min_score must not be above max_score")
        return self

    @property
    def is_empty(self) -> bool:
        return self == ExportFilter()

    def summary(self) -> dict[str, Any]:
        """Every field, JSON-ready (for the manifest)."""
        return self.model_dump(mode="json")


def parse_filter(**fields: Any) -> ExportFilter:
    """An ``ExportFilter`` from user input; a bad value is an ``InvalidInput`` that says which."""
    from pydantic import ValidationError

    try:
        return ExportFilter.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'filter'}: {error['msg']}"
            for error in exc.errors()
        )
        raise InvalidInput(f"invalid export filter: {problems}") from None


Q = TypeVar("Q", bound=Select[*tuple[Any, ...]])


def apply(query: Q, flt: ExportFilter, project_id: int | None = None) -> Q:
    """``query`` (over ``Claim`` joined to its ``Document``, outer-joined to ``FinalVerdict``)
    narrowed by ``flt``, and to the claims of the project ``project_id`` (None: every
    project's). A claim's project is its document's: read through the join, so this holds
    whether or not claims carry a project column of their own."""
    # Sentences the extractor itself keeps out of the queue (a two-stage scorer's candidates
    # below its threshold, status held_out: workbench.review.rescore) are not claims; a
    # person's "not a claim" is exported with its status.
    query = query.where(Claim.status != ClaimStatus.held_out.value)
    if project_id is not None:
        query = query.where(Document.project_id == project_id)
    if flt.document_id:
        query = query.where(Claim.document_id.in_(flt.document_id))
    if flt.min_score is not None:
        query = query.where(Claim.score >= flt.min_score)
    if flt.max_score is not None:
        query = query.where(Claim.score <= flt.max_score)
    if flt.final_only:
        query = query.where(FinalVerdict.id.is_not(None))
    if flt.verdict:
        query = query.where(FinalVerdict.verdict.in_(flt.verdict))
    if flt.final_source:
        query = query.where(FinalVerdict.source.in_([s.value for s in flt.final_source]))
    if flt.reviewer or flt.since or flt.until:
        review = exists().where(Review.claim_id == Claim.id)
        if flt.reviewer:
            names = select(User.id).where(User.name.in_(flt.reviewer))
            review = review.where(Review.reviewer_id.in_(names.scalar_subquery()))
        if flt.since:
            review = review.where(Review.decided_at >= flt.since)
        if flt.until:
            review = review.where(Review.decided_at < flt.until)
        query = query.where(review)
    return query


def check(engine: Engine, flt: ExportFilter, project: int | ProjectOut | None = None) -> None:
    """Refuse names and ids that match nothing: a typo must not pass for an empty export
    (a document of another project than ``project`` matches nothing here either), and
    verdicts that are not on the project's scale (read from ``project`` when it is the
    project itself, not its id: no second read of a row the caller holds)."""
    if isinstance(project, ProjectOut):
        for verdict in flt.verdict:
            check_on_scale(verdict, project.scale.names, project.name)
    project_id = project.id if isinstance(project, ProjectOut) else project
    if not (flt.reviewer or flt.document_id or (flt.verdict and isinstance(project, int))):
        return
    with unit_of_work(engine) as session:
        if flt.verdict and isinstance(project, int):
            check_verdicts(session, project, flt.verdict)
        if flt.reviewer:
            known = set(session.scalars(select(User.name).where(User.name.in_(flt.reviewer))))
            unknown = [name for name in flt.reviewer if name not in known]
            if unknown:
                raise InvalidInput(
                    f"no reviewer named {', '.join(map(repr, unknown))}", field="reviewer"
                )
        if flt.document_id:
            documents = select(Document.id).where(Document.id.in_(flt.document_id))
            if project_id is not None:
                documents = documents.where(Document.project_id == project_id)
            found = set(session.scalars(documents))
            missing = [str(i) for i in flt.document_id if i not in found]
            if missing:
                raise InvalidInput(f"no document with id {', '.join(missing)}", field="document_id")
