"""An encoder's top layers run from cached activations of its frozen lower layers (the `top` recipe).

Fine-tuning all of mpnet's twelve layers costs about three full passes per
sentence and epoch, more than this project's 2-core budget allows. Training
only the last k layers needs the activations entering layer N - k, and those
do not change while the layers below stay frozen: they are computed once per
sentence and kept (by text, for the whole process, like the `head` recipe's
embeddings), so an epoch costs k/N of a forward and backward pass. Running
the top layers from the cache gives the full encoder's embedding to within
float rounding (tests/models/test_top_layers.py), so the model saved at the
end is the ordinary encoder with its top layers replaced: saving, the ONNX
export and inference are those of every other recipe.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from pipeline.errors import StanceError
from pipeline.models.encoder import frozen, length_batches, pool


def layer_count(encoder: Any, base_model: str) -> int:
    """The encoder's transformer layers, from a BERT-style `encoder.layer` list (BERT, MiniLM, MPNet)."""
    layers = getattr(getattr(encoder, "encoder", None), "layer", None)
    if layers is None:
        raise StanceError(f"the top recipe needs a BERT-style encoder whose layers are `encoder.layer`; {base_model} has none: use recipe head or finetune.")
    return len(layers)


@dataclass
class LowerActivations:
    """Hidden states entering layer `first` of a frozen encoder, per text and only over its real tokens, for each first layer asked for."""

    tokenizer: Any
    encoder: Any
    max_length: int
    batch_size: int
    firsts: tuple[int, ...]
    store: dict[tuple[int, str], np.ndarray] = field(default_factory=dict, repr=False)

    def hidden(self, texts: Sequence[str], first: int) -> list[np.ndarray]:
        import torch

        new = sorted({text for text in texts if (first, text) not in self.store})
        with torch.inference_mode():
            for batch in length_batches(new, self.batch_size):
                chunk = [new[i] for i in batch]
                encoded = self.tokenizer(chunk, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
                states = self.encoder(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"], output_hidden_states=True).hidden_states
                for row, text in enumerate(chunk):
                    real = int(encoded["attention_mask"][row].sum())
                    for kept in self.firsts:
                        self.store[(kept, text)] = states[kept][row, :real].numpy().copy()
        return [self.store[(first, text)] for text in texts]


@cache
def lower_activations(base_model: str, max_length: int, batch_size: int, layers: tuple[int, ...]) -> LowerActivations:
    """One cache per encoder and layer grid, for the whole process: the folds of one run compute each sentence's activations once."""
    tokenizer, encoder, _ = frozen(base_model, max_length)
    count = layer_count(encoder, base_model)
    if max(layers) >= count:
        raise StanceError(f"transformer.top_layers asks to train {max(layers)} layers, but {base_model} has only {count}.")
    return LowerActivations(tokenizer, encoder, max_length, batch_size, tuple(count - k for k in layers))


def top_module(encoder: Any, first: int) -> Any:
    """A trainable copy of the encoder's layers from `first` on; everything else in it (MPNet's shared position bias) stays frozen.

    The layers below `first` are left out of the copy (the memo hands back the originals, then the slice drops them).
    """
    top = copy.deepcopy(encoder.encoder, memo={id(layer): layer for layer in encoder.encoder.layer[:first]})
    top.layer = top.layer[first:]
    top.requires_grad_(False)
    top.layer.requires_grad_(True)
    return top


def run_top(top: Any, config: Any, hidden: Sequence[np.ndarray]) -> Any:
    """Mean-pooled, unit-length embeddings of the top layers over cached activations, padded into one batch."""
    import torch
    from transformers.masking_utils import create_bidirectional_mask

    width = max(len(h) for h in hidden)
    states = torch.zeros(len(hidden), width, config.hidden_size)
    mask = torch.zeros(len(hidden), width, dtype=torch.long)
    for row, h in enumerate(hidden):
        states[row, : len(h)] = torch.from_numpy(h)
        mask[row, : len(h)] = 1
    attention = create_bidirectional_mask(config=config, inputs_embeds=states, attention_mask=mask)
    return pool(top(states, attention_mask=attention)[0], mask)


def with_top(encoder: Any, top: Any, first: int) -> Any:
    """A copy of the whole encoder whose layers from `first` on are those of `top`."""
    whole = copy.deepcopy(encoder)
    for offset, layer in enumerate(top.layer):
        whole.encoder.layer[first + offset].load_state_dict(layer.state_dict())
    whole.eval()
    return whole


def release_caches() -> None:
    """Drop this process's frozen encoders with their embeddings and activations.

    They serve every fit of one training run; after the last, the ONNX export
    needs the memory more: while they were kept, the `tuned` kind's export
    raised the peak of its final fit (3.1 GiB) to 3.4 GiB; freed, it stays below.
    """
    lower_activations.cache_clear()
    frozen.cache_clear()
    gc.collect()
