"""The DVC stages as commands: each runs its stage as `python -m` does (pipeline.stage_entry.run), so both print the same."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import typer

from pipeline.cli.common import (
    PARAMS,
    ParamsOption,
    project_config,
    reports_errors,
    warn,
)
from pipeline.kinds import kinds_help
from pipeline.stage_entry import run


def segment(params: ParamsOption = PARAMS) -> None:
    """Split every article of the seed corpus and the pool into sentences with stable ids (DVC stage `segment`)."""
    from pipeline.corpus.stage import segment as stage

    run(partial(stage, warn=warn), params)


def train(kind: Annotated[str, typer.Argument(help=f"Model kind: {kinds_help()}.")], params: ParamsOption = PARAMS) -> None:
    """Cross-validate one model kind by article, then fit it on all labels (DVC stage `train@KIND`)."""
    from pipeline.training.stage import train as stage

    run(stage, params, kind)


def evaluate(params: ParamsOption = PARAMS) -> None:
    """Score every model's out-of-fold predictions; write metrics, predictions and plots (DVC stage `evaluate`)."""
    from pipeline.evaluation.stage import evaluate as stage

    run(stage, params)


def behaviour(params: ParamsOption = PARAMS) -> None:
    """Score every trained model on the behavioural test cases (DVC stage `behaviour`)."""
    from pipeline.evaluation.behaviour_stage import behaviour as stage

    run(stage, params)


def report(params: ParamsOption = PARAMS) -> None:
    """Write reports/report.md from the evaluation (DVC stage `report`)."""
    from pipeline.evaluation.stage import report as stage

    run(stage, params)


@reports_errors
def check_floor(params: ParamsOption = PARAMS) -> None:
    """Fail when a model's CV macro-F1 is below its floor in configs (CI runs this)."""
    from pipeline.evaluation.stage import check_floor as floors

    for line in floors(project_config(params)):
        typer.echo(line)
