"""Out-of-fold predictions of every model, side by side, scored on the same sentences."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import StanceError
from pipeline.evaluation.confidence import confidence_view, summary_view
from pipeline.evaluation.metrics import (
    article_resamples,
    evaluate,
    paired_differences,
    per_article,
    scored,
)
from pipeline.evaluation.predictions import CvPrediction
from pipeline.params import EvaluateParams, LabelSet

# Groups every model is scored within (`per_slice`, `per_genre`), and the ones the labeled data is counted by.
SCORED_VIEWS = ("slice", "genre")
COUNTED_VIEWS = ("corpus", *SCORED_VIEWS)


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
        record: dict[str, Any] = {
            "id": first.id,
            "article": first.article,
            "corpus": first.corpus,
            "slice": first.slice,
            "genre": first.genre,
            "fold": first.fold,
            "gold": first.gold,
        }
        record["predictions"] = {name: {"label": row.pred, "scores": row.scores} for name, row in zip(names, rows, strict=True)}
        merged.append(record)
    return merged


@dataclass(frozen=True)
class Metrics:
    """`reports/scores.json`: every score the report is written from; the few `dvc metrics` shows are in `reports/metrics/`."""

    # View (corpus, slice, genre) -> group -> labeled articles, sentences and labels.
    corpus: dict[str, dict[str, dict[str, int]]]
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
    min_claims: int,
) -> Metrics:
    """CV scores of every model, the paired differences between them, the learning curves and calibration, all with intervals."""
    gold = [r["gold"] for r in merged]
    articles = [r["article"] for r in merged]
    views = {view: [r[view] for r in merged] for view in SCORED_VIEWS}
    preds = {name: [r["predictions"][name]["label"] for r in merged] for name in (merged[0]["predictions"] if merged else [])}
    draws = article_resamples(articles, params.bootstrap, seed)
    return Metrics(
        corpus=corpus_counts(merged, labels),
        cv={name: evaluate(gold, pred, articles, views, labels, params, seed) for name, pred in preds.items()},
        paired=paired_differences(gold, preds, articles, labels, params, seed),
        learning_curve={
            name: [
                {"articles": p["articles"], "train_sentences": p["train_sentences"], **scored(gold, p["pred"], labels, draws, params.confidence)}
                for p in points
            ]
            for name, points in curves.items()
        },
        confidence={name: model_confidence(merged, name, labels, params, thresholds, draws, min_claims) for name in preds},
    )


def model_confidence(
    merged: Sequence[Mapping[str, Any]],
    name: str,
    labels: LabelSet,
    params: EvaluateParams,
    thresholds: Sequence[float],
    draws: Sequence[Any],
    min_claims: int,
) -> dict[str, Any]:
    """Calibration, risk-coverage and what article summaries say, for one model's out-of-fold predictions."""
    gold = [r["gold"] for r in merged]
    pred = [r["predictions"][name]["label"] for r in merged]
    confidence = [r["predictions"][name]["scores"][label] for r, label in zip(merged, pred, strict=True)]
    view = confidence_view(gold, pred, confidence, labels, params.calibration_bins, thresholds, draws, params.confidence)
    view["summaries"] = summary_view(gold, pred, confidence, [r["article"] for r in merged], labels, thresholds, min_claims)
    return view


def per_article_csv(merged: Sequence[Mapping[str, Any]], labels: LabelSet, models: Sequence[str]) -> str:
    """Each held-out article's scores, one row per article: too many for the report, kept for whoever digs."""
    gold = [r["gold"] for r in merged]
    articles = [r["article"] for r in merged]
    slices = {r["article"]: r["slice"] for r in merged}
    scores = {name: per_article(gold, [r["predictions"][name]["label"] for r in merged], articles, labels) for name in models}
    first = scores[models[0]]
    rows = [
        ",".join(
            [
                article,
                slices[article],
                str(first[article]["sentences"]),
                str(first[article]["claims"]),
                *(f"{scores[m][article]['macro_f1']:.4f}" for m in models),
            ]
        )
        for article in first
    ]
    return "\n".join(["article,slice,sentences,claims," + ",".join(f"macro_f1_{m}" for m in models), *rows]) + "\n"


def corpus_counts(merged: Sequence[Mapping[str, Any]], labels: LabelSet) -> dict[str, dict[str, dict[str, int]]]:
    """Labeled sentences, articles and labels per corpus, slice and genre: the class mix of each part."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for view in COUNTED_VIEWS:
        counts: dict[str, dict[str, int]] = {}
        for record in merged:
            row = counts.setdefault(record[view], {"articles": 0, "sentences": 0, **{name: 0 for name in labels.names}})
            row["sentences"] += 1
            row[record["gold"]] += 1
        for name, row in counts.items():
            row["articles"] = len({r["article"] for r in merged if r[view] == name})
        out[view] = dict(sorted(counts.items()))
    return out


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
