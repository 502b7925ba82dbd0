"""Export a trained transformer classifier to ONNX with int8 weights: the form `stance predict` runs.

The graph is the whole classifier (encoder, mean pooling, L2 norm, softmax
layer) and outputs probabilities, so nothing of ours runs between tokens and
scores. onnxruntime's dynamic quantisation stores the weights of the encoder's
matrix products as int8, one scale per output channel, and quantises their
inputs on the fly, one scale per run (so pipeline.models.onnx_runtime runs one
sentence at a time). The rest stays float: the word-embedding table
(int8 there shrinks the file, not the time, and flipped more labels when
measured), the softmax layer, which is tiny, and the matrix products whose
node names match `transformer.onnx_float` (for mpnet, each layer's
feed-forward output, whose inputs have outliers that int8 clips). With
`transformer.onnx_reduce_range` the weights use 7 bits, which keeps
onnxruntime's int8 products from saturating on CPUs without VNNI. benchmarks/onnx_quality.py
checks labels and macro-F1 against torch (docs/predicting.md, "int8 quality").

The TorchScript exporter is used: it exports this model in about a fifth of the
time of the dynamo exporter, with dynamic batch and token axes, and its graph
quantises cleanly; torch is pinned, so its deprecation notice is silenced here.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic

from pipeline.kinds import TransformerParams
from pipeline.models.encoder import pool
from pipeline.models.onnx_runtime import INPUTS, ONNX_FILE, OUTPUT

if TYPE_CHECKING:
    from pipeline.models.transformer import TransformerClassifier

OPSET = 17
TRACE_TEXTS = ["A sentence to trace the graph with.", "Short."]


class Probabilities(torch.nn.Module):
    """Encoder, pooling and softmax layer as one module, so one graph gives the probabilities."""

    def __init__(self, encoder: Any, weight: np.ndarray, bias: np.ndarray) -> None:
        super().__init__()
        self.encoder = encoder
        self.register_buffer("weight", torch.from_numpy(weight))
        self.register_buffer("bias", torch.from_numpy(bias))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return torch.softmax(pool(hidden, attention_mask) @ self.weight.T + self.bias, dim=1)


def export_float(model: TransformerClassifier, path: Path) -> None:
    module = Probabilities(model.encoder, model.weight, model.bias).eval()
    sample = model.tokenizer(TRACE_TEXTS, padding=True, return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {OUTPUT: {0: "batch"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            tuple(sample[name] for name in INPUTS),
            str(path),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def head_nodes(float_path: Path, keep_float: tuple[str, ...] = ()) -> list[str]:
    """Nodes outside the encoder (pooling, softmax layer), kept float by every quantiser, and those matching `keep_float`."""
    graph = onnx.load(str(float_path), load_external_data=False).graph
    return [node.name for node in graph.node if not node.name.startswith("/encoder/") or any(re.search(p, node.name) for p in keep_float)]


def quantize_int8(float_path: Path, path: Path, keep_float: tuple[str, ...] = (), reduce_range: bool = False, **options: Any) -> None:
    """The encoder's matrix products to int8; `options` override quantize_dynamic's for benchmarks/onnx_variants.py."""
    settings = {
        "op_types_to_quantize": ["MatMul"],
        "weight_type": QuantType.QInt8,
        "per_channel": True,
        "reduce_range": reduce_range,
        "nodes_to_exclude": head_nodes(float_path, keep_float),
    }
    quantize_dynamic(float_path, path, **(settings | options))


def export_int8(model: TransformerClassifier, folder: Path, params: TransformerParams) -> None:
    """Write `folder/ONNX_FILE`; the float graph is only a step on the way, in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        float_path = Path(tmp) / "float.onnx"
        export_float(model, float_path)
        quantize_int8(float_path, folder / ONNX_FILE, params.onnx_float, params.onnx_reduce_range)
