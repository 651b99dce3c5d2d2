"""The model commands: `score` (pre-split sentences, optionally evaluated against their labels)
and `train-extractor` (refit the linear scorer with this workbench's reviews). The figures come
from workbench/extract/evaluation.py and the refit from workbench/extract/retraining.py; these
commands parse and print."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.common import (
    DbOption,
    echo,
    echo_json,
    open_named,
    print_report,
    settings_for,
    user_errors,
)
from workbench.errors import WorkbenchError
from workbench.extract import default_extractor
from workbench.extract.evaluation import FileEvaluation
from workbench.extract.retraining import retrain_with_reviews, training_data
from workbench.extract.scorers import read_sentence_file
from workbench.review import rescore as rescoring

ScorerOption = Annotated[
    str | None,
    typer.Option(
        "--scorer",
        help="onnx, linear, heuristic, blend or minilm (default: $WORKBENCH_SCORER, else onnx).",
        show_default=False,
    ),
]
ModelOption = Annotated[
    Path | None,
    typer.Option(
        "--model",
        help="Weights file replacing the scorer's shipped one (default: $WORKBENCH_SCORER_MODEL).",
        show_default=False,
    ),
]


def score(
    file: Annotated[
        Path,
        typer.Argument(
            help="A TSV/CSV with Sentence_id and Text columns (CheckThat! layout), "
            "or a text file with one sentence a line."
        ),
    ],
    jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON object per sentence.")] = False,
    evaluate: Annotated[
        bool,
        typer.Option(
            "--eval", help="Print precision, recall and F1 against the class_label column."
        ),
    ] = False,
    scorer: ScorerOption = None,
    model: ModelOption = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            help="Cut for check_worthy (default: $WORKBENCH_CLAIM_THRESHOLD, else the model's).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Score pre-split sentences with the extractor's scorer and threshold."""
    settings = settings_for(None)
    with user_errors():
        extractor = default_extractor(
            threshold if threshold is not None else settings.claim_threshold,
            scorer or settings.scorer,
            model or settings.scorer_model,
        )
        data = read_sentence_file(file)
        if evaluate and not data.has_labels:
            raise WorkbenchError(f"{file}: no class_label column, so there is nothing to --eval")
        labels = [row.is_positive(file) for row in data.rows] if evaluate else []
    for warning in data.warnings:
        echo(f"warning: {warning}", err=True)
    scores = [float(s) for s in extractor.scorer.score_many([row.text for row in data.rows])]
    cut = extractor.threshold
    if evaluate:
        evaluation = FileEvaluation.of(str(data.path), extractor.name, labels, scores, cut)
        print_report(evaluation, as_json=jsonl)
        return
    if not jsonl:
        echo(f"{'id':>10}  score  worthy  text")
    for row, value in zip(data.rows, scores, strict=True):
        if jsonl:
            record = {"id": row.id, "text": row.text, "score": value, "check_worthy": value >= cut}
            echo_json(json.dumps(record, ensure_ascii=False))
        else:
            mark = "yes" if value >= cut else "-"
            echo(f"{row.id:>10}  {value:.3f}  {mark:<6}  {row.text}")
    if not jsonl:
        worthy = sum(value >= cut for value in scores)
        echo(
            f"{len(scores)} sentences, {worthy} check-worthy "
            f"({extractor.name}, threshold {cut:.4f})"
        )


DEFAULT_TRAINED_MODEL = Path("db") / "checkworthy_linear.trained.npz"


def train_extractor(
    db: DbOption = None,
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the new weights.")
    ] = DEFAULT_TRAINED_MODEL,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Folder with the CheckThat! 2024 English TSV files (default: "
            "$WORKBENCH_TRAIN_DATA, else ../shared/data/claims/checkthat2024_en).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "--limit", min=1, help="Use only the first N public examples (quick trials, tests)."
        ),
    ] = None,
    folds: Annotated[
        int,
        typer.Option(
            "--folds",
            min=0,
            help="Folds of the debate-grouped cross-validation printed before and after "
            "(0 skips it; it needs ClaimBuster's CSV files in the claimbuster folder beside "
            "--data).",
        ),
    ] = 5,
) -> None:
    """Refit the linear scorer on the public data plus this workbench's reviews.

    The linear model is the one that learns from reviews: it is the onnx scorer's first stage
    and blend partner, and the scorer of its own; refitting the transformer needs torch and an
    hour of CPU (scripts/train_onnx.py).
    """
    settings = settings_for(db)
    with user_errors():
        folder = training_data(data, settings)
        engine = open_named(settings.database_url, migrate=False)
        retrained = retrain_with_reviews(engine, settings, folder, out, limit=limit, folds=folds)
    print_report(retrained)


def rescore(
    db: DbOption = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Re-score at most N claims (default: all that wait)."),
    ] = None,
) -> None:
    """Give claims ingest scored with a two-stage scorer's fast first stage (onnx: linear@1)
    the full model's score now, in the foreground; `serve` and `demo` do it in the background.

    Each claim is put in the queue or taken out of it by the full model's threshold, unless
    a person has reviewed it, leased it or set its status.
    """
    settings = settings_for(db)
    with user_errors():
        engine = open_named(settings.database_url)
        found = rescoring.stages(settings)
    if found is None:
        echo(f"nothing to re-score: the {settings.scorer} scorer has a single stage")
        return
    echo(f"re-scoring with {found.scorer.name} (threshold {found.threshold:.4f})", err=True)
    done = rescoring.rescore(engine, found, limit=limit)
    left = rescoring.pending(engine, found.provisional)
    echo(
        f"{done.scored} claims re-scored: {done.into_queue} put in the queue, "
        f"{done.out_of_queue} taken out; {left} still scored by {found.provisional}"
    )
