"""Recipes that update the encoder: full fine-tuning, SetFit-style contrastive tuning, and the top layers alone.

All hold out a share of the training articles (never a test article: the
choice is nested), train once per setting of the grid (learning rate, and for
`top` the number of top layers), score the held-out articles after every
epoch and keep the best state; that state's held-out probabilities fit its
temperature. The kept model has not seen the held-out articles: retraining on
them would double the cost on a CPU. `finetune` and `setfit` run the whole
encoder from tokens (tokenized once into an Arrow table, Hugging Face
`datasets`, that every epoch reads, batched by length); `top` trains the last
layers on cached activations of the frozen ones (`pipeline.models.top_layers`).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from pipeline.errors import StanceError
from pipeline.kinds import TransformerParams
from pipeline.labels.dataset import ALWAYS_TRAIN, Dataset
from pipeline.models.calibration import fit_temperature, softmax
from pipeline.models.encoder import embed, length_batches, load_encoder, pool
from pipeline.models.logreg import linear_head
from pipeline.models.top_layers import layer_count, lower_activations, run_top, top_module, with_top

WINDOW = 50  # batches sorted by length together: little padding, a new mix every epoch


@dataclass
class Tuned:
    tokenizer: Any
    encoder: Any
    weight: np.ndarray
    bias: np.ndarray
    temperature: float


def held_out_split(data: Dataset, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows to train on and rows of the held-out training articles (label descriptions always train)."""
    articles = sorted(set(data.groups) - {ALWAYS_TRAIN})
    if len(articles) < 2:
        raise StanceError(
            f"fine-tuning holds out training articles to choose its epochs and learning rate; it needs at least two articles, found {len(articles)}."
        )
    count = min(len(articles) - 1, max(1, round(share * len(articles))))
    held = np.random.default_rng(seed).choice(articles, size=count, replace=False)
    mask = np.isin(np.asarray(data.groups), held)
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def token_table(tokenizer: Any, texts: Sequence[str], max_length: int) -> Any:
    import datasets

    datasets.disable_progress_bars()
    table = datasets.Dataset.from_dict({"text": list(texts)})
    return table.map(lambda rows: tokenizer(rows["text"], truncation=True, max_length=max_length), batched=True, remove_columns=["text"])


def epoch_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled rows, sorted by length within windows of batches, the batches shuffled again (transformers' group_by_length)."""
    order = rng.permutation(len(lengths))
    batches: list[np.ndarray] = []
    for start in range(0, len(order), batch_size * WINDOW):
        window = order[start : start + batch_size * WINDOW]
        window = window[np.argsort(-lengths[window], kind="stable")]
        batches.extend(window[i : i + batch_size] for i in range(0, len(window), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def encode_rows(tokenizer: Any, encoder: Any, table: Any, rows: np.ndarray) -> Any:
    picked = table[rows.tolist()]
    batch = tokenizer.pad({"input_ids": picked["input_ids"], "attention_mask": picked["attention_mask"]}, return_tensors="pt")
    hidden = encoder(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    return pool(hidden, batch["attention_mask"])


class WholeEncoder:
    """Every layer trains; each batch runs the whole encoder from its tokens."""

    def __init__(self, params: TransformerParams, texts: Sequence[str]) -> None:
        self.params = params
        self.tokenizer, self.encoder = load_encoder(params.base_model)
        self.table = token_table(self.tokenizer, texts, params.max_length)
        self.lengths = np.array([len(ids) for ids in self.table["input_ids"]])
        self.module = self.encoder

    def batch(self, rows: np.ndarray) -> Any:
        return encode_rows(self.tokenizer, self.encoder, self.table, rows)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return embed(self.tokenizer, self.encoder, texts, self.params.batch_size, self.params.max_length)

    def kept(self, state: dict[str, Any]) -> tuple[Any, Any]:
        """The tokenizer and the encoder in a state `module` had."""
        self.encoder.load_state_dict(state)
        self.encoder.eval()
        return self.tokenizer, self.encoder


class TopLayers:
    """The last `layers` layers train on cached activations of the frozen layers below (`pipeline.models.top_layers`)."""

    def __init__(self, params: TransformerParams, texts: Sequence[str], layers: int) -> None:
        self.params = params
        self.lower = lower_activations(params.base_model, params.max_length, params.batch_size, params.top_layers)
        self.first = layer_count(self.lower.encoder, params.base_model) - layers
        self.module = top_module(self.lower.encoder, self.first)
        self.hidden = self.lower.hidden(texts, self.first)
        self.lengths = np.array([len(h) for h in self.hidden])

    def batch(self, rows: np.ndarray) -> Any:
        return run_top(self.module, self.lower.encoder.config, [self.hidden[i] for i in rows])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        hidden = self.lower.hidden(texts, self.first)
        out = np.zeros((len(texts), self.lower.encoder.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for rows in length_batches(texts, self.params.batch_size):
                out[rows] = run_top(self.module, self.lower.encoder.config, [hidden[i] for i in rows]).numpy()
        return out

    def kept(self, state: dict[str, Any]) -> tuple[Any, Any]:
        self.module.load_state_dict(state)
        return self.lower.tokenizer, with_top(self.lower.encoder, self.module, self.first)


Trainee = WholeEncoder | TopLayers


class FineTune:
    """The trained layers and a softmax layer trained together with class-weighted cross-entropy."""

    def __init__(self, module: Any, target: Any, labels: tuple[str, ...], params: TransformerParams, learning_rate: float) -> None:
        import torch

        counts = torch.bincount(target, minlength=len(labels)).clamp(min=1).to(torch.float32)
        self.class_weight = counts.sum() / (len(labels) * counts)
        self.head = torch.nn.Linear(module.config.hidden_size, len(labels))
        trained = [p for p in module.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW([{"params": trained, "lr": learning_rate}, {"params": self.head.parameters(), "lr": params.head_learning_rate}])

    def loss(self, embeddings: Any, target: Any) -> Any:
        import torch

        return torch.nn.functional.cross_entropy(self.head(embeddings), target, weight=self.class_weight)

    def softmax_layer(self, trainee: Trainee, data: Dataset, seed: int) -> tuple[np.ndarray, np.ndarray]:
        return self.head.weight.detach().numpy().copy(), self.head.bias.detach().numpy().copy()


class Contrastive:
    """SetFit's cosine-similarity loss over every pair in a batch (same label: 1, different: 0), then a logistic head.

    In-batch pairs give each sentence batch_size - 1 partners per epoch for the
    cost of encoding it once; positive and negative pairs weigh the same.
    """

    def __init__(self, module: Any, target: Any, labels: tuple[str, ...], params: TransformerParams, learning_rate: float) -> None:
        import torch

        self.labels, self.params = labels, params
        self.optimizer = torch.optim.AdamW(module.parameters(), lr=learning_rate)

    def loss(self, embeddings: Any, target: Any) -> Any:
        import torch

        same = (target[:, None] == target[None, :]).to(embeddings.dtype)
        upper = torch.ones_like(same, dtype=torch.bool).triu(diagonal=1)
        errors = (embeddings @ embeddings.T - same) ** 2
        terms = [errors[upper & mask].mean() for mask in (same.bool(), ~same.bool()) if (upper & mask).any()]
        return torch.stack(terms).mean() if terms else (embeddings * 0).sum()

    def softmax_layer(self, trainee: Trainee, data: Dataset, seed: int) -> tuple[np.ndarray, np.ndarray]:
        weight, bias, _ = linear_head(trainee.embed(data.texts), data.labels, data.groups, self.labels, self.params.c_grid, seed)
        return weight, bias


STEPS: dict[str, type[FineTune] | type[Contrastive]] = {"finetune": FineTune, "setfit": Contrastive, "top": FineTune}


def settings(params: TransformerParams) -> list[tuple[int | None, float]]:
    """(top layers trained, learning rate) pairs of the grid; None trains the whole encoder."""
    layers: tuple[int | None, ...] = params.top_layers if params.recipe == "top" else (None,)
    return [(count, rate) for count in layers for rate in params.learning_rates]


def start(params: TransformerParams, texts: Sequence[str], layers: int | None) -> Trainee:
    return WholeEncoder(params, texts) if layers is None else TopLayers(params, texts, layers)


def tune(data: Dataset, labels: tuple[str, ...], params: TransformerParams, seed: int) -> Tuned:
    """The best (setting, epochs) state on the held-out training articles."""
    import torch
    from transformers import set_seed

    train_rows, held_rows = held_out_split(data, params.held_out, seed)
    train, held = data.subset(train_rows), data.subset(held_rows)
    held_gold = [labels.index(name) for name in held.labels]
    target = torch.tensor([labels.index(name) for name in train.labels])
    best: tuple[float, Trainee, dict[str, Any], np.ndarray, np.ndarray, np.ndarray] | None = None
    for layers, learning_rate in settings(params):
        set_seed(seed)
        trainee = start(params, train.texts, layers)
        step = STEPS[params.recipe](trainee.module, target, labels, params, learning_rate)
        rng = np.random.default_rng(seed)
        for _ in range(params.epochs):
            trainee.module.train()
            for rows in epoch_batches(trainee.lengths, params.batch_size, rng):
                loss = step.loss(trainee.batch(rows), target[rows])
                step.optimizer.zero_grad()
                loss.backward()
                step.optimizer.step()
            trainee.module.eval()
            weight, bias = step.softmax_layer(trainee, train, seed)
            proba = softmax(trainee.embed(held.texts) @ weight.T + bias)
            score = float(f1_score(held_gold, proba.argmax(axis=1), labels=range(len(labels)), average="macro", zero_division=0))
            if best is None or score > best[0]:
                best = (score, trainee, copy.deepcopy(trainee.module.state_dict()), weight, bias, proba)
    assert best is not None  # the grid and the epochs are never empty (params checks)
    _, trainee, state, weight, bias, proba = best
    tokenizer, encoder = trainee.kept(state)
    return Tuned(tokenizer, encoder, weight, bias, fit_temperature(proba, held_gold))
