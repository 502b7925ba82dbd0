"""Probabilities to labels and scores, and claims to an article's overall stance: the rules every stage and `stance predict` share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.params import LabelSet

SCORE_DIGITS = 6  # written scores are rounded: files stay readable and byte-stable
UNCLEAR = "unclear"  # the overall stance of an article with too few confident claims


@dataclass(frozen=True)
class Scored:
    label: str
    scores: dict[str, float]

    @property
    def confidence(self) -> float:
        return self.scores[self.label]


def scored_rows(proba: np.ndarray, labels: Sequence[str]) -> list[Scored]:
    """The most probable label of each row (the first on a tie) and every label's rounded probability."""
    return [Scored(labels[int(row.argmax())], {name: round(float(p), SCORE_DIGITS) for name, p in zip(labels, row, strict=True)}) for row in proba]


def overall_stance(claims: Sequence[tuple[str, float]], set_aside: int, labels: LabelSet, min_claims: int) -> str:
    """An article's stance from its confident claims (label, confidence).

    The stance of most claims, a tie going to the larger summed confidence;
    with fewer than `min_claims` of them `unclear`, unless the article has no
    claim at all, confident or set aside: then the negative label.
    """
    if len(claims) < min_claims:
        return UNCLEAR if claims or set_aside else labels.negative
    counts = {name: sum(label == name for label, _ in claims) for name in labels.positives}
    mass = {name: sum(confidence for label, confidence in claims if label == name) for name in labels.positives}
    return max(labels.positives, key=lambda name: (counts[name], mass[name]))
