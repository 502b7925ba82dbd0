"""The model kinds, one table: every other place that names a kind reads it from here.

A kind is a row of `KINDS` and the dataclass of its section of
configs/params.yaml, both below; its code is `pipeline/models/<name>.py`,
named by string and imported by the registry on first use, so this layer
imports nothing above it and `stance --help` loads no model library. Adding a
kind touches this file, its module, configs/params.yaml and dvc.yaml
(CONTRIBUTING.md, "Adding a model kind"; tests/project/test_kinds.py checks
that dvc.yaml and the parameters file agree with the table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipeline.errors import StanceError

RECIPES = ("head", "setfit", "finetune", "top")


def positive_grid(name: str, grid: tuple[float, ...]) -> None:
    if not grid or min(grid) <= 0:
        raise StanceError(f"{name} must be positive numbers, got {list(grid)}.")


# --- each kind's section of configs/params.yaml ---------------------------------------------------


@dataclass(frozen=True)
class MajorityParams:
    """A section of its own keeps every model kind configured alike."""

    # Label descriptions would distort the class prior this baseline predicts.
    descriptions: bool


@dataclass(frozen=True)
class TfidfParams:
    word_ngrams: tuple[int, ...]
    char_ngrams: tuple[int, ...]
    min_df: int
    # Train on the label descriptions too (see configs/label_descriptions.yaml).
    descriptions: bool
    c_grid: tuple[float, ...]

    def __post_init__(self) -> None:
        for name in ("word_ngrams", "char_ngrams"):
            low_high = getattr(self, name)
            if len(low_high) != 2 or not 1 <= low_high[0] <= low_high[1]:
                raise StanceError(f"{name} must be [low, high] with 1 <= low <= high, got {list(low_high)}.")
        positive_grid("c_grid", self.c_grid)


@dataclass(frozen=True)
class TransformerParams:
    base_model: str
    recipe: str
    max_length: int
    batch_size: int
    c_grid: tuple[float, ...]
    # Train on the label descriptions too (see configs/label_descriptions.yaml).
    descriptions: bool
    # Used by the recipes that update the encoder (setfit, finetune, top): the most epochs and the
    # learning rates tried, chosen on the `held_out` share of the training articles.
    epochs: int
    learning_rates: tuple[float, ...]
    # The `top` recipe: how many of the encoder's last layers train (a grid, chosen like the learning rate).
    top_layers: tuple[int, ...]
    head_learning_rate: float
    held_out: float
    # Regular expressions over ONNX node names: the encoder's matrix products they match stay float in the int8 export.
    onnx_float: tuple[str, ...]
    # Input weights per int8 scale in the export: a power of two from 16 (onnxruntime's MatMulNBits).
    onnx_block_size: int

    def __post_init__(self) -> None:
        for pattern in self.onnx_float:
            try:
                re.compile(pattern)
            except re.error as err:
                raise StanceError(f"onnx_float has {pattern!r}, which is not a regular expression ({err}).") from None
        if self.recipe not in RECIPES:
            raise StanceError(f"recipe {self.recipe!r} is not one of {', '.join(RECIPES)}.")
        if not 8 <= self.max_length <= 512:
            raise StanceError(f"max_length must be within 8..512, got {self.max_length}.")
        for name in ("batch_size", "epochs"):
            if getattr(self, name) < 1:
                raise StanceError(f"{name} must be at least 1, got {getattr(self, name)}.")
        if not 0 < self.held_out < 1:
            raise StanceError(f"held_out must be a share between 0 and 1, got {self.held_out}.")
        positive_grid("c_grid", self.c_grid)
        positive_grid("learning_rates", self.learning_rates)
        if self.onnx_block_size < 16 or self.onnx_block_size & (self.onnx_block_size - 1):
            raise StanceError(f"onnx_block_size must be a power of two of at least 16, got {self.onnx_block_size}.")
        if not self.top_layers or min(self.top_layers) < 1:
            raise StanceError(f"top_layers must be whole numbers of at least 1, got {list(self.top_layers)}.")


@dataclass(frozen=True)
class FastParams:
    # The encoder whose token vectors are distilled (the transformer's own, by default).
    base_model: str
    # Dimensions kept by PCA over the distilled vocabulary.
    pca_dims: int
    max_length: int
    c_grid: tuple[float, ...]
    # Train on the label descriptions too (see configs/label_descriptions.yaml).
    descriptions: bool

    def __post_init__(self) -> None:
        if self.pca_dims < 2:
            raise StanceError(f"pca_dims must be at least 2, got {self.pca_dims}.")
        if self.max_length < 8:
            raise StanceError(f"max_length must be at least 8, got {self.max_length}.")
        positive_grid("c_grid", self.c_grid)


# --- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    # The dataclass its section of configs/params.yaml loads into; every one has a `descriptions` flag.
    params: type
    # One line for the model card (README.md of a trained model's folder).
    description: str
    # A few words for the report; `{params.FIELD}` is filled in from its parameters.
    recipe: str
    # Other names `--model` accepts for its trained model.
    aliases: tuple[str, ...] = ()
    # "module:function" that writes an extra, derived form of a saved model (the ONNX export); "" for none.
    export: str = ""

    @property
    def exports_onnx(self) -> bool:
        """Whether its model folder can hold an ONNX export that `--backend onnx` runs."""
        return bool(self.export)

    @property
    def section(self) -> str:
        """Its section of configs/params.yaml: the kind's name, as dvc.yaml's `train` stage declares it (`${item}`)."""
        return self.name

    @property
    def module(self) -> str:
        """Its code, `fit(dataset, labels, params, seed)` and `load(folder, labels, params)`: dvc.yaml lists it as `pipeline/models/${item}.py`."""
        return f"pipeline.models.{self.name}"


TABLE = (
    Kind(
        "majority",
        MajorityParams,
        "predicts the commonest label of its training data for every sentence: a floor to compare the others with, not a model to use",
        "the most frequent label",
    ),
    Kind(
        "tfidf",
        TfidfParams,
        "TF-IDF word and character n-grams with a class-balanced logistic regression (scikit-learn)",
        "TF-IDF word and character n-grams, logistic regression",
        aliases=("baseline",),  # its name before the fast model came
    ),
    Kind(
        "transformer",
        TransformerParams,
        "a sentence encoder with one softmax layer on its mean-pooled embedding",
        "`{params.recipe}` recipe",
        export="pipeline.models.onnx_export:export_int8",
    ),
    Kind(
        "tuned",
        TransformerParams,
        "the transformer's encoder with its last layers fine-tuned on the labels (the `top` recipe), trained beside the transformer so that a retrain shows what fine-tuning adds",
        "`{params.recipe}` recipe",
        export="pipeline.models.onnx_export:export_int8",
    ),
    Kind(
        "fast",
        FastParams,
        "static token vectors distilled from a sentence encoder (model2vec), averaged per sentence, with one softmax layer",
        "static token vectors distilled from the encoder (model2vec), logistic regression",
    ),
)
KINDS = {kind.name: kind for kind in TABLE}
# Every name `--model` accepts besides a folder, and the kind whose trained model it means.
MODEL_NAMES = {name: kind.name for kind in TABLE for name in (kind.name, *kind.aliases)}


def kind_named(name: str) -> Kind:
    if name not in KINDS:
        raise StanceError(f"unknown model kind {name!r}; expected one of {', '.join(KINDS)}.")
    return KINDS[name]


def recipe(name: str, params: Any) -> str:
    """A model's recipe in a few words, for the report."""
    return kind_named(name).recipe.format(params=params) + (" with the label descriptions" if params.descriptions else "")


def listed(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def kinds_help() -> str:
    """The kinds, for a help text: `majority, tfidf, transformer, tuned or fast`."""
    return listed(list(KINDS))


def model_help() -> str:
    """What `--model` accepts, for its help text: every kind (with its other names) or a model folder."""
    return listed([kind.name + (f" (or {listed(list(kind.aliases))})" if kind.aliases else "") for kind in TABLE] + ["a model folder"])
