"""The `stance` command: argument parsing only; each command calls one function of its stage's package."""

from __future__ import annotations

from importlib import metadata
from typing import Annotated, Any

import typer

from pipeline.cli import benchmark, label, labels, predict, serve, stages, trends

# Plain help: the rich help of this typer version labels every flag `<bool>`, as if it took a value.
HELP: dict[str, Any] = {"no_args_is_help": True, "rich_markup_mode": None}
app = typer.Typer(add_completion=False, help="Stance toward talks with militant groups, sentence by sentence.", **HELP)


def print_version(show: bool) -> None:
    if show:
        typer.echo(f"stance {metadata.version('stance')}")
        raise typer.Exit()


@app.callback()
def options(
    version: Annotated[bool, typer.Option("--version", callback=print_version, is_eager=True, help="Print the version of stance and exit.")] = False,
) -> None:
    """Options of `stance` itself, before any command; the version is the installed package's, as pip reports it."""


app.command()(stages.segment)
app.command()(stages.train)
app.command()(stages.evaluate)
app.command()(stages.behaviour)
app.command()(stages.report)
app.command("check-floor")(stages.check_floor)
app.command()(predict.predict)
app.command()(label.label)
app.command()(trends.trends)
app.command()(serve.serve)

labels_app = typer.Typer(help="Check and manage hand labels.", **HELP)
labels_app.command("check")(labels.check)
labels_app.command("agree")(labels.agree)
labels_app.command("export")(labels.export)
labels_app.command("import")(labels.import_)
labels_app.command("audit")(labels.audit)
app.add_typer(labels_app, name="labels")

benchmark_app = typer.Typer(help="Score the pipeline on public benchmarks, beside published results.", **HELP)
benchmark_app.command("tweeteval")(benchmark.tweeteval)
app.add_typer(benchmark_app, name="benchmark")
