"""What the speed benchmarks share: their arguments, the sentences they classify, and a record of the machine."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from pipeline.config import Config
from pipeline.corpus.corpora import project_corpora, segment_corpus
from pipeline.corpus.segment import Sentence
from pipeline.models.onnx_runtime import available_cores

RESULTS = Path(__file__).resolve().parent / "results"


# The options every benchmark script takes, as typer reads them (the product's own CLI library).
ParamsOption = Annotated[Path, typer.Option("--params", help="Parameters file.")]
ModelOption = Annotated[Path | None, typer.Option("--model", help="Transformer model folder (default: paths.models/transformer).")]
SentencesOption = Annotated[int, typer.Option("--sentences", min=1, help="Sentences to classify.")]
RoundsOption = Annotated[int, typer.Option("--rounds", min=1, help="Rounds; the median is reported.")]
OutputOption = Annotated[Path, typer.Option("--output", help="Results file (JSON, written atomically).")]


def seed_sentences(config: Config) -> list[Sentence]:
    """The seed corpus's sentences: real text at real lengths, which the benchmark may print and keep."""
    return segment_corpus(project_corpora(config.paths)[0], config.segment, config.slices)


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
