"""Benchmark mode: train systems on a public data set's train split, choose on its validation split, score test once.

Every system is a model kind of the product (pipeline.models.folder.KINDS) trained by
its own fit function, with the kind's section of configs/params.yaml plus the
system's overrides. Within each kind, the system with the best mean validation
score is the only one scored on test, so no choice ever sees a test label.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from pipeline.benchmark.tweeteval import PUBLISHED, Published
from pipeline.config import Config, overridden
from pipeline.errors import StanceError
from pipeline.labels.dataset import Dataset
from pipeline.models.registry import Classifier, kind_of
from pipeline.params import BenchmarkParams, LabelSet, SmokeParams, System
from pipeline.scores import scored_rows

Corpus = dict[str, dict[str, Dataset]]  # split -> target -> tweets
Log = Callable[[str], None]


def system_params(system: System, config: Config, smoke: SmokeParams | None) -> Any:
    """The kind's own section with the system's overrides, then the smoke run's, on top."""
    extra = smoke.params.get(system.kind, {}) if smoke else {}
    return overridden(config.kind_params(system.kind), {**system.params, **extra}, f"benchmark.systems.{system.name}.params", str(config.source))


def first_tweets(corpus: Corpus, train_per_target: int, eval_per_target: int, train: str) -> Corpus:
    """The first tweets of each target and split, for the smoke run."""
    return {
        split: {t: d.subset(range(min(len(d), train_per_target if split == train else eval_per_target))) for t, d in by_target.items()}
        for split, by_target in corpus.items()
    }


def concat(parts: Sequence[Dataset]) -> Dataset:
    return Dataset(*(tuple(x for part in parts for x in getattr(part, f.name)) for f in dataclasses.fields(Dataset)))


def with_folds(data: Dataset, folds: int) -> Dataset:
    """Tweets have no article: interleaved folds make fit's leave-one-group-out a k-fold CV on train."""
    return dataclasses.replace(data, groups=tuple(f"fold{i % folds}" for i in range(len(data))))


@dataclass
class Fitted:
    """One system trained on one seed: a model per target, or one model shared by every target."""

    models: dict[str, Classifier]
    prefixes: dict[str, str]

    def predict(self, data: dict[str, Dataset]) -> dict[str, list[str]]:
        out = {}
        for target, tweets in data.items():
            model = self.models[target]
            proba = model.predict_proba([self.prefixes[target] + text for text in tweets.texts])
            out[target] = [row.label for row in scored_rows(proba, model.labels)]
        return out


def fit_system(system: System, params: Any, train: dict[str, Dataset], targets: dict[str, str], labels: LabelSet, seed: int, folds: int) -> Fitted:
    fit = kind_of(system.kind).fit
    if system.per_target:
        return Fitted({t: fit(with_folds(d, folds), labels.names, params, seed) for t, d in train.items()}, {t: "" for t in train})
    prefixes = {t: f"{targets[t]}: " for t in train}
    joint = concat([dataclasses.replace(d, texts=tuple(prefixes[t] + x for x in d.texts)) for t, d in train.items()])
    model = fit(with_folds(joint, folds), labels.names, params, seed)
    return Fitted({t: model for t in train}, prefixes)


def f_avg(gold: Sequence[str], pred: Sequence[str], labels: LabelSet) -> dict[str, float]:
    """The official score x 100: mean F1 of the stance labels; the negative label only counts as errors."""
    f1 = f1_score(list(gold), list(pred), labels=list(labels.positives), average=None, zero_division=0)
    scores = {f"f1_{name}": 100 * float(value) for name, value in zip(labels.positives, f1)}
    scores["f_avg"] = 100 * float(np.mean(f1))
    return scores


def score(gold: dict[str, Dataset], pred: dict[str, list[str]], labels: LabelSet) -> dict[str, Any]:
    """Pooled over all targets (the headline, as the official scorer does) and per target."""
    pooled = f_avg([x for t in gold for x in gold[t].labels], [x for t in gold for x in pred[t]], labels)
    return {**pooled, "per_target": {t: f_avg(gold[t].labels, pred[t], labels) for t in gold}}


def summary(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Mean, spread and range of each score over seeds."""
    keys = [k for k in runs[0] if k != "per_target"]
    out: dict[str, Any] = {}
    for key in keys:
        values = [r[key] for r in runs]
        out[key] = {
            "mean": float(np.mean(values)),
            "sd": float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
            "min": float(np.min(values)),
            "max": float(np.max(values)),
        }
    if "per_target" in runs[0]:
        out["per_target"] = {t: {"f_avg": float(np.mean([r["per_target"][t]["f_avg"] for r in runs]))} for t in runs[0]["per_target"]}
    return out


@dataclass(frozen=True)
class BenchmarkResults:
    """`benchmarks/tweeteval/results.json`: every system's runs, the choice on validation, the one test score."""

    counts: dict[str, dict[str, int]]
    splits: dict[str, str]
    seeds: list[int]
    labels: list[str]
    scored_labels: list[str]
    systems: list[dict[str, Any]]
    published: list[dict[str, Any]]
    command: str
    smoke: bool
    data: str
    wall_seconds: float
    machine: str

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, raw: Any, source: str) -> BenchmarkResults:
        fields = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(raw, dict) or sorted(raw) != sorted(fields):
            raise StanceError(f"{source}: not benchmark results of this version (needs {', '.join(fields)}); rerun the benchmark.")
        return cls(**raw)


def run(corpus: Corpus, settings: BenchmarkParams, params: dict[str, Any], seeds: Sequence[int], log: Log) -> dict[str, Any]:
    """Train every system on every seed, choose one system per kind on validation, score only those on test.

    Kinds are handled one at a time and only the best system so far keeps its
    models, so at most two systems' models are held at once.
    """
    train, select, test = (corpus[s] for s in settings.splits)
    rows: dict[str, dict[str, Any]] = {}
    for kind in dict.fromkeys(s.kind for s in settings.systems):
        best: tuple[float, str, list[Fitted]] | None = None
        for system in (s for s in settings.systems if s.kind == kind):
            fitted, val_runs, seconds = [], [], []
            for seed in seeds if system.seeded else seeds[:1]:
                start = time.perf_counter()
                model = fit_system(system, params[system.name], train, settings.targets, settings.labels, seed, settings.selection_folds)
                val_runs.append({"seed": seed, **score(select, model.predict(select), settings.labels)})
                seconds.append(time.perf_counter() - start)
                fitted.append(model)
                log(f"{system.name} (seed {seed}): {settings.select} F_avg {val_runs[-1]['f_avg']:.2f} in {seconds[-1]:.0f} s")
            mean = float(np.mean([r["f_avg"] for r in val_runs]))
            rows[system.name] = {
                "name": system.name,
                "kind": kind,
                "per_target": system.per_target,
                "overrides": system.params,
                "params": dataclasses.asdict(params[system.name]),
                "seeds": [r["seed"] for r in val_runs],
                "select_runs": val_runs,
                "select": summary([{k: v for k, v in r.items() if k != "seed"} for r in val_runs]),
                "fit_seconds": seconds,
                "selected": False,
                "test": None,
            }
            if best is None or mean > best[0]:
                best = (mean, system.name, fitted)
        assert best is not None
        _, name, fitted = best
        test_runs = []
        for seed, model in zip(rows[name]["seeds"], fitted):
            test_runs.append({"seed": seed, **score(test, model.predict(test), settings.labels)})
            log(f"{name} (seed {seed}): chosen for {kind}; {settings.test} F_avg {test_runs[-1]['f_avg']:.2f}")
        rows[name].update(selected=True, test_runs=test_runs, test=summary([{k: v for k, v in r.items() if k != "seed"} for r in test_runs]))
    return {
        "counts": {split: {t: len(d) for t, d in by_target.items()} for split, by_target in corpus.items()},
        "splits": {"train": settings.train, "select": settings.select, "test": settings.test},
        "seeds": list(seeds),
        "labels": list(settings.labels.names),
        "scored_labels": list(settings.labels.positives),
        "systems": list(rows.values()),
        "published": [dataclasses.asdict(p) for p in PUBLISHED],
    }


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
            (f"**{row['name']}**: {describe(row)}", source, f"{test['f1_favor']['mean']:.2f}", f"{test['f1_against']['mean']:.2f}", spread(test["f_avg"], runs), test["f_avg"]["mean"])
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
        f"| system | kind | {splits['select']} F_avg | seeds | seconds per run | scored on test |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in results.systems:
        runs = len(row["seeds"])
        lines.append(
            f"| {row['name']} | {describe(row)} | {spread(row['select']['f_avg'], runs)} | {runs} | "
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
