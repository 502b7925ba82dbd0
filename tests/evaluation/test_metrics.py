"""Metrics on cases small enough to work out by hand, bootstrap intervals, merging predictions."""

from __future__ import annotations

import dataclasses
import json
import random
from collections import Counter

import pytest
from sklearn.metrics import accuracy_score, f1_score

from pipeline.errors import StanceError
from pipeline.evaluation.metrics import (
    article_resamples,
    evaluate,
    headline,
    paired_differences,
    per_article,
    per_class,
    scored,
)
from pipeline.evaluation.predictions import CvPrediction
from pipeline.evaluation.scoring import Metrics, merge_predictions, score_models
from pipeline.params import EvaluateParams, LabelSet

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
    assert scores["a"] == pytest.approx({**headline(GOLD[:3], PRED[:3], LABELS), "macro_f1": 2 / 3, "claims": 3, "sentences": 3})


def test_per_article_macro_f1_of_a_perfect_all_none_article_is_one() -> None:
    scores = per_article([NONE] * 4, [NONE] * 4, ["x"] * 4, LABELS)
    assert scores["x"]["macro_f1"] == 1.0
    assert headline([NONE] * 4, [NONE] * 4, LABELS)["macro_f1"] == 0.25


# --- bootstrap over articles ----------------------------------------------------------------------

# Forty sentences in ten articles of four, half right: enough spread for an interval with some width.
WIDE_GOLD = [PRO, SKEP, COND, NONE] * 10
WIDE_PRED = [PRO, SKEP, NONE, NONE, SKEP, SKEP, COND, PRO] * 5
WIDE_ARTICLES = [f"art{i // 4}" for i in range(40)]
FAST = EvaluateParams(models=("m",), bootstrap=100, confidence=0.9, calibration_bins=10)
QUICK = EvaluateParams(models=("m",), bootstrap=100, confidence=0.95, calibration_bins=10)


def wide_intervals(seed: int, confidence: float = 0.9) -> dict[str, list[float]]:
    return scored(WIDE_GOLD, WIDE_PRED, LABELS, article_resamples(WIDE_ARTICLES, 100, seed), confidence)["intervals"]


@pytest.fixture(scope="module")
def intervals() -> dict[str, list[float]]:
    return wide_intervals(13)


def test_bootstrap_interval_contains_the_point_estimate(intervals: dict[str, list[float]]) -> None:
    point = headline(WIDE_GOLD, WIDE_PRED, LABELS)
    assert set(intervals) == set(point)
    for name, (low, high) in intervals.items():
        assert low <= point[name] <= high, name
    low, high = intervals["macro_f1"]
    assert 0 < low < high < 1


def test_bootstrap_is_seeded(intervals: dict[str, list[float]]) -> None:
    assert wide_intervals(13) == intervals
    assert wide_intervals(14) != intervals


def test_higher_confidence_gives_a_wider_interval(intervals: dict[str, list[float]]) -> None:
    narrow = intervals["accuracy"]
    wide = wide_intervals(13, confidence=0.99)["accuracy"]
    assert wide[0] <= narrow[0] and narrow[1] <= wide[1] and (wide[1] - wide[0]) > (narrow[1] - narrow[0])


def test_resamples_draw_whole_articles() -> None:
    for draw in article_resamples(WIDE_ARTICLES, 50, seed=3):
        assert len(draw) == 40
        drawn = Counter(WIDE_ARTICLES[i] for i in draw)
        assert all(count % 4 == 0 for count in drawn.values())  # an article comes whole, or not at all
        rows = Counter(int(i) for i in draw)
        assert all(rows[4 * int(a[3:])] == drawn[a] // 4 for a in drawn)


def test_one_article_gives_no_spread() -> None:
    low, high = scored(GOLD, PRED, LABELS, article_resamples(["a"] * 6, 100, 1), 0.95)["intervals"]["macro_f1"]
    assert low == high == headline(GOLD, PRED, LABELS)["macro_f1"]


def test_headline_agrees_with_scikit_learn_on_random_cases() -> None:
    rng = random.Random(7)
    for _ in range(300):
        size = rng.randint(1, 25)
        gold = rng.choices(LABELS.names, weights=[rng.random() for _ in LABELS.names], k=size)
        pred = rng.choices(LABELS.names, k=size)
        on_claims = [i for i, g in enumerate(gold) if g != NONE]
        expected = {
            "macro_f1": f1_score(gold, pred, labels=list(LABELS.names), average="macro", zero_division=0),
            "accuracy": accuracy_score(gold, pred),
            "claim_f1": f1_score([g != NONE for g in gold], [p != NONE for p in pred], zero_division=0),
            "stance_macro_f1": f1_score(
                [gold[i] for i in on_claims], [pred[i] for i in on_claims], labels=list(LABELS.positives), average="macro", zero_division=0
            )
            if on_claims
            else 0.0,
        }
        assert headline(gold, pred, LABELS) == pytest.approx(expected)


def test_paired_differences_of_a_model_with_itself_are_zero_and_a_better_model_wins() -> None:
    paired = paired_differences(WIDE_GOLD, {"a": WIDE_GOLD, "b": WIDE_PRED, "c": WIDE_PRED}, WIDE_ARTICLES, LABELS, FAST, seed=13)
    assert list(paired) == ["a - b", "a - c", "b - c"]
    assert paired["b - c"] == {"macro_f1": 0.0, "interval": [0.0, 0.0]}
    low, high = paired["a - b"]["interval"]
    assert 0 < low <= paired["a - b"]["macro_f1"] <= high


def test_evaluate_puts_everything_together() -> None:
    articles = ["a", "a", "a", "b", "b", "b"]
    slices = ["pk", "pk", "pk", "seed", "seed", "seed"]
    genres = ["news", "news", "news", "news", "news", "news"]
    scores = evaluate(GOLD, PRED, articles, {"slice": slices, "genre": genres}, LABELS, QUICK, seed=13)
    assert scores["macro_f1"] == headline(GOLD, PRED, LABELS)["macro_f1"]
    assert scores["confusion"] == {
        "labels": list(LABELS.names),
        "matrix": [[1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 1]],
    }
    fold = [per_article(GOLD, PRED, articles, LABELS)[a]["macro_f1"] for a in ("a", "b")]
    assert "per_article" not in scores  # one row per article is for reports/per_article.csv, not the metrics
    assert scores["fold_macro_f1"]["mean"] == pytest.approx(sum(fold) / 2)
    assert scores["fold_macro_f1"]["min"] == min(fold) and scores["fold_macro_f1"]["max"] == max(fold)
    assert scores["fold_macro_f1"]["std"] == pytest.approx(abs(fold[0] - fold[1]) / 2)
    assert scores["sentences"] == 6
    assert set(scores["intervals"]) == {"macro_f1", "accuracy", "claim_f1", "stance_macro_f1"}
    assert list(scores["per_slice"]) == ["pk", "seed"]
    assert scores["per_slice"]["pk"]["macro_f1"] == headline(GOLD[:3], PRED[:3], LABELS)["macro_f1"]
    assert (scores["per_slice"]["seed"]["articles"], scores["per_slice"]["seed"]["sentences"], scores["per_slice"]["seed"]["claims"]) == (1, 3, 1)
    assert list(scores["per_genre"]) == ["news"]
    assert scores["per_genre"]["news"]["macro_f1"] == scores["macro_f1"]


# --- merging the models' out-of-fold predictions ------------------------------------------------


def cv_rows(pred: list[str], ids: list[str] | None = None) -> list[CvPrediction]:
    ids = ids or [f"a-{i}" for i in range(len(pred))]
    return [CvPrediction(i, i.split("-")[0], "pk", 0, g, p, {p: 1.0}, "pool", "news") for i, g, p in zip(ids, GOLD, pred, strict=False)]


def test_cv_prediction_round_trips_and_refuses_what_it_cannot_be() -> None:
    record = cv_rows(PRED)[1]
    scores = {name: 0.25 for name in LABELS.names}
    full = dataclasses.replace(record, scores=scores)
    assert CvPrediction.from_json(json.loads(json.dumps(full.to_json())), "cv.jsonl:2", LABELS) == full
    with pytest.raises(StanceError, match=r"^cv\.jsonl:2: record lacks 'slice'; rerun `dvc repro`\.$"):
        CvPrediction.from_json({k: v for k, v in full.to_json().items() if k != "slice"}, "cv.jsonl:2", LABELS)
    with pytest.raises(StanceError, match="scores must give one probability for each of"):
        CvPrediction.from_json({**full.to_json(), "scores": {"none": 1.0}}, "cv.jsonl:2", LABELS)


def test_metrics_round_trip_and_an_old_file_says_what_to_rerun() -> None:
    merged = merge_predictions({"majority": cv_rows([NONE] * 6), "tfidf": cv_rows(PRED)})
    curves = {name: [{"articles": 1, "train_sentences": 3.0, "pred": GOLD}] for name in ("majority", "tfidf")}
    metrics = score_models(merged, curves, LABELS, QUICK, seed=13, thresholds=(0.5, 0.9), min_claims=2)
    again = Metrics.from_json(json.loads(json.dumps(metrics.to_json())), "m.json")
    assert again.to_json() == json.loads(json.dumps(metrics.to_json()))
    with pytest.raises(StanceError, match=r"^m\.json: not a metrics file of this version .*; run `dvc repro evaluate`\.$"):
        Metrics.from_json({"cv": {}}, "m.json")


def test_merge_predictions_puts_models_side_by_side() -> None:
    merged = merge_predictions({"majority": cv_rows([NONE] * 6), "tfidf": cv_rows(PRED)})
    assert [r["id"] for r in merged] == [f"a-{i}" for i in range(6)]
    assert merged[1] == {
        "id": "a-1",
        "article": "a",
        "corpus": "pool",
        "slice": "pk",
        "genre": "news",
        "fold": 0,
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
    curves = {"majority": [{"articles": 1, "train_sentences": 3.0, "pred": [NONE] * 6}], "tfidf": [{"articles": 1, "train_sentences": 3.0, "pred": GOLD}]}
    scores = score_models(merged, curves, LABELS, QUICK, seed=13, thresholds=(0.5, 0.9), min_claims=2)
    assert list(scores.cv) == ["majority", "tfidf"]
    counts = {"articles": 1, "sentences": 6, PRO: 2, SKEP: 1, COND: 1, NONE: 2}
    assert scores.corpus == {"corpus": {"pool": counts}, "slice": {"pk": counts}, "genre": {"news": counts}}
    # one article, gold stance pro-talks (2 of 4 claims); at 0.5 tfidf's claims are all kept: 2 pro-talks of 4 predicted claims
    assert scores.confidence["tfidf"]["summaries"][0] == {"threshold": 0.5, "stated": 1.0, "right": 1.0, "articles": 1}
    assert scores.learning_curve["tfidf"][0]["macro_f1"] == 1.0
    assert list(scores.paired) == ["majority - tfidf"]
    assert scores.cv["tfidf"]["macro_f1"] == pytest.approx(headline(GOLD, PRED, LABELS)["macro_f1"])
    assert scores.cv["majority"]["claim_f1"] == 0.0
