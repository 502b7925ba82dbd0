"""The `tuned` kind: the transformer's code under a second section of the parameters.

`dvc repro` trains it beside the shipped transformer so that a retrain on new
labels shows both recipes on the same folds: by default the `top` recipe, the
encoder's last layers fine-tuned, which has not yet cleared the rule that
ships a recipe (docs/recipes.md). Same model shape, same files, same ONNX
export; only its parameters differ.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.kinds import TransformerParams
from pipeline.labels.dataset import Dataset
from pipeline.models import transformer
from pipeline.models.calibration import Calibrated


def fit(data: Dataset, labels: tuple[str, ...], params: TransformerParams, seed: int) -> Calibrated:
    return transformer.fit(data, labels, params, seed)


def load(folder: Path, labels: tuple[str, ...], params: TransformerParams) -> transformer.TransformerClassifier:
    return transformer.load(folder, labels, params)
