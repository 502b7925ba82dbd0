"""Class-balanced logistic regression whose strength is chosen on training articles only.

Both the TF-IDF baseline and the transformer's head use it. C is picked by an
article-grouped K-fold inside the training data (nested), so a test fold
never influences a hyper-parameter.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, GroupKFold
from threadpoolctl import threadpool_limits

from pipeline.errors import StanceError
from pipeline.labels.dataset import ALWAYS_TRAIN
from pipeline.models.calibration import fit_temperature

INNER_FOLDS = 4


def balanced_logreg(c: float, seed: int) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=seed)


@dataclass(frozen=True)
class Selected:
    estimator: Any
    value: float  # the chosen value of the parameter
    temperature: float  # fitted on the inner folds' held-out probabilities at that value


def fit_selected(estimator: Any, param: str, grid: Sequence[float], X: Any, y: Sequence[str], groups: Sequence[str], labels: Sequence[str]) -> Selected:
    """Fit `estimator` with `param` from `grid` chosen by macro-F1 over folds of left-out training articles.

    Rows of group ALWAYS_TRAIN are training data in every inner split. With a
    single training article there is nothing to hold out: the middle of the
    grid is used and the probabilities stay as they are.
    """
    if len(set(y)) < 2:
        articles = ", ".join(sorted(set(groups) - {ALWAYS_TRAIN}))
        raise StanceError(f"cannot train on articles {articles}: their labeled sentences all carry the label {y[0]!r}; a classifier needs at least two labels.")
    # Threaded BLAS makes these small fits many times slower on a busy two-core machine.
    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        warnings.simplefilter("ignore", category=UndefinedMetricWarning)
        warnings.simplefilter("ignore", category=UserWarning)
        group_arr = np.asarray(groups)
        held_out = sorted(set(groups) - {ALWAYS_TRAIN})
        if len(held_out) < 2:
            chosen = sorted(grid)[len(grid) // 2]
            return Selected(clone(estimator).set_params(**{param: chosen}).fit(X, y), chosen, 1.0)
        splits = inner_splits(group_arr, min(INNER_FOLDS, len(held_out)))
        if len(grid) == 1:
            chosen, best = float(grid[0]), clone(estimator).set_params(**{param: grid[0]}).fit(X, y)
        else:
            search = GridSearchCV(estimator, {param: list(grid)}, scoring="f1_macro", cv=splits, refit=True)
            search.fit(X, np.asarray(y))
            chosen, best = float(search.best_params_[param]), search.best_estimator_
        proba, gold = held_out_probabilities(best, X, np.asarray(y), splits, labels)
        return Selected(best, chosen, fit_temperature(proba, gold))


def held_out_probabilities(
    estimator: Any, X: Any, y: np.ndarray, splits: Sequence[tuple[np.ndarray, np.ndarray]], labels: Sequence[str]
) -> tuple[np.ndarray, list[int]]:
    """Probabilities of each inner fold's held-out rows from a model fitted on the rest, and their gold label indices."""
    rows = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=object)
    proba: list[np.ndarray] = []
    gold: list[int] = []
    for train, test in splits:
        proba.append(probabilities(clone(estimator).fit(rows[train], y[train]), rows[test], labels))
        gold.extend(labels.index(name) for name in y[test])
    return np.concatenate(proba), gold


def inner_splits(groups: np.ndarray, count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Article-grouped folds whose training side always keeps the ALWAYS_TRAIN rows."""
    real = np.flatnonzero(groups != ALWAYS_TRAIN)
    always = np.flatnonzero(groups == ALWAYS_TRAIN)
    return [(np.sort(np.concatenate([real[train], always])), real[test]) for train, test in GroupKFold(n_splits=count).split(real, groups=groups[real])]


def probabilities(estimator: Any, X: Any, labels: Sequence[str]) -> np.ndarray:
    """predict_proba in the order of `labels`; a class absent from training gets 0."""
    proba = estimator.predict_proba(X)
    out = np.zeros((proba.shape[0], len(labels)), dtype=np.float64)
    for column, name in enumerate(estimator.classes_):
        out[:, labels.index(name)] = proba[:, column]
    return out


def as_linear_head(estimator: LogisticRegression, labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Weights and bias of a softmax layer that reproduces the estimator's probabilities.

    A binary model has one row of weights: softmax over [0, z] is the sigmoid
    of z, so the first class gets a zero row. Classes it never saw get a bias
    so low their probability is zero.
    """
    classes = list(estimator.classes_)
    coef, intercept = estimator.coef_, estimator.intercept_
    if len(classes) == 2:
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    weight = np.zeros((len(labels), coef.shape[1]), dtype=np.float32)
    bias = np.full(len(labels), -1e4, dtype=np.float32)
    for row, name in enumerate(classes):
        weight[labels.index(name)] = coef[row]
        bias[labels.index(name)] = intercept[row]
    return weight, bias


def linear_head(
    features: np.ndarray, data_labels: Sequence[str], groups: Sequence[str], labels: Sequence[str], grid: Sequence[float], seed: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """A softmax layer (weights, bias) over fixed features, its strength and temperature chosen on inner folds."""
    selected = fit_selected(balanced_logreg(1.0, seed), "C", grid, features, data_labels, groups, labels)
    weight, bias = as_linear_head(selected.estimator, labels)
    return weight, bias, selected.temperature
