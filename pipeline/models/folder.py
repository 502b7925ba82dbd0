"""A model as a self-describing folder: its weights (safetensors, skops or JSON, never pickle) and its card."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from pipeline.errors import StanceError
from pipeline.files import read_utf8, umask, write_json, write_text
from pipeline.kinds import kind_named
from pipeline.models.calibration import Calibrated
from pipeline.models.card import CARD, ModelCard
from pipeline.models.readme import README, readme_card
from pipeline.models.registry import kind_of
from pipeline.params import BACKENDS


def save_model(model: Calibrated, card: ModelCard, folder: Path) -> None:
    """Weights, the kind's export where it has one (the ONNX graph), then the card and its README, all staged beside `folder`
    and swapped in, so a crash leaves the old model."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        model.save(staging)
        exporter = kind_of(card.kind).exporter
        if exporter is not None:
            exporter(model.model, staging, card.params)
        write_json(staging / CARD, card.to_json())
        write_text(staging / README, readme_card(card))
        os.chmod(staging, 0o777 & ~umask())
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_card(folder: Path) -> ModelCard:
    path = folder / CARD
    if not path.is_file():
        raise StanceError(f"{folder}: no trained model here (no {CARD}); run `dvc repro` to train one.")
    try:
        raw = json.loads(read_utf8(path))
    except json.JSONDecodeError as err:
        raise StanceError(f"{path}: not valid JSON ({err.msg}).") from None
    return ModelCard.from_json(raw, str(path))


def card_sha256(folder: Path) -> str:
    """The SHA-256 of the folder's card: what every prediction record names its model by, so records of two trainings never mix unseen."""
    return hashlib.sha256((folder / CARD).read_bytes()).hexdigest()


def load_model(folder: Path, backend: str = "torch") -> tuple[Calibrated, ModelCard]:
    """The model in `folder` with its card's temperature; backend "onnx" runs a transformer's int8 ONNX export when the folder has one.

    Any file of the folder that cannot be read (missing, truncated, corrupt) is one error naming the folder.
    """
    if backend not in BACKENDS:
        raise StanceError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}.")
    card = read_card(folder)
    try:
        if backend == "onnx" and kind_named(card.kind).exports_onnx:
            from pipeline.models import onnx_runtime

            if (folder / onnx_runtime.ONNX_FILE).is_file():
                return Calibrated(onnx_runtime.load(folder, card.labels.names, card.params), card.calibration.temperature), card
        return Calibrated(kind_of(card.kind).load(folder, card.labels.names, card.params), card.calibration.temperature), card
    except StanceError:
        raise
    except Exception as err:  # a library's own error on a damaged file: the user's fix is the same for all
        raise StanceError(f"{folder}: the model files cannot be read ({type(err).__name__}); run `dvc repro` to retrain it.") from None


def runtime(predictor: Calibrated, card: ModelCard) -> str:
    """What runs the model, as `stance predict` reports it: onnx, torch, or the kind itself for the scikit-learn ones."""
    from pipeline.models.onnx_runtime import OnnxClassifier

    return "onnx" if isinstance(predictor.model, OnnxClassifier) else "torch" if kind_named(card.kind).exports_onnx else card.kind
