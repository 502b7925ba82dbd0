"""The `stance` command: argument parsing only; each command calls one function of its stage's package."""

from __future__ import annotations

import typer

from pipeline.cli import benchmark, label, labels, predict, stages

# Plain help: the rich help of this typer version labels every flag `<bool>`, as if it took a value.
HELP = {"no_args_is_help": True, "rich_markup_mode": None}
app = typer.Typer(add_completion=False, help="Stance toward talks with militant groups, sentence by sentence.", **HELP)
app.command()(stages.segment)
app.command()(stages.train)
app.command()(stages.evaluate)
app.command()(stages.behaviour)
app.command()(stages.report)
app.command("check-floor")(stages.check_floor)
app.command()(predict.predict)
app.command()(label.label)

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
