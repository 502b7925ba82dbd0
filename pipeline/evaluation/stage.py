"""The `evaluate` and `report` stages, and the floor CI holds the models to.

DVC runs them as `python -m pipeline.evaluation.stage evaluate` and `... report`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.corpus.corpora import in_place_corpora, read_sentences
from pipeline.errors import StanceError
from pipeline.evaluation.headline import write_headlines
from pipeline.evaluation.plots import (
    confusion_csv,
    confusion_png,
    learning_curve_csv,
    learning_curve_png,
    reliability_csv,
    reliability_png,
    risk_coverage_csv,
)
from pipeline.evaluation.predictions import curve_file, cv_file, read_cv
from pipeline.evaluation.report import build_report
from pipeline.evaluation.scoring import (
    Metrics,
    check_floors,
    merge_predictions,
    per_article_csv,
    score_models,
)
from pipeline.files import (
    read_jsonl,
    read_utf8,
    write_bytes,
    write_json,
    write_jsonl,
    write_text,
)
from pipeline.kinds import recipe


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_utf8(path))
    except json.JSONDecodeError as err:
        raise StanceError(f"{path}: not valid JSON ({err.msg}).") from None


def scores_file(config: Config) -> Path:
    """Every score the report is written from; too many numbers for DVC to show."""
    return config.paths.reports / "scores.json"


def headline_folder(config: Config) -> Path:
    """The evaluate stage's DVC metrics: one small file per model (`pipeline.evaluation.headline`)."""
    return config.paths.reports / "metrics"


def read_metrics(config: Config) -> Metrics:
    path = scores_file(config)
    return Metrics.from_json(read_json(path), str(path))


def evaluate(config: Config) -> str:
    """Score every model's out-of-fold predictions; write the scores, the headline metrics, merged predictions and plots."""
    reports = config.paths.reports
    by_model = {}
    for name in config.evaluate.models:
        path = cv_file(reports, name)
        if not path.exists():
            raise StanceError(f"{path}: no cross-validation predictions for {name!r}; run `dvc repro train@{name}`.")
        by_model[name] = read_cv(path, config.labels)
    merged = merge_predictions(by_model)
    curves = {name: read_json(curve_file(reports, name)) for name in config.evaluate.models}
    metrics = score_models(merged, curves, config.labels, config.evaluate, config.train.seed, config.train.confidence_grid, config.predict.min_claims)
    write_json(scores_file(config), metrics.to_json())
    write_headlines(headline_folder(config), metrics, config.train.claim_precision)
    write_jsonl(reports / "cv_predictions.jsonl", merged)
    write_plots(reports / "plots", metrics, merged)
    write_text(reports / "per_article.csv", per_article_csv(merged, config.labels, config.evaluate.models))
    summary = ", ".join(f"{name} {metrics.cv[name]['macro_f1']:.3f}" for name in config.evaluate.models)
    return f"Scored {len(merged)} sentences; macro-F1: {summary}; wrote {scores_file(config)} and {headline_folder(config)}/."


def write_plots(plots: Path, metrics: Metrics, merged: Sequence[Mapping[str, Any]]) -> None:
    """The report's PNGs and, per model, the CSVs dvc.yaml declares as plots."""
    for name in metrics.cv:
        confusion = metrics.cv[name]["confusion"]
        write_text(plots / f"confusion_{name}.csv", confusion_csv(merged, name))
        write_bytes(plots / f"confusion_{name}.png", confusion_png(confusion["matrix"], confusion["labels"], name))
        write_text(plots / f"learning_curve_{name}.csv", learning_curve_csv(metrics.learning_curve[name]))
        write_text(plots / f"reliability_{name}.csv", reliability_csv(metrics.confidence[name]["reliability"]))
        write_text(plots / f"risk_coverage_{name}.csv", risk_coverage_csv(metrics.confidence[name]["risk_coverage"]))
    write_bytes(plots / "learning_curve.png", learning_curve_png(metrics.learning_curve))
    write_bytes(plots / "reliability.png", reliability_png({name: view["reliability"] for name, view in metrics.confidence.items()}))


def report(config: Config) -> str:
    """reports/report.md; pool sentences appear by id, since their text is never copied."""
    metrics = read_metrics(config)
    merged = [record for _, record in read_jsonl(config.paths.reports / "cv_predictions.jsonl")]
    hidden = in_place_corpora(config.paths)
    texts = {s.id: s.text for s in read_sentences(config.paths.sentences) if s.corpus not in hidden}
    recipes = {name: recipe(name, config.kind_params(name)) for name in metrics.cv}
    behaviour_path = behaviour_file(config)
    if not behaviour_path.exists():
        raise StanceError(f"{behaviour_path}: no behavioural test results; run `dvc repro behaviour` first.")
    path = config.paths.reports / "report.md"
    write_text(path, build_report(metrics, merged, texts, recipes, config.labels, config.report, config.train.claim_precision, read_json(behaviour_path)))
    return f"Wrote {path}."


def check_floor(config: Config) -> list[str]:
    return [f"{name}: CV macro-F1 {score:.3f} >= floor {floor:.3f}." for name, score, floor in check_floors(config.floor, read_metrics(config))]


def behaviour_file(config: Config) -> Path:
    return config.paths.reports / "behaviour.json"


if __name__ == "__main__":
    from pipeline.stage_entry import main

    main(evaluate, report)
