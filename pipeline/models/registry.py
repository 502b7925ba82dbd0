"""The model kinds' code: what each one fits, loads and, where it has one, exports."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.kinds import KINDS as TABLE
from pipeline.kinds import kind_named
from pipeline.labels.dataset import Dataset
from pipeline.models.calibration import Calibrated
from pipeline.models.classifier import Classifier, Predictor


@dataclass(frozen=True)
class Implementation:
    """A model kind's code (`pipeline.kinds` names it), imported on first use: `stance predict` with the
    ONNX model must not pay seconds for scikit-learn and torch at start-up."""

    module: str
    # "module:function" that writes an extra, derived form of a saved model (the ONNX export); "" for none.
    export: str

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


KINDS = {name: Implementation(kind.module, kind.export) for name, kind in TABLE.items()}


def kind_of(name: str) -> Implementation:
    return KINDS[kind_named(name).name]
