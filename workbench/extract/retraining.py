"""`workbench train-extractor` as library calls: where the public data is, and one refit.

The command used to find the data folder, check for scikit-learn and pick the model to start
from itself; here those rules are beside the training they serve, so any other entry point
(an HTTP API, a notebook) refits the same way and gets the same errors. scikit-learn is the
``train`` extra: ``train_linear`` imports it only when it fits, so its absence is told first.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from workbench.config import Settings
from workbench.errors import WorkbenchError
from workbench.extract import train_linear
from workbench.extract.train_linear import CT24_SPLIT, RetrainReport, WorkbenchExamples

SPLITS = ("train", "dev", "dev-test")


@dataclass(frozen=True)
class Retrained:
    report: RetrainReport  # the public data, before/after figures and the file written
    reviewed: WorkbenchExamples  # what the reviews gave: positives, negatives, conflicts


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
    return Retrained(report, reviewed)
