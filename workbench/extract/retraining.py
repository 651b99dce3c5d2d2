"""`workbench train-extractor` as library calls: where the public data is, and one refit.

The command used to find the data folder, check for scikit-learn and pick the model to start
from itself; here those rules are beside the training they serve, so any other entry point
(an HTTP API, a notebook) refits the same way and gets the same errors. scikit-learn is the
``train`` extra: ``train_linear`` imports it only when it fits, so its absence is told first.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic import ConfigDict
from sqlalchemy import Engine

from workbench.config import Settings
from workbench.errors import WorkbenchError
from workbench.extract import train_linear
from workbench.extract.train_linear import CT24_SPLIT, RetrainReport, WorkbenchExamples
from workbench.reports import Report

SPLITS = ("train", "dev", "dev-test")


class Retrained(Report):
    """A refit, as ``workbench train-extractor`` reports it."""

    model_config = ConfigDict(frozen=True)

    report: RetrainReport  # the public data, before/after figures and the file written
    reviewed: WorkbenchExamples  # what the reviews gave: positives, negatives, conflicts

    def summary(self) -> str:
        report, reviewed = self.report, self.reviewed
        # Corrections of the extractor (workbench.review.corrections) are named only when
        # there are some, so the line reads as before for a workbench without them.
        positive = f"{reviewed.positives} with a verdict"
        if reviewed.corrected:
            positive += f" or cut by a reviewer ({reviewed.corrected} corrected or added)"
        negative = f"{reviewed.negatives} not a claim"
        if reviewed.retired:
            negative += f" or replaced by a correction ({reviewed.retired} replaced)"
        lines = [
            f"workbench examples: {report.workbench_added} added ({positive}, {negative}; "
            f"{reviewed.conflicting} with both left out"
            + (
                f"; {report.dropped_overlap} also in dev-test left out"
                if report.dropped_overlap
                else ""
            )
            + f"), on top of {report.public_examples} public examples"
        ]
        for label, metrics in (("before", report.before), ("after ", report.after)):
            lines.append(
                f"dev-test {label}: precision {metrics.precision:.4f}  "
                f"recall {metrics.recall:.4f}  f1 {metrics.f1:.4f}"
            )
        # The figure to trust for a new debate: dev-test is one set of debates.
        for label, cv in (("before", report.cv_before), ("after ", report.cv_after)):
            if cv is not None:
                lines.append(
                    f"debate-grouped CV {label}: f1 {cv.mean:.4f} ± {cv.sd:.4f} "
                    f"({cv.folds} folds over {cv.debates} debates"
                    + (", reviews in every training fold" if label == "after " else "")
                    + ")"
                )
        lines.append(f"wrote {report.path} (threshold {report.threshold:.4f})")
        lines.append(
            f"use it: WORKBENCH_SCORER=linear WORKBENCH_SCORER_MODEL={report.path.resolve()}"
        )
        return "\n".join(lines)


def training_data(folder: Path | None, settings: Settings) -> Path:
    """The folder to train on (``folder``, else ``settings.train_data``), checked before any
    database is opened: scikit-learn installed and the three CheckThat! splits present."""
    if importlib.util.find_spec("sklearn") is None:
        raise WorkbenchError(
            "train-extractor needs scikit-learn, the train extra: pip install '.[train]'"
        )
    found = folder or settings.train_data
    missing = [
        name for split in SPLITS if not (found / (name := CT24_SPLIT.format(split=split))).is_file()
    ]
    if missing:
        raise WorkbenchError(
            f"{found}: training data not found (missing {', '.join(missing)}); "
            "pass --data DIR or set WORKBENCH_TRAIN_DATA"
        )
    return found


def retrain_with_reviews(
    engine: Engine,
    settings: Settings,
    folder: Path,
    out: Path,
    *,
    limit: int | None = None,
    folds: int = 5,
) -> Retrained:
    """Refit the linear scorer on ``folder``'s public data plus this database's reviews and
    write it to ``out``. It starts from the configured linear weights, if the linear scorer is
    the one configured, else from the shipped ones."""
    reviewed = train_linear.workbench_examples(engine)
    base = settings.scorer_model if settings.scorer == "linear" else None
    try:
        report = train_linear.retrain(
            folder, out, extra=reviewed.examples, base=base, limit=limit, folds=folds
        )
    except OSError as exc:
        raise WorkbenchError(f"cannot write {out}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise WorkbenchError(str(exc)) from exc
    return Retrained(report=report, reviewed=reviewed)
