"""Scores for predictions against gold labels, with bootstrap intervals.

The headline is macro-F1 over all labels: with few claims and many `none`
sentences, accuracy alone rewards a model that never finds a claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from pipeline.config import LabelSet
from pipeline.errors import StanceError

HEADLINE = ("macro_f1", "accuracy", "claim_f1", "stance_macro_f1")


@dataclass(frozen=True)
class EvaluateParams:
    models: tuple[str, ...] = ("majority", "tfidf", "transformer")
    bootstrap: int = 1000
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if self.bootstrap < 100:
            raise StanceError(f"configs: evaluate.bootstrap must be at least 100, got {self.bootstrap}.")
        if not 0.5 < self.confidence < 1:
            raise StanceError(f"configs: evaluate.confidence must be between 0.5 and 1, got {self.confidence}.")


def headline(gold: Sequence[str], pred: Sequence[str], labels: LabelSet) -> dict[str, float]:
    gold_claim = [g != labels.negative for g in gold]
    pred_claim = [p != labels.negative for p in pred]
    on_claims = [i for i, g in enumerate(gold) if g != labels.negative]
    return {
        "macro_f1": float(f1_score(gold, pred, labels=list(labels.names), average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, pred)),
        "claim_f1": float(f1_score(gold_claim, pred_claim, zero_division=0)),
        "stance_macro_f1": float(
            f1_score([gold[i] for i in on_claims], [pred[i] for i in on_claims], labels=list(labels.positives), average="macro", zero_division=0)
        )
        if on_claims
        else 0.0,
    }


def bootstrap_intervals(gold: Sequence[str], pred: Sequence[str], labels: LabelSet, params: EvaluateParams, seed: int) -> dict[str, list[float]]:
    """Percentile intervals from resampling sentences with replacement."""
    rng = np.random.default_rng(seed)
    gold_arr, pred_arr = np.asarray(gold), np.asarray(pred)
    draws: dict[str, list[float]] = {name: [] for name in HEADLINE}
    for _ in range(params.bootstrap):
        pick = rng.integers(0, len(gold_arr), len(gold_arr))
        for name, value in headline(gold_arr[pick].tolist(), pred_arr[pick].tolist(), labels).items():
            draws[name].append(value)
    tail = (1 - params.confidence) / 2 * 100
    return {name: [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))] for name, values in draws.items()}


def per_class(gold: Sequence[str], pred: Sequence[str], labels: LabelSet) -> dict[str, dict[str, float]]:
    precision, recall, f1, support = precision_recall_fscore_support(gold, pred, labels=list(labels.names), zero_division=0)
    return {
        name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for name, p, r, f, s in zip(labels.names, precision, recall, f1, support)
    }


def per_article(gold: Sequence[str], pred: Sequence[str], articles: Sequence[str], labels: LabelSet) -> dict[str, dict[str, float]]:
    """Scores on each held-out article: the spread across folds is the other view of uncertainty.

    An article's macro-F1 averages the labels that occur in its gold or
    predicted labels: a label absent from both has no F1 there, and counting it
    as 0 would cap an all-`none` article at 0.25 for a perfect model.
    """
    out = {}
    for article in sorted(set(articles)):
        rows = [i for i, a in enumerate(articles) if a == article]
        g = [gold[i] for i in rows]
        p = [pred[i] for i in rows]
        scores = headline(g, p, labels)
        present = [name for name in labels.names if name in set(g) | set(p)]
        scores["macro_f1"] = float(f1_score(g, p, labels=present, average="macro", zero_division=0))
        scores["claims"] = sum(x != labels.negative for x in g)
        scores["sentences"] = len(rows)
        out[article] = scores
    return out


def evaluate(gold: Sequence[str], pred: Sequence[str], articles: Sequence[str], labels: LabelSet, params: EvaluateParams, seed: int) -> dict[str, Any]:
    scores: dict[str, Any] = dict(headline(gold, pred, labels))
    scores["intervals"] = bootstrap_intervals(gold, pred, labels, params, seed)
    scores["per_class"] = per_class(gold, pred, labels)
    scores["confusion"] = {"labels": list(labels.names), "matrix": confusion_matrix(gold, pred, labels=list(labels.names)).tolist()}
    articles_scores = per_article(gold, pred, articles, labels)
    scores["per_article"] = articles_scores
    fold_f1 = [s["macro_f1"] for s in articles_scores.values()]
    scores["fold_macro_f1"] = {"mean": float(np.mean(fold_f1)), "std": float(np.std(fold_f1)), "min": float(np.min(fold_f1)), "max": float(np.max(fold_f1))}
    scores["sentences"] = len(gold)
    return scores
