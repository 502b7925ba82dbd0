"""The `evaluate` and `report` stages, and the floor CI holds the models to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.corpus.corpora import in_place_corpora, read_sentences
from pipeline.errors import StanceError
from pipeline.evaluation.plots import confusion_png, learning_curve_png, reliability_png
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


def read_json(path: Path) -> Any:
    try:
        return json.loads(read_utf8(path))
    except json.JSONDecodeError as err:
        raise StanceError(f"{path}: not valid JSON ({err.msg}).") from None


def metrics_file(config: Config) -> Path:
    return config.paths.reports / "metrics.json"


def read_metrics(config: Config) -> Metrics:
    path = metrics_file(config)
    return Metrics.from_json(read_json(path), str(path))


def evaluate(config: Config) -> str:
    """Score every model's out-of-fold predictions; write metrics, merged predictions and plots."""
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
    write_json(metrics_file(config), metrics.to_json())
    write_jsonl(reports / "cv_predictions.jsonl", merged)
    plots = reports / "plots"
    for name in config.evaluate.models:
        write_text(plots / f"confusion_{name}.csv", "actual,predicted\n" + "".join(f"{r['gold']},{r['predictions'][name]['label']}\n" for r in merged))
        confusion = metrics.cv[name]["confusion"]
        write_bytes(plots / f"confusion_{name}.png", confusion_png(confusion["matrix"], confusion["labels"], name))
        write_text(
            plots / f"learning_curve_{name}.csv",
            "train_articles,macro_f1,low,high\n"
            + "".join(
                f"{p['articles']:.1f},{p['macro_f1']:.4f},{p['intervals']['macro_f1'][0]:.4f},{p['intervals']['macro_f1'][1]:.4f}\n"
                for p in metrics.learning_curve[name]
            ),
        )
    write_bytes(plots / "learning_curve.png", learning_curve_png(metrics.learning_curve))
    write_bytes(plots / "reliability.png", reliability_png({name: view["reliability"] for name, view in metrics.confidence.items()}))
    write_text(reports / "per_article.csv", per_article_csv(merged, config.labels, config.evaluate.models))
    summary = ", ".join(f"{name} {metrics.cv[name]['macro_f1']:.3f}" for name in config.evaluate.models)
    return f"Scored {len(merged)} sentences; macro-F1: {summary}; wrote {metrics_file(config)}."


def report(config: Config) -> str:
    """reports/report.md; pool sentences appear by id, since their text is never copied."""
    metrics = read_metrics(config)
    merged = [record for _, record in read_jsonl(config.paths.reports / "cv_predictions.jsonl")]
    hidden = in_place_corpora(config.paths)
    texts = {s.id: s.text for s in read_sentences(config.paths.sentences) if s.corpus not in hidden}
    recipe = describe(config.report.focus, config.kind_params(config.report.focus))
    behaviour_path = behaviour_file(config)
    if not behaviour_path.exists():
        raise StanceError(f"{behaviour_path}: no behavioural test results; run `dvc repro behaviour` first.")
    path = config.paths.reports / "report.md"
    write_text(path, build_report(metrics, merged, texts, recipe, config.labels, config.report, config.train.claim_precision, read_json(behaviour_path)))
    return f"Wrote {path}."


def describe(kind: str, params: Any) -> str:
    """A model's recipe in a few words, for the report."""
    what = {
        "majority": "the most frequent label",
        "tfidf": "TF-IDF word and character n-grams, logistic regression",
        "fast": "static token vectors distilled from the encoder (model2vec), logistic regression",
    }.get(kind) or f"`{params.recipe}` recipe"
    return what + (" with the label descriptions" if params.descriptions else "")


def check_floor(config: Config) -> list[str]:
    return [f"{name}: CV macro-F1 {score:.3f} >= floor {floor:.3f}." for name, score, floor in check_floors(config.floor, read_metrics(config))]


def behaviour_file(config: Config) -> Path:
    return config.paths.reports / "behaviour.json"
