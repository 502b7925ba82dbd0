"""The majority-class baseline: the floor every other model must clear."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.files import read_utf8, write_json
from pipeline.kinds import MajorityParams
from pipeline.labels.dataset import Dataset
from pipeline.models.calibration import Calibrated

WEIGHTS = "majority.json"


@dataclass
class MajorityClassifier:
    labels: tuple[str, ...]
    majority: str

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.labels)))
        out[:, self.labels.index(self.majority)] = 1.0
        return out

    def save(self, folder: Path) -> None:
        write_json(folder / WEIGHTS, {"majority": self.majority})


def fit(data: Dataset, labels: tuple[str, ...], params: MajorityParams, seed: int) -> Calibrated:
    """Its one certain answer has nothing to calibrate: the temperature stays 1."""
    counts = Counter(data.labels)
    # Ties go to the earlier label in the configured order, not to dict order.
    majority = max(labels, key=lambda name: (counts[name], -labels.index(name)))
    return Calibrated(MajorityClassifier(labels, majority), 1.0)


def load(folder: Path, labels: tuple[str, ...], params: MajorityParams) -> MajorityClassifier:
    return MajorityClassifier(labels, json.loads(read_utf8(folder / WEIGHTS))["majority"])
