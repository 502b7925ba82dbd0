"""The fast triage model: static token vectors distilled from the encoder (model2vec), with a softmax head.

Distillation runs every token of the encoder's vocabulary through the encoder
once, keeps `pca_dims` principal components and down-weights frequent tokens
(model2vec's recipe). A sentence is then the mean of its tokens' vectors: a
lookup, no attention, so it runs tens of times faster than the transformer
and loses what context adds (docs/predicting.md, "A fast model for triage"). Distillation
uses no labels, so one distilled model serves every fold; only the head, a
class-balanced logistic regression like the transformer's, is fitted on
training articles.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.files import read_utf8, write_text
from pipeline.kinds import FastParams
from pipeline.labels.dataset import Dataset
from pipeline.models.calibration import Calibrated, softmax

STATIC_DIR = "static"  # the distilled token vectors and their tokenizer inside a model folder
HEAD = "head.safetensors"


@dataclass
class FastClassifier:
    labels: tuple[str, ...]
    static: Any  # model2vec.StaticModel
    weight: np.ndarray  # (labels, dims)
    bias: np.ndarray  # (labels,)
    max_length: int

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(features(self.static, texts, self.max_length) @ self.weight.T + self.bias)

    def save(self, folder: Path) -> None:
        from safetensors.numpy import save_file

        self.static.save_pretrained(str(folder / STATIC_DIR))
        portable_config(folder / STATIC_DIR / "config.json", self.static.base_model_name)
        save_file({"weight": self.weight, "bias": self.bias}, str(folder / HEAD))


def portable_config(path: Path, base_model_name: str | None) -> None:
    """Replace the absolute path of the encoder in model2vec's config by the encoder's name, so the folder is the same in every checkout.

    model2vec records where the encoder it was distilled from lay as
    `tokenizer_name`, which no load reads; the name is the one model2vec's own
    card (README.md) gives as `base_model`. The file keeps model2vec's formatting.
    """
    config = json.loads(read_utf8(path))
    config["tokenizer_name"] = base_model_name or "unknown"
    write_text(path, json.dumps(config, indent=4))


def features(static: Any, texts: Sequence[str], max_length: int) -> np.ndarray:
    """Sentence vectors in this process (model2vec's own process pool would fork one per call)."""
    return static.encode(list(texts), max_length=max_length, use_multiprocessing=False).astype(np.float32)


@cache
def distilled(base_model: str, pca_dims: int) -> Any:
    from model2vec.distill import distill_from_model

    from pipeline.models.encoder import load_encoder

    tokenizer, encoder = load_encoder(base_model)
    return distill_from_model(model=encoder, tokenizer=tokenizer, device="cpu", pca_dims=pca_dims)


def fit(data: Dataset, labels: tuple[str, ...], params: FastParams, seed: int) -> Calibrated:
    # Here, not at the top: scikit-learn's imports take seconds that predicting does without.
    from pipeline.models.logreg import linear_head

    static = distilled(params.base_model, params.pca_dims)
    weight, bias, temperature = linear_head(features(static, data.texts, params.max_length), data.labels, data.groups, labels, params.c_grid, seed)
    return Calibrated(FastClassifier(labels, static, weight, bias, params.max_length), temperature)


def load(folder: Path, labels: tuple[str, ...], params: FastParams) -> FastClassifier:
    from model2vec import StaticModel
    from safetensors.numpy import load_file

    static = StaticModel.from_pretrained(folder / STATIC_DIR, force_download=False)
    head = load_file(str(folder / HEAD))
    return FastClassifier(labels, static, head["weight"], head["bias"], params.max_length)
