"""The sentence encoder: a BERT-style model, mean pooling, L2 normalisation.

Packaged encoders (`package:` and `parts:` names, `pipeline.models.assets`)
load with no network after their weights are checked against a pinned hash;
any other Hugging Face model id or local folder works the same way, unchecked.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.models.assets import asset_folder, is_asset, optional_extra

ENCODER_DIR = "encoder"  # the encoder and its tokenizer inside a model folder


def resolve_model(name: str) -> tuple[str, bool]:
    """Return (where to load from, local only)."""
    if is_asset(name):
        return str(asset_folder(name)), True
    return name, Path(name).is_dir()


def load_encoder(name: str) -> tuple[Any, Any]:
    """(tokenizer, model) for a model name or folder, in evaluation mode."""
    with optional_extra("the encoder on torch (--backend torch, or a transformer folder without its ONNX export)"):
        import torch  # noqa: F401  (named here: transformers imports without it and fails only in from_pretrained)
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

    where, local = resolve_model(name)
    hf_logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(where, local_files_only=local)
    model = AutoModel.from_pretrained(where, local_files_only=local)
    model.eval()
    return tokenizer, model


@cache
def frozen(base_model: str, max_length: int) -> tuple[Any, Any, dict[str, np.ndarray]]:
    """The encoder as packaged, which no recipe changes, loaded once per process with its embeddings so far:
    the folds and the learning curve of one `stance train` encode each sentence once (the `top` recipe
    trains copies of its last layers)."""
    tokenizer, encoder = load_encoder(base_model)
    return tokenizer, encoder, {}


def pool(hidden: Any, mask: Any) -> Any:
    """Mean over real tokens, then unit length: what all-MiniLM-L6-v2 was trained with."""
    import torch

    weights = mask.unsqueeze(-1).to(hidden.dtype)
    summed = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(summed, p=2, dim=1)


def length_batches(texts: Sequence[str], batch_size: int) -> list[list[int]]:
    """Indices grouped by similar length, so padding (wasted compute) stays small."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]


def embed(tokenizer: Any, model: Any, texts: Sequence[str], batch_size: int, max_length: int) -> np.ndarray:
    import torch

    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for batch in length_batches(texts, batch_size):
            encoded = tokenizer([texts[i] for i in batch], padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            hidden = model(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).last_hidden_state
            out[batch] = pool(hidden, encoded["attention_mask"]).numpy()
    return out
