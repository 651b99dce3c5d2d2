"""The Agreement report's shape: the figures it holds, as the page, the JSON and the text
show them (``workbench.agreement.report`` computes them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

from workbench.agreement.table import VerdictsUsed
from workbench.reports import Report

NoteKind = Literal["few_claims", "rare_label", "dominant_label", "label_overuse", "outlier"]


class Coefficients(BaseModel):
    """The agreement figures of one set of claims, and what they rest on."""

    claims: int = Field(description="claims reviewed by two or more reviewers")
    reviews: int = Field(description="the verdicts on those claims")
    observed: float | None = Field(description="share of agreeing pairs of verdicts")
    fleiss_kappa: float | None
    alpha: float | None = Field(description="Krippendorff's alpha, nominal")
    alpha_low: float | None = Field(default=None, description="95% bootstrap interval")
    alpha_high: float | None = None
    ac1: float | None = Field(description="Gwet's AC1")
    reading: str | None = Field(description="alpha on Krippendorff's scale, in words")
    warning: str | None = None


class PairAgreement(BaseModel):
    a: str
    b: str
    claims: int = Field(description="claims both reviewed")
    observed: float | None
    kappa: float | None = Field(description="Cohen's kappa")
    confusion: list[list[int]] = Field(description="rows: a's verdict, columns: b's")


class ReviewerStats(BaseModel):
    reviewer: str
    reviews: int
    labels: dict[str, int]
    median_seconds: float | None
    mean_kappa: float | None = Field(description="mean Cohen's kappa with the other reviewers")
    final_claims: int = Field(description="their reviewed claims that have a final verdict")
    agrees_with_final: float | None = Field(description="share of those where they match")
    kappa_with_final: float | None


class GroupAgreement(BaseModel):
    """The coefficients of one label (one against the rest) or one document."""

    key: str
    id: int | None = None
    coefficients: Coefficients


class PeriodAgreement(BaseModel):
    week: str = Field(description="Monday of the ISO week of the claims' last decision")
    claims: int
    observed: float | None
    alpha: float | None


class DisputedClaim(BaseModel):
    claim_id: int
    document_id: int
    document_title: str
    text: str
    verdicts: dict[str, str]
    disagreement: float = Field(description="share of pairs of its verdicts that differ")
    final_verdict: str | None


class QualityNote(BaseModel):
    kind: NoteKind
    message: str


class AgreementReport(Report):
    scope: str
    verdicts: VerdictsUsed = Field(
        default="blind",
        description="which verdicts the figures use: 'blind' (as given before the reviewer "
        "could see anyone else's) or 'current' (as they stand now)",
    )
    changed_after_reveal: int = Field(
        default=0,
        description="reviews whose current verdict differs from their blind one "
        "(changed after seeing the others')",
    )
    scale: str = (
        "Krippendorff's scale: alpha >= 0.800 reliable; 0.667-0.800 tentative conclusions only; "
        "below 0.667 unreliable."
    )
    labels: list[str]
    reviewers: list[str]
    overall: Coefficients
    notes: list[QualityNote]
    pairs: list[PairAgreement]
    by_label: list[GroupAgreement]
    by_reviewer: list[ReviewerStats]
    by_document: list[GroupAgreement]
    over_time: list[PeriodAgreement]
    most_disputed: list[DisputedClaim]
    # The breakdown the text adds (document, label or reviewer): the command's choice, not
    # a figure, so not in the JSON.
    _breakdown: str | None = PrivateAttr(default=None)

    def broken_down(self, by: str | None) -> AgreementReport:
        """This report, its text with the breakdown ``by`` added."""
        report = self.model_copy()
        report._breakdown = by
        return report

    def summary(self) -> str:
        from workbench.agreement.text import render  # the text module imports this one

        return render(self, self._breakdown)
