"""`stance benchmark tweeteval`: the product's model kinds on a public stance benchmark, beside published results."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

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
    from pipeline.benchmark.report import machine, report_markdown, table_rows
    from pipeline.benchmark.run import (
        BenchmarkResults,
        first_tweets,
        run,
        system_params,
    )
    from pipeline.benchmark.tweeteval import load
    from pipeline.files import write_json, write_text

    start = time.perf_counter()
    config = project_config(params)
    settings = config.benchmark
    folder = data or settings.data
    corpus = load(folder, list(settings.targets), settings.splits, settings.labels)
    if smoke:
        corpus = first_tweets(corpus, settings.smoke.train_per_target, settings.smoke.eval_per_target, settings.train)
    kind_params = {s.name: system_params(s, config, settings.smoke if smoke else None) for s in settings.systems}
    measured = run(corpus, settings, kind_params, settings.seeds[:1] if smoke else settings.seeds, typer.echo)
    options = [("--data", data), ("--out", out), ("--params", params if params != PARAMS else None)]
    results = BenchmarkResults(
        **measured,
        command=" ".join(["stance benchmark tweeteval", *(["--smoke"] if smoke else []), *(f"{k} {v}" for k, v in options if v)]),
        smoke=smoke,
        data=str(folder),
        wall_seconds=time.perf_counter() - start,
        machine=machine(),
    )

    table = Table(title=f"TweetEval stance, {settings.test} set: pooled F_avg{' (SMOKE RUN, numbers mean nothing)' if smoke else ''}")
    for column in ("system", "source", "F1 favor", "F1 against", "F_avg"):
        table.add_column(column, justify="left" if column in ("system", "source") else "right")
    for row in table_rows(results):
        table.add_row(row[0].replace("**", ""), *row[1:5])
    Console(width=160).print(table)
    destination = out or (None if smoke else settings.out)
    if destination:
        write_json(destination / "results.json", results.to_json())
        write_text(destination / "report.md", report_markdown(results))
    counts = {split: sum(n.values()) for split, n in results.counts.items()}
    written = f"; wrote {destination / 'report.md'}" if destination else ""
    typer.echo(
        f"Benchmark tweeteval: {' / '.join(f'{n} {split}' for split, n in counts.items())} tweets, "
        f"{len(settings.systems)} systems, {results.wall_seconds:.0f} s{written}."
    )
