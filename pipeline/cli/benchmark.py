"""`stance benchmark tweeteval`: the product's model kinds on a public stance benchmark, beside published results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.common import PARAMS, ParamsOption, project_config, reports_errors


@reports_errors
def tweeteval(
    data: Annotated[Path | None, typer.Option("--data", help="TweetEval stance folder (default: benchmark.data).", exists=True, file_okay=False)] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for results.json and report.md (default: benchmark.out; a smoke run writes only here).")
    ] = None,
    smoke: Annotated[bool, typer.Option("--smoke", help="A few hundred tweets and tiny settings: checks that it runs, measures nothing.")] = False,
    params: ParamsOption = PARAMS,
) -> None:
    """Train on TweetEval stance, choose each kind's system on val, score test once, report beside published rows."""
    from pipeline.benchmark.results import tweeteval as benchmark

    options = [("--data", data), ("--out", out), ("--params", params if params != PARAMS else None)]
    command = " ".join(["stance benchmark tweeteval", *(["--smoke"] if smoke else []), *(f"{k} {v}" for k, v in options if v)])
    typer.echo(benchmark(project_config(params), data, out, smoke, command, typer.echo))
