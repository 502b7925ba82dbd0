"""`stance label`: add articles and label their sentences in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from pipeline.cli.common import (
    PARAMS,
    ParamsOption,
    project_config,
    reports_errors,
    warn,
)
from pipeline.errors import StanceError
from pipeline.kinds import model_help


@reports_errors
def label(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="Articles (.txt, .md, .html) or folders of them to add and label; none: every unlabeled sentence of the corpus."),
    ] = None,
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator", help="Who labels (default: git config user.name); labels go to labels/<name in lower case, runs of other characters as ->.jsonl."
        ),
    ] = None,
    order: Annotated[
        Literal["uncertain", "diverse", "article", "random"],
        typer.Option(
            "--order",
            help="uncertain: the model's least confident guesses first; diverse: the most uncertain first, no near-duplicates in a row; "
            "article: reading order; random.",
        ),
    ] = "uncertain",
    model: Annotated[str | None, typer.Option("--model", help=f"Model for guesses: {model_help()} (default: labeling.model).")] = None,
    params: ParamsOption = PARAMS,
) -> None:
    """Add articles and label their sentences in the terminal, one key per label; every label is saved at once.

    A new article is copied into the seed corpus with its first label; the sentences file stays the `segment` stage's to write (`dvc repro`).
    """
    from pipeline.labels.terminal import has_keyboard
    from pipeline.labels.terminal import label as labeling
    from pipeline.models.card import CARD
    from pipeline.predict.api import open_model
    from pipeline.predict.classify import model_folder

    config = project_config(params)
    if not has_keyboard():
        raise StanceError("stance label reads one key at a time from a terminal, and its input here is a pipe or a file; run it in a terminal.")
    folder = model_folder(model or config.labeling.model, config.paths.models)
    loaded = open_model(folder, config.predict) if model is not None or (folder / CARD).is_file() else None
    guesser = loaded.corpus_guesses if loaded else None
    typer.echo(labeling(config, inputs or [], annotator, order, guesser, folder, warn))
