"""Every section of configs/params.yaml as a frozen, validated dataclass; a model kind's is beside its row in `pipeline.kinds`.

configs/params.yaml is the one place that holds values: no field here has a
default, so the file and the code cannot drift apart. Each check raises a
StanceError whose message starts with the key; `pipeline.config` puts the
section it was read as and the file in front.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import StanceError

# Re-exported for the modules that import every section from here.
from pipeline.kinds import KINDS

MODEL_KINDS = tuple(KINDS)
BACKENDS = ("onnx", "torch")
# Keys `stance label` keeps for itself.
SKIP_KEYS = (" ", "k")
UNDO_KEY = "u"
NOTE_KEY = "t"
QUIT_KEYS = ("q", "")  # "" is the end of scripted input
CONTROL_KEYS = (*SKIP_KEYS, UNDO_KEY, NOTE_KEY, *QUIT_KEYS)


@dataclass(frozen=True)
class Paths:
    """Every path the pipeline reads or writes; dvc.yaml names the same ones through `vars`."""

    articles: Path
    metadata: Path
    # The article pools by corpus name, read in place (their texts are never copied into the project).
    pools: dict[str, Path]
    # Adjudicated labels of the pools; training reads them besides the top of `labels`.
    pool_labels: tuple[Path, ...]
    sentences: Path
    descriptions: Path
    # Behavioural test cases (sentences the project wrote, never trained on).
    behaviour: Path
    labels: Path
    models: Path
    reports: Path


@dataclass(frozen=True)
class SegmentParams:
    # Abbreviations pysbd does not know, lower-case, without the final period.
    extra_abbreviations: tuple[str, ...]
    # The longest sentence, in characters: a longer run without a sentence end is cut at spaces, with a warning.
    max_chars: int

    def __post_init__(self) -> None:
        if self.max_chars < 100:
            raise StanceError(f"max_chars must be at least 100, got {self.max_chars}.")


@dataclass(frozen=True)
class SliceParams:
    """Which slice and genre an article belongs to, read from its metadata (never from its file name)."""

    # Slice name -> regular expression searched in the metadata's `conflict`; the first match wins.
    patterns: dict[str, str]
    # The slice of an article whose conflict matches no pattern.
    other: str
    # The slice of an article whose metadata has neither a slice nor a conflict (the user's own articles).
    default: str
    # An article is `news` when its metadata's `kind` is one of these, else `opinion`.
    news_kinds: tuple[str, ...]

    def __post_init__(self) -> None:
        for name, pattern in self.patterns.items():
            try:
                re.compile(pattern)
            except re.error as err:
                raise StanceError(f"patterns.{name} is not a regular expression ({err}): {pattern!r}.") from None


@dataclass(frozen=True)
class LabelSet:
    names: tuple[str, ...]
    # The label that means "no claim"; claim-vs-none metrics are built on it.
    negative: str

    def __post_init__(self) -> None:
        if len(self.names) < 2 or len(set(self.names)) != len(self.names):
            raise StanceError(f"names must be at least two distinct labels, got {list(self.names)}.")
        if self.negative not in self.names:
            raise StanceError(f"negative {self.negative!r} is not one of {list(self.names)}.")

    @property
    def positives(self) -> tuple[str, ...]:
        return tuple(name for name in self.names if name != self.negative)


@dataclass(frozen=True)
class TrainParams:
    seed: int
    # Outer folds of the article-grouped cross-validation.
    folds: int
    # Training articles kept per fold for the learning curve; all of them is the full CV.
    learning_curve: tuple[int, ...]
    # Kinds whose learning curve is not drawn (their full CV is its only point): five more cross-validations
    # of a recipe that trains the encoder would cost more than the pipeline's time budget.
    learning_curve_skip: tuple[str, ...]
    # The recommended confidence is the lowest of `confidence_grid` at which out-of-fold claims
    # are at least `claim_precision` precise; summaries count only claims at or above it.
    claim_precision: float
    confidence_grid: tuple[float, ...]

    def __post_init__(self) -> None:
        if self.folds < 2:
            raise StanceError(f"folds must be at least 2, got {self.folds}.")
        if any(n < 2 for n in self.learning_curve):
            raise StanceError(f"learning_curve counts articles and needs at least 2 each, got {list(self.learning_curve)}.")
        if not 0 < self.claim_precision <= 1:
            raise StanceError(f"claim_precision must be a share between 0 and 1, got {self.claim_precision}.")
        increasing_shares("confidence_grid", self.confidence_grid)


def increasing_shares(name: str, grid: tuple[float, ...]) -> None:
    if not grid or list(grid) != sorted(set(grid)) or not 0 <= grid[0] <= grid[-1] <= 1:
        raise StanceError(f"{name} must be increasing numbers between 0 and 1, got {list(grid)}.")


@dataclass(frozen=True)
class EvaluateParams:
    models: tuple[str, ...]
    bootstrap: int
    confidence: float
    # Equal-width confidence bins of the reliability diagram and the calibration error.
    calibration_bins: int

    def __post_init__(self) -> None:
        if self.calibration_bins < 2:
            raise StanceError(f"calibration_bins must be at least 2, got {self.calibration_bins}.")
        if self.bootstrap < 100:
            raise StanceError(f"bootstrap must be at least 100, got {self.bootstrap}.")
        if not 0.5 < self.confidence < 1:
            raise StanceError(f"confidence must be between 0.5 and 1, got {self.confidence}.")


@dataclass(frozen=True)
class ReportParams:
    # The model whose details (per class, confusion, errors) the report shows.
    focus: str
    # The model the opening verdict compares it with.
    baseline: str
    top_errors: int
    max_text: int

    def __post_init__(self) -> None:
        if self.top_errors < 0 or self.max_text < 20:
            raise StanceError("top_errors must be >= 0 and max_text >= 20.")


@dataclass(frozen=True)
class PredictParams:
    # onnx: the transformer's int8 export when its folder has one; torch: the model as trained.
    backend: str
    # Sentences read ahead and classified together; bounds memory on long inputs.
    chunk: int
    # Most confident sentences shown per stance in --format json.
    evidence: int
    # An article with fewer confident claims than this gets the overall stance `unclear`.
    min_claims: int

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise StanceError(f"backend {self.backend!r} is not one of {', '.join(BACKENDS)}.")
        if self.chunk < 1:
            raise StanceError(f"chunk must be at least 1, got {self.chunk}.")
        if self.evidence < 0:
            raise StanceError(f"evidence must be 0 or more, got {self.evidence}.")
        if self.min_claims < 1:
            raise StanceError(f"min_claims must be at least 1, got {self.min_claims}.")


@dataclass(frozen=True)
class LabelingParams:
    # One key per label, in the order of labels.names.
    keys: tuple[str, ...]
    # Model whose guesses `stance label` shows and whose doubt orders its queue;
    # `stance labels audit` reads this model's out-of-fold predictions.
    model: str
    # Sentences shown before and after the one being labeled.
    context: int

    def __post_init__(self) -> None:
        if any(len(key) != 1 for key in self.keys) or len(set(self.keys)) != len(self.keys):
            raise StanceError(f"keys must be distinct single characters, got {list(self.keys)}.")
        taken = sorted(set(self.keys) & set(CONTROL_KEYS))
        if taken:
            raise StanceError(f"keys uses {taken[0]!r}, which is a control key (skip, undo, note or quit).")
        if not 0 <= self.context <= 5:
            raise StanceError(f"context must be within 0..5, got {self.context}.")
