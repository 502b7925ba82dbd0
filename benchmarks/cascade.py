"""A cascade of the fast model and the transformer: how much transformer work it skips, at what cost, on the CV.

Declared before any cascade was scored (issue 20, item 4):

- `none-gate`: every sentence gets the fast model; a sentence whose fast P(none)
  is at least t is `none`, every other gets the transformer's label.
- `two-sided`: the same, and a sentence the fast model labels a claim with
  confidence (its largest score) at least t2 keeps the fast claim; the none
  gate goes first.
- Thresholds are chosen nested: for each of the 5 folds, on the pooled
  out-of-fold predictions of the other 4, the setting that sends the fewest
  sentences to the transformer among those whose macro-F1 is at most 0.01
  below the transformer alone on those same sentences (ties: the higher
  macro-F1), then applied to the held-out fold. 0.01 is the loss issue 20
  allows the int8 export against torch.
- Grids: t in 0.20, 0.25, ..., 0.95; t2 in 0.50, 0.55, ..., 0.95; either can
  be off (never), so the transformer alone is always a candidate.
- Reported: the pooled held-out predictions, 95% intervals from the
  evaluation's article bootstrap (`evaluate.bootstrap` draws, `train.seed`),
  differences paired against the transformer alone on the same draws. Speed is
  an estimate from the per-model rates of benchmarks/results/predict_speed.json
  (time = fast time + share routed x int8 transformer time), not a measurement.
  The fixed-t curve over the whole CV is descriptive, not a selection.

Reads the committed out-of-fold predictions only; runs in seconds.

    python benchmarks/cascade.py [--params configs/params.yaml]
"""

from __future__ import annotations

import datetime
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from workload import OutputOption, ParamsOption

from pipeline.config import DEFAULT_PARAMS, load_config
from pipeline.errors import StanceError
from pipeline.evaluation.metrics import HEADLINE, article_resamples, bootstrap_values, headline, interval
from pipeline.evaluation.predictions import CvPrediction, cv_file, read_cv
from pipeline.files import write_json
from pipeline.params import LabelSet

app = typer.Typer(add_completion=False)

HERE = Path(__file__).resolve().parent
TOLERANCE = 0.01
OFF = float("inf")
GATES = (*(round(0.20 + 0.05 * i, 2) for i in range(16)), OFF)
KEEPS = (*(round(0.50 + 0.05 * i, 2) for i in range(10)), OFF)
VARIANTS = {"none-gate": [(t, OFF) for t in GATES], "two-sided": [(t, k) for t in GATES for k in KEEPS]}
SPEED = HERE / "results" / "predict_speed.json"
ReportsOption = Annotated[
    Path | None, typer.Option("--reports", help="Reports folder holding cv/fast.jsonl and cv/transformer.jsonl (default: paths.reports).")
]
RATES = {"pipeline": "transformers.pipeline", "fast": "stance predict, fast model", "transformer": "stance predict, onnx int8"}


@dataclass(frozen=True)
class Rows:
    """Both models' out-of-fold predictions on the same sentences, as arrays."""

    gold: np.ndarray
    articles: list[str]
    slices: np.ndarray
    folds: np.ndarray
    fast: np.ndarray  # probabilities, columns in LabelSet order
    transformer: np.ndarray  # labels

    @classmethod
    def join(cls, fast: list[CvPrediction], transformer: list[CvPrediction], labels: LabelSet) -> Rows:
        if [(r.id, r.fold, r.gold) for r in fast] != [(r.id, r.fold, r.gold) for r in transformer]:
            raise StanceError("fast and transformer out-of-fold predictions differ in sentences, folds or gold labels; rerun `dvc repro`.")
        return cls(
            gold=np.array([r.gold for r in fast]),
            articles=[r.article for r in fast],
            slices=np.array([r.slice for r in fast]),
            folds=np.array([r.fold for r in fast]),
            fast=np.array([[r.scores[name] for name in labels.names] for r in fast]),
            transformer=np.array([r.pred for r in transformer]),
        )


def cascade(rows: Rows, labels: LabelSet, gate: float, keep: float) -> tuple[np.ndarray, np.ndarray]:
    """The cascade's labels, and which sentences it sends to the transformer."""
    names = np.array(labels.names)
    negative = labels.names.index(labels.negative)
    fast_label = rows.fast.argmax(axis=1)
    confident_none = rows.fast[:, negative] >= gate
    confident_claim = ~confident_none & (fast_label != negative) & (rows.fast.max(axis=1) >= keep)
    routed = ~(confident_none | confident_claim)
    pred = np.where(routed, rows.transformer, np.where(confident_none, labels.negative, names[fast_label]))
    return pred, routed


def choose(rows: Rows, labels: LabelSet, settings: list[tuple[float, float]], train: np.ndarray) -> tuple[float, float]:
    """The declared rule on the training folds: fewest routed within TOLERANCE macro-F1 of the transformer alone."""
    reference = headline(rows.gold[train], rows.transformer[train], labels)["macro_f1"]
    candidates = []
    for gate, keep in settings:
        pred, routed = cascade(rows, labels, gate, keep)
        f1 = headline(rows.gold[train], pred[train], labels)["macro_f1"]
        if f1 >= reference - TOLERANCE:
            candidates.append((float(routed[train].mean()), -f1, gate, keep))
    _, _, gate, keep = min(candidates)
    return gate, keep


def nested(rows: Rows, labels: LabelSet, settings: list[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray, list[dict[str, Any]]]:
    """Held-out labels and routing of every fold, each under the setting chosen on the other folds."""
    pred = np.empty_like(rows.transformer)
    routed = np.zeros(len(rows.gold), dtype=bool)
    chosen = []
    for fold in sorted(set(rows.folds.tolist())):
        test = rows.folds == fold
        gate, keep = choose(rows, labels, settings, ~test)
        fold_pred, fold_routed = cascade(rows, labels, gate, keep)
        pred[test], routed[test] = fold_pred[test], fold_routed[test]
        chosen.append({"fold": fold, "t": threshold(gate), "t2": threshold(keep), "routed": round(float(fold_routed[test].mean()), 4)})
    return pred, routed, chosen


def threshold(value: float) -> float | None:
    return None if value == OFF else value


def rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def compared(rows: Rows, pred: np.ndarray, labels: LabelSet, draws: list[np.ndarray], confidence: float) -> dict[str, Any]:
    """Headline scores with intervals, and the difference to the transformer alone, paired on the same draws."""
    gold, alone, labelled = rows.gold.tolist(), rows.transformer.tolist(), pred.tolist()
    own, reference = bootstrap_values(gold, labelled, labels, draws), bootstrap_values(gold, alone, labels, draws)
    scores, base = headline(gold, labelled, labels), headline(gold, alone, labels)
    return {
        name: {
            "value": scores[name],
            "interval": interval(own[name], confidence),
            "minus_transformer": scores[name] - base[name],
            "difference_interval": interval(own[name] - reference[name], confidence),
        }
        for name in HEADLINE
    }


def rates() -> dict[str, float]:
    """Sentences per second of each model, as predict_speed.py measured them (whole processes, model loading included)."""
    results = json.loads(SPEED.read_text(encoding="utf-8"))["results"]
    return {key: float(results[name]["sentences_per_s"]) for key, name in RATES.items()}


def speed(share: float, per_s: dict[str, float]) -> dict[str, float]:
    """Estimated sentences per second of the cascade: every sentence through fast, `share` of them through the transformer."""
    cascade_per_s = 1 / (1 / per_s["fast"] + share / per_s["transformer"])
    return {"sentences_per_s": cascade_per_s, "times_transformer": cascade_per_s / per_s["transformer"], "times_pipeline": cascade_per_s / per_s["pipeline"]}


def per_slice(rows: Rows, pred: np.ndarray, routed: np.ndarray, labels: LabelSet, bootstrap: int, seed: int, confidence: float) -> dict[str, Any]:
    out = {}
    for name in sorted(set(rows.slices.tolist())):
        part = rows.slices == name
        draws = article_resamples([a for a, p in zip(rows.articles, part) if p], bootstrap, seed)
        values = bootstrap_values(rows.gold[part], pred[part], labels, draws)["macro_f1"]
        out[name] = {
            "sentences": int(part.sum()),
            "skipped": float(1 - routed[part].mean()),
            "macro_f1": headline(rows.gold[part], pred[part], labels)["macro_f1"],
            "interval": interval(values, confidence),
            "transformer_macro_f1": headline(rows.gold[part], rows.transformer[part], labels)["macro_f1"],
        }
    return out


def curve(rows: Rows, labels: LabelSet) -> list[dict[str, Any]]:
    """The none gate at every t over the whole CV: descriptive, not a selection."""
    out = []
    for gate in GATES[:-1]:
        pred, routed = cascade(rows, labels, gate, OFF)
        out.append({"t": gate, "routed": float(routed.mean()), **headline(rows.gold.tolist(), pred.tolist(), labels)})
    return out


@app.command()
def main(
    params: ParamsOption = DEFAULT_PARAMS,
    reports: ReportsOption = None,
    output: OutputOption = HERE / "results" / "cascade.json",
) -> None:
    """Share of sentences a fast-then-transformer cascade sends to the transformer, and its CV scores, thresholds chosen nested."""
    config = load_config(params)
    labels, evaluation, seed = config.labels, config.evaluate, config.train.seed
    folder = reports or config.paths.reports
    rows = Rows.join(read_cv(cv_file(folder, "fast"), labels), read_cv(cv_file(folder, "transformer"), labels), labels)
    draws = article_resamples(rows.articles, evaluation.bootstrap, seed)
    per_s = rates()
    report: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "command": " ".join(["python benchmarks/cascade.py", *sys.argv[1:]]),
        "rule": " ".join((__doc__ or "").split("\n\n")[2].split()),
        "sentences": len(rows.gold),
        "articles": len(set(rows.articles)),
        "folds": len(set(rows.folds.tolist())),
        "bootstrap": evaluation.bootstrap,
        "speed_rates": {"source": "benchmarks/results/predict_speed.json", **per_s},
        "transformer": compared(rows, rows.transformer, labels, draws, evaluation.confidence),
        "fast": compared(rows, np.array(labels.names)[rows.fast.argmax(axis=1)], labels, draws, evaluation.confidence),
        "cascades": {},
        "curve": curve(rows, labels),
    }
    everything = np.ones(len(rows.gold), dtype=bool)
    for variant, settings in VARIANTS.items():
        pred, routed, chosen = nested(rows, labels, settings)
        gate, keep = choose(rows, labels, settings, everything)
        share = float(routed.mean())
        report["cascades"][variant] = {
            "chosen": chosen,
            "on_all_folds": {"t": threshold(gate), "t2": threshold(keep)},
            "routed": share,
            "estimated_speed": speed(share, per_s),
            "scores": compared(rows, pred, labels, draws, evaluation.confidence),
            "per_slice": per_slice(rows, pred, routed, labels, evaluation.bootstrap, seed, evaluation.confidence),
        }
    write_json(output, rounded(report))
    for variant, result in report["cascades"].items():
        f1 = result["scores"]["macro_f1"]
        print(
            f"{variant}: routes {result['routed']:.1%} of {len(rows.gold)} sentences to the transformer; macro-F1 {f1['value']:.3f} "
            f"({f1['minus_transformer']:+.3f} [{f1['difference_interval'][0]:+.3f}, {f1['difference_interval'][1]:+.3f}] against the transformer alone)"
        )
    print(f"Wrote {output}.")


if __name__ == "__main__":
    app()
