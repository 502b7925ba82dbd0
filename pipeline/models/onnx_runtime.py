"""The transformer classifier run by onnxruntime, from the int8 export written at training time.

It loads without torch or transformers, so `stance predict` starts in a
fraction of a second; the `tokenizers` library reads the same tokenizer.json
the torch model uses, so both see the same tokens.

The int8 graph quantises each matrix product's input on the fly, and
onnxruntime takes another path through its int8 kernels for a batch than for
one sentence: the same sentence scored alone and in a padded batch of 32
differed by up to 0.014 in probability, and the batch was no faster
(benchmarks/results/onnx_variants.json, 2026-12-07). `load` therefore runs one
sentence per run, unpadded, so its scores are the same alone, in a file or in
a folder. Sentences run on one thread each, as many at once as the process
has cores, all through one session: a sentence's scores do not depend on how
many run beside it, and two cores classify about a sixth more sentences a second
than one sentence split across both (57 against 49, 400 corpus sentences,
2026-12-07).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.models.encoder import ENCODER_DIR, length_batches

ONNX_FILE = "model.int8.onnx"
# Sentences per run of the int8 graph: one, so that no other sentence and no padding shares its activation scales.
SENTENCES_PER_RUN = 1
INPUTS = ("input_ids", "attention_mask")
OUTPUT = "probabilities"


def weights_file(graph: Path) -> Path:
    """Where the export keeps the graph's weights: beside it, the graph's name plus ".data"."""
    return graph.with_name(graph.name + ".data")


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), not every core of the machine, and no more
    than OMP_NUM_THREADS where that is set (Ray sets it to an actor's share of the cores)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    limit = os.environ.get("OMP_NUM_THREADS", "")
    return min(cores, int(limit)) if limit.isdigit() and int(limit) > 0 else cores


@dataclass
class OnnxClassifier:
    labels: tuple[str, ...]
    tokenizer: Any  # tokenizers.Tokenizer, padding and truncation set
    session: Any  # onnxruntime.InferenceSession, one thread per run
    batch_size: int  # sentences per run: SENTENCES_PER_RUN for the int8 graph, more only for float graphs (benchmarks)
    threads: int  # runs at once

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        batches = length_batches(texts, self.batch_size)
        with ThreadPoolExecutor(self.threads) as pool:
            for batch, probabilities in zip(batches, pool.map(self.run, ([texts[i] for i in batch] for batch in batches)), strict=True):
                out[batch] = probabilities
        return out

    def run(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
        }
        return self.session.run([OUTPUT], feed)[0]


def load(folder: Path, labels: tuple[str, ...], params: Any) -> OnnxClassifier:
    """`params` is the model's TransformerParams: max_length as in training; the int8 graph runs SENTENCES_PER_RUN at a time."""
    from tokenizers import Tokenizer

    encoder = folder / ENCODER_DIR
    tokenizer = Tokenizer.from_file(str(encoder / "tokenizer.json"))
    pad_token = json.loads((encoder / "tokenizer_config.json").read_text(encoding="utf-8"))["pad_token"]
    tokenizer.enable_padding(pad_id=tokenizer.token_to_id(pad_token), pad_token=pad_token)
    tokenizer.enable_truncation(max_length=params.max_length)
    return OnnxClassifier(labels, tokenizer, inference_session(folder / ONNX_FILE), SENTENCES_PER_RUN, available_cores())


def inference_session(path: Path) -> Any:
    """One thread inside each run, and none across operators (the graph is a chain): `OnnxClassifier` runs sentences side by side instead."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
