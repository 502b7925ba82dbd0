"""What every model kind is, to the code that uses it: labels, probabilities, and (when trained here) a way to save itself."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np


class Predictor(Protocol):
    @property
    def labels(self) -> tuple[str, ...]: ...  # read-only, so a wrapper's property (`Calibrated.labels`) fits too

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


class Classifier(Predictor, Protocol):
    def save(self, folder: Path) -> None: ...
