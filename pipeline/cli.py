"""The `stance` command: thin typer wrappers around the pipeline's functions.

All file and terminal I/O happens here. Every command turns a StanceError into
one line on stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

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
    """Split every article of the seed corpus and the pool into sentences with stable ids (DVC stage `segment`)."""
    from collections import Counter

    from pipeline.corpus import project_corpora, segment_corpora
    from pipeline.files import write_jsonl

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    sentences = segment_corpora(project_corpora(paths), section(raw, "segment", SegmentParams), warn=lambda m: typer.echo(f"warning: {m}", err=True))
    write_jsonl(paths.sentences, (s.to_record() for s in sentences))
    articles = {s.article: s.corpus for s in sentences}
    per_corpus = Counter(s.corpus for s in sentences)
    parts = ", ".join(f"{per_corpus[name]} {name}" for name in per_corpus)
    typer.echo(f"Wrote {len(sentences)} sentences ({parts}) from {len(articles)} articles to {paths.sentences}.")


@labels_app.command("check")
@reports_errors
def labels_check(
    files: Annotated[list[Path] | None, typer.Argument(help="Label files or folders (default: labels/*.jsonl).")] = None,
    complete: Annotated[bool, typer.Option("--complete", help="Also fail when any sentence has no label.")] = False,
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Check label files: JSON, fields, known labels, unique ids, stale text, coverage."""
    from pipeline.corpus import in_place_corpora, read_sentences
    from pipeline.labels import check_labels, label_files

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    chosen = label_files(files or [paths.labels, paths.pool_labels])
    report = check_labels(chosen, read_sentences(paths.sentences), labels, in_place_corpora(paths))

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
    """Cohen's kappa between two label passes, for all labels and for claim-vs-none, overall and per slice."""
    from pipeline.agreement import agreement
    from pipeline.corpus import article_slice, read_sentences
    from pipeline.labels import read_label_file

    raw = read_params(params)
    labels = section(raw, "labels", LabelSet)
    slices = {s.id: article_slice(s) for s in read_sentences(section(raw, "paths", Paths).sentences)}
    passes = []
    for path in (first, second):
        records, problems = read_label_file(path, labels)
        if problems:
            raise StanceError(problems[0])
        passes.append(records)
    result = agreement(passes[0], passes[1], labels)
    typer.echo(f"{result.n} sentences in both passes; observed agreement {result.observed:.3f}")
    typer.echo(f"Cohen's kappa, four labels: {result.kappa:.3f}; claim vs none: {result.claim_kappa:.3f}")
    for name in sorted({slices.get(r.id, "unknown") for r in passes[0]}):
        part = agreement(*([r for r in records if slices.get(r.id, "unknown") == name] for records in passes), labels)
        typer.echo(f"  slice {name}: {part.n} sentences; kappa {part.kappa:.3f}; claim vs none {part.claim_kappa:.3f}")
    table = Table(title="Confusion (rows: first pass, columns: second pass)")
    table.add_column("")
    for name in labels.names:
        table.add_column(name, justify="right")
    for name, row in zip(labels.names, result.confusion):
        table.add_row(name, *(str(int(v)) for v in row))
    Console().print(table)
    for a, b in result.disagreements:
        typer.echo(f"{a.id}: {a.label} / {b.label}" + (f": {a.text}" if a.text else ""))


@app.command()
@reports_errors
def train(
    kind: Annotated[str, typer.Argument(help="Model kind: majority, tfidf or transformer.")],
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Cross-validate one model kind by article, then fit it on all labels (DVC stage `train@KIND`)."""
    from pipeline.crossval import TrainParams
    from pipeline.dataset import Dataset
    from pipeline.descriptions import read_descriptions
    from pipeline.files import write_json, write_jsonl
    from pipeline.labels import training_rows
    from pipeline.models import kind_of, save_model
    from pipeline.training import train as train_kind

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    kind_params = section(raw, kind, kind_of(kind).params)
    rows = training_rows(paths, labels)
    descriptions = read_descriptions(paths.descriptions, labels)
    result = train_kind(kind, Dataset.from_labeled(rows), labels, kind_params, section(raw, "train", TrainParams), descriptions)
    save_model(result.model, result.card, paths.models / kind)
    write_jsonl(paths.reports / "cv" / f"{kind}.jsonl", result.predictions)
    write_json(paths.reports / "cv" / f"{kind}.curve.json", result.curve)
    cv = result.card["cv"]
    typer.echo(
        f"{kind}: {len(rows)} labeled sentences; {cv['scheme']} CV macro-F1 {cv['macro_f1']:.3f} "
        f"(fold std {cv['fold_macro_f1_std']:.3f}); model in {paths.models / kind}."
    )


@app.command()
@reports_errors
def evaluate(params: ParamsOption = DEFAULT_PARAMS) -> None:
    """Score every model's out-of-fold predictions; write metrics, predictions and plots (DVC stage `evaluate`)."""
    from pipeline.crossval import TrainParams
    from pipeline.evaluation import merge_predictions, score_models
    from pipeline.files import (
        read_jsonl,
        write_bytes,
        write_json,
        write_jsonl,
        write_text,
    )
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
    curves = {name: json_load(cv_dir / f"{name}.curve.json") for name in settings.models}
    metrics = score_models(merged, curves, labels, settings, section(raw, "train", TrainParams).seed)
    write_json(paths.reports / "metrics.json", metrics)
    write_jsonl(paths.reports / "cv_predictions.jsonl", merged)

    plots = paths.reports / "plots"
    for name in settings.models:
        write_text(
            plots / f"confusion_{name}.csv",
            "actual,predicted\n" + "".join(f"{r['gold']},{r['predictions'][name]['label']}\n" for r in merged),
        )
        confusion = metrics["cv"][name]["confusion"]
        write_bytes(plots / f"confusion_{name}.png", confusion_png(confusion["matrix"], confusion["labels"], name))
        write_text(
            plots / f"learning_curve_{name}.csv",
            "train_articles,macro_f1,low,high\n"
            + "".join(
                f"{p['articles']:.1f},{p['macro_f1']:.4f},{p['intervals']['macro_f1'][0]:.4f},{p['intervals']['macro_f1'][1]:.4f}\n"
                for p in metrics["learning_curve"][name]
            ),
        )
    write_bytes(plots / "learning_curve.png", learning_curve_png(metrics["learning_curve"]))
    summary = ", ".join(f"{name} {metrics['cv'][name]['macro_f1']:.3f}" for name in settings.models)
    typer.echo(f"Scored {len(merged)} sentences; macro-F1: {summary}; wrote {paths.reports / 'metrics.json'}.")


@app.command()
@reports_errors
def report(params: ParamsOption = DEFAULT_PARAMS) -> None:
    """Write reports/report.md from the evaluation (DVC stage `report`)."""
    from pipeline.corpus import in_place_corpora, read_sentences
    from pipeline.files import read_jsonl, write_text
    from pipeline.report import ReportParams, build_report
    from pipeline.transformer import TransformerParams

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    metrics = json_load(paths.reports / "metrics.json")
    merged = [record for _, record in read_jsonl(paths.reports / "cv_predictions.jsonl")]
    hidden = in_place_corpora(paths)
    texts = {s.id: s.text for s in read_sentences(paths.sentences) if s.corpus not in hidden}
    transformer = section(raw, "transformer", TransformerParams)
    text = build_report(
        metrics,
        merged,
        texts,
        f"`{transformer.recipe}`" + (" with the label descriptions" if transformer.descriptions else ""),
        section(raw, "labels", LabelSet),
        section(raw, "report", ReportParams),
    )
    write_text(paths.reports / "report.md", text)
    typer.echo(f"Wrote {paths.reports / 'report.md'}.")


@app.command("check-floor")
@reports_errors
def check_floor(params: ParamsOption = DEFAULT_PARAMS) -> None:
    """Fail when a model's CV macro-F1 is below its floor in configs (CI runs this)."""
    from pipeline.evaluation import check_floors

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    metrics = json_load(paths.reports / "metrics.json")
    for name, score, floor in check_floors(raw.get("floor"), metrics.get("cv", {})):
        typer.echo(f"{name}: CV macro-F1 {score:.3f} >= floor {floor:.3f}.")


def json_load(path: Path) -> Any:
    import json

    from pipeline.files import read_utf8

    try:
        return json.loads(read_utf8(path))
    except json.JSONDecodeError as err:
        raise StanceError(f"{path}: not valid JSON ({err.msg}).") from None


benchmark_app = typer.Typer(no_args_is_help=True, help="Score the pipeline on public benchmarks, beside published results.")
app.add_typer(benchmark_app, name="benchmark")


@benchmark_app.command("tweeteval")
@reports_errors
def benchmark_tweeteval(
    data: Annotated[
        Path | None, typer.Option("--data", help="TweetEval stance folder (default: benchmark.data).", exists=True, file_okay=False)
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for results.json and report.md (default: benchmark.out; a smoke run writes only here).")
    ] = None,
    smoke: Annotated[bool, typer.Option("--smoke", help="A few hundred tweets and tiny settings: checks that it runs, measures nothing.")] = False,
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Train on TweetEval stance, choose each kind's system on val, score test once, report beside published rows."""
    import time

    from pipeline.benchmark import (
        BenchmarkParams,
        first_tweets,
        machine,
        report_markdown,
        run,
        system_params,
        table_rows,
    )
    from pipeline.files import write_json, write_text
    from pipeline.tweeteval import load

    start = time.perf_counter()
    raw = read_params(params)
    settings = section(raw, "benchmark", BenchmarkParams)
    folder = data or settings.data
    corpus = load(folder, list(settings.targets), settings.splits, settings.labels)
    if smoke:
        corpus = first_tweets(corpus, settings.smoke.train_per_target, settings.smoke.eval_per_target, settings.train)
    kind_params = {s.name: system_params(s, raw, settings.smoke if smoke else None) for s in settings.systems}
    results = run(corpus, settings, kind_params, settings.seeds[:1] if smoke else settings.seeds, typer.echo)
    options = [("--data", data), ("--out", out), ("--params", params if params != DEFAULT_PARAMS else None)]
    results.update(
        command=" ".join(["stance benchmark tweeteval", *(["--smoke"] if smoke else []), *(f"{k} {v}" for k, v in options if v)]),
        smoke=smoke,
        data=str(folder),
        wall_seconds=time.perf_counter() - start,
        machine=machine(),
    )

    table = Table(title=f"TweetEval stance, {settings.test} set: pooled F_avg{' (SMOKE RUN, numbers mean nothing)' if smoke else ''}")
    for column in ("system", "source", "F1 favor", "F1 against", "F_avg"):
        table.add_column(column, justify="left" if column in ("system", "source") else "right")
    for row in table_rows(results):
        table.add_row(row[0].replace("**", ""), *row[1:5])
    Console(width=160).print(table)
    destination = out or (None if smoke else settings.out)
    if destination:
        write_json(destination / "results.json", results)
        write_text(destination / "report.md", report_markdown(results))
    counts = {split: sum(n.values()) for split, n in results["counts"].items()}
    written = f"; wrote {destination / 'report.md'}" if destination else ""
    typer.echo(
        f"Benchmark tweeteval: {' / '.join(f'{n} {split}' for split, n in counts.items())} tweets, "
        f"{len(settings.systems)} systems, {results['wall_seconds']:.0f} s{written}."
    )


@app.command()
@reports_errors
def predict(
    inputs: Annotated[
        list[str],
        typer.Argument(metavar="PATH", help="Articles (.txt, .md, .html, .htm), folders of them, sentence files (.jsonl, .csv), or - for standard input."),
    ],
    model: Annotated[str, typer.Option("--model", help="transformer, baseline (TF-IDF) or a model folder.")] = "transformer",
    output_format: Annotated[
        Literal["table", "jsonl", "csv", "json"] | None,
        typer.Option("--format", help="Output format (default: table, or the --output file's suffix)."),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", dir_okay=False, help="Write here, atomically, not to standard output.")] = None,
    text_column: Annotated[str, typer.Option("--text-column", help="Field of .jsonl and .csv inputs that holds the sentence.")] = "text",
    claims_only: Annotated[bool, typer.Option("--claims-only", help="Leave out sentences that make no claim about talks.")] = False,
    backend: Annotated[Literal["onnx", "torch"] | None, typer.Option("--backend", help="Transformer runtime (default: predict.backend).")] = None,
    stdin_type: Annotated[Literal["txt", "md", "html", "jsonl", "csv"], typer.Option("--stdin-type", help="What - reads.")] = "txt",
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Label each sentence of new articles as pro-talks, skeptical, conditional or none."""
    import os
    import sys
    from contextlib import nullcontext

    from pipeline.files import atomic_writer
    from pipeline.inputs import input_sentences, sources
    from pipeline.models import load_model
    from pipeline.onnx_classifier import ONNX_FILE, OnnxClassifier
    from pipeline.predict import PredictParams, Tally, classify, model_folder
    from pipeline.predict_output import SUFFIX_FORMATS, progress, write_predictions

    raw = read_params(params)
    settings = section(raw, "predict", PredictParams)
    labels = section(raw, "labels", LabelSet)
    if output is not None and output_format is None and output.suffix.lower() not in SUFFIX_FORMATS:
        raise StanceError(f"{output}: cannot tell the format from this suffix; add --format jsonl, csv or json.")
    fmt = output_format or (SUFFIX_FORMATS[output.suffix.lower()] if output is not None else "table")
    if fmt == "table" and output is not None:
        raise StanceError(f"{output}: a table is for the terminal; write files with --format jsonl, csv or json.")
    found = sources(inputs, f".{stdin_type}")
    folder = model_folder(model, section(raw, "paths", Paths).models)
    classifier, card = load_model(folder, backend or settings.backend)
    if set(classifier.labels) != set(labels.names):
        raise StanceError(f"{folder}: the model's labels {list(classifier.labels)} differ from labels.names {list(labels.names)} in {params}.")
    runtime = "onnx" if isinstance(classifier, OnnxClassifier) else "torch" if card["kind"] == "transformer" else card["kind"]
    errors = Console(stderr=True, soft_wrap=True, highlight=False)
    if card["kind"] == "transformer" and runtime == "torch" and (backend or settings.backend) == "onnx":
        errors.print(f"warning: {folder} has no {ONNX_FILE} (trained before the export); running torch, slower; `dvc repro` makes one.", markup=False)

    tally = Tally()
    show_progress = errors.is_terminal and (output is not None or not sys.stdout.isatty())
    sentences = input_sentences(
        found, sys.stdin.buffer, section(raw, "segment", SegmentParams), text_column, lambda message: errors.print(f"warning: {message}", markup=False)
    )
    about = {"model": str(folder), "kind": card["kind"], "runtime": runtime}
    try:
        with progress(errors, show_progress) as counting, (atomic_writer(output) if output else nullcontext(sys.stdout)) as handle:
            predictions = counting(tally.count(classify(sentences, classifier, settings.chunk)))
            write_predictions(predictions, fmt, handle, labels, claims_only, settings.evidence, about)
    except BrokenPipeError:
        # The reader left (`| head`): stop quietly, and keep Python from failing again on flushing stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None
    line = f"{tally.line(labels)} Model {folder} ({runtime})" + (f"; wrote {output}." if output else ".")
    typer.echo(line, err=fmt != "table" and output is None)


@app.command()
@reports_errors
def label(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="Articles (.txt, .md, .html) or folders of them to add and label; none: every unlabeled sentence of the corpus."),
    ] = None,
    annotator: Annotated[str | None, typer.Option("--annotator", help="Who labels (default: git user name); labels go to labels/<annotator>.jsonl.")] = None,
    order: Annotated[
        Literal["uncertain", "article", "random"],
        typer.Option("--order", help="uncertain: the model's least confident guesses first; article: reading order; random."),
    ] = "uncertain",
    model: Annotated[str | None, typer.Option("--model", help="Model for guesses: transformer, baseline or a folder (default: labeling.model).")] = None,
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Add articles and label their sentences in the terminal, one key per label; every label is saved at once."""
    from pipeline.corpus import (
        in_place_corpora,
        project_corpora,
        read_sentences,
        segment_corpora,
    )
    from pipeline.crossval import TrainParams
    from pipeline.files import write_jsonl
    from pipeline.label_screen import by_article, run
    from pipeline.labeling import (
        LabelingParams,
        LabelLog,
        Session,
        add_articles,
        article_titles,
        default_annotator,
        label_file,
        label_keys,
        labeled_ids,
        ordered,
        unlabeled,
        with_guesses,
    )
    from pipeline.labels import existing_label_files
    from pipeline.models import CARD, load_model
    from pipeline.predict import PredictParams, model_folder

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    settings = section(raw, "labeling", LabelingParams)
    keys = label_keys(settings, labels)
    who = annotator or default_annotator()
    log = LabelLog.open(label_file(paths.labels, who), labels)
    done = labeled_ids(existing_label_files(paths), labels)
    added = add_articles(inputs or [], paths.articles)
    for article in added:
        if article.fell_back:
            typer.echo(f"warning: {article.id}: not UTF-8; decoded as Windows-1252 and stored as UTF-8 in {paths.articles}.", err=True)
    sentences = segment_corpora(project_corpora(paths), section(raw, "segment", SegmentParams), warn=lambda m: typer.echo(f"warning: {m}", err=True))
    if not paths.sentences.exists() or read_sentences(paths.sentences) != sentences:
        write_jsonl(paths.sentences, (s.to_record() for s in sentences))
    pending = unlabeled(sentences, done, {a.id for a in added} if inputs else None)
    if added:
        typer.echo(f"Articles to label: {', '.join(a.id for a in added)} ({sum(a.new for a in added)} new in {paths.articles}).")
    if not pending:
        typer.echo("Nothing to label: every sentence of these articles has a label.")
        return

    console = Console(highlight=False)
    folder = model_folder(model or settings.model, paths.models)
    proba, model_labels = None, ()
    if model is not None or (folder / CARD).is_file():
        with console.status(f"Scoring {len(pending)} sentences with {folder}"):
            classifier, _ = load_model(folder, section(raw, "predict", PredictParams).backend)
            proba, model_labels = classifier.predict_proba([s.text for s in pending]), classifier.labels
    else:
        typer.echo(f"No trained model in {folder}: no guesses" + (", sentences in reading order." if order == "uncertain" else "."))
    items = ordered(with_guesses(pending, proba, model_labels), order, section(raw, "train", TrainParams).seed)
    session = Session(items, log, who, keys, in_place_corpora(paths))
    run(session, console, by_article(sentences), article_titles(paths.metadata, sentences), settings.context)
    typer.echo(
        f"This session: {session.labeled} labeled, {session.skipped} skipped, saved in {log.path}; "
        f"{len(items) - session.labeled} of {len(items)} still unlabeled. `dvc repro` retrains with the new labels."
    )


def checked_labels(paths: Paths, labels: LabelSet, extra: list[Path]) -> tuple[list[Any], list[Any]]:
    """The current sentences and every label record; a label problem stops the command."""
    from pipeline.corpus import in_place_corpora, read_sentences
    from pipeline.labels import check_labels, existing_label_files

    sentences = read_sentences(paths.sentences)
    files = existing_label_files(paths)
    files += [path for path in extra if path.exists() and path not in files]
    report = check_labels(files, sentences, labels, in_place_corpora(paths))
    if report.problems:
        more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
        raise StanceError(f"{report.problems[0]}{more} Fix the labels first (`stance labels check`).")
    return sentences, report.records


@labels_app.command("export")
@reports_errors
def labels_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Tasks file to write; the labeling config goes beside it as .xml.")] = Path(
        "label-studio.json"
    ),
    fmt: Annotated[Literal["label-studio"], typer.Option("--format", help="Interchange format.")] = "label-studio",
    unlabeled_only: Annotated[bool, typer.Option("--unlabeled", help="Only sentences without a label.")] = False,
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Write the sentences as Label Studio tasks (existing labels included) and the matching labeling config."""
    from pipeline.files import write_json, write_text
    from pipeline.labeling import LabelingParams, article_titles, label_keys
    from pipeline.labelstudio import export_tasks, labeling_config

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    settings = section(raw, "labeling", LabelingParams)
    sentences, records = checked_labels(paths, labels, [])
    tasks = export_tasks(sentences, records, article_titles(paths.metadata, sentences), settings.context, unlabeled_only)
    config = output.with_suffix(".xml")
    write_json(output, tasks)
    write_text(config, labeling_config(label_keys(settings, labels)))
    done = sum("annotations" in task for task in tasks)
    typer.echo(
        f"Wrote {len(tasks)} {fmt} tasks ({done} already labeled) to {output} and the labeling config to {config}. "
        f"In Label Studio: paste the config into Settings > Labeling Interface > Code, import {output}, label, "
        "export as JSON, then run `stance labels import FILE`."
    )


@labels_app.command("import")
@reports_errors
def labels_import(
    file: Annotated[Path, typer.Argument(help="Label Studio's JSON export.", exists=True, dir_okay=False)],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Label file to add the new labels to (default: labels/label-studio.jsonl).")] = None,
    annotator: Annotated[str | None, typer.Option("--annotator", help="Record this annotator instead of Label Studio's user.")] = None,
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """Add the labels of a Label Studio export, checked like `stance labels check`; conflicts are refused."""
    from pipeline.corpus import in_place_corpora
    from pipeline.labeling import LabelLog
    from pipeline.labelstudio import import_labels, read_export

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    target = output or paths.labels / "label-studio.jsonl"
    log = LabelLog.open(target, labels)
    sentences, records = checked_labels(paths, labels, [target])
    result = import_labels(read_export(file), file, records, sentences, labels, annotator, in_place_corpora(paths))
    for problem in result.problems:
        typer.echo(f"error: {problem}", err=True)
    if result.problems:
        count = len(result.problems)
        raise StanceError(f"{file}: {count} problem{'s' if count > 1 else ''}; nothing was imported.")
    if result.new:
        log.put(record.to_record() for record in result.new)
    typer.echo(
        f"Imported {len(result.new)} new labels into {target}; {result.unchanged} were already there, "
        f"{result.unlabeled} tasks had no label. `dvc repro` retrains with them."
    )
    if target.parent.resolve() != paths.labels.resolve():
        typer.echo(f"warning: {target} is outside {paths.labels}/, so training will not read it.", err=True)


@labels_app.command("audit")
@reports_errors
def labels_audit(
    model: Annotated[str | None, typer.Option("--model", help="Model kind whose out-of-fold predictions to use (default: labeling.model).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Markdown report (default: reports/label_audit.md).")] = None,
    show: Annotated[int, typer.Option("--show", min=0, help="Rows to print here; the report lists all.")] = 20,
    params: ParamsOption = DEFAULT_PARAMS,
) -> None:
    """List the labels most likely to be wrong (cleanlab on out-of-fold predictions) for a person to review."""
    from rich.markup import escape

    from pipeline.audit import audit_markdown, read_cv, suspects
    from pipeline.corpus import in_place_corpora, read_sentences
    from pipeline.files import write_text
    from pipeline.labeling import LabelingParams
    from pipeline.report import ReportParams

    raw = read_params(params)
    paths = section(raw, "paths", Paths)
    labels = section(raw, "labels", LabelSet)
    name = model or section(raw, "labeling", LabelingParams).model
    source = paths.reports / "cv" / f"{name}.jsonl"
    records = read_cv(source, labels)
    found = suspects(records, labels)
    sentences = read_sentences(paths.sentences)
    texts = {s.id: s.text for s in sentences}
    hidden = in_place_corpora(paths)
    shareable = {s.id: s.text for s in sentences if s.corpus not in hidden}
    target = output or paths.reports / "label_audit.md"
    write_text(target, audit_markdown(found, len(records), name, source, shareable, section(raw, "report", ReportParams).max_text))
    table = Table(title=f"Labels most likely wrong ({name}, out-of-fold)", show_lines=True)
    table.add_column("rank", justify="right")
    table.add_column("id and sentence", ratio=1)
    for column in ("label", "suggested", "score"):
        table.add_column(column, justify="right" if column == "score" else "left", no_wrap=True)
    for rank, suspect in enumerate(found[:show], start=1):
        text = texts.get(suspect.id, "(no longer in the corpus)")
        table.add_row(str(rank), f"[bold]{escape(suspect.id)}[/]\n{escape(text)}", suspect.label, suspect.suggested, f"{suspect.score:.3f}")
    Console().print(table)
    typer.echo(f"cleanlab flags {len(found)} of {len(records)} labels; all of them in {target}. No label was changed.")
