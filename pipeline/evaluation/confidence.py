"""How far to trust a model's confidence: calibration error, reliability bins, and precision by coverage.

All three read the out-of-fold predictions: every probability comes from a
model (and a temperature) fitted without the sentence's article.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.params import LabelSet
from pipeline.scores import UNCLEAR, overall_stance


def reliability(confidence: Sequence[float] | np.ndarray, correct: Sequence[bool] | np.ndarray, bins: int) -> list[dict[str, float]]:
    """Equal-width confidence bins: how many predictions, their mean confidence, how many were right."""
    conf, right = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    out = []
    for b in range(bins):
        rows = index == b
        if rows.any():
            out.append(
                {
                    "low": float(edges[b]),
                    "high": float(edges[b + 1]),
                    "count": int(rows.sum()),
                    "confidence": float(conf[rows].mean()),
                    "accuracy": float(right[rows].mean()),
                }
            )
    return out


def expected_calibration_error(bins: Sequence[dict[str, float]]) -> float:
    """Mean gap between confidence and accuracy, weighted by how many predictions fall in each bin (Naeini et al., 2015)."""
    total = sum(b["count"] for b in bins)
    return float(sum(b["count"] * abs(b["confidence"] - b["accuracy"]) for b in bins) / total) if total else 0.0


def risk_coverage(
    gold: Sequence[str], pred: Sequence[str], confidence: Sequence[float], labels: LabelSet, thresholds: Sequence[float]
) -> list[dict[str, float]]:
    """For claims kept at each confidence threshold: the share of predicted claims kept, their precision, and recall of gold claims."""
    claims = [i for i, p in enumerate(pred) if p != labels.negative]
    gold_claims = sum(g != labels.negative for g in gold)
    out = []
    for threshold in thresholds:
        kept = [i for i in claims if confidence[i] >= threshold]
        right = sum(gold[i] == pred[i] for i in kept)
        out.append(
            {
                "threshold": float(threshold),
                "coverage": len(kept) / len(claims) if claims else 0.0,
                "kept": len(kept),
                "precision": right / len(kept) if kept else 0.0,
                "recall": right / gold_claims if gold_claims else 0.0,
            }
        )
    return out


def recommended_confidence(rows: Sequence[dict[str, float]], precision: float) -> float:
    """The lowest threshold whose kept claims reach `precision`; failing that, the most precise threshold."""
    for row in rows:
        if row["kept"] and row["precision"] >= precision:
            return row["threshold"]
    return max(rows, key=lambda row: row["precision"])["threshold"]


def confidence_view(
    gold: Sequence[str],
    pred: Sequence[str],
    confidence: Sequence[float],
    labels: LabelSet,
    bins: int,
    thresholds: Sequence[float],
    draws: Sequence[np.ndarray] = (),
    level: float = 0.95,
) -> dict[str, Any]:
    """Calibration error (with an article-bootstrap interval over `draws`), reliability bins, risk-coverage rows."""
    correct = np.array([g == p for g, p in zip(gold, pred, strict=True)])
    conf = np.asarray(confidence, dtype=float)
    table = reliability(conf, correct, bins)
    view: dict[str, Any] = {
        "ece": expected_calibration_error(table),
        "reliability": table,
        "risk_coverage": risk_coverage(gold, pred, confidence, labels, thresholds),
    }
    if len(draws):
        values = [expected_calibration_error(reliability(conf[pick], correct[pick], bins)) for pick in draws]
        tail = (1 - level) / 2 * 100
        view["ece_interval"] = [float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))]
    return view


def summary_view(
    gold: Sequence[str],
    pred: Sequence[str],
    confidence: Sequence[float],
    articles: Sequence[str],
    labels: LabelSet,
    thresholds: Sequence[float],
    min_claims: int,
) -> list[dict[str, float]]:
    """What article summaries would say at each minimum confidence, on held-out articles.

    For each threshold: the share of articles whose summary states a stance
    (not `unclear`; `stance predict`'s rule, `pipeline.scores.overall_stance`),
    and the share of those whose stance is the one the hand labels give the
    article by the same rule (every gold claim counted).
    """
    rows: dict[str, list[int]] = {}
    for i, article in enumerate(articles):
        rows.setdefault(article, []).append(i)
    truth = {a: overall_stance([(gold[i], 1.0) for i in r if gold[i] != labels.negative], 0, labels, min_claims) for a, r in rows.items()}
    out = []
    for threshold in thresholds:
        stated = right = 0
        for article, picked in rows.items():
            claims = [i for i in picked if pred[i] != labels.negative]
            kept = [(pred[i], confidence[i]) for i in claims if confidence[i] >= threshold]
            stance = overall_stance(kept, len(claims) - len(kept), labels, min_claims)
            if stance != UNCLEAR:
                stated += 1
                right += stance == truth[article]
        out.append({"threshold": float(threshold), "stated": stated / len(rows), "right": right / stated if stated else 0.0, "articles": len(rows)})
    return out
