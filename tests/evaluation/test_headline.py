"""The headline metrics DVC tracks: a few numbers per model, each equal to the detail file's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import StanceError
from pipeline.evaluation.confidence import recommended_confidence
from pipeline.evaluation.headline import Headline, Interval, model_headline, write_headlines
from pipeline.evaluation.scoring import Metrics, merge_predictions, score_models
from tests.evaluation.test_metrics import GOLD, LABELS, NONE, PRED, QUICK, cv_rows

CLAIM_PRECISION = 0.55
# Four models, as configs/params.yaml scores them: `dvc metrics show` stays a small table.
MOST_NUMBERS = 60
SHAPE = {"macro_f1": {"value", "low", "high"}, "claim_f1": None, "stance_macro_f1": None, "accuracy": None, "ece": None, "recommended_confidence": None}


def numbers(raw: Any) -> list[float]:
    """Every number in a JSON value, as DVC would list them."""
    if isinstance(raw, dict):
        return [n for value in raw.values() for n in numbers(value)]
    return [raw] if isinstance(raw, int | float) else []


def assert_headline_matches(raw: dict[str, Any], scores: dict[str, Any], name: str, claim_precision: float) -> None:
    """A headline file's numbers are the detail scores' (`scores` is reports/scores.json as read back)."""
    cv, view = scores["cv"][name], scores["confidence"][name]
    low, high = cv["intervals"]["macro_f1"]
    assert raw["macro_f1"] == {"value": cv["macro_f1"], "low": low, "high": high}
    assert [raw["claim_f1"], raw["stance_macro_f1"], raw["accuracy"], raw["ece"]] == [cv["claim_f1"], cv["stance_macro_f1"], cv["accuracy"], view["ece"]]
    if "recommended_confidence" in raw:
        assert raw["recommended_confidence"] == recommended_confidence(view["risk_coverage"], claim_precision)
    assert set(raw) <= set(SHAPE) and set(SHAPE) - set(raw) <= {"recommended_confidence"}
    assert len(numbers(raw)) * 4 < MOST_NUMBERS


@pytest.fixture
def metrics() -> Metrics:
    merged = merge_predictions({"majority": cv_rows([NONE] * 6), "tfidf": cv_rows(PRED)})
    curves = {name: [{"articles": 1, "train_sentences": 3.0, "pred": GOLD}] for name in ("majority", "tfidf")}
    return score_models(merged, curves, LABELS, QUICK, seed=13, thresholds=(0.5, 0.9), min_claims=2)


def test_one_small_file_per_model_with_the_detail_files_numbers(metrics: Metrics, tmp_path: Path) -> None:
    (tmp_path / "fast.json").write_text("{}", encoding="utf-8")  # a model no longer scored
    write_headlines(tmp_path, metrics, CLAIM_PRECISION)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["majority.json", "tfidf.json"]
    detail = json.loads(json.dumps(metrics.to_json()))
    for name in ("majority", "tfidf"):
        raw = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))
        assert list(raw)[:1] == ["macro_f1"] and list(raw["macro_f1"]) == ["value", "low", "high"]
        assert_headline_matches(raw, detail, name, CLAIM_PRECISION)


def test_a_model_that_never_predicts_a_claim_has_no_recommended_confidence(metrics: Metrics) -> None:
    assert model_headline(metrics, "majority", CLAIM_PRECISION).recommended_confidence is None
    assert "recommended_confidence" not in model_headline(metrics, "majority", CLAIM_PRECISION).to_json()
    assert model_headline(metrics, "tfidf", CLAIM_PRECISION).recommended_confidence in (0.5, 0.9)


def test_headline_round_trips_and_an_old_file_says_what_to_rerun(metrics: Metrics) -> None:
    for name in ("majority", "tfidf"):
        headline = model_headline(metrics, name, CLAIM_PRECISION)
        assert Headline.from_json(json.loads(json.dumps(headline.to_json())), "h.json") == headline
    assert isinstance(model_headline(metrics, "tfidf", CLAIM_PRECISION).macro_f1, Interval)
    with pytest.raises(StanceError, match=r"^h\.json: not a headline metrics file of this version .*; run `dvc repro evaluate`\.$"):
        Headline.from_json({"macro_f1": 0.5}, "h.json")
