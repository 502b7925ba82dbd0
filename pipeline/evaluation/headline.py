"""The few numbers per model that DVC tracks: `reports/metrics/<model>.json`.

`reports/scores.json` holds every score (over a thousand numbers), which
`dvc metrics show` can only print as one unreadable row. One small file per
model instead makes `dvc metrics show` a table, a row per model and a column
per number, and keeps `dvc metrics diff` and `dvc exp show` legible. Every
number is copied from the detail file, except the recommended confidence,
which is derived from its risk-coverage rows by the card's rule.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError
from pipeline.evaluation.confidence import recommended_confidence
from pipeline.evaluation.scoring import Metrics
from pipeline.files import write_json


@dataclass(frozen=True)
class Interval:
    """A point estimate with its article-bootstrap interval; nested, so DVC shows `macro_f1.value`, `.low`, `.high`."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Headline:
    """One model's headline on out-of-fold predictions; `recommended_confidence` is None for a model that never predicts a claim."""

    macro_f1: Interval
    claim_f1: float
    stance_macro_f1: float
    accuracy: float
    ece: float
    recommended_confidence: float | None

    def to_json(self) -> dict[str, Any]:
        raw = dataclasses.asdict(self)
        return {key: value for key, value in raw.items() if value is not None}

    @classmethod
    def from_json(cls, raw: Any, source: str) -> Headline:
        required = [f.name for f in dataclasses.fields(cls) if f.name != "recommended_confidence"]
        if not isinstance(raw, dict) or any(name not in raw for name in required) or not isinstance(raw["macro_f1"], dict):
            raise StanceError(f"{source}: not a headline metrics file of this version (needs {', '.join(required)}); run `dvc repro evaluate`.")
        fields = {name: raw[name] for name in required if name != "macro_f1"}
        return cls(macro_f1=Interval(**raw["macro_f1"]), recommended_confidence=raw.get("recommended_confidence"), **fields)


def model_headline(metrics: Metrics, name: str, claim_precision: float) -> Headline:
    """The model's headline numbers, read off the detail scores."""
    cv, view = metrics.cv[name], metrics.confidence[name]
    low, high = cv["intervals"]["macro_f1"]
    predicts_claims = any(row["kept"] for row in view["risk_coverage"])
    return Headline(
        macro_f1=Interval(cv["macro_f1"], low, high),
        claim_f1=cv["claim_f1"],
        stance_macro_f1=cv["stance_macro_f1"],
        accuracy=cv["accuracy"],
        ece=view["ece"],
        recommended_confidence=recommended_confidence(view["risk_coverage"], claim_precision) if predicts_claims else None,
    )


def write_headlines(folder: Path, metrics: Metrics, claim_precision: float) -> None:
    """One file per scored model; files of models no longer scored are removed so DVC shows no stale row."""
    for stale in folder.glob("*.json") if folder.is_dir() else ():
        if stale.stem not in metrics.cv:
            stale.unlink()
    for name in metrics.cv:
        write_json(folder / f"{name}.json", model_headline(metrics, name, claim_precision).to_json())
