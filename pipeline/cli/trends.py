"""`stance trends`: stance shares over time and by group, with intervals, from the records of `stance predict`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from pipeline.cli.common import PARAMS, ParamsOption, project_config, reports_errors, warn
from pipeline.kinds import model_help


@reports_errors
def trends(
    predictions: Annotated[list[Path], typer.Argument(metavar="PREDICTIONS", help="Records of `stance predict` (.jsonl, .csv, .parquet), or folders of them.")],
    by: Annotated[
        Literal["week", "month", "quarter", "year", "all"], typer.Option("--by", help="Period of each cell; all: one period, the whole archive.")
    ] = "year",
    group: Annotated[str, typer.Option("--group", help="Metadata column to group by (outlet, conflict, kind, any other), or none.")] = "none",
    metadata: Annotated[
        Path | None, typer.Option("--metadata", dir_okay=False, help="Article metadata (.csv, .parquet, .jsonl), joined by its id or article column.")
    ] = None,
    date_column: Annotated[str, typer.Option("--date-column", help="Column with each article's date (year, year-month, date or ISO datetime).")] = "date",
    model: Annotated[str, typer.Option("--model", help=f"The model that wrote the records: {model_help()}.")] = "transformer",
    estimator: Annotated[
        Literal["cc", "pcc", "acc", "pacc"] | None,
        typer.Option("--estimator", help="Estimator the page shows (the table has every one the card allows); default: the benchmark's best."),
    ] = None,
    gold: Annotated[str | None, typer.Option("--gold", help="Column of the records with gold labels: adds the true shares beside the estimates.")] = None,
    min_articles: Annotated[
        int | None, typer.Option("--min-articles", min=1, help="Cells with fewer articles are marked small (default: from the benchmark).")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False, help="Table of cells, .csv or .parquet, written atomically.")] = None,
    page: Annotated[Path | None, typer.Option("--page", dir_okay=False, help="Self-contained HTML page with the plots and a table.")] = None,
    png_dir: Annotated[Path | None, typer.Option("--png-dir", file_okay=False, help="Folder for the page's PNGs (default: PAGE_png beside the page).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the bootstrap (default: train.seed).")] = None,
    params: ParamsOption = PARAMS,
) -> None:
    """Estimate the share of each stance per period and group, with 95% intervals, as a table and a page with plots."""
    from pipeline.trends.run import MIN_ARTICLES, TrendsJob
    from pipeline.trends.run import trends as run_trends

    config = project_config(params)
    job = TrendsJob(
        inputs=tuple(predictions),
        model=model,
        models=config.paths.models,
        by=by,
        group=group,
        date_column=date_column,
        metadata=metadata,
        gold=gold,
        estimator=estimator,
        min_articles=min_articles or MIN_ARTICLES,
        draws=config.evaluate.bootstrap,
        level=config.evaluate.confidence,
        seed=config.train.seed if seed is None else seed,
        min_claims=config.predict.min_claims,
        output=output,
        page=page,
        png_dir=png_dir,
    )
    typer.echo(run_trends(job, warn), err=True)
