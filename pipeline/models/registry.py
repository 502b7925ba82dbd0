"""The model kinds: what each one fits, loads and, where it has one, exports."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError
from pipeline.labels.dataset import Dataset
from pipeline.models.calibration import Calibrated
from pipeline.models.classifier import Classifier, Predictor


@dataclass(frozen=True)
class Kind:
    """A model kind whose module is imported on first use: `stance predict` with the
    ONNX model must not pay seconds for scikit-learn and torch at start-up."""

    module: str
    # "module:function" that writes an extra, derived form of a saved model (the ONNX export); "" for none.
    export: str = ""

    @property
    def fit(self) -> Callable[[Dataset, tuple[str, ...], Any, int], Calibrated]:
        return importlib.import_module(self.module).fit

    @property
    def load(self) -> Callable[[Path, tuple[str, ...], Any], Classifier]:
        return importlib.import_module(self.module).load

    @property
    def exporter(self) -> Callable[[Predictor, Path, Any], None] | None:
        if not self.export:
            return None
        module, function = self.export.split(":")
        return getattr(importlib.import_module(module), function)


KINDS: dict[str, Kind] = {
    "majority": Kind("pipeline.models.majority"),
    "tfidf": Kind("pipeline.models.tfidf"),
    "transformer": Kind("pipeline.models.transformer", export="pipeline.models.onnx_export:export_int8"),
    "fast": Kind("pipeline.models.fast"),
}


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise StanceError(f"unknown model kind {name!r}; expected one of {', '.join(KINDS)}.")
    return KINDS[name]
