"""One model kind, end to end: cross-validate, draw the learning curve, fit on everything."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.config import LabelSet
from pipeline.crossval import Fit, TrainParams, folds, learning_curve, out_of_fold
from pipeline.dataset import Dataset
from pipeline.metrics import headline, per_article
from pipeline.models import Classifier, kind_of, model_card


@dataclass
class TrainingResult:
    model: Classifier
    card: dict[str, Any]
    predictions: list[dict[str, Any]]
    curve: list[dict[str, float]]


def fitter(kind: str, labels: LabelSet, params: Any, seed: int, descriptions: Dataset | None) -> Fit:
    """The one way a model of `kind` is fitted, for a fold or for the final model.

    Descriptions, when the kind's params ask for them, join every training
    split, never a test one.
    """
    spec = kind_of(kind)
    extra = descriptions if descriptions is not None and params.descriptions else None

    def fit(subset: Dataset) -> Classifier:
        return spec.fit(subset if extra is None else subset + extra, labels.names, params, seed)

    return fit


def train(
    kind: str, data: Dataset, labels: LabelSet, params: Any, train_params: TrainParams, descriptions: Dataset | None = None
) -> TrainingResult:
    seed = train_params.seed
    fit = fitter(kind, labels, params, seed, descriptions)

    predictions = out_of_fold(data, fit)
    gold = [r["gold"] for r in predictions]
    pred = [r["pred"] for r in predictions]
    cv: dict[str, Any] = headline(gold, pred, labels)
    fold_scores = [s["macro_f1"] for s in per_article(gold, pred, [r["article"] for r in predictions], labels).values()]
    cv["fold_macro_f1_std"] = float(np.std(fold_scores))
    cv["scheme"] = "leave-one-article-out"

    curve = learning_curve(data, fit, labels, train_params.learning_curve, seed)
    curve.append(
        {"share": 1.0, "train_sentences": float(np.mean([len(t) for _, t, _ in folds(data)])), "macro_f1": cv["macro_f1"]}
    )
    model = fit(data)
    return TrainingResult(model, model_card(kind, labels.names, params, seed, data, cv), predictions, curve)
