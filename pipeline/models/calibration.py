"""Temperature scaling: one number per model that makes its confidence mean what it says.

Every kind ends in a softmax over linear scores, so dividing the log of its
probabilities by a temperature T rescales those scores without changing which
label wins (Guo et al., 2017). T is fitted on probabilities of training
articles the model was not fitted on (inner folds or held-out articles), never
on a test fold. scikit-learn's own temperature method wraps an estimator it
refits; here the held-out probabilities already exist, so the one-parameter
log-loss fit is done directly with scipy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from pipeline.models.classifier import Classifier, Predictor

FLOOR = 1e-12  # probability given to a class the model rules out, so its log stays finite
BOUNDS = (0.05, 20.0)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def temper(proba: np.ndarray, temperature: float) -> np.ndarray:
    if temperature == 1.0:
        return proba
    return softmax(np.log(np.clip(proba, FLOOR, 1.0)) / temperature)


def fit_temperature(proba: np.ndarray, gold: Sequence[int]) -> float:
    """The temperature with the lowest log loss on held-out rows; 1.0 when there are none."""
    from scipy.optimize import minimize_scalar

    if len(gold) == 0:
        return 1.0
    rows = np.arange(len(gold))
    target = np.asarray(gold)

    def log_loss(log_t: float) -> float:
        return float(-np.log(np.clip(temper(proba, float(np.exp(log_t)))[rows, target], FLOOR, 1.0)).mean())

    result = minimize_scalar(log_loss, bounds=tuple(np.log(BOUNDS)), method="bounded")
    return round(float(np.exp(result.x)), 4)


@dataclass
class Calibrated:
    """Any kind's classifier, or its ONNX export, with its temperature applied; saving writes the kind's own files (the card keeps T)."""

    model: Predictor
    temperature: float

    @property
    def labels(self) -> tuple[str, ...]:
        return self.model.labels

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return temper(self.model.predict_proba(texts), self.temperature)

    def save(self, folder: Path) -> None:
        cast(Classifier, self.model).save(folder)
