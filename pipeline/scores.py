"""Probabilities to labels and scores: the one rule training, evaluation, predict, labeling, the audit and the benchmark share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SCORE_DIGITS = 6  # written scores are rounded: files stay readable and byte-stable


@dataclass(frozen=True)
class Scored:
    label: str
    scores: dict[str, float]

    @property
    def confidence(self) -> float:
        return self.scores[self.label]


def scored_rows(proba: np.ndarray, labels: Sequence[str]) -> list[Scored]:
    """The most probable label of each row (the first on a tie) and every label's rounded probability."""
    return [
        Scored(labels[int(row.argmax())], {name: round(float(p), SCORE_DIGITS) for name, p in zip(labels, row, strict=True)}) for row in proba
    ]
