"""`stance benchmark tweeteval` end to end: load, train and choose, print the table, write results.json and report.md."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.benchmark.report import machine, report_markdown, table_rows
from pipeline.benchmark.run import BenchmarkResults, Log, first_tweets, run, system_params
from pipeline.benchmark.tweeteval import load
from pipeline.config import Config
from pipeline.files import write_json, write_text


def results_table(results: BenchmarkResults, test: str) -> Table:
    """Ours on test beside the published rows, pooled F_avg; a smoke run says its numbers mean nothing."""
    table = Table(title=f"TweetEval stance, {test} set: pooled F_avg{' (SMOKE RUN, numbers mean nothing)' if results.smoke else ''}")
    for column in ("system", "source", "F1 favor", "F1 against", "F_avg"):
        table.add_column(column, justify="left" if column in ("system", "source") else "right")
    for row in table_rows(results):
        table.add_row(row[0].replace("**", ""), *row[1:5])
    return table


def tweeteval(config: Config, data: Path | None, out: Path | None, smoke: bool, command: str, log: Log) -> str:
    """Train on TweetEval stance from `data` (default: benchmark.data), choose each kind's system on val, score test
    once, print the table and write the results to `out` (default: benchmark.out; a smoke run writes only to an `out`
    given). `command` is how it was run, recorded in the results; `log` gets a line per fitted system. The closing line."""
    start = time.perf_counter()
    settings = config.benchmark
    folder = data or settings.data
    corpus = load(folder, list(settings.targets), settings.splits, settings.labels)
    if smoke:
        corpus = first_tweets(corpus, settings.smoke.train_per_target, settings.smoke.eval_per_target, settings.train)
    kind_params = {s.name: system_params(s, config, settings.smoke if smoke else None) for s in settings.systems}
    measured = run(corpus, settings, kind_params, settings.seeds[:1] if smoke else settings.seeds, log)
    results = BenchmarkResults(**measured, command=command, smoke=smoke, data=str(folder), wall_seconds=time.perf_counter() - start, machine=machine())
    Console(width=160).print(results_table(results, settings.test))
    destination = out or (None if smoke else settings.out)
    if destination:
        write_json(destination / "results.json", results.to_json())
        write_text(destination / "report.md", report_markdown(results))
    counts = {split: sum(n.values()) for split, n in results.counts.items()}
    written = f"; wrote {destination / 'report.md'}" if destination else ""
    return (
        f"Benchmark tweeteval: {' / '.join(f'{n} {split}' for split, n in counts.items())} tweets, "
        f"{len(settings.systems)} systems, {results.wall_seconds:.0f} s{written}."
    )
