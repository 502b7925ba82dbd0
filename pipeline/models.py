"""Model kinds, and saving and loading any of them as a self-describing folder.

A model folder holds its weights (safetensors or skops, never pickle) and
`model.json`: kind, label list, resolved parameters, seed, library versions,
a hash of the training labels and the cross-validation scores. `stance
predict` needs nothing else to know what a model is and where it came from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pipeline.config import build
from pipeline.dataset import Dataset
from pipeline.errors import StanceError
from pipeline.files import read_utf8, write_json

CARD = "model.json"
LIBRARIES = ("stance", "torch", "transformers", "scikit-learn", "skops", "safetensors", "tokenizers", "onnxruntime", "numpy")


class Predictor(Protocol):
    labels: tuple[str, ...]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


class Classifier(Predictor, Protocol):
    def save(self, folder: Path) -> None: ...


@dataclass(frozen=True)
class Kind:
    """A model kind whose module is imported on first use: `stance predict` with the
    ONNX model must not pay seconds for scikit-learn and torch at start-up."""

    module: str
    params_class: str

    @property
    def params(self) -> type:
        return getattr(importlib.import_module(self.module), self.params_class)

    @property
    def fit(self) -> Callable[[Dataset, tuple[str, ...], Any, int], Classifier]:
        return importlib.import_module(self.module).fit

    @property
    def load(self) -> Callable[[Path, tuple[str, ...], Any], Classifier]:
        return importlib.import_module(self.module).load


KINDS: dict[str, Kind] = {
    "majority": Kind("pipeline.majority", "MajorityParams"),
    "tfidf": Kind("pipeline.tfidf", "TfidfParams"),
    "transformer": Kind("pipeline.transformer", "TransformerParams"),
}
BACKENDS = ("onnx", "torch")


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise StanceError(f"unknown model kind {name!r}; expected one of {', '.join(KINDS)}.")
    return KINDS[name]


def labels_hash(data: Dataset) -> str:
    """Identifies the exact training labels a model saw."""
    digest = hashlib.sha256()
    for row in sorted(zip(data.ids, data.texts, data.labels)):
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def model_card(kind: str, labels: tuple[str, ...], params: Any, seed: int, data: Dataset, cv: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": kind,
        "labels": list(labels),
        "params": dataclasses.asdict(params),
        "seed": seed,
        "training_sentences": len(data),
        "training_articles": sorted(set(data.groups)),
        "training_labels_sha256": labels_hash(data),
        "versions": library_versions(),
        "cv": cv,
    }


def save_model(model: Classifier, card: dict[str, Any], folder: Path) -> None:
    """Write the whole folder beside its destination, then swap it in, so a crash leaves the old model."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        model.save(staging)
        write_json(staging / CARD, card)
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_card(folder: Path) -> dict[str, Any]:
    path = folder / CARD
    if not path.is_file():
        raise StanceError(f"{folder}: no trained model here (no {CARD}); run `dvc repro` to train one.")
    try:
        card = json.loads(read_utf8(path))
    except json.JSONDecodeError as err:
        raise StanceError(f"{path}: not valid JSON ({err.msg}).") from None
    if card.get("kind") not in KINDS:
        raise StanceError(f"{path}: unknown model kind {card.get('kind')!r}.")
    return card


def load_model(folder: Path, backend: str = "torch") -> tuple[Predictor, dict[str, Any]]:
    """The model in `folder`; backend "onnx" runs a transformer's int8 ONNX export when the folder has one."""
    if backend not in BACKENDS:
        raise StanceError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}.")
    card = read_card(folder)
    kind = KINDS[card["kind"]]
    params = build(kind.params, card["params"], f"{folder / CARD} params")
    labels = tuple(card["labels"])
    if backend == "onnx" and card["kind"] == "transformer":
        from pipeline import onnx_classifier

        if (folder / onnx_classifier.ONNX_FILE).is_file():
            return onnx_classifier.load(folder, labels, params), card
    return kind.load(folder, labels, params), card
