"""`stance predict`: label the sentences of new articles with a trained model."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from pipeline.cli.common import reports_errors
from pipeline.kinds import model_help


@reports_errors
def predict(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH", help="Articles (.txt, .md, .html, .htm), folders of them, sentence files (.jsonl, .csv, .parquet), or - for standard input."
        ),
    ],
    model: Annotated[str, typer.Option("--model", help=f"{model_help()}.")] = "transformer",
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
    params: Annotated[
        Path | None,
        typer.Option("--params", help="Parameters file of a project (default: configs/params.yaml here or above; none: the model folder's own settings)."),
    ] = None,
) -> None:
    """Label each sentence of new articles as pro-talks, skeptical, conditional or none.

    The model folder's card says how to segment and which labels there are; inside a project, the parameters file says
    where models live and how to predict; outside one, give --model a model folder.
    """
    from pipeline.predict.run import Job, run

    job = Job(
        tuple(inputs),
        model,
        output_format,
        output,
        text_column,
        rows,
        claims_only,
        min_confidence,
        backend,
        workers,
        engine,
        address,
        ray_actors,
        ray_batch,
        stdin_type,
        params,
    )
    errors = Console(stderr=True, soft_wrap=True, highlight=False)
    try:
        line, records_on_stdout = run(job, errors)
    except BrokenPipeError:
        # The reader left (`| head`): stop quietly, and keep Python from failing again on flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    typer.echo(line, err=records_on_stdout)
