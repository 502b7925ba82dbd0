"""The DVC stages as commands: each loads the config, runs its stage, prints one line."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.common import (
    PARAMS,
    ParamsOption,
    project_config,
    reports_errors,
    warn,
)


@reports_errors
def segment(params: ParamsOption = PARAMS) -> None:
    """Split every article of the seed corpus and the pool into sentences with stable ids (DVC stage `segment`)."""
    from pipeline.corpus.stage import segment as run

    typer.echo(run(project_config(params), warn))


@reports_errors
def train(kind: Annotated[str, typer.Argument(help="Model kind: majority, tfidf or transformer.")], params: ParamsOption = PARAMS) -> None:
    """Cross-validate one model kind by article, then fit it on all labels (DVC stage `train@KIND`)."""
    from pipeline.training.stage import train as run

    typer.echo(run(project_config(params), kind))


@reports_errors
def evaluate(params: ParamsOption = PARAMS) -> None:
    """Score every model's out-of-fold predictions; write metrics, predictions and plots (DVC stage `evaluate`)."""
    from pipeline.evaluation.stage import evaluate as run

    typer.echo(run(project_config(params)))


@reports_errors
def behaviour(params: ParamsOption = PARAMS) -> None:
    """Score every trained model on the behavioural test cases (DVC stage `behaviour`)."""
    from pipeline.evaluation.behaviour_stage import behaviour as run

    typer.echo(run(project_config(params)))


@reports_errors
def report(params: ParamsOption = PARAMS) -> None:
    """Write reports/report.md from the evaluation (DVC stage `report`)."""
    from pipeline.evaluation.stage import report as run

    typer.echo(run(project_config(params)))


@reports_errors
def check_floor(params: ParamsOption = PARAMS) -> None:
    """Fail when a model's CV macro-F1 is below its floor in configs (CI runs this)."""
    from pipeline.evaluation.stage import check_floor as run

    for line in run(project_config(params)):
        typer.echo(line)
