"""`stance predict`: label the sentences of new articles with a trained model."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from pipeline.cli.common import PARAMS, ParamsOption, project_config, reports_errors
from pipeline.errors import StanceError

STDOUT = Path("-")


@reports_errors
def predict(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH", help="Articles (.txt, .md, .html, .htm), folders of them, sentence files (.jsonl, .csv, .parquet), or - for standard input."
        ),
    ],
    model: Annotated[
        str, typer.Option("--model", help="transformer, fast (static vectors, for triage), tfidf (or baseline), majority, or a model folder.")
    ] = "transformer",
    output_format: Annotated[
        Literal["table", "jsonl", "csv", "json", "html", "parquet"] | None,
        typer.Option("--format", help="Output format (default: table, or the --output file's suffix)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write here, atomically; - writes records to standard output (default format jsonl).")
    ] = None,
    text_column: Annotated[str, typer.Option("--text-column", help="Field of .jsonl, .csv and .parquet inputs that holds the text.")] = "text",
    rows: Annotated[
        Literal["sentences", "articles"], typer.Option("--rows", help="What one record of a .jsonl, .csv or .parquet input holds; articles are segmented.")
    ] = "sentences",
    claims_only: Annotated[bool, typer.Option("--claims-only", help="Leave out sentences that make no claim about talks, and claims set aside.")] = False,
    min_confidence: Annotated[
        float | None,
        typer.Option(
            "--min-confidence",
            min=0.0,
            max=1.0,
            help="Set aside claims below this confidence: marked in jsonl, csv and json, shown as `label?` in tables, left out of claims-only output and summaries "
            "(default: the model's recommended confidence; 0 keeps every claim).",
        ),
    ] = None,
    backend: Annotated[Literal["onnx", "torch"] | None, typer.Option("--backend", help="Transformer runtime (default: predict.backend).")] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Processes classifying at once, each with its own model and share of the cores; same output as 1.")
    ] = 1,
    engine: Annotated[
        Literal["local", "ray"],
        typer.Option("--engine", help="local: this machine's processes; ray: Ray Data over Parquet inputs, locally or on a cluster (extra: .[ray])."),
    ] = "local",
    address: Annotated[str | None, typer.Option("--address", help="Ray cluster to join (ray://host:10001 or auto); default: start Ray here.")] = None,
    ray_actors: Annotated[
        int | None, typer.Option("--ray-actors", min=1, help="Model actors in Ray's pool, one core each (default: the cluster's cores less one, for reading).")
    ] = None,
    ray_batch: Annotated[int | None, typer.Option("--ray-batch", min=1, help="Rows per batch sent to a Ray actor (default: predict.chunk).")] = None,
    stdin_type: Annotated[Literal["txt", "md", "html", "jsonl", "csv"], typer.Option("--stdin-type", help="What - reads.")] = "txt",
    params: ParamsOption = PARAMS,
) -> None:
    """Label each sentence of new articles as pro-talks, skeptical, conditional or none.

    The model folder's card says how to segment and which labels there are; the parameters file only says where models live.
    """
    from pipeline.files import atomic_writer
    from pipeline.models.folder import load_model, runtime
    from pipeline.models.onnx_runtime import ONNX_FILE
    from pipeline.predict.classify import Tally, classify, in_process, model_folder
    from pipeline.predict.inputs import input_sentences, refuse_to_overwrite, sources, standard_input
    from pipeline.predict.output import (
        BINARY_FORMATS,
        SUFFIX_FORMATS,
        progress,
        write_predictions,
    )
    from pipeline.predict.ray_engine import Job, check_inputs, ray_predictions
    from pipeline.predict.workers import parallel_probabilities

    config = project_config(params)
    settings = config.predict
    if output == STDOUT:
        output, output_format = None, output_format or "jsonl"
    if output is not None and output_format is None and output.suffix.lower() not in SUFFIX_FORMATS:
        raise StanceError(f"{output}: cannot tell the format from this suffix; add --format jsonl, csv, json, html or parquet.")
    fmt = output_format or (SUFFIX_FORMATS[output.suffix.lower()] if output is not None else "table")
    if fmt == "table" and output is not None:
        raise StanceError(f"{output}: a table is for the terminal; write files with --format jsonl, csv, json, html or parquet.")
    if fmt in BINARY_FORMATS and output is None:
        raise StanceError(f"{fmt} is a binary format; write it to a file with --output.")
    errors = Console(stderr=True, soft_wrap=True, highlight=False)

    def warn(message: str) -> None:
        errors.print(f"warning: {message}", markup=False)

    found = sources(inputs, f".{stdin_type}", warn)
    if engine == "ray":
        if workers != 1:
            raise StanceError("--workers is for the local engine; with --engine ray, --ray-actors sets the pool.")
        check_inputs(found, text_column, rows)
    stdin = standard_input(found)
    if output is not None:
        refuse_to_overwrite(found, output)
    folder = model_folder(model, config.paths.models)
    runtime_backend = backend or settings.backend
    classifier, card = load_model(folder, runtime_backend)
    runs_as = runtime(classifier, card)
    if card.kind == "transformer" and runs_as == "torch" and runtime_backend == "onnx":
        warn(f"{folder} has no {ONNX_FILE} (trained before the export); running torch, slower; `dvc repro` makes one.")

    threshold = card.calibration.recommended_confidence if min_confidence is None else min_confidence
    tally = Tally()
    show_progress = errors.is_terminal and (output is not None or not sys.stdout.isatty())
    about = {"model": str(folder), "kind": card.kind, "runtime": runs_as, "min_confidence": threshold}
    total = None if any(source.path is None for source in found) else len(found)
    try:
        with (
            progress(errors, show_progress, total) as counting,
            atomic_writer(output, "wb" if fmt in BINARY_FORMATS else "w") if output else nullcontext(sys.stdout) as handle,
        ):
            if engine == "ray":
                read_from = {str(source.path.resolve()): source for source in found if source.path is not None}
                job = Job(
                    str(folder.resolve()),
                    runtime_backend,
                    card.segment,
                    card.labels.names,
                    card.labels.negative,
                    settings.chunk,
                    threshold,
                    text_column,
                    rows,
                    read_from,
                )
                predictions = ray_predictions(job, address, ray_actors, ray_batch or settings.chunk, warn)
            else:
                probabilities = (
                    in_process(classifier) if workers == 1 else partial(parallel_probabilities, folder=folder, backend=runtime_backend, workers=workers)
                )
                sentences = input_sentences(found, stdin, card.segment, text_column, rows, warn)
                predictions = classify(sentences, probabilities, card.labels.names, settings.chunk, card.labels.negative, threshold)
            write_predictions(counting(tally.count(predictions)), fmt, handle, card.labels, claims_only, settings, about)
    except BrokenPipeError:
        # The reader left (`| head`): stop quietly, and keep Python from failing again on flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    line = f"{tally.line(card.labels, threshold)} Model {folder} ({runs_as})" + (f"; wrote {output}." if output else ".")
    typer.echo(line, err=fmt != "table" and output is None)
