"""`stance labels ...`: check, agreement, Label Studio round trips and the audit; each calls one function of pipeline.labels."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pipeline.cli.common import PARAMS, ParamsOption, project_config, reports_errors, warn
from pipeline.kinds import model_help

if TYPE_CHECKING:
    pass


@reports_errors
def check(
    files: Annotated[list[Path] | None, typer.Argument(help="Label files or folders (default: what training reads).")] = None,
    complete: Annotated[bool, typer.Option("--complete", help="Also fail when any sentence has no label.")] = False,
    params: ParamsOption = PARAMS,
) -> None:
    """Check label files: JSON, fields, known labels, unique ids, stale text or hash, coverage."""
    from pipeline.labels.check import check as check_files

    if not check_files(project_config(params), files or [], complete, warn):
        raise typer.Exit(1)


@reports_errors
def agree(
    first: Annotated[Path, typer.Argument(help="Label file of the first pass.", exists=True, dir_okay=False)],
    second: Annotated[Path, typer.Argument(help="Label file of the second, blind pass.", exists=True, dir_okay=False)],
    params: ParamsOption = PARAMS,
) -> None:
    """Cohen's kappa between two label passes, for all labels and for claim-vs-none, overall, per slice and per genre."""
    from pipeline.labels.agree import agree as agreement

    agreement(project_config(params), first, second)


@reports_errors
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Tasks file to write; the labeling config goes beside it as .xml.")] = Path(
        "label-studio.json"
    ),
    fmt: Annotated[Literal["label-studio"], typer.Option("--format", help="Interchange format.")] = "label-studio",
    unlabeled_only: Annotated[bool, typer.Option("--unlabeled", help="Only sentences without a label.")] = False,
    with_predictions: Annotated[
        bool, typer.Option("--with-predictions", help="Add the model's guess to each task as a Label Studio prediction, to sort the queue by.")
    ] = False,
    model: Annotated[str, typer.Option("--model", help=f"Whose guesses: {model_help()}.")] = "transformer",
    params: ParamsOption = PARAMS,
) -> None:
    """Write the sentences as Label Studio tasks (existing labels included) and the matching labeling config."""
    from pipeline.labels.exchange import export as export_tasks
    from pipeline.predict.api import open_model
    from pipeline.predict.classify import model_folder

    config = project_config(params)
    guesser = open_model(model_folder(model, config.paths.models), config.predict) if with_predictions else None
    typer.echo(export_tasks(config, output, unlabeled_only, guesser, warn))


@reports_errors
def import_(
    file: Annotated[Path, typer.Argument(help="Label Studio's export: JSON, JSON_MIN or CSV.", exists=True, dir_okay=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Label file to add the new labels to (default: labels/label-studio.jsonl).")] = None,
    annotator: Annotated[str | None, typer.Option("--annotator", help="Record this annotator instead of Label Studio's user.")] = None,
    users: Annotated[
        Path | None, typer.Option("--users", help="Label Studio's /api/users JSON: names the annotators it exports as user ids.", exists=True, dir_okay=False)
    ] = None,
    params: ParamsOption = PARAMS,
) -> None:
    """Add the labels of a Label Studio export, checked like `stance labels check`; conflicts are refused."""
    from pipeline.labels.exchange import import_ as import_labels

    typer.echo(import_labels(project_config(params), file, output, annotator, users, warn))


@reports_errors
def audit(
    model: Annotated[str | None, typer.Option("--model", help="Model kind whose out-of-fold predictions to use (default: labeling.model).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Markdown report (default: reports/label_audit.md).")] = None,
    show: Annotated[int, typer.Option("--show", min=0, help="Rows to print here; the report lists all.")] = 20,
    params: ParamsOption = PARAMS,
) -> None:
    """List the labels most likely to be wrong (cleanlab on out-of-fold predictions) for a person to review."""
    from pipeline.evaluation.predictions import cv_file, read_cv
    from pipeline.labels.review import review

    config = project_config(params)
    name = model or config.labeling.model
    source = cv_file(config.paths.reports, name)
    typer.echo(review(config, name, read_cv(source, config.labels), source, output, show))
