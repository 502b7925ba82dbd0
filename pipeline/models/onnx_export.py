"""Export a trained transformer classifier to ONNX with int8 weights: the form `stance predict` runs.

The graph is the whole classifier (encoder, mean pooling, L2 norm, softmax
layer) and outputs probabilities, so nothing of ours runs between tokens and
scores. The encoder's matrix products become onnxruntime's MatMulNBits with
8-bit weights, one scale per block of `transformer.onnx_block_size` input
weights, and int8 arithmetic whose inputs are quantised per block of each token
(accuracy level 4). With blocks of 128 mpnet's labels stay within 0.0012
macro-F1 of torch on the CV; one scale per tensor for the inputs
(onnxruntime's dynamic quantisation, the export before 2026-12-07) lost 0.02,
and on CPUs without VNNI its unsigned products saturated. Symmetric int8
products should not (reasoned from the kernels; no such CPU was at hand to
measure). The rest stays float: the word-embedding table, the
softmax layer, which is tiny, and the matrix products whose node names match
`transformer.onnx_float`. benchmarks/onnx_quality.py checks labels and
macro-F1 against torch (docs/predicting.md, "int8 quality").

The TorchScript exporter is used: it exports this model in about a fifth of the
time of the dynamo exporter, with dynamic batch and token axes, and its graph
quantises cleanly; torch is pinned, so its deprecation notice is silenced here.
"""

from __future__ import annotations

import logging
import re
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import onnx
import torch

from pipeline.kinds import TransformerParams
from pipeline.models.encoder import pool
from pipeline.models.onnx_runtime import INPUTS, ONNX_FILE, OUTPUT, weights_file

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


def head_nodes(graph: onnx.GraphProto, keep_float: tuple[str, ...] = ()) -> list[str]:
    """Nodes outside the encoder (pooling, softmax layer), kept float by every quantiser, and those matching `keep_float`."""
    return [node.name for node in graph.node if not node.name.startswith("/encoder/") or any(re.search(p, node.name) for p in keep_float)]


# onnxruntime's accuracy level 4: int8 products, their inputs quantised per block of each token.
INT8_ARITHMETIC = 4


def block_quantizer() -> Any:
    """onnxruntime's MatMulNBitsQuantizer. Its module sets the root logger to INFO when imported
    (logging.basicConfig), which would print a line for every node it skips; the root's level is put back."""
    root = logging.getLogger()
    level = root.level
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    root.setLevel(level)
    return MatMulNBitsQuantizer


def quantize_blocks(float_path: Path, path: Path, block_size: int, keep_float: tuple[str, ...] = (), bits: int = 8) -> None:
    """The encoder's matrix products to `bits`-bit weights in blocks; other `bits` only for benchmarks/onnx_variants.py.

    The weights go to `path` + ".data" beside the graph: onnxruntime maps that file instead of parsing
    180 MB of protobuf, which halves the time a session takes to open (0.14 s against 0.31 s, 2026-12-07)."""
    float_model = onnx.load(str(float_path))
    quantizer = block_quantizer()(
        float_model,
        bits=bits,
        block_size=block_size,
        is_symmetric=True,
        accuracy_level=INT8_ARITHMETIC,
        nodes_to_exclude=head_nodes(float_model.graph, keep_float),
    )
    quantizer.process()
    quantizer.model.save_model_to_file(str(path), use_external_data_format=True)
    weights_file(path).chmod(path.stat().st_mode)


def export_int8(model: TransformerClassifier, folder: Path, params: TransformerParams) -> None:
    """Write `folder/ONNX_FILE`; the float graph is only a step on the way, in a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        float_path = Path(tmp) / "float.onnx"
        export_float(model, float_path)
        quantize_blocks(float_path, folder / ONNX_FILE, params.onnx_block_size, params.onnx_float)
