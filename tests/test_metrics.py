"""Metrics on cases small enough to work out by hand, bootstrap intervals, merging predictions."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.config import LabelSet
from pipeline.errors import StanceError
from pipeline.evaluation import merge_predictions, score_models
from pipeline.metrics import EvaluateParams, bootstrap_intervals, evaluate, headline, per_article, per_class

LABELS = LabelSet(("pro-talks", "skeptical", "conditional", "none"), "none")
PRO, SKEP, COND, NONE = LABELS.names

# Six sentences. Per class (tp, fp, fn): pro-talks (1, 1, 1) F1 1/2; skeptical (1, 1, 0) F1 2/3;
# conditional (0, 0, 1) F1 0; none (1, 1, 1) F1 1/2.
GOLD = [PRO, PRO, SKEP, COND, NONE, NONE]
PRED = [PRO, SKEP, SKEP, NONE, NONE, PRO]


def test_macro_f1_over_four_labels() -> None:
    assert headline(GOLD, PRED, LABELS)["macro_f1"] == pytest.approx((1 / 2 + 2 / 3 + 0 + 1 / 2) / 4)


def test_accuracy() -> None:
    assert headline(GOLD, PRED, LABELS)["accuracy"] == pytest.approx(3 / 6)


def test_claim_vs_none_f1() -> None:
    # Claims gold [T, T, T, T, F, F], predicted [T, T, T, F, F, T]: tp 3, fp 1, fn 1.
    assert headline(GOLD, PRED, LABELS)["claim_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 1))


def test_stance_macro_f1_is_scored_on_gold_claims_only() -> None:
    # Gold claims only: gold [pro, pro, skep, cond], predicted [pro, skep, skep, none].
    # pro-talks (1, 0, 1) F1 2/3; skeptical (1, 1, 0) F1 2/3; conditional (0, 0, 1) F1 0.
    assert headline(GOLD, PRED, LABELS)["stance_macro_f1"] == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    # A wrong prediction on a gold `none` sentence changes nothing here.
    assert headline(GOLD, PRED[:5] + [COND], LABELS)["stance_macro_f1"] == pytest.approx(4 / 9)
    assert headline([NONE, NONE], [PRO, NONE], LABELS)["stance_macro_f1"] == 0.0


def test_perfect_and_majority_predictions() -> None:
    perfect = headline(GOLD, GOLD, LABELS)
    assert perfect == {"macro_f1": 1.0, "accuracy": 1.0, "claim_f1": 1.0, "stance_macro_f1": 1.0}
    majority = headline(GOLD, [NONE] * len(GOLD), LABELS)
    # none: tp 2, fp 4, fn 0 -> F1 = 4 / 8; the three claim labels score 0.
    assert majority == pytest.approx({"macro_f1": (4 / 8) / 4, "accuracy": 2 / 6, "claim_f1": 0.0, "stance_macro_f1": 0.0})


def test_per_class_counts() -> None:
    scores = per_class(GOLD, PRED, LABELS)
    assert list(scores) == list(LABELS.names)
    assert scores[SKEP] == pytest.approx({"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "support": 1})
    assert scores[COND] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert [s["support"] for s in scores.values()] == [2, 1, 1, 2]


def test_per_article_scores() -> None:
    articles = ["a", "a", "a", "b", "b", "b"]
    scores = per_article(GOLD, PRED, articles, LABELS)
    assert list(scores) == ["a", "b"]
    assert scores["a"]["sentences"] == 3 and scores["a"]["claims"] == 3
    assert scores["b"]["sentences"] == 3 and scores["b"]["claims"] == 1
    assert scores["a"]["accuracy"] == pytest.approx(2 / 3)
    assert scores["b"]["accuracy"] == pytest.approx(1 / 3)
    assert scores["b"]["claim_f1"] == 0.0
    # Article a: gold [pro, pro, skep], predicted [pro, skep, skep]; only pro-talks and skeptical occur,
    # each with F1 2/3, so the article's macro-F1 averages those two and ignores the absent labels.
    assert scores["a"] == pytest.approx(
        {**headline(GOLD[:3], PRED[:3], LABELS), "macro_f1": 2 / 3, "claims": 3, "sentences": 3}
    )


def test_per_article_macro_f1_of_a_perfect_all_none_article_is_one() -> None:
    scores = per_article([NONE] * 4, [NONE] * 4, ["x"] * 4, LABELS)
    assert scores["x"]["macro_f1"] == 1.0
    assert headline([NONE] * 4, [NONE] * 4, LABELS)["macro_f1"] == 0.25


# --- bootstrap -----------------------------------------------------------------------------------

# Forty sentences, half right: enough spread for an interval with some width.
WIDE_GOLD = [PRO, SKEP, COND, NONE] * 10
WIDE_PRED = [PRO, SKEP, NONE, NONE, SKEP, SKEP, COND, PRO] * 5
FAST = EvaluateParams(models=("m",), bootstrap=100, confidence=0.9)


@pytest.fixture(scope="module")
def intervals() -> dict[str, list[float]]:
    return bootstrap_intervals(WIDE_GOLD, WIDE_PRED, LABELS, FAST, seed=13)


def test_bootstrap_interval_contains_the_point_estimate(intervals: dict[str, list[float]]) -> None:
    point = headline(WIDE_GOLD, WIDE_PRED, LABELS)
    assert set(intervals) == set(point)
    for name, (low, high) in intervals.items():
        assert low <= point[name] <= high, name
    low, high = intervals["macro_f1"]
    assert 0 < low < high < 1


def test_bootstrap_is_seeded(intervals: dict[str, list[float]]) -> None:
    assert bootstrap_intervals(WIDE_GOLD, WIDE_PRED, LABELS, FAST, seed=13) == intervals
    assert bootstrap_intervals(WIDE_GOLD, WIDE_PRED, LABELS, FAST, seed=14) != intervals


def test_higher_confidence_gives_a_wider_interval(intervals: dict[str, list[float]]) -> None:
    narrow = intervals["accuracy"]
    wide = bootstrap_intervals(WIDE_GOLD, WIDE_PRED, LABELS, EvaluateParams(bootstrap=100, confidence=0.99), seed=13)["accuracy"]
    assert wide[0] <= narrow[0] and narrow[1] <= wide[1] and (wide[1] - wide[0]) > (narrow[1] - narrow[0])


def test_evaluate_puts_everything_together() -> None:
    articles = ["a", "a", "a", "b", "b", "b"]
    scores = evaluate(GOLD, PRED, articles, LABELS, EvaluateParams(bootstrap=100), seed=13)
    assert scores["macro_f1"] == headline(GOLD, PRED, LABELS)["macro_f1"]
    assert scores["confusion"] == {
        "labels": list(LABELS.names),
        "matrix": [[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 1]],
    }
    fold = [scores["per_article"][a]["macro_f1"] for a in ("a", "b")]
    assert scores["fold_macro_f1"]["mean"] == pytest.approx(sum(fold) / 2)
    assert scores["fold_macro_f1"]["min"] == min(fold) and scores["fold_macro_f1"]["max"] == max(fold)
    assert scores["fold_macro_f1"]["std"] == pytest.approx(abs(fold[0] - fold[1]) / 2)
    assert scores["sentences"] == 6
    assert set(scores["intervals"]) == {"macro_f1", "accuracy", "claim_f1", "stance_macro_f1"}


# --- merging the models' out-of-fold predictions ------------------------------------------------


def cv_rows(pred: list[str], ids: list[str] | None = None) -> list[dict[str, Any]]:
    ids = ids or [f"a-{i}" for i in range(len(pred))]
    return [
        {"id": i, "article": i.split("-")[0], "text": f"sentence {i}", "gold": g, "pred": p, "scores": {p: 1.0}}
        for i, g, p in zip(ids, GOLD, pred)
    ]


def test_merge_predictions_puts_models_side_by_side() -> None:
    merged = merge_predictions({"majority": cv_rows([NONE] * 6), "tfidf": cv_rows(PRED)})
    assert [r["id"] for r in merged] == [f"a-{i}" for i in range(6)]
    assert merged[1] == {
        "id": "a-1",
        "article": "a",
        "text": "sentence a-1",
        "gold": PRO,
        "predictions": {"majority": {"label": NONE, "scores": {NONE: 1.0}}, "tfidf": {"label": SKEP, "scores": {SKEP: 1.0}}},
    }


@pytest.mark.parametrize(
    "other_ids",
    [
        [f"a-{i}" for i in (0, 1, 2, 3, 5, 4)],  # same sentences, other order
        [f"a-{i}" for i in range(5)],  # one sentence fewer
        [f"a-{i}" for i in range(1, 7)],  # one sentence different
    ],
)
def test_merge_predictions_rejects_mismatched_sentences(other_ids: list[str]) -> None:
    with pytest.raises(StanceError, match="predictions of 'tfidf' and 'majority' cover different sentences"):
        merge_predictions({"majority": cv_rows([NONE] * 6), "tfidf": cv_rows(PRED, other_ids)})


def test_score_models_scores_each_model_on_the_same_gold() -> None:
    merged = merge_predictions({"majority": cv_rows([NONE] * 6), "tfidf": cv_rows(PRED)})
    scores = score_models(merged, LABELS, EvaluateParams(bootstrap=100), seed=13)
    assert list(scores["cv"]) == ["majority", "tfidf"]
    assert scores["cv"]["tfidf"]["macro_f1"] == pytest.approx(headline(GOLD, PRED, LABELS)["macro_f1"])
    assert scores["cv"]["majority"]["claim_f1"] == 0.0
