"""One run of `stance predict`: inputs read, classified on the chosen engine, written in the chosen format.

The command maps its options onto a `Job` and calls `run`; everything it decides
(the format from a suffix, refusing to overwrite an input, the engine) is here,
on top of the Python API (`pipeline.predict.api`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from pipeline.errors import StanceError
from pipeline.files import atomic_writer
from pipeline.kinds import kind_named
from pipeline.models.onnx_runtime import ONNX_FILE
from pipeline.predict import ray_engine
from pipeline.predict.api import StanceModel, load
from pipeline.predict.classify import Prediction, Tally
from pipeline.predict.inputs import Source, Warn, input_sentences, refuse_to_overwrite, sources, standard_input
from pipeline.predict.output import BINARY_FORMATS, SUFFIX_FORMATS, progress, write_predictions

STDOUT = Path("-")


@dataclass(frozen=True)
class Job:
    """What to classify, with which model, and where the records go."""

    inputs: tuple[str, ...]
    model: str = "transformer"
    output_format: str | None = None
    output: Path | None = None
    text_column: str = "text"
    rows: str = "sentences"
    claims_only: bool = False
    min_confidence: float | None = None
    backend: str | None = None
    workers: int = 1
    engine: str = "local"
    address: str | None = None
    ray_actors: int | None = None
    ray_batch: int | None = None
    stdin_type: str = "txt"
    params: Path | None = None


def output_format(job: Job) -> tuple[str, Path | None]:
    """The format to write and the file to write it to (None: standard output)."""
    output, chosen = job.output, job.output_format
    if output == STDOUT:
        output, chosen = None, chosen or "jsonl"
    if output is not None and chosen is None and output.suffix.lower() not in SUFFIX_FORMATS:
        raise StanceError(f"{output}: cannot tell the format from this suffix; add --format jsonl, csv, json, html or parquet.")
    fmt = chosen or (SUFFIX_FORMATS[output.suffix.lower()] if output is not None else "table")
    if fmt == "table" and output is not None:
        raise StanceError(f"{output}: a table is for the terminal; write files with --format jsonl, csv, json, html or parquet.")
    if fmt in BINARY_FORMATS and output is None:
        raise StanceError(f"{fmt} is a binary format; write it to a file with --output.")
    return fmt, output


def _predictions(job: Job, model: StanceModel, found: list[Source], warn: Warn) -> Iterator[Prediction]:
    if job.engine == "ray":
        read_from = {str(source.path.resolve()): source for source in found if source.path is not None}
        labels, settings = model.labels, model.settings
        ray_job = ray_engine.Job(
            str(model.folder.resolve()),
            model.backend,
            model.card.segment,
            labels.names,
            labels.negative,
            settings.chunk,
            model.min_confidence,
            job.text_column,
            job.rows,
            read_from,
        )
        return ray_engine.ray_predictions(ray_job, job.address, job.ray_actors, job.ray_batch or settings.chunk, warn)
    sentences = input_sentences(found, standard_input(found), model.card.segment, job.text_column, job.rows, warn)
    return model.predictions(sentences, job.workers, warn)


def run(job: Job, errors: Console) -> tuple[str, bool]:
    """Classify and write; returns the closing line (counts and the model) and whether standard output holds records,
    so the line goes to standard error instead. Warnings go to `errors`."""
    fmt, output = output_format(job)

    def warn(message: str) -> None:
        errors.print(f"warning: {message}", markup=False)

    found = sources(list(job.inputs), f".{job.stdin_type}", warn)
    if job.engine == "ray":
        if job.workers != 1:
            raise StanceError("--workers is for the local engine; with --engine ray, --ray-actors sets the pool.")
        ray_engine.check_inputs(found, job.text_column, job.rows)
    if output is not None:
        refuse_to_overwrite(found, output)
    model = load(job.model, job.backend, job.min_confidence, job.params)
    if kind_named(model.card.kind).exports_onnx and model.runtime == "torch" and model.backend == "onnx":
        warn(f"{model.folder} has no {ONNX_FILE} (trained before the export); running torch, slower; `dvc repro` makes one.")
    tally = Tally()
    show_progress = errors.is_terminal and (output is not None or not sys.stdout.isatty())
    total = None if any(source.path is None for source in found) else len(found)
    with (
        progress(errors, show_progress, total) as counting,
        atomic_writer(output, "wb" if fmt in BINARY_FORMATS else "w") if output else nullcontext(sys.stdout) as handle,
    ):
        write_predictions(counting(tally.count(_predictions(job, model, found, warn))), fmt, handle, model, job.claims_only)
    line = f"{tally.line(model.labels, model.min_confidence)} Model {model.folder} ({model.runtime})" + (f"; wrote {output}." if output else ".")
    return line, output is None and fmt != "table"
