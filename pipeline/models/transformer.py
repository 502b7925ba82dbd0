"""The transformer classifier: a sentence encoder with a softmax layer on its pooled output.

Three recipes train it, chosen in configs (`transformer.recipe`):

- `head`: the encoder stays frozen; a class-balanced logistic regression on its
  embeddings, its strength chosen on training articles only. Few labels and
  an encoder already trained for sentence similarity make this the strongest
  recipe measured here (see README).
- `setfit`: SetFit-style: first tune the encoder contrastively on sentence pairs
  (same label: similar, different label: dissimilar), then fit the same head.
- `finetune`: the encoder and a linear layer trained together with
  class-weighted cross-entropy.

Every recipe ends in the same model shape (encoder, pooling, one linear
layer), so saving, loading, ONNX export and inference are shared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.labels.dataset import Dataset
from pipeline.models.encoder import ENCODER_DIR, embed, load_encoder, pool
from pipeline.params import TransformerParams

RECIPES = ("head", "setfit", "finetune")
HEAD = "head.safetensors"


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


@dataclass
class TransformerClassifier:
    labels: tuple[str, ...]
    tokenizer: Any
    encoder: Any
    weight: np.ndarray  # (labels, hidden)
    bias: np.ndarray  # (labels,)
    max_length: int
    batch_size: int

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        embeddings = embed(self.tokenizer, self.encoder, texts, self.batch_size, self.max_length)
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


def fit_head(encoder_parts: tuple[Any, Any], data: Dataset, labels: tuple[str, ...], params: TransformerParams, seed: int) -> TransformerClassifier:
    from pipeline.models.logreg import as_linear_head, balanced_logreg, fit_selected

    tokenizer, encoder = encoder_parts
    encoder.eval()
    embeddings = embed(tokenizer, encoder, data.texts, params.batch_size, params.max_length)
    estimator, _ = fit_selected(balanced_logreg(1.0, seed), "C", params.c_grid, embeddings, data.labels, data.groups)
    weight, bias = as_linear_head(estimator, labels)
    return TransformerClassifier(labels, tokenizer, encoder, weight, bias, params.max_length, params.batch_size)


def contrastive_pairs(labels: Sequence[str], per_sentence: int, rng: np.random.Generator) -> list[tuple[int, int, float]]:
    """For each sentence, `per_sentence` partners with its label and as many without.

    Drawing partners per sentence (not per pair) keeps the rare classes in the
    pairs as often as the common one.
    """
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    pairs = []
    for index, label in enumerate(labels):
        same = [i for i in by_label[label] if i != index]
        other = [i for i, name in enumerate(labels) if name != label]
        for _ in range(per_sentence):
            if same:
                pairs.append((index, int(rng.choice(same)), 1.0))
            if other:
                pairs.append((index, int(rng.choice(other)), 0.0))
    rng.shuffle(pairs)  # type: ignore[arg-type]
    return pairs


def _encode(tokenizer: Any, encoder: Any, texts: Sequence[str], max_length: int) -> Any:
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    hidden = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    return pool(hidden, batch["attention_mask"])


def tune_contrastive(tokenizer: Any, encoder: Any, data: Dataset, params: TransformerParams, seed: int) -> None:
    import torch

    rng = np.random.default_rng(seed)
    optimizer = torch.optim.AdamW(encoder.parameters(), lr=params.learning_rate)
    encoder.train()
    for _ in range(params.epochs):
        pairs = contrastive_pairs(data.labels, params.pairs_per_sentence, rng)
        for start in range(0, len(pairs), params.batch_size):
            chunk = pairs[start : start + params.batch_size]
            left = _encode(tokenizer, encoder, [data.texts[a] for a, _, _ in chunk], params.max_length)
            right = _encode(tokenizer, encoder, [data.texts[b] for _, b, _ in chunk], params.max_length)
            target = torch.tensor([t for _, _, t in chunk], dtype=left.dtype)
            loss = torch.nn.functional.mse_loss((left * right).sum(dim=1), target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    encoder.eval()


def fine_tune(tokenizer: Any, encoder: Any, data: Dataset, labels: tuple[str, ...], params: TransformerParams, seed: int) -> tuple[np.ndarray, np.ndarray]:
    import torch

    target = torch.tensor([labels.index(name) for name in data.labels])
    counts = torch.bincount(target, minlength=len(labels)).clamp(min=1).to(torch.float32)
    class_weight = counts.sum() / (len(labels) * counts)
    head = torch.nn.Linear(encoder.config.hidden_size, len(labels))
    optimizer = torch.optim.AdamW(
        [{"params": encoder.parameters(), "lr": params.learning_rate}, {"params": head.parameters(), "lr": params.head_learning_rate}]
    )
    generator = torch.Generator().manual_seed(seed)
    encoder.train()
    for _ in range(params.epochs):
        order = torch.randperm(len(data), generator=generator).tolist()
        for start in range(0, len(order), params.batch_size):
            batch = order[start : start + params.batch_size]
            logits = head(_encode(tokenizer, encoder, [data.texts[i] for i in batch], params.max_length))
            loss = torch.nn.functional.cross_entropy(logits, target[batch], weight=class_weight)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    encoder.eval()
    return head.weight.detach().numpy().copy(), head.bias.detach().numpy().copy()


def fit(data: Dataset, labels: tuple[str, ...], params: TransformerParams, seed: int) -> TransformerClassifier:
    from transformers import set_seed

    set_seed(seed)
    tokenizer, encoder = load_encoder(params.base_model)
    if params.recipe == "finetune":
        weight, bias = fine_tune(tokenizer, encoder, data, labels, params, seed)
        return TransformerClassifier(labels, tokenizer, encoder, weight, bias, params.max_length, params.batch_size)
    if params.recipe == "setfit":
        tune_contrastive(tokenizer, encoder, data, params, seed)
    return fit_head((tokenizer, encoder), data, labels, params, seed)
