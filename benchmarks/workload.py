"""What the speed benchmarks share: their arguments, the sentences they classify, and a record of the machine."""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Sequence
from pathlib import Path

from pipeline.onnx_classifier import available_cores
from pipeline.segment import Sentence

RESULTS = Path(__file__).resolve().parent / "results"


def arguments(description: str, output: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--params", type=Path, default=Path("configs/params.yaml"))
    parser.add_argument("--model", type=Path, help="Transformer model folder (default: paths.models/transformer).")
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS / output)
    return parser


def cycled(corpus: Sequence[Sentence], count: int) -> list[str]:
    """The corpus's sentences in order, repeated up to `count`: real text at real lengths."""
    return [corpus[i % len(corpus)].text for i in range(count)]


def machine(load_before: tuple[float, float, float]) -> dict[str, object]:
    """Where and how busy: a figure from a loaded machine reads differently."""
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores_available": available_cores(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
