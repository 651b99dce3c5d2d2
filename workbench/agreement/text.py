"""The agreement report as terminal text (`workbench agreement`)."""

from __future__ import annotations

from collections.abc import Iterator

from workbench.agreement.figures import AgreementReport, Coefficients, GroupAgreement


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _coefficients(c: Coefficients) -> Iterator[str]:
    yield f"  rests on       {c.claims} claims reviewed twice or more, {c.reviews} verdicts"
    if c.alpha is None and c.observed is None:
        yield f"  withheld       {c.warning}"
        return
    interval = ""
    if c.alpha_low is not None and c.alpha_high is not None:
        interval = f"  (95% CI {c.alpha_low:.3f} to {c.alpha_high:.3f})"
    yield f"  Krippendorff α {_figure(c.alpha)}{interval}"
    yield f"  Fleiss κ       {_figure(c.fleiss_kappa)}"
    yield f"  Gwet AC1       {_figure(c.ac1)}"
    yield f"  observed       {_figure(c.observed)}"
    if c.reading:
        yield f"  reading        {c.reading}"
    if c.warning:
        yield f"  warning        {c.warning}"


def verdicts_used(report: AgreementReport) -> str:
    """Which verdicts the figures rest on, in one sentence (the page says the same)."""
    changed = report.changed_after_reveal
    after = (
        f"{changed} review{' was' if changed == 1 else 's were'} changed after the reveal"
        if changed
        else "no review was changed after the reveal"
    )
    if report.verdicts == "blind":
        return (
            "Verdicts: blind, as given before each reviewer saw anyone else's "
            f"({after}; --use current for the verdicts as they stand)."
        )
    return (
        f"Verdicts: current, as they stand now ({after}; the default, --use blind, measures "
        "the verdicts given before the reveal)."
    )


def render(report: AgreementReport, by: str | None = None) -> str:
    lines = [
        f"Agreement on {report.scope}: {len(report.reviewers)} reviewers",
        verdicts_used(report),
        "",
    ]
    lines += list(_coefficients(report.overall))
    lines += ["", report.scale]
    if report.notes:
        lines += ["", "Notes:"]
        lines += [f"  - {note.message}" for note in report.notes]
    if report.pairs:
        lines += ["", "Pairs of reviewers (Cohen's κ, observed, claims both reviewed):"]
        for pair in report.pairs:
            lines.append(
                f"  {pair.a} × {pair.b}: κ {_figure(pair.kappa)}, observed "
                f"{_figure(pair.observed)}, {pair.claims} claims"
            )
    if by == "label":
        lines += _groups("Per verdict (one against the rest)", report.by_label)
    elif by == "document":
        lines += _groups("Per document (lowest alpha first)", report.by_document)
    elif by == "reviewer":
        lines += _reviewers(report)
    if report.most_disputed:
        lines += ["", "Most disputed claims:"]
        for claim in report.most_disputed[:5]:
            verdicts = ", ".join(f"{name}: {v}" for name, v in claim.verdicts.items())
            lines.append(f"  #{claim.claim_id} ({claim.disagreement:.2f}) {claim.text[:80]}")
            lines.append(f"      {verdicts}; final: {claim.final_verdict or '—'}")
    return "\n".join(lines)


def _groups(title: str, groups: list[GroupAgreement]) -> list[str]:
    lines = ["", f"{title}:"]
    for group in groups:
        label = f"{group.key} (#{group.id})" if group.id is not None else group.key
        lines.append(f"{label}")
        lines += list(_coefficients(group.coefficients))
    return lines


def _reviewers(report: AgreementReport) -> list[str]:
    lines = ["", "Per reviewer:"]
    for r in report.by_reviewer:
        labels = ", ".join(f"{label} {count}" for label, count in r.labels.items())
        seconds = "—" if r.median_seconds is None else f"{r.median_seconds:.0f} s"
        lines.append(f"  {r.reviewer}: {r.reviews} reviews ({labels}); median {seconds}")
        lines.append(
            f"      mean κ with others {_figure(r.mean_kappa)}; matches the final verdict on "
            f"{_figure(r.agrees_with_final)} of {r.final_claims} claims "
            f"(κ {_figure(r.kappa_with_final)})"
        )
    return lines
