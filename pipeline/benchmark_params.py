"""The `benchmark` section of configs/params.yaml: TweetEval's data, splits, systems and smoke run, as frozen dataclasses.

Kept apart from `pipeline.params` (the pipeline's own sections) so each file
stays short; the same rules hold: no defaults but the documented ones, every
check names its key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError
from pipeline.params import MODEL_KINDS, LabelSet, increasing_shares


def _known_kind(kind: str, key: str) -> None:
    if kind not in MODEL_KINDS:
        raise StanceError(f"{key} {kind!r} is not a model kind; expected one of {', '.join(MODEL_KINDS)}.")


@dataclass(frozen=True)
class System:
    name: str
    kind: str
    # True: one model per target. False: one model for all targets, each tweet
    # preceded by its target's description ("Atheism: <tweet>").
    per_target: bool
    # False where training has no randomness: one run on the first seed stands for all seeds.
    seeded: bool = True
    # Overrides of the kind's own section (tfidf, transformer) for this system only.
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _known_kind(self.kind, "kind")


@dataclass(frozen=True)
class SmokeParams:
    """A few hundred tweets and tiny training settings: proves the benchmark still runs, measures nothing."""

    train_per_target: int
    eval_per_target: int
    # Per-kind overrides applied on top of every system of that kind.
    params: dict[str, Any]

    def __post_init__(self) -> None:
        if min(self.train_per_target, self.eval_per_target) < 1:
            raise StanceError("train_per_target and eval_per_target must be at least 1.")
        for kind, overrides in self.params.items():
            _known_kind(kind, "params names")
            if not isinstance(overrides, dict):
                raise StanceError(f"params.{kind} must be a mapping.")


@dataclass(frozen=True)
class BenchmarkParams:
    data: Path
    out: Path
    labels: LabelSet
    # Folder of each target -> its description, put before the tweet by one-model systems.
    targets: dict[str, str]
    train: str
    select: str
    test: str
    seeds: tuple[int, ...]
    # C of every logistic regression is chosen inside fit by k-fold CV on the train split.
    selection_folds: int
    # `none` is predicted where its probability reaches a threshold, chosen from these on `select`.
    none_thresholds: tuple[float, ...]
    systems: tuple[System, ...]
    smoke: SmokeParams

    def __post_init__(self) -> None:
        if not self.targets or not all(isinstance(v, str) and v for v in self.targets.values()):
            raise StanceError(f"targets must map each target folder to a description, got {self.targets!r}.")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise StanceError(f"seeds must be distinct integers, got {list(self.seeds)}.")
        names = [s.name for s in self.systems]
        if not names or len(set(names)) != len(names):
            raise StanceError(f"systems need distinct names, got {names}.")
        if len({self.train, self.select, self.test}) != 3:
            raise StanceError("train, select and test must name three different splits.")
        if self.selection_folds < 2:
            raise StanceError(f"selection_folds must be at least 2, got {self.selection_folds}.")
        increasing_shares("none_thresholds", self.none_thresholds)

    @property
    def splits(self) -> tuple[str, str, str]:
        return (self.train, self.select, self.test)
