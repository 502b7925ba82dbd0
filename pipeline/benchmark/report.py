"""The benchmark's tables: ours on test beside the published rows, the choice on validation, scores per target."""

from __future__ import annotations

import os
import platform
from typing import Any

import numpy as np

from pipeline.benchmark.run import BenchmarkResults
from pipeline.benchmark.tweeteval import Published


def describe(row: dict[str, Any]) -> str:
    scheme = "one model per target" if row["per_target"] else "one model, target in the input"
    overrides = ", ".join(f"{k}={v}" for k, v in row["overrides"].items())
    return f"{row['kind']}{' (' + overrides + ')' if overrides else ''}; {scheme}"


def spread(stats: dict[str, float], runs: int) -> str:
    return f"{stats['mean']:.2f} ± {stats['sd']:.2f}" if runs > 1 else f"{stats['mean']:.2f}"


def cell(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def table_rows(results: BenchmarkResults) -> list[tuple[str, str, str, str, str, float]]:
    """(system, source, F1 favor, F1 against, F_avg) for ours on test and every published row, best first."""
    rows = []
    for row in results.systems:
        if row["test"] is None:
            continue
        runs = len(row["seeds"])
        source = f"ours, mean ± sd over {runs} seeds" if runs > 1 else "ours, 1 run (deterministic)"
        test = row["test"]
        rows.append(
            (
                f"**{row['name']}**: {describe(row)}",
                source,
                f"{test['f1_favor']['mean']:.2f}",
                f"{test['f1_against']['mean']:.2f}",
                spread(test["f_avg"], runs),
                test["f_avg"]["mean"],
            )
        )
    for p in (Published(**raw) for raw in results.published):
        rows.append((p.system, p.source, cell(p.f1_favor), cell(p.f1_against), f"{p.f_avg:.2f}", p.f_avg))
    return sorted(rows, key=lambda r: -r[-1])


def report_markdown(results: BenchmarkResults) -> str:
    counts = {split: sum(by_target.values()) for split, by_target in results.counts.items()}
    splits = results.splits
    lines = [
        "# TweetEval stance (SemEval-2016 Task 6, subtask A): our systems beside published ones",
        "",
        f"Written by `{results.command}`{' (SMOKE RUN: tiny data and settings, numbers mean nothing)' if results.smoke else ''}.",
        f"Tweets: {counts[splits['train']]} train, {counts[splits['select']]} {splits['select']} (choice of system), "
        f"{counts[splits['test']]} test (scored once). Score: F_avg = mean of the F1 of "
        f"{' and '.join(results.scored_labels)}, pooled over all test tweets, x 100.",
        "",
        "| system | source | F1 favor | F1 against | F_avg |",
        "|---|---|---:|---:|---:|",
        *(f"| {name} | {source} | {favor} | {against} | {avg} |" for name, source, favor, against, avg, _ in table_rows(results)),
        "",
        f"## Choice of system on {splits['select']} (never on test)",
        "",
        f"| system | kind | {splits['select']} F_avg | none threshold | seeds | seconds per run | scored on test |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for row in results.systems:
        runs = len(row["seeds"])
        lines.append(
            f"| {row['name']} | {describe(row)} | {spread(row['select']['f_avg'], runs)} | {spread(row['select']['none_threshold'], runs)} | {runs} | "
            f"{np.mean(row['fit_seconds']):.0f} | {'yes, best of its kind' if row['selected'] else 'no'} |"
        )
    chosen = [row for row in results.systems if row["selected"]]
    targets = list(results.counts[splits["test"]])
    lines += [
        "",
        "## Test F_avg per target (same predictions, mean over seeds; the headline pools targets instead)",
        "",
        "| system | " + " | ".join(targets) + " |",
        "|---|" + "---:|" * len(targets),
        *(f"| {row['name']} | " + " | ".join(f"{row['test']['per_target'][t]['f_avg']:.2f}" for t in targets) + " |" for row in chosen),
        "",
        f"Wall time: {results.wall_seconds / 60:.1f} min on {results.machine}.",
        "",
    ]
    return "\n".join(lines)


def machine() -> str:
    """Where the wall time was measured: cores and how busy the machine was at the end."""
    load = os.getloadavg()[0]
    return f"{os.cpu_count()}-core {platform.machine()} CPU, no GPU used, load average {load:.1f} at the end"
