"""The `stance` command: thin typer wrappers around the pipeline's functions.

All file and terminal I/O happens here. Every command turns a StanceError into
one line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from pipeline.config import LabelSet, Paths, SegmentParams, read_params, section
from pipeline.errors import StanceError

F = TypeVar("F", bound=Callable[..., Any])

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Stance toward talks with militant groups, sentence by sentence.")
labels_app = typer.Typer(no_args_is_help=True, help="Check and manage hand labels.")
app.add_typer(labels_app, name="labels")

ParamsOption = Annotated[Path, typer.Option("--params", help="Parameters file (one section per stage).")]
DEFAULT_PARAMS = Path("configs/params.yaml")


def reports_errors(command: F) -> F:
    """Print a StanceError as one plain sentence and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except StanceError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


@app.command()
@reports_errors
def segment(params: ParamsOption = DEFAULT_PARAMS) -> None:
    """Split every article into sentences with stable ids (DVC stage `segment`)."""
    from pipeline.corpus import segment_corpus
    from pipeline.files import write_jsonl

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    sentences = segment_corpus(paths.articles, section(raw, "segment", SegmentParams))
    write_jsonl(paths.sentences, (s.to_record() for s in sentences))
    articles = len({s.article for s in sentences})
    typer.echo(f"Wrote {len(sentences)} sentences from {articles} articles to {paths.sentences}.")


@labels_app.command("check")
@reports_errors
def labels_check(
    files: Annotated[list[Path] | None, typer.Argument(help="Label files or folders (default: labels/*.jsonl).")] = None,
    complete: Annotated[bool, typer.Option("--complete", help="Also fail when any sentence has no label.")] = False,
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Check label files: JSON, fields, known labels, unique ids, stale text, coverage."""
    from pipeline.corpus import read_sentences
    from pipeline.labels import check_labels, label_files

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    report = check_labels(label_files(files or [], paths.labels), read_sentences(paths.sentences), labels)

    table = Table(title="Labels per article")
    table.add_column("article")
    for name in labels.names:
        table.add_column(name, justify="right")
    table.add_column("total", justify="right")
    for article in sorted(report.counts):
        counts = report.counts[article]
        table.add_row(article, *(str(counts[n]) for n in labels.names), str(sum(counts.values())))
    Console().print(table)
    share = report.labeled / report.sentences if report.sentences else 0.0
    typer.echo(f"{report.labeled} of {report.sentences} sentences labeled ({share:.0%}); {len(report.unlabeled)} without a label.")

    for problem in report.problems:
        typer.echo(f"error: {problem}", err=True)
    if complete and report.unlabeled:
        typer.echo(f"error: {len(report.unlabeled)} sentences have no label, first {report.unlabeled[0]}.", err=True)
    if report.problems or (complete and report.unlabeled):
        raise typer.Exit(1)


@labels_app.command("agree")
@reports_errors
def labels_agree(
    first: Annotated[Path, typer.Argument(help="Label file of the first pass.", exists=True, dir_okay=False)],
    second: Annotated[Path, typer.Argument(help="Label file of the second, blind pass.", exists=True, dir_okay=False)],
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Cohen's kappa between two label passes, for all labels and for claim-vs-none."""
    from pipeline.agreement import agreement
    from pipeline.labels import read_label_file

    labels = section(read_params(params), "labels", LabelSet)
    passes = []
    for path in (first, second):
        records, problems = read_label_file(path, labels)
        if problems:
            raise StanceError(problems[0])
        passes.append(records)
    result = agreement(passes[0], passes[1], labels)
    typer.echo(f"{result.n} sentences in both passes; observed agreement {result.observed:.3f}")
    typer.echo(f"Cohen's kappa, four labels: {result.kappa:.3f}; claim vs none: {result.claim_kappa:.3f}")
    table = Table(title="Confusion (rows: first pass, columns: second pass)")
    table.add_column("")
    for name in labels.names:
        table.add_column(name, justify="right")
    for name, row in zip(labels.names, result.confusion):
        table.add_row(name, *(str(int(v)) for v in row))
    Console().print(table)
    for a, b in result.disagreements:
        typer.echo(f"{a.id}: {a.label} / {b.label}: {a.text}")


@app.command()
@reports_errors
def train(
    kind: Annotated[str, typer.Argument(help="Model kind: majority, tfidf or transformer.")],
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Cross-validate one model kind by article, then fit it on all labels (DVC stage `train@KIND`)."""
    from pipeline.corpus import read_sentences
    from pipeline.crossval import TrainParams
    from pipeline.dataset import Dataset
    from pipeline.files import write_json, write_jsonl
    from pipeline.labels import label_files, load_labeled
    from pipeline.models import kind_of, save_model
    from pipeline.training import train as train_kind

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    kind_params = section(raw, kind, kind_of(kind).params)
    rows = load_labeled(label_files([], paths.labels), read_sentences(paths.sentences), labels)
    result = train_kind(kind, Dataset.from_labeled(rows), labels, kind_params, section(raw, "train", TrainParams))
    save_model(result.model, result.card, paths.models / kind)
    write_jsonl(paths.reports / "cv" / f"{kind}.jsonl", result.predictions)
    write_json(paths.reports / "cv" / f"{kind}.curve.json", result.curve)
    cv = result.card["cv"]
    typer.echo(
        f"{kind}: {len(rows)} labeled sentences; leave-one-article-out macro-F1 {cv['macro_f1']:.3f} "
        f"(fold std {cv['fold_macro_f1_std']:.3f}); model in {paths.models / kind}."
    )


@app.command()
@reports_errors
def evaluate(params: ParamsOption = DEFAULT_PARAMS) -> None:
    """Score every model's out-of-fold predictions; write metrics, predictions and plots (DVC stage `evaluate`)."""
    from pipeline.crossval import TrainParams
    from pipeline.evaluation import merge_predictions, score_models
    from pipeline.files import read_jsonl, write_bytes, write_json, write_jsonl, write_text
    from pipeline.metrics import EvaluateParams
    from pipeline.plots import confusion_png, learning_curve_png

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    settings = section(raw, "evaluate", EvaluateParams)
    cv_dir = paths.reports / "cv"
    by_model = {}
    for name in settings.models:
        path = cv_dir / f"{name}.jsonl"
        if not path.exists():
            raise StanceError(f"{path}: no cross-validation predictions for {name!r}; run `dvc repro train@{name}`.")
        by_model[name] = [record for _, record in read_jsonl(path)]
    merged = merge_predictions(by_model)
    metrics = score_models(merged, labels, settings, section(raw, "train", TrainParams).seed)
    write_json(paths.reports / "metrics.json", metrics)
    write_jsonl(paths.reports / "cv_predictions.jsonl", merged)

    plots = paths.reports / "plots"
    curves = {}
    for name in settings.models:
        write_text(
            plots / f"confusion_{name}.csv",
            "actual,predicted\n" + "".join(f"{r['gold']},{r['predictions'][name]['label']}\n" for r in merged),
        )
        confusion = metrics["cv"][name]["confusion"]
        write_bytes(plots / f"confusion_{name}.png", confusion_png(confusion["matrix"], confusion["labels"], name))
        curves[name] = json_load(cv_dir / f"{name}.curve.json")
    write_text(
        plots / "learning_curve.csv",
        "model,train_sentences,macro_f1\n"
        + "".join(f"{name},{p['train_sentences']:.1f},{p['macro_f1']:.4f}\n" for name, points in curves.items() for p in points),
    )
    write_bytes(plots / "learning_curve.png", learning_curve_png(curves))
    summary = ", ".join(f"{name} {metrics['cv'][name]['macro_f1']:.3f}" for name in settings.models)
    typer.echo(f"Scored {len(merged)} sentences; macro-F1: {summary}; wrote {paths.reports / 'metrics.json'}.")


@app.command()
@reports_errors
def report(params: ParamsOption = DEFAULT_PARAMS) -> None:
    """Write reports/report.md from the evaluation (DVC stage `report`)."""
    from pipeline.files import read_jsonl, write_text
    from pipeline.metrics import EvaluateParams
    from pipeline.report import ReportParams, build_report
    from pipeline.transformer import TransformerParams

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    models = section(raw, "evaluate", EvaluateParams).models
    metrics = json_load(paths.reports / "metrics.json")
    merged = [record for _, record in read_jsonl(paths.reports / "cv_predictions.jsonl")]
    curves = {name: json_load(paths.reports / "cv" / f"{name}.curve.json") for name in models}
    text = build_report(
        metrics,
        merged,
        curves,
        section(raw, "transformer", TransformerParams).recipe,
        section(raw, "labels", LabelSet),
        section(raw, "report", ReportParams),
    )
    write_text(paths.reports / "report.md", text)
    typer.echo(f"Wrote {paths.reports / 'report.md'}.")


@app.command("check-floor")
@reports_errors
def check_floor(params: ParamsOption = DEFAULT_PARAMS) -> None:
    """Fail when a model's CV macro-F1 is below its floor in configs (CI runs this)."""
    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    floors = raw.get("floor") or {}
    metrics = json_load(paths.reports / "metrics.json")["cv"]
    for name, floor in floors.items():
        if name not in metrics:
            raise StanceError(f"configs: floor names model {name!r}, which has no scores in {paths.reports / 'metrics.json'}.")
        score = metrics[name]["macro_f1"]
        if score < floor:
            raise StanceError(f"{name} CV macro-F1 {score:.3f} is below its floor {floor:.3f} (configs floor.{name}).")
        typer.echo(f"{name}: CV macro-F1 {score:.3f} >= floor {floor:.3f}.")


def json_load(path: Path) -> Any:
    import json

    from pipeline.files import read_utf8

    try:
        return json.loads(read_utf8(path))
    except json.JSONDecodeError as err:
        raise StanceError(f"{path}: not valid JSON ({err.msg}).") from None
