"""Does the int8 ONNX export classify as well as the torch model it came from?

Leave-one-article-out, as `dvc repro` does it: each fold's transformer is
trained by the training code (pipeline.training.train.fitter), saved (which writes
its int8 ONNX export) and loaded back through onnxruntime; both predict the
held-out article. Reported: macro-F1 of the out-of-fold predictions of each,
and how often their labels agree.

    python benchmarks/onnx_quality.py [--params configs/params.yaml]
"""

from __future__ import annotations

import datetime
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import typer
from workload import OutputOption, ParamsOption

from pipeline.config import DEFAULT_PARAMS, load_config
from pipeline.evaluation.metrics import headline
from pipeline.files import write_json
from pipeline.labels.dataset import Dataset
from pipeline.labels.descriptions import read_descriptions
from pipeline.labels.records import training_rows
from pipeline.models import onnx_runtime
from pipeline.models.calibration import Calibrated
from pipeline.models.onnx_export import export_int8
from pipeline.training.crossval import folds
from pipeline.training.train import fitter

app = typer.Typer(add_completion=False)

HERE = Path(__file__).resolve().parent


@app.command()
def main(params: ParamsOption = DEFAULT_PARAMS, output: OutputOption = HERE / "results" / "onnx_quality.json") -> None:
    """Macro-F1 and labels of the int8 ONNX export against torch, on the pipeline's own folds."""

    config = load_config(params)
    paths = config.paths
    labels = config.labels
    settings = config.kind_params("transformer")
    train_params = config.train
    seed = train_params.seed
    data = Dataset.from_labeled(training_rows(paths, labels))
    fit = fitter("transformer", labels, settings, seed, read_descriptions(paths.descriptions, labels))

    gold: list[str] = []
    predicted: dict[str, list[str]] = {"torch": [], "onnx": []}
    largest_difference = 0.0
    start = time.perf_counter()
    for fold, (train, test) in enumerate(folds(data, train_params.folds, seed)):
        model = fit(data.subset(train))
        held_out = data.subset(test)
        with tempfile.TemporaryDirectory() as tmp:
            model.save(Path(tmp))
            export_int8(model.model, Path(tmp), settings)  # type: ignore[arg-type]
            exported = Calibrated(onnx_runtime.load(Path(tmp), labels.names, settings), model.temperature)
            scores = {"torch": model.predict_proba(held_out.texts), "onnx": exported.predict_proba(held_out.texts)}
        gold.extend(held_out.labels)
        for name, proba in scores.items():
            predicted[name].extend(labels.names[i] for i in proba.argmax(axis=1))
        largest_difference = max(largest_difference, float(np.abs(scores["torch"] - scores["onnx"]).max()))
        print(f"fold {fold}: {len(held_out)} sentences, labels agree on {np.mean(scores['torch'].argmax(1) == scores['onnx'].argmax(1)):.1%}", file=sys.stderr)

    results = {name: headline(gold, pred, labels) for name, pred in predicted.items()}
    agreement = float(np.mean([a == b for a, b in zip(predicted["torch"], predicted["onnx"])]))
    report = {
        "date": datetime.date.today().isoformat(),
        "command": " ".join(["python benchmarks/onnx_quality.py", *sys.argv[1:]]),
        "scheme": f"{train_params.folds}-fold grouped by article, fold models retrained",
        "sentences": len(gold),
        "recipe": settings.recipe,
        "macro_f1": {name: round(r["macro_f1"], 4) for name, r in results.items()},
        "macro_f1_difference": round(results["onnx"]["macro_f1"] - results["torch"]["macro_f1"], 4),
        "label_agreement": round(agreement, 4),
        "largest_probability_difference": round(largest_difference, 4),
        "seconds": round(time.perf_counter() - start),
    }
    write_json(output, report)
    print(
        f"Out-of-fold macro-F1 over {len(gold)} sentences: torch {report['macro_f1']['torch']:.4f}, "
        f"onnx int8 {report['macro_f1']['onnx']:.4f} (difference {report['macro_f1_difference']:+.4f}); "
        f"labels agree on {agreement:.1%}; wrote {output}."
    )


if __name__ == "__main__":
    app()
