"""Benchmark mode: train systems on a public data set's train split, choose on its validation split, score test once.

Every system is a model kind of the product (the table in pipeline.kinds) trained by
its own fit function, with the kind's section of configs/params.yaml plus the
system's overrides. Within each kind, the system with the best mean validation
score is the only one scored on test, so no choice ever sees a test label.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from pipeline.benchmark.tweeteval import PUBLISHED
from pipeline.benchmark_params import BenchmarkParams, SmokeParams, System
from pipeline.config import Config, overridden
from pipeline.errors import StanceError
from pipeline.labels.dataset import Dataset
from pipeline.models.classifier import Classifier
from pipeline.models.registry import kind_of
from pipeline.params import LabelSet

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

    def probabilities(self, data: dict[str, Dataset]) -> dict[str, np.ndarray]:
        return {target: self.models[target].predict_proba([self.prefixes[target] + text for text in tweets.texts]) for target, tweets in data.items()}


def decide(proba: np.ndarray, labels: LabelSet, threshold: float) -> list[str]:
    """`none` where its probability reaches `threshold`, else the most probable stance.

    The benchmark's own decision rule: F_avg scores only the stances, so how
    readily a system says `none` is a choice, made on validation like any other.
    """
    negative = labels.names.index(labels.negative)
    stances = np.array([i for i in range(len(labels.names)) if i != negative])
    best = stances[proba[:, stances].argmax(axis=1)]
    return [labels.negative if row[negative] >= threshold else labels.names[b] for row, b in zip(proba, best, strict=True)]


def decided(proba: dict[str, np.ndarray], labels: LabelSet, threshold: float) -> dict[str, list[str]]:
    return {target: decide(p, labels, threshold) for target, p in proba.items()}


def none_threshold(gold: dict[str, Dataset], proba: dict[str, np.ndarray], labels: LabelSet, grid: Sequence[float]) -> float:
    """The threshold of the grid with the best F_avg on `gold` (the validation split); the lowest on a tie."""
    return max(sorted(grid), key=lambda t: (score(gold, decided(proba, labels, t), labels)["f_avg"], -t))


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
                proba = model.probabilities(select)
                threshold = none_threshold(select, proba, settings.labels, settings.none_thresholds)
                val_runs.append({"seed": seed, "none_threshold": threshold, **score(select, decided(proba, settings.labels, threshold), settings.labels)})
                seconds.append(time.perf_counter() - start)
                fitted.append(model)
                log(f"{system.name} (seed {seed}): {settings.select} F_avg {val_runs[-1]['f_avg']:.2f} at none threshold {threshold} in {seconds[-1]:.0f} s")
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
        for run_on_val, model in zip(rows[name]["select_runs"], fitted):
            seed, threshold = run_on_val["seed"], run_on_val["none_threshold"]
            test_runs.append(
                {"seed": seed, "none_threshold": threshold, **score(test, decided(model.probabilities(test), settings.labels, threshold), settings.labels)}
            )
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
