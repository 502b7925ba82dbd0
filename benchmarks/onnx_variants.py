"""Which ONNX export of the trained transformer classifies fastest on this CPU?

The product's export (int8 weights, one scale per output channel) against the
other settings onnxruntime offers: the float graph, one scale per matrix,
unsigned weights, the graph fused by onnxruntime's transformer optimizer
(attention, GELU and layer norms as single operators; it needs the encoder's
plain "eager" attention to find them), and 4-bit weights. Each runs through
the product's own inference code (pipeline.models.onnx_runtime) on the same
sentences as benchmarks/predict_speed.py, in one process, so only inference is
timed, not start-up. Labels are compared with the float graph's.

    python benchmarks/onnx_variants.py [--model models/transformer] [--sentences 3000] [--rounds 3]
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated

import numpy as np
import onnx
import onnxruntime
import typer
from onnxruntime.quantization import QuantType
from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
from onnxruntime.transformers.optimizer import optimize_model
from workload import (
    RESULTS,
    ModelOption,
    OutputOption,
    ParamsOption,
    RoundsOption,
    SentencesOption,
    cycled,
    machine,
    seed_sentences,
)

from pipeline.config import DEFAULT_PARAMS, load_config
from pipeline.files import write_json
from pipeline.models.folder import load_model
from pipeline.models.onnx_export import export_float, head_nodes, quantize_int8
from pipeline.models.onnx_runtime import OnnxClassifier, inference_session, load

app = typer.Typer(add_completion=False)

PRODUCT = "int8, per channel (the product)"


def fused(float_path: Path, path: Path, hidden_size: int, heads: int) -> None:
    optimize_model(str(float_path), model_type="bert", num_heads=heads, hidden_size=hidden_size).save_model_to_file(str(path))


def four_bit(float_path: Path, path: Path) -> None:
    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(float_path)), bits=4, block_size=32, is_symmetric=True, accuracy_level=4, nodes_to_exclude=head_nodes(float_path)
    )
    quantizer.process()
    quantizer.model.save_model_to_file(str(path))


def build_variants(model_folder: Path, scratch: Path) -> dict[str, Path]:
    """Every variant's graph, written under `scratch`; the model folder is only read."""
    calibrated, _ = load_model(model_folder, "torch")
    model = calibrated.model
    config = model.encoder.config  # type: ignore[attr-defined]
    names = [
        "float32",
        PRODUCT,
        "int8, one scale per matrix",
        "int8, unsigned weights",
        "float32, fused",
        "int8, fused",
        "4-bit weights, int8 compute",
    ]
    variants = {name: scratch / f"{index}.onnx" for index, name in enumerate(names)}
    export_float(model, variants["float32"])  # type: ignore[arg-type]
    quantize_int8(variants["float32"], variants[PRODUCT])
    quantize_int8(variants["float32"], variants["int8, one scale per matrix"], per_channel=False)
    quantize_int8(variants["float32"], variants["int8, unsigned weights"], weight_type=QuantType.QUInt8)
    four_bit(variants["float32"], variants["4-bit weights, int8 compute"])
    model.encoder.set_attn_implementation("eager")  # type: ignore[attr-defined]
    eager = scratch / "eager.onnx"
    export_float(model, eager)  # type: ignore[arg-type]
    fused(eager, variants["float32, fused"], config.hidden_size, config.num_attention_heads)
    # The fused head is one Gemm, which is not quantised; the attention operators are.
    quantize_int8(
        variants["float32, fused"],
        variants["int8, fused"],
        op_types_to_quantize=["MatMul", "Attention"],
        nodes_to_exclude=[],
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return variants


def timed(classifier: OnnxClassifier, texts: list[str]) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    scores = classifier.predict_proba(texts)
    return time.perf_counter() - start, scores


@app.command()
def main(
    params: ParamsOption = DEFAULT_PARAMS,
    model: ModelOption = None,
    sentences: SentencesOption = 3000,
    rounds: RoundsOption = 3,
    output: OutputOption = RESULTS / "onnx_variants.json",
    batch_sizes: Annotated[str, typer.Option("--batch-sizes", help="Batch sizes tried with the product's export.")] = "8,32,128",
) -> None:
    """Time every ONNX export setting on the same sentences, through the product's own classifier."""
    logging.disable(logging.INFO)  # the quantisers log every tensor

    config = load_config(params)
    paths = config.paths
    settings = config.kind_params("transformer")
    labels = config.labels.names
    corpus = seed_sentences(config)
    texts = cycled(corpus, sentences)
    folder = model or paths.models / "transformer"
    product = load(folder, labels, settings)
    tokens = sum(sum(encoding.attention_mask) for encoding in product.tokenizer.encode_batch(texts))
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory() as tmp:
        variants = build_variants(folder, Path(tmp))
        runs = [(name, settings.batch_size) for name in variants]
        runs += [(PRODUCT, int(size)) for size in batch_sizes.split(",") if int(size) != settings.batch_size]
        classifiers = {run: dataclasses.replace(product, session=inference_session(variants[run[0]]), batch_size=run[1]) for run in runs}
        seconds: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
        scores: dict[tuple[str, int], np.ndarray] = {}
        for round_number in range(1, rounds + 1):
            for run, classifier in classifiers.items():
                elapsed, scores[run] = timed(classifier, texts)
                seconds[run].append(elapsed)
                print(f"round {round_number}: {run[0]}, batch {run[1]}: {elapsed:.1f} s", file=sys.stderr)

    reference = scores[("float32", settings.batch_size)].argmax(axis=1)
    results = [
        {
            "export": name,
            "batch_size": size,
            "seconds_median": round(statistics.median(seconds[(name, size)]), 2),
            "seconds_all": [round(s, 2) for s in seconds[(name, size)]],
            "sentences_per_s": round(len(texts) / statistics.median(seconds[(name, size)])),
            "label_agreement_with_float32": round(float(np.mean(scores[(name, size)].argmax(axis=1) == reference)), 4),
        }
        for name, size in runs
    ]
    report = {
        "date": datetime.date.today().isoformat(),
        "command": " ".join(["python benchmarks/onnx_variants.py", *sys.argv[1:]]),
        "machine": machine(load_before) | {"onnxruntime": onnxruntime.__version__},
        "sentences": len(texts),
        "tokens": tokens,
        "rounds": rounds,
        "results": results,
    }
    write_json(output, report)

    print(f"| export | batch | seconds (median) | sentences/s | labels as float32 |  ({len(texts)} sentences, {tokens} tokens)")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        agreement = r["label_agreement_with_float32"]
        print(f"| {r['export']} | {r['batch_size']} | {r['seconds_median']:.2f} | {r['sentences_per_s']} | {agreement:.1%} |")
    print(f"Wrote {output}.")


if __name__ == "__main__":
    app()
