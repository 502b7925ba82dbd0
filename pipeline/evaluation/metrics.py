"""Scores for predictions against gold labels, with bootstrap intervals.

The headline is macro-F1 over all labels: with few claims and many `none`
sentences, accuracy alone rewards a model that never finds a claim.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from pipeline.params import EvaluateParams, LabelSet

HEADLINE = ("macro_f1", "accuracy", "claim_f1", "stance_macro_f1")


def _f1(tp: np.ndarray, gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """F1 per class from counts; 0 where a class is neither gold nor predicted (sklearn's zero_division=0)."""
    total = gold + pred
    return np.divide(2 * tp, total, out=np.zeros_like(total, dtype=float), where=total > 0)


def headline_from_confusion(confusion: np.ndarray, labels: LabelSet) -> dict[str, float]:
    """The four headline scores from one confusion matrix (rows gold, columns predicted, in LabelSet order).

    Counting once and scoring from counts keeps thousands of bootstrap draws fast.
    """
    claims = np.array([name != labels.negative for name in labels.names])
    diagonal = np.diag(confusion).astype(float)
    rows, columns = confusion.sum(axis=1), confusion.sum(axis=0)
    total = confusion.sum()
    claim_tp = confusion[np.ix_(claims, claims)].sum()
    on_claims = confusion[claims]
    return {
        "macro_f1": float(_f1(diagonal, rows, columns).mean()),
        "accuracy": float(diagonal.sum() / total) if total else 0.0,
        "claim_f1": float(_f1(np.array([claim_tp]), np.array([rows[claims].sum()]), np.array([columns[claims].sum()]))[0]),
        "stance_macro_f1": float(_f1(diagonal[claims], on_claims.sum(axis=1), on_claims.sum(axis=0)[claims]).mean()) if on_claims.sum() else 0.0,
    }


def _codes(values: Sequence[str], labels: LabelSet) -> np.ndarray:
    index = {name: i for i, name in enumerate(labels.names)}
    return np.array([index[v] for v in values], dtype=np.int64)


def _confusion(gold: np.ndarray, pred: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(gold * size + pred, minlength=size * size).reshape(size, size)


def headline(gold: Sequence[str], pred: Sequence[str], labels: LabelSet) -> dict[str, float]:
    size = len(labels.names)
    return headline_from_confusion(_confusion(_codes(gold, labels), _codes(pred, labels), size), labels)


def article_resamples(articles: Sequence[str], count: int, seed: int) -> list[np.ndarray]:
    """Row indices of `count` resamples of whole articles with replacement (a cluster bootstrap).

    Sentences of one article are not independent, so the interval resamples
    articles; the same draws serve every model, which makes differences paired.
    """
    rng = np.random.default_rng(seed)
    names = sorted(set(articles))
    rows = {name: np.flatnonzero(np.asarray(articles) == name) for name in names}
    return [np.concatenate([rows[names[k]] for k in rng.integers(0, len(names), len(names))]) for _ in range(count)]


def bootstrap_values(gold: Sequence[str], pred: Sequence[str], labels: LabelSet, draws: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
    gold_codes, pred_codes = _codes(gold, labels), _codes(pred, labels)
    size = len(labels.names)
    values: dict[str, list[float]] = {name: [] for name in HEADLINE}
    for pick in draws:
        for name, value in headline_from_confusion(_confusion(gold_codes[pick], pred_codes[pick], size), labels).items():
            values[name].append(value)
    return {name: np.asarray(v) for name, v in values.items()}


def interval(values: np.ndarray, confidence: float) -> list[float]:
    tail = (1 - confidence) / 2 * 100
    return [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))]


def scored(gold: Sequence[str], pred: Sequence[str], labels: LabelSet, draws: Sequence[np.ndarray], confidence: float) -> dict[str, Any]:
    """Headline scores with their article-bootstrap intervals."""
    scores: dict[str, Any] = dict(headline(gold, pred, labels))
    values = bootstrap_values(gold, pred, labels, draws)
    scores["intervals"] = {name: interval(v, confidence) for name, v in values.items()}
    return scores


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


def evaluate(
    gold: Sequence[str],
    pred: Sequence[str],
    articles: Sequence[str],
    views: Mapping[str, Sequence[str]],
    labels: LabelSet,
    params: EvaluateParams,
    seed: int,
) -> dict[str, Any]:
    """Scores overall and within each group of every view (`slice`, `genre`: one value per sentence), as `per_<view>`."""
    scores = scored(gold, pred, labels, article_resamples(articles, params.bootstrap, seed), params.confidence)
    scores["per_class"] = per_class(gold, pred, labels)
    scores["confusion"] = {"labels": list(labels.names), "matrix": confusion_matrix(gold, pred, labels=list(labels.names)).tolist()}
    for view, groups in views.items():
        scores[f"per_{view}"] = {}
        for name in sorted(set(groups)):
            rows = [i for i, s in enumerate(groups) if s == name]
            draws = article_resamples([articles[i] for i in rows], params.bootstrap, seed)
            part = scored([gold[i] for i in rows], [pred[i] for i in rows], labels, draws, params.confidence)
            part["articles"] = len({articles[i] for i in rows})
            part["sentences"] = len(rows)
            part["claims"] = sum(gold[i] != labels.negative for i in rows)
            scores[f"per_{view}"][name] = part
    fold_f1 = [s["macro_f1"] for s in per_article(gold, pred, articles, labels).values()]
    scores["fold_macro_f1"] = {"mean": float(np.mean(fold_f1)), "std": float(np.std(fold_f1)), "min": float(np.min(fold_f1)), "max": float(np.max(fold_f1))}
    scores["sentences"] = len(gold)
    return scores


def paired_differences(
    gold: Sequence[str], preds: Mapping[str, Sequence[str]], articles: Sequence[str], labels: LabelSet, params: EvaluateParams, seed: int
) -> dict[str, dict[str, Any]]:
    """For every pair of models, macro-F1 of the first minus the second, with a paired article-bootstrap interval."""
    draws = article_resamples(articles, params.bootstrap, seed)
    values = {name: bootstrap_values(gold, pred, labels, draws)["macro_f1"] for name, pred in preds.items()}
    names = list(preds)
    out = {}
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            diff = headline(gold, preds[first], labels)["macro_f1"] - headline(gold, preds[second], labels)["macro_f1"]
            out[f"{first} - {second}"] = {"macro_f1": float(diff), "interval": interval(values[first] - values[second], params.confidence)}
    return out
