"""Out-of-fold predictions, the record training writes and evaluation reads: `reports/cv/<kind>.jsonl`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError
from pipeline.files import read_jsonl
from pipeline.params import LabelSet


@dataclass(frozen=True)
class CvPrediction:
    """One out-of-fold prediction, as `reports/cv/<kind>.jsonl` holds it: ids only, never a sentence's text."""

    id: str
    article: str
    slice: str
    fold: int
    gold: str
    pred: str
    scores: dict[str, float]
    # From the article's metadata, filled in after the folds (`pipeline.training.crossval.with_articles`).
    corpus: str = ""
    genre: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any], where: str, labels: LabelSet) -> CvPrediction:
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in raw]
        if missing:
            raise StanceError(f"{where}: record lacks {missing[0]!r}; rerun `dvc repro`.")
        for name in ("gold", "pred"):
            if raw[name] not in labels.names:
                raise StanceError(f"{where}: label {raw[name]!r} is not one of {', '.join(labels.names)}.")
        if not isinstance(raw["scores"], dict) or sorted(raw["scores"]) != sorted(labels.names):
            raise StanceError(f"{where}: scores must give one probability for each of {', '.join(labels.names)}.")
        return cls(**{f.name: raw[f.name] for f in dataclasses.fields(cls)})


def cv_file(reports: Path, kind: str) -> Path:
    return reports / "cv" / f"{kind}.jsonl"


def curve_file(reports: Path, kind: str) -> Path:
    return reports / "cv" / f"{kind}.curve.json"


def read_cv(path: Path, labels: LabelSet) -> list[CvPrediction]:
    if not path.exists():
        raise StanceError(f"{path}: no cross-validation predictions; run `dvc repro` first.")
    return [CvPrediction.from_json(raw, f"{path}:{number}", labels) for number, raw in read_jsonl(path)]
