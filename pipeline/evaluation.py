"""Out-of-fold predictions of every model, side by side, scored on the same sentences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.config import LabelSet
from pipeline.errors import StanceError
from pipeline.metrics import (
    EvaluateParams,
    article_resamples,
    evaluate,
    paired_differences,
    scored,
)


def merge_predictions(by_model: Mapping[str, Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One record per sentence with every model's prediction; all models must cover the same sentences."""
    names = list(by_model)
    reference = [r["id"] for r in by_model[names[0]]]
    for name in names[1:]:
        if [r["id"] for r in by_model[name]] != reference:
            raise StanceError(f"cross-validation predictions of {name!r} and {names[0]!r} cover different sentences; rerun `dvc repro`.")
    merged = []
    for rows in zip(*(by_model[name] for name in names)):
        first = rows[0]
        record = {key: first[key] for key in ("id", "article", "slice", "fold", "gold")}
        record["predictions"] = {name: {"label": row["pred"], "scores": row["scores"]} for name, row in zip(names, rows)}
        merged.append(record)
    return merged


def score_models(
    merged: Sequence[dict[str, Any]], curves: Mapping[str, Sequence[Mapping[str, Any]]], labels: LabelSet, params: EvaluateParams, seed: int
) -> dict[str, Any]:
    """CV scores of every model, the paired differences between them, and the learning curves, all with intervals."""
    gold = [r["gold"] for r in merged]
    articles = [r["article"] for r in merged]
    slices = [r["slice"] for r in merged]
    preds = {name: [r["predictions"][name]["label"] for r in merged] for name in (merged[0]["predictions"] if merged else [])}
    draws = article_resamples(articles, params.bootstrap, seed)
    return {
        "corpus": corpus_counts(merged, labels),
        "cv": {name: evaluate(gold, pred, articles, slices, labels, params, seed) for name, pred in preds.items()},
        "paired": paired_differences(gold, preds, articles, labels, params, seed),
        "learning_curve": {
            name: [
                {"articles": p["articles"], "train_sentences": p["train_sentences"], **scored(gold, p["pred"], labels, draws, params.confidence)}
                for p in points
            ]
            for name, points in curves.items()
        },
    }


def corpus_counts(merged: Sequence[Mapping[str, Any]], labels: LabelSet) -> dict[str, dict[str, int]]:
    """Labeled sentences, articles and labels per slice: the class mix of the pool against the seed."""
    out: dict[str, dict[str, int]] = {}
    for record in merged:
        row = out.setdefault(record["slice"], {"articles": 0, "sentences": 0, **{name: 0 for name in labels.names}})
        row["sentences"] += 1
        row[record["gold"]] += 1
    for name, row in out.items():
        row["articles"] = len({r["article"] for r in merged if r["slice"] == name})
    return dict(sorted(out.items()))


def check_floors(floors: Any, cv: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """(model, CV macro-F1, floor) for each floor in configs; a score below its floor is an error."""
    if not isinstance(floors, dict) or not floors:
        raise StanceError("configs: section 'floor' must map model names to minimum CV macro-F1 values.")
    checked = []
    for name, floor in floors.items():
        if isinstance(floor, bool) or not isinstance(floor, int | float) or not 0 <= floor <= 1:
            raise StanceError(f"configs: floor.{name} must be a number between 0 and 1, got {floor!r}.")
        if name not in cv:
            raise StanceError(f"configs: floor names model {name!r}, which has no cross-validation scores.")
        score = float(cv[name]["macro_f1"])
        if score < floor:
            raise StanceError(f"{name} CV macro-F1 {score:.3f} is below its floor {floor:.3f} (configs floor.{name}).")
        checked.append((name, score, float(floor)))
    return checked
