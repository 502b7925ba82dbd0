"""One model kind, end to end: cross-validate, draw the learning curve, fit on everything."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.evaluation.confidence import confidence_view, recommended_confidence
from pipeline.evaluation.metrics import evaluate as scores_of
from pipeline.evaluation.metrics import headline
from pipeline.labels.dataset import Dataset
from pipeline.models.calibration import Calibrated
from pipeline.models.card import Calibration, CorpusSummary, ModelCard, model_card
from pipeline.models.registry import kind_of
from pipeline.params import EvaluateParams, LabelSet, SegmentParams, TrainParams
from pipeline.training.crossval import (
    CvPrediction,
    Fit,
    folds,
    learning_curve,
    out_of_fold,
)


@dataclass
class TrainingResult:
    model: Calibrated
    card: ModelCard
    predictions: list[CvPrediction]
    curve: list[dict[str, Any]]


def fitter(kind: str, labels: LabelSet, params: Any, seed: int, descriptions: Dataset | None) -> Fit:
    """The one way a model of `kind` is fitted, for a fold or for the final model.

    Descriptions, when the kind's params ask for them, join every training
    split, never a test one.
    """
    spec = kind_of(kind)
    extra = descriptions if descriptions is not None and params.descriptions else None

    def fit(subset: Dataset) -> Calibrated:
        return spec.fit(subset if extra is None else subset + extra, labels.names, params, seed)

    return fit


def fold_rows(predictions: list[CvPrediction]) -> list[list[int]]:
    by_fold: dict[int, list[int]] = {}
    for row, record in enumerate(predictions):
        by_fold.setdefault(record.fold, []).append(row)
    return [by_fold[fold] for fold in sorted(by_fold)]


def mean_scores(rows: list[dict[str, float]], names: tuple[str, ...]) -> dict[str, float]:
    return {name: round(sum(row[name] for row in rows) / len(rows), 6) if rows else 0.0 for name in names}


def card_scores(predictions: list[CvPrediction], labels: LabelSet, evaluate: EvaluateParams, seed: int) -> dict[str, Any]:
    """What the README card reports beside the headline: article-bootstrap intervals drawn as the report draws them,
    F1 per label, macro-F1 per slice, the commonest confusion, and what adjusted share estimates (`stance trends`) correct by:
    the out-of-fold confusion counts (gold, then predicted label) and the mean out-of-fold scores of each gold label's sentences."""
    gold, pred = [r.gold for r in predictions], [r.pred for r in predictions]
    scores = scores_of(gold, pred, [r.article for r in predictions], {"slice": [r.slice for r in predictions]}, labels, evaluate, seed)
    slices = {
        name: {key: part[key] for key in ("macro_f1", "articles", "sentences")} | {"interval": part["intervals"]["macro_f1"]}
        for name, part in scores["per_slice"].items()
    }
    pairs = Counter(zip(gold, pred, strict=True))
    confusions = {(g, p): n for (g, p), n in pairs.items() if g != p}
    commonest = [{"gold": g, "pred": p, "sentences": n} for (g, p), n in sorted(confusions.items(), key=lambda item: (-item[1], item[0]))[:1]]
    return {
        "intervals": scores["intervals"],
        "confidence_level": evaluate.confidence,
        "per_class_f1": {name: row["f1"] for name, row in scores["per_class"].items()},
        "per_class_support": {name: row["support"] for name, row in scores["per_class"].items()},
        "per_slice": slices,
        "commonest_confusion": commonest,
        "confusion": {g: {p: pairs[(g, p)] for p in labels.names} for g in labels.names},
        "mean_scores": {g: mean_scores([r.scores for r in predictions if r.gold == g], labels.names) for g in labels.names},
    }


def train(
    kind: str,
    data: Dataset,
    labels: LabelSet,
    segment: SegmentParams,
    params: Any,
    train_params: TrainParams,
    evaluate: EvaluateParams,
    descriptions: Dataset | None = None,
    corpora: tuple[CorpusSummary, ...] = (),
) -> TrainingResult:
    seed = train_params.seed
    fit = fitter(kind, labels, params, seed, descriptions)

    predictions = out_of_fold(data, fit, train_params.folds, seed)
    gold = [r.gold for r in predictions]
    pred = [r.pred for r in predictions]
    cv: dict[str, Any] = headline(gold, pred, labels)
    fold_scores = [headline([gold[i] for i in rows], [pred[i] for i in rows], labels)["macro_f1"] for rows in fold_rows(predictions)]
    cv["fold_macro_f1_std"] = float(np.std(fold_scores))
    cv["scheme"] = f"{len(fold_scores)}-fold, grouped by article, stratified by slice"
    confidence = [r.scores[r.pred] for r in predictions]
    view = confidence_view(gold, pred, confidence, labels, evaluate.calibration_bins, train_params.confidence_grid)
    cv["ece"] = view["ece"]
    cv["claim_precision"] = train_params.claim_precision
    cv |= card_scores(predictions, labels, evaluate, seed)

    sizes = () if kind in train_params.learning_curve_skip else train_params.learning_curve
    curve = learning_curve(data, fit, sizes, train_params.folds, seed)
    splits = folds(data, train_params.folds, seed)
    all_articles = float(np.mean([len(set(np.asarray(data.groups)[train])) for train, _ in splits]))
    curve.append({"articles": all_articles, "train_sentences": float(np.mean([len(train) for train, _ in splits])), "pred": pred})
    model = fit(data)
    calibration = Calibration(model.temperature, recommended_confidence(view["risk_coverage"], train_params.claim_precision))
    return TrainingResult(model, model_card(kind, labels, segment, params, seed, calibration, data, cv, corpora), predictions, curve)
