"""Compare transformer recipes under the pipeline's article-grouped cross-validation.

Each recipe runs through the same training code as `dvc repro`
(pipeline.crossval.out_of_fold with pipeline.transformer.fit); only the
`transformer` parameters differ. The winner becomes `transformer.recipe` in
configs/params.yaml.

    python benchmarks/recipes.py [--only head,finetune] [--output benchmarks/results/recipes.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

from pipeline.config import LabelSet, Paths, read_params, section
from pipeline.crossval import TrainParams, out_of_fold
from pipeline.dataset import Dataset
from pipeline.descriptions import read_descriptions
from pipeline.labels import training_rows
from pipeline.metrics import EvaluateParams, evaluate
from pipeline.training import fitter
from pipeline.transformer import TransformerParams

# Variants on top of configs/params.yaml's transformer section.
RECIPES: dict[str, dict[str, object]] = {
    "head": {"recipe": "head", "descriptions": False},
    "head+descriptions": {"recipe": "head", "descriptions": True},
    "setfit": {"recipe": "setfit", "descriptions": False, "epochs": 1, "pairs_per_sentence": 2, "learning_rate": 2e-5},
    "finetune": {"recipe": "finetune", "descriptions": False, "epochs": 4, "learning_rate": 3e-5, "head_learning_rate": 1e-2},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=Path("configs/params.yaml"))
    parser.add_argument("--only", default=",".join(RECIPES))
    parser.add_argument("--output", type=Path, default=Path("benchmarks/results/recipes.json"))
    args = parser.parse_args()

    raw = read_params(args.params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    train = section(raw, "train", TrainParams)
    seed = train.seed
    base = section(raw, "transformer", TransformerParams)
    data = Dataset.from_labeled(training_rows(paths, labels))
    descriptions = read_descriptions(paths.descriptions, labels)

    results = json.loads(args.output.read_text()) if args.output.exists() else {}
    for name in args.only.split(","):
        params = dataclasses.replace(base, **RECIPES[name])
        start = time.perf_counter()
        records = out_of_fold(data, fitter("transformer", labels, params, seed, descriptions), train.folds, seed)
        seconds = time.perf_counter() - start
        scores = evaluate(
            [r["gold"] for r in records], [r["pred"] for r in records], [r["article"] for r in records], [r["slice"] for r in records], labels, EvaluateParams(), seed
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
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
