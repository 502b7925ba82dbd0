"""Which ONNX export of the trained transformer keeps torch's labels, and how fast does each run on this CPU?

The product's export (int8 weights with one scale per block of
`transformer.onnx_block_size`, int8 products) against smaller and larger
blocks, 4-bit weights, the float graph, and the export the product used
before 2026-12-07: onnxruntime's dynamic quantisation, one scale per output
channel for the weights and one per tensor for their inputs, 7-bit weights,
the feed-forward outputs kept float. Each runs through the product's own
inference code (pipeline.models.onnx_runtime), one sentence per run as
`stance predict` does, on the same sentences as benchmarks/predict_speed.py,
in one process, so only inference is timed, not start-up. Labels are compared
with the float graph's.

    python benchmarks/onnx_variants.py [--model models/transformer] [--sentences 600] [--rounds 1]
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
from onnxruntime.quantization import QuantType, quantize_dynamic
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
from pipeline.models.onnx_export import export_float, head_nodes, quantize_blocks
from pipeline.models.onnx_runtime import SENTENCES_PER_RUN, OnnxClassifier, inference_session, load

app = typer.Typer(add_completion=False)

PRODUCT = "int8, blocks of transformer.onnx_block_size (the product)"
DYNAMIC = "int8 dynamic, one scale per tensor, 7 bits, feed-forward outputs float (before 2026-12-07)"


def dynamic(float_path: Path, path: Path) -> None:
    """The export before 2026-12-07, with its settings of then."""
    quantize_dynamic(
        float_path,
        path,
        op_types_to_quantize=["MatMul"],
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        nodes_to_exclude=head_nodes(onnx.load(str(float_path), load_external_data=False).graph, (r"layer\.\d+/output/dense/",)),
    )


def build_variants(model_folder: Path, scratch: Path, block_size: int) -> dict[str, Path]:
    """Every variant's graph, written under `scratch`; the model folder is only read."""
    calibrated, _ = load_model(model_folder, "torch")
    blocks = {f"int8, blocks of {size}": (8, size) for size in sorted({block_size // 2, block_size * 2})} | {"4-bit weights, blocks of 32": (4, 32)}
    names = ["float32", PRODUCT, *blocks, DYNAMIC]
    variants = {name: scratch / f"{index}.onnx" for index, name in enumerate(names)}
    export_float(calibrated.model, variants["float32"])  # type: ignore[arg-type]
    quantize_blocks(variants["float32"], variants[PRODUCT], block_size)
    for name, (bits, size) in blocks.items():
        quantize_blocks(variants["float32"], variants[name], size, bits=bits)
    dynamic(variants["float32"], variants[DYNAMIC])
    return variants


def timed(classifier: OnnxClassifier, texts: list[str]) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    scores = classifier.predict_proba(texts)
    return time.perf_counter() - start, scores


@app.command()
def main(
    params: ParamsOption = DEFAULT_PARAMS,
    model: ModelOption = None,
    sentences: SentencesOption = 600,
    rounds: RoundsOption = 1,
    output: OutputOption = RESULTS / "onnx_variants.json",
    batch_sizes: Annotated[str, typer.Option("--batch-sizes", help="Batch sizes tried with the product's export besides one sentence per run.")] = "32",
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
        variants = build_variants(folder, Path(tmp), settings.onnx_block_size)
        runs = [(name, SENTENCES_PER_RUN) for name in variants]
        runs += [(PRODUCT, int(size)) for size in batch_sizes.split(",") if int(size) != SENTENCES_PER_RUN]
        classifiers = {run: dataclasses.replace(product, session=inference_session(variants[run[0]]), batch_size=run[1]) for run in runs}
        seconds: dict[tuple[str, int], list[float]] = {run: [] for run in runs}
        scores: dict[tuple[str, int], np.ndarray] = {}
        for round_number in range(1, rounds + 1):
            for run, classifier in classifiers.items():
                elapsed, scores[run] = timed(classifier, texts)
                seconds[run].append(elapsed)
                print(f"round {round_number}: {run[0]}, batch {run[1]}: {elapsed:.1f} s", file=sys.stderr)

    reference = scores[("float32", SENTENCES_PER_RUN)].argmax(axis=1)
    results = [
        {
            "export": name,
            "batch_size": size,
            "seconds_median": round(statistics.median(seconds[(name, size)]), 2),
            "seconds_all": [round(s, 2) for s in seconds[(name, size)]],
            "sentences_per_s": round(len(texts) / statistics.median(seconds[(name, size)])),
            "label_agreement_with_float32": round(float(np.mean(scores[(name, size)].argmax(axis=1) == reference)), 4),
            "largest_difference_from_one_per_run": round(float(np.abs(scores[(name, size)] - scores[(name, SENTENCES_PER_RUN)]).max()), 4),
        }
        for name, size in runs
    ]
    report = {
        "date": datetime.date.today().isoformat(),
        "command": " ".join(["python benchmarks/onnx_variants.py", *sys.argv[1:]]),
        "machine": machine(load_before) | {"onnxruntime": onnxruntime.__version__},
        "block_size": settings.onnx_block_size,
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
