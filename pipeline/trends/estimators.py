"""Estimating each label's share of a cell's sentences from the model's predictions, four ways.

- `cc`, classify and count: the share of sentences whose most probable label it is.
- `pcc`, probabilistic classify and count: the mean calibrated probability of the label.
- `acc` and `pacc`: the same, adjusted by how the model errs on articles it never saw,
  measured out of fold at training (the card's `cv.confusion` and `cv.mean_scores`):
  solve q = M p for the true shares p, clip to [0, 1] and renormalise (Forman 2008;
  Bella et al. 2010).

The adjustment is QuaPy's ACC/PACC with solver `exact-cc` and norm `clip`,
written out here in a few lines of numpy rather than imported: importing QuaPy
takes five seconds and loads torch and its dataset modules, for one linear
solve. tests/trends/test_estimators.py holds the two equal on random inputs.
Every function works on a batch of rows at once (one per bootstrap draw).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.errors import StanceError

ESTIMATORS = ("cc", "pcc", "acc", "pacc")
# Each adjusted estimator and the unadjusted one it corrects.
ADJUSTS = {"acc": "cc", "pacc": "pcc"}


@dataclass(frozen=True)
class Correction:
    """What the adjusted estimators correct by; entry (i, j) is for predicted label i and true label j."""

    rates: np.ndarray  # P(predicted i | gold j), from the out-of-fold confusion counts
    mean_scores: np.ndarray  # mean probability of label i over sentences of gold label j


def by_gold(table: dict[str, dict[str, float]], names: Sequence[str]) -> np.ndarray:
    """(gold, predicted) rows of a card's table as (predicted, gold) columns; a label no sentence had keeps its own."""
    matrix = np.array([[float(table[gold][pred]) for pred in names] for gold in names]).T
    missing = matrix.sum(axis=0) == 0
    matrix[:, missing] = np.eye(len(names))[:, missing]
    return matrix


def correction(cv: dict[str, Any], names: Sequence[str], source: str) -> Correction | None:
    """The card's out-of-fold confusion as rates; None when the card predates it."""
    if "confusion" not in cv or "mean_scores" not in cv:
        return None
    try:
        counts = by_gold(cv["confusion"], names)
        return Correction(counts / counts.sum(axis=0), by_gold(cv["mean_scores"], names))
    except (KeyError, TypeError, ValueError):
        raise StanceError(f"{source}: cv.confusion or cv.mean_scores does not cover the labels {', '.join(names)}; retrain this model (`dvc repro`).") from None


def unadjusted(name: str, sentences: np.ndarray, predicted: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Shares by cc or pcc; rows are cells or draws, columns labels."""
    counts = predicted if name == "cc" else scores
    return counts / sentences[:, None]


def adjust(shares: np.ndarray, rates: np.ndarray) -> np.ndarray:
    """Solve shares = rates @ truth for each row (unadjusted where the rates are singular), clip to [0, 1], renormalise (all zero: uniform)."""
    try:
        solved = np.linalg.solve(rates, shares.T).T
    except np.linalg.LinAlgError:
        solved = shares
    clipped = np.clip(solved, 0, 1)
    total = clipped.sum(axis=1, keepdims=True)
    return np.divide(clipped, total, out=np.full_like(clipped, 1 / clipped.shape[1]), where=total > 0)


def estimate(name: str, sentences: np.ndarray, predicted: np.ndarray, scores: np.ndarray, fix: Correction | None) -> np.ndarray:
    """Each row's label shares by estimator `name`; an adjusted one needs the correction."""
    base = unadjusted(ADJUSTS.get(name, name), sentences, predicted, scores)
    if name not in ADJUSTS:
        return base
    if fix is None:
        raise ValueError(f"{name} needs the card's out-of-fold confusion")
    return adjust(base, fix.rates if name == "acc" else fix.mean_scores)


def claim_shares(shares: np.ndarray, positives: Sequence[int]) -> np.ndarray:
    """Shares among claims: the positive labels' shares renormalised; NaN where a row has none."""
    claims = shares[:, positives]
    total = claims.sum(axis=1, keepdims=True)
    return np.divide(claims, total, out=np.full_like(claims, np.nan, dtype=float), where=total > 0)
