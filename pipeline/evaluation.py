"""Out-of-fold predictions of every model, side by side, scored on the same sentences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.config import LabelSet
from pipeline.errors import StanceError
from pipeline.metrics import EvaluateParams, evaluate


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
        record = {key: first[key] for key in ("id", "article", "text", "gold")}
        record["predictions"] = {name: {"label": row["pred"], "scores": row["scores"]} for name, row in zip(names, rows)}
        merged.append(record)
    return merged


def score_models(merged: Sequence[dict[str, Any]], labels: LabelSet, params: EvaluateParams, seed: int) -> dict[str, Any]:
    gold = [r["gold"] for r in merged]
    articles = [r["article"] for r in merged]
    models = list(merged[0]["predictions"]) if merged else []
    return {
        "cv": {
            name: evaluate(gold, [r["predictions"][name]["label"] for r in merged], articles, labels, params, seed)
            for name in models
        }
    }


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
