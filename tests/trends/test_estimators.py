"""The four share estimators on synthetic data whose true shares are known, each within a stated tolerance.

40,000 sentences: sampling noise on a share is at most about 0.0025 (one
standard error), so a tolerance of 0.015 is six of them, while the bias that
the adjustment removes here is 0.05 to 0.10.
"""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import StanceError
from pipeline.trends.estimators import adjust, claim_shares, correction, estimate
from tests.trends.synthetic import CONFUSION, NAMES, mean_scores, rates, scores_for

N = 40_000
TOLERANCE = 0.015
TRUE = np.array([0.10, 0.45, 0.05, 0.40])  # far from the balanced mix the confusion was measured on


def totals(gold: np.ndarray, predicted: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One cell's totals, as a batch of one row."""
    return np.array([len(gold)], float), np.bincount(predicted, minlength=4)[None, :].astype(float), scores.sum(axis=0, keepdims=True)


def draw(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One label per row of probabilities."""
    return (rng.random(len(probabilities))[:, None] > probabilities.cumsum(axis=1)).sum(axis=1)


def confused(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gold = rng.choice(4, size=N, p=TRUE)
    predicted = draw(rng, rates()[gold])
    scores = np.array([[scores_for(name)[other] for other in NAMES] for name in NAMES])[predicted]
    return gold, predicted, scores


def test_cc_counts_the_predicted_labels_and_is_exact_for_a_perfect_classifier() -> None:
    rng = np.random.default_rng(1)
    gold = rng.choice(4, size=N, p=TRUE)
    scores = np.eye(4)[gold]
    shares = estimate("cc", *totals(gold, gold, scores), None)[0]
    assert shares == pytest.approx(np.bincount(gold, minlength=4) / N, abs=1e-12)


def test_pcc_is_within_tolerance_when_the_probabilities_are_calibrated() -> None:
    rng = np.random.default_rng(2)
    scores = rng.dirichlet(np.array([1.0, 3.0, 0.5, 2.5]), size=N)  # each sentence's label is drawn from its own probabilities
    gold = draw(rng, scores)
    shares = estimate("pcc", *totals(gold, scores.argmax(axis=1), scores), None)[0]
    assert np.abs(shares - np.bincount(gold, minlength=4) / N).max() < TOLERANCE


@pytest.mark.parametrize("name", ["acc", "pacc"])
def test_the_adjusted_estimators_recover_shifted_shares_that_cc_and_pcc_miss(name: str) -> None:
    rng = np.random.default_rng(3)
    gold, predicted, scores = confused(rng)
    truth = np.bincount(gold, minlength=4) / N
    fix = correction({"confusion": CONFUSION, "mean_scores": mean_scores()}, NAMES, "card")
    adjusted = estimate(name, *totals(gold, predicted, scores), fix)[0]
    plain = estimate({"acc": "cc", "pacc": "pcc"}[name], *totals(gold, predicted, scores), fix)[0]
    assert np.abs(adjusted - truth).max() < TOLERANCE
    assert np.abs(plain - truth).max() > 0.05
    assert adjusted.sum() == pytest.approx(1.0) and (adjusted >= 0).all()


def test_an_adjustment_past_the_simplex_is_clipped_and_renormalised() -> None:
    fix = correction({"confusion": CONFUSION, "mean_scores": mean_scores()}, NAMES, "card")
    shares = estimate("acc", np.array([100.0]), np.array([[0.0, 0.0, 0.0, 100.0]]), np.zeros((1, 4)), fix)[0]
    assert shares.sum() == pytest.approx(1.0) and (shares >= 0).all() and shares[3] > 0.9


def test_claim_shares_renormalise_the_stances_and_are_nan_without_claims() -> None:
    shares = claim_shares(np.array([[0.2, 0.1, 0.1, 0.6], [0.0, 0.0, 0.0, 1.0]]), [0, 1, 2])
    assert shares[0] == pytest.approx([0.5, 0.25, 0.25]) and np.isnan(shares[1]).all()


def test_a_card_without_the_confusion_has_no_correction_and_a_malformed_one_is_an_error() -> None:
    assert correction({}, NAMES, "card") is None
    with pytest.raises(StanceError, match="does not cover the labels"):
        correction({"confusion": {"none": {}}, "mean_scores": {}}, NAMES, "card")


@pytest.mark.slow
def test_the_adjustment_is_quapys_acc_with_exact_solve_and_clipping() -> None:
    """QuaPy (the test extra) is the reference; the command does not import it (five seconds and torch)."""
    pytest.importorskip("quapy")
    import quapy.functional as qf
    from quapy.method.aggregative import ACC

    rng = np.random.default_rng(4)
    rates_ = rng.dirichlet(np.ones(4), size=4).T + np.eye(4)
    rates_ /= rates_.sum(axis=0)
    shares = rng.dirichlet(np.ones(4), size=50)
    singular = np.ones((4, 4)) / 4
    for matrix in (rates_, singular):
        expected = [qf.normalize_prevalence(ACC.solve_adjustment(matrix, row, method="inversion", solver="exact-cc"), method="clip") for row in shares]
        assert adjust(shares, matrix) == pytest.approx(np.array(expected), abs=1e-12)
