"""Compare transformer recipes under the pipeline's article-grouped cross-validation.

Each recipe runs through the same training code as `dvc repro`
(pipeline.training.crossval.out_of_fold with pipeline.models.transformer.fit); only the
`transformer` parameters differ. The winner becomes `transformer.recipe` in
configs/params.yaml.

    python benchmarks/recipes.py [--only head,finetune] [--output benchmarks/results/recipes.json]
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Annotated

import typer
from workload import OutputOption, ParamsOption

from pipeline.config import DEFAULT_PARAMS, load_config
from pipeline.evaluation.metrics import evaluate
from pipeline.files import write_json
from pipeline.labels.dataset import Dataset
from pipeline.labels.descriptions import read_descriptions
from pipeline.labels.records import training_rows
from pipeline.training.crossval import out_of_fold
from pipeline.training.train import fitter

app = typer.Typer(add_completion=False)

# Variants on top of configs/params.yaml's transformer section.
RECIPES: dict[str, dict[str, object]] = {
    "head": {"recipe": "head", "descriptions": False},
    "head+descriptions": {"recipe": "head", "descriptions": True},
    "setfit": {"recipe": "setfit", "descriptions": False, "epochs": 1, "pairs_per_sentence": 2, "learning_rate": 2e-5},
    "finetune": {"recipe": "finetune", "descriptions": False, "epochs": 4, "learning_rate": 3e-5, "head_learning_rate": 1e-2},
}


@app.command()
def main(
    params: ParamsOption = DEFAULT_PARAMS,
    only: Annotated[str, typer.Option("--only", help="Comma-separated recipes to run.")] = ",".join(RECIPES),
    output: OutputOption = Path("benchmarks/results/recipes.json"),
) -> None:
    """Compare transformer recipes under the pipeline's article-grouped cross-validation."""

    config = load_config(params)
    paths = config.paths
    labels = config.labels
    train = config.train
    seed = train.seed
    base = config.transformer
    data = Dataset.from_labeled(training_rows(paths, labels))
    descriptions = read_descriptions(paths.descriptions, labels)

    results = json.loads(output.read_text()) if output.exists() else {}
    for name in only.split(","):
        params = dataclasses.replace(base, **RECIPES[name])
        start = time.perf_counter()
        records = out_of_fold(data, fitter("transformer", labels, params, seed, descriptions), train.folds, seed)
        seconds = time.perf_counter() - start
        scores = evaluate(
            [r["gold"] for r in records], [r["pred"] for r in records], [r["article"] for r in records], [r["slice"] for r in records], labels, config.evaluate, seed
        )
        results[name] = {
            "params": dataclasses.asdict(params),
            "macro_f1": scores["macro_f1"],
            "macro_f1_interval": scores["intervals"]["macro_f1"],
            "claim_f1": scores["claim_f1"],
            "stance_macro_f1": scores["stance_macro_f1"],
            "fold_macro_f1": scores["fold_macro_f1"],
            "cv_seconds": round(seconds, 1),
        }
        print(f"{name}: macro-F1 {scores['macro_f1']:.3f} {scores['intervals']['macro_f1']} claim-F1 {scores['claim_f1']:.3f} ({seconds:.0f} s)", flush=True)
        write_json(output, results)


if __name__ == "__main__":
    app()
