"""The transformer classifier: a sentence encoder with a softmax layer on its pooled output.

Four recipes train it, chosen in configs (`transformer.recipe`; docs/recipes.md
compares them):

- `head`: the encoder stays frozen; a class-balanced logistic regression on its
  embeddings, its strength chosen on training articles only.
- `setfit`: SetFit-style: first tune the encoder contrastively on sentence pairs
  (same label: similar, different label: dissimilar), then fit the same head.
- `finetune`: the encoder and a linear layer trained together with
  class-weighted cross-entropy.
- `top`: the same, for the encoder's last layers only, trained on cached
  activations of its frozen lower layers (`pipeline.models.top_layers`): a
  fraction of a full fine-tuning's cost, so it fits mpnet on two cores. The
  `tuned` kind trains it beside the shipped recipe.

The last three choose their epochs and learning rate (and `top` its number
of layers) on held-out training articles (`pipeline.models.tuning`). Every recipe fits a temperature for its
probabilities inside the training data (`pipeline.models.calibration`).

Every recipe ends in the same model shape (encoder, pooling, one linear
layer), so saving, loading, ONNX export and inference are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.kinds import TransformerParams
from pipeline.labels.dataset import Dataset
from pipeline.models.calibration import Calibrated, softmax
from pipeline.models.encoder import ENCODER_DIR, embed, frozen, load_encoder

HEAD = "head.safetensors"


@dataclass
class TransformerClassifier:
    labels: tuple[str, ...]
    tokenizer: Any
    encoder: Any
    weight: np.ndarray  # (labels, hidden)
    bias: np.ndarray  # (labels,)
    max_length: int
    batch_size: int
    # Embeddings of a frozen encoder by text, shared by every fold of one training run (never saved).
    memo: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        embeddings = embed_with(self.memo, self.tokenizer, self.encoder, texts, self.batch_size, self.max_length)
        return softmax(embeddings @ self.weight.T + self.bias)

    def save(self, folder: Path) -> None:
        """Weights only; the ONNX export is a step of its own (`pipeline.models.onnx_export`)."""
        from safetensors.numpy import save_file

        self.encoder.save_pretrained(folder / ENCODER_DIR, safe_serialization=True)
        self.tokenizer.save_pretrained(folder / ENCODER_DIR)
        save_file({"weight": self.weight, "bias": self.bias}, str(folder / HEAD))


def load(folder: Path, labels: tuple[str, ...], params: TransformerParams) -> TransformerClassifier:
    from safetensors.numpy import load_file

    tokenizer, encoder = load_encoder(str(folder / ENCODER_DIR))
    head = load_file(str(folder / HEAD))
    return TransformerClassifier(labels, tokenizer, encoder, head["weight"], head["bias"], params.max_length, params.batch_size)


def embed_with(memo: dict[str, np.ndarray] | None, tokenizer: Any, encoder: Any, texts: Sequence[str], batch_size: int, max_length: int) -> np.ndarray:
    """`embed`, computing only the texts `memo` lacks: a frozen encoder gives a text one vector."""
    if memo is None:
        return embed(tokenizer, encoder, texts, batch_size, max_length)
    new = sorted({text for text in texts if text not in memo})
    if new:
        memo.update(zip(new, embed(tokenizer, encoder, new, batch_size, max_length), strict=True))
    return np.stack([memo[text] for text in texts]) if texts else np.zeros((0, encoder.config.hidden_size), np.float32)


def fit_head(
    tokenizer: Any, encoder: Any, data: Dataset, labels: tuple[str, ...], params: TransformerParams, seed: int, memo: dict[str, np.ndarray] | None = None
) -> Calibrated:
    # Here, not at the top: loading a model for `--backend torch` needs no scikit-learn.
    from pipeline.models.logreg import linear_head

    embeddings = embed_with(memo, tokenizer, encoder, data.texts, params.batch_size, params.max_length)
    weight, bias, temperature = linear_head(embeddings, data.labels, data.groups, labels, params.c_grid, seed)
    return Calibrated(TransformerClassifier(labels, tokenizer, encoder, weight, bias, params.max_length, params.batch_size, memo), temperature)


def fit(data: Dataset, labels: tuple[str, ...], params: TransformerParams, seed: int) -> Calibrated:
    from transformers import set_seed

    from pipeline.models.tuning import tune

    if params.recipe == "head":
        set_seed(seed)
        tokenizer, encoder, memo = frozen(params.base_model, params.max_length)
        return fit_head(tokenizer, encoder, data, labels, params, seed, memo)
    tuned = tune(data, labels, params, seed)
    classifier = TransformerClassifier(labels, tuned.tokenizer, tuned.encoder, tuned.weight, tuned.bias, params.max_length, params.batch_size)
    return Calibrated(classifier, tuned.temperature)
