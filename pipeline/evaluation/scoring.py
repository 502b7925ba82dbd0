"""Out-of-fold predictions of every model, side by side, scored on the same sentences."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import StanceError
from pipeline.evaluation.confidence import confidence_view
from pipeline.evaluation.metrics import (
    article_resamples,
    evaluate,
    paired_differences,
    per_article,
    scored,
)
from pipeline.evaluation.predictions import CvPrediction
from pipeline.params import EvaluateParams, LabelSet


def merge_predictions(by_model: Mapping[str, Sequence[CvPrediction]]) -> list[dict[str, Any]]:
    """One record per sentence with every model's prediction; all models must cover the same sentences."""
    names = list(by_model)
    reference = [r.id for r in by_model[names[0]]]
    for name in names[1:]:
        if [r.id for r in by_model[name]] != reference:
            raise StanceError(f"cross-validation predictions of {name!r} and {names[0]!r} cover different sentences; rerun `dvc repro`.")
    merged = []
    for rows in zip(*(by_model[name] for name in names)):
        first = rows[0]
        record: dict[str, Any] = {"id": first.id, "article": first.article, "slice": first.slice, "fold": first.fold, "gold": first.gold}
        record["predictions"] = {name: {"label": row.pred, "scores": row.scores} for name, row in zip(names, rows, strict=True)}
        merged.append(record)
    return merged


@dataclass(frozen=True)
class Metrics:
    """`reports/metrics.json`: what `dvc metrics` shows and the report is written from."""

    corpus: dict[str, dict[str, int]]
    cv: dict[str, dict[str, Any]]
    paired: dict[str, dict[str, Any]]
    learning_curve: dict[str, list[dict[str, Any]]]
    # Model -> calibration error with its interval, reliability bins, precision of claims by confidence.
    confidence: dict[str, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, raw: Any, source: str) -> Metrics:
        fields = [f.name for f in dataclasses.fields(cls)]
        if not isinstance(raw, dict) or any(name not in raw for name in fields):
            raise StanceError(f"{source}: not a metrics file of this version (needs {', '.join(fields)}); run `dvc repro evaluate`.")
        return cls(**{name: raw[name] for name in fields})


def score_models(
    merged: Sequence[dict[str, Any]],
    curves: Mapping[str, Sequence[Mapping[str, Any]]],
    labels: LabelSet,
    params: EvaluateParams,
    seed: int,
    thresholds: Sequence[float],
) -> Metrics:
    """CV scores of every model, the paired differences between them, the learning curves and calibration, all with intervals."""
    gold = [r["gold"] for r in merged]
    articles = [r["article"] for r in merged]
    slices = [r["slice"] for r in merged]
    preds = {name: [r["predictions"][name]["label"] for r in merged] for name in (merged[0]["predictions"] if merged else [])}
    draws = article_resamples(articles, params.bootstrap, seed)
    return Metrics(
        corpus=corpus_counts(merged, labels),
        cv={name: evaluate(gold, pred, articles, slices, labels, params, seed) for name, pred in preds.items()},
        paired=paired_differences(gold, preds, articles, labels, params, seed),
        learning_curve={
            name: [
                {"articles": p["articles"], "train_sentences": p["train_sentences"], **scored(gold, p["pred"], labels, draws, params.confidence)}
                for p in points
            ]
            for name, points in curves.items()
        },
        confidence={
            name: confidence_view(
                gold, preds[name], [r["predictions"][name]["scores"][r["predictions"][name]["label"]] for r in merged], labels,
                params.calibration_bins, thresholds, draws, params.confidence,
            )
            for name in preds
        },
    )


def per_article_csv(merged: Sequence[Mapping[str, Any]], labels: LabelSet, models: Sequence[str]) -> str:
    """Each held-out article's scores, one row per article: too many for the report, kept for whoever digs."""
    gold = [r["gold"] for r in merged]
    articles = [r["article"] for r in merged]
    slices = {r["article"]: r["slice"] for r in merged}
    scores = {name: per_article(gold, [r["predictions"][name]["label"] for r in merged], articles, labels) for name in models}
    first = scores[models[0]]
    rows = [
        ",".join([article, slices[article], str(first[article]["sentences"]), str(first[article]["claims"]), *(f"{scores[m][article]['macro_f1']:.4f}" for m in models)])
        for article in first
    ]
    return "\n".join(["article,slice,sentences,claims," + ",".join(f"macro_f1_{m}" for m in models), *rows]) + "\n"


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


def check_floors(floors: Mapping[str, float], metrics: Metrics) -> list[tuple[str, float, float]]:
    """(model, CV macro-F1, floor) for each floor in configs; a score below its floor is an error."""
    if not floors:
        raise StanceError("configs: section 'floor' must map model names to minimum CV macro-F1 values.")
    checked = []
    for name, floor in floors.items():
        if name not in metrics.cv:
            raise StanceError(f"configs: floor names model {name!r}, which has no cross-validation scores.")
        score = float(metrics.cv[name]["macro_f1"])
        if score < floor:
            raise StanceError(f"{name} CV macro-F1 {score:.3f} is below its floor {floor:.3f} (configs floor.{name}).")
        checked.append((name, score, float(floor)))
    return checked
