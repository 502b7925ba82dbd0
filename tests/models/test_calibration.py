"""Temperature scaling and the confidence views, on known answers."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.evaluation.confidence import (
    confidence_view,
    expected_calibration_error,
    recommended_confidence,
    reliability,
    risk_coverage,
)
from pipeline.models.calibration import Calibrated, fit_temperature, temper
from pipeline.params import LabelSet

LABELS = LabelSet(("pro-talks", "skeptical", "conditional", "none"), "none")


def softmax(logits: np.ndarray) -> np.ndarray:
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def test_fit_temperature_recovers_the_temperature_that_made_overconfident_probabilities() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4000, 4)) * 2
    calibrated = softmax(logits)
    gold = [int(rng.choice(4, p=row)) for row in calibrated]  # labels drawn from the true probabilities
    overconfident = softmax(logits * 2.5)  # a model 2.5 times too sure
    assert fit_temperature(overconfident, gold) == pytest.approx(2.5, rel=0.1)
    assert fit_temperature(calibrated, gold) == pytest.approx(1.0, rel=0.1)
    assert fit_temperature(overconfident, []) == 1.0


def test_temper_never_changes_the_winning_label_and_keeps_rows_summing_to_one() -> None:
    proba = softmax(np.random.default_rng(1).normal(size=(50, 4)) * 3)
    for t in (0.5, 2.0, 7.0):
        tempered = temper(proba, t)
        assert (tempered.argmax(axis=1) == proba.argmax(axis=1)).all()
        np.testing.assert_allclose(tempered.sum(axis=1), 1.0)
    assert temper(proba, 3.0).max() < proba.max()  # a temperature above 1 softens
    assert temper(proba, 1.0) is proba


def test_calibrated_applies_its_temperature_to_any_model() -> None:
    class Fixed:
        labels = LABELS.names

        def predict_proba(self, texts: list[str]) -> np.ndarray:
            return np.tile([0.7, 0.1, 0.1, 0.1], (len(texts), 1))

    wrapped = Calibrated(Fixed(), 2.0)
    assert wrapped.labels == LABELS.names
    np.testing.assert_allclose(wrapped.predict_proba(["a"]), temper(Fixed().predict_proba(["a"]), 2.0))


def test_calibration_error_is_the_count_weighted_gap_between_confidence_and_accuracy() -> None:
    confidence = [0.95, 0.95, 0.95, 0.95, 0.55, 0.55]
    correct = [True, True, True, False, True, False]
    bins = reliability(confidence, correct, 10)
    assert [(b["count"], b["accuracy"]) for b in bins] == [(2, 0.5), (4, 0.75)]
    assert expected_calibration_error(bins) == pytest.approx((2 * abs(0.55 - 0.5) + 4 * abs(0.95 - 0.75)) / 6)
    assert expected_calibration_error(reliability([0.5, 0.5], [True, False], 10)) == 0.0


def test_risk_coverage_and_the_recommended_confidence() -> None:
    gold = ["pro-talks", "skeptical", "none", "pro-talks", "none"]
    pred = ["pro-talks", "pro-talks", "none", "pro-talks", "skeptical"]
    confidence = [0.9, 0.4, 0.8, 0.7, 0.5]
    rows = risk_coverage(gold, pred, confidence, LABELS, (0.3, 0.6, 0.95))
    assert [(r["kept"], r["precision"], r["recall"]) for r in rows] == [(4, 0.5, 2 / 3), (2, 1.0, 2 / 3), (0, 0.0, 0.0)]
    assert rows[1]["coverage"] == 0.5
    assert recommended_confidence(rows, 0.7) == 0.6
    assert recommended_confidence(rows, 0.4) == 0.3
    assert recommended_confidence(rows[:1], 0.9) == 0.3  # none reaches it: the most precise threshold


def test_the_ece_interval_comes_from_the_article_draws() -> None:
    gold, pred = ["none"] * 4, ["none", "none", "pro-talks", "none"]
    view = confidence_view(gold, pred, [0.9, 0.9, 0.6, 0.9], LABELS, 10, (0.5,), draws=[np.array([0, 1]), np.array([2, 3])])
    assert view["ece_interval"][0] < view["ece"] < view["ece_interval"][1]
