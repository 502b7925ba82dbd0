"""`stance labels ...`: check, agreement, Label Studio round trips and the audit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.cli.common import PARAMS, ParamsOption, project_config, reports_errors, warn
from pipeline.config import Config
from pipeline.errors import StanceError

if TYPE_CHECKING:
    from pipeline.corpus.segment import Sentence


def label_table(title: str, corner: str, names: tuple[str, ...], rows: list[tuple[str, list[str]]]) -> Table:
    table = Table(title=title)
    table.add_column(corner)
    for name in names:
        table.add_column(name, justify="right")
    for head, cells in rows:
        table.add_row(head, *cells)
    return table


def corpus_sentences(config: Config) -> list[Sentence]:
    """The sentences `stance segment` would write now (`pipeline.corpus.corpora.current_sentences`), so labels of an
    article `stance label` just added pass; a warning says when the sentences file is stale and what rewrites it."""
    from pipeline.corpus.corpora import current_sentences

    sentences, stale = current_sentences(config.paths, config.segment, config.slices, warn)
    if stale:
        warn(f"{stale} The labels were checked against the articles as they are now.")
    return sentences


@reports_errors
def check(
    files: Annotated[list[Path] | None, typer.Argument(help="Label files or folders (default: what training reads).")] = None,
    complete: Annotated[bool, typer.Option("--complete", help="Also fail when any sentence has no label.")] = False,
    params: ParamsOption = PARAMS,
) -> None:
    """Check label files: JSON, fields, known labels, unique ids, stale text or hash, coverage."""
    from pipeline.corpus.corpora import in_place_corpora
    from pipeline.labels.records import check_labels, label_files

    config = project_config(params)
    labels = config.labels
    chosen = label_files(files or [config.paths.labels, *config.paths.pool_labels])
    report = check_labels(chosen, corpus_sentences(config), labels, in_place_corpora(config.paths))
    rows = [
        (article, [str(report.counts[article][n]) for n in labels.names] + [str(sum(report.counts[article].values()))]) for article in sorted(report.counts)
    ]
    Console().print(label_table("Labels per article", "article", (*labels.names, "total"), rows))
    share = report.labeled / report.sentences if report.sentences else 0.0
    typer.echo(f"{report.labeled} of {report.sentences} sentences labeled ({share:.0%}); {len(report.unlabeled)} without a label.")
    for problem in report.problems:
        typer.echo(f"error: {problem}", err=True)
    if complete and report.unlabeled:
        typer.echo(f"error: {len(report.unlabeled)} sentences have no label, first {report.unlabeled[0]}.", err=True)
    if report.problems or (complete and report.unlabeled):
        raise typer.Exit(1)


@reports_errors
def agree(
    first: Annotated[Path, typer.Argument(help="Label file of the first pass.", exists=True, dir_okay=False)],
    second: Annotated[Path, typer.Argument(help="Label file of the second, blind pass.", exists=True, dir_okay=False)],
    params: ParamsOption = PARAMS,
) -> None:
    """Cohen's kappa between two label passes, for all labels and for claim-vs-none, overall, per slice and per genre."""
    from pipeline.corpus.corpora import read_sentences
    from pipeline.labels.agreement import agreement
    from pipeline.labels.records import read_label_file

    config = project_config(params)
    labels = config.labels
    sentences = read_sentences(config.paths.sentences)
    passes = []
    for path in (first, second):
        records, problems = read_label_file(path, labels)
        if problems:
            raise StanceError(problems[0])
        passes.append(records)
    result = agreement(passes[0], passes[1], labels)
    typer.echo(f"{result.n} sentences in both passes; observed agreement {result.observed:.3f}")
    typer.echo(f"Cohen's kappa, four labels: {result.kappa:.3f}; claim vs none: {result.claim_kappa:.3f}")
    for view in ("slice", "genre"):
        group = {s.id: getattr(s, view) or "unknown" for s in sentences}
        for name in sorted({group.get(r.id, "unknown") for r in passes[0]}):
            kept = [[r for r in records if group.get(r.id, "unknown") == name] for records in passes]
            part = agreement(kept[0], kept[1], labels)
            typer.echo(f"  {view} {name}: {part.n} sentences; kappa {part.kappa:.3f}; claim vs none {part.claim_kappa:.3f}")
    rows = [(name, [str(int(v)) for v in row]) for name, row in zip(labels.names, result.confusion, strict=True)]
    Console().print(label_table("Confusion (rows: first pass, columns: second pass)", "", labels.names, rows))
    for a, b in result.disagreements:
        typer.echo(f"{a.id}: {a.label} / {b.label}" + (f": {a.text}" if a.text else ""))


def checked_labels(config: Config, extra: list[Path]) -> tuple[list, list]:
    """The current sentences and every label record; a label problem stops the command."""
    from pipeline.corpus.corpora import in_place_corpora
    from pipeline.labels.records import check_labels, existing_label_files

    sentences = corpus_sentences(config)
    files = existing_label_files(config.paths)
    files += [path for path in extra if path.exists() and path not in files]
    report = check_labels(files, sentences, config.labels, in_place_corpora(config.paths))
    if report.problems:
        more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
        raise StanceError(f"{report.problems[0]}{more} Fix the labels first (`stance labels check`).")
    return sentences, report.records


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
    model: Annotated[str, typer.Option("--model", help="Whose guesses: transformer, fast, tfidf, majority or a model folder.")] = "transformer",
    params: ParamsOption = PARAMS,
) -> None:
    """Write the sentences as Label Studio tasks (existing labels included) and the matching labeling config."""
    from pipeline.files import write_json, write_text
    from pipeline.labels.labelstudio import export_tasks, labeling_config
    from pipeline.labels.session import article_titles, label_keys

    config = project_config(params)
    sentences, records = checked_labels(config, [])
    guesses, version = model_guesses(config, model, sentences) if with_predictions else (None, "")
    titles = article_titles(config.paths.metadata, sentences)
    tasks = export_tasks(sentences, records, titles, config.labeling.context, unlabeled_only, guesses, version)
    xml = output.with_suffix(".xml")
    write_json(output, tasks)
    write_text(xml, labeling_config(label_keys(config.labeling, config.labels)))
    done = sum("annotations" in task for task in tasks)
    guessed = f", each with the guess of {version}" if guesses is not None else ""
    typer.echo(
        f"Wrote {len(tasks)} {fmt} tasks ({done} already labeled{guessed}) to {output} and the labeling config to {xml}. "
        f"In Label Studio: paste the config into Settings > Labeling Interface > Code, import {output}, label, "
        "export (JSON, JSON_MIN or CSV), then run `stance labels import FILE`."
    )


def model_guesses(config: Config, model: str, sentences: list) -> tuple[dict, str]:
    """Each sentence's label and confidence from a trained model, and the model's name for Label Studio."""
    from pipeline.models.folder import load_model
    from pipeline.predict.classify import model_folder
    from pipeline.scores import scored_rows

    folder = model_folder(model, config.paths.models)
    classifier, card = load_model(folder, config.predict.backend)
    rows = scored_rows(classifier.predict_proba([s.text for s in sentences]), classifier.labels)
    return {s.id: row for s, row in zip(sentences, rows, strict=True)}, f"stance {card.kind} ({card.training_labels_sha256[:8]})"


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
    from pipeline.corpus.corpora import in_place_corpora
    from pipeline.labels.labelstudio import import_labels
    from pipeline.labels.labelstudio_formats import read_export, read_users
    from pipeline.labels.session import LabelLog

    config = project_config(params)
    target = output or config.paths.labels / "label-studio.jsonl"
    log = LabelLog.open(target, config.labels)
    sentences, records = checked_labels(config, [target])
    names = read_users(users) if users else {}
    export = read_export(file)
    typer.echo(f"{file}: read as Label Studio's {export.format} export.", err=True)
    result = import_labels(export.tasks, file, records, sentences, config.labels, annotator, in_place_corpora(config.paths), names)
    for problem in result.problems:
        typer.echo(f"error: {problem}", err=True)
    for message in result.warnings:
        typer.echo(f"warning: {message}", err=True)
    if result.problems:
        count = len(result.problems)
        raise StanceError(f"{file}: {count} problem{'s' if count > 1 else ''}; nothing was imported.")
    if result.new:
        log.put(record.to_record() for record in result.new)
    typer.echo(
        f"Imported {len(result.new)} new labels into {target}; {result.unchanged} were already there, "
        f"{result.unlabeled} tasks had no label. `dvc repro` retrains with them."
    )
    if target.parent.resolve() != config.paths.labels.resolve():
        typer.echo(f"warning: {target} is outside {config.paths.labels}/, so training will not read it.", err=True)


@reports_errors
def audit(
    model: Annotated[str | None, typer.Option("--model", help="Model kind whose out-of-fold predictions to use (default: labeling.model).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Markdown report (default: reports/label_audit.md).")] = None,
    show: Annotated[int, typer.Option("--show", min=0, help="Rows to print here; the report lists all.")] = 20,
    params: ParamsOption = PARAMS,
) -> None:
    """List the labels most likely to be wrong (cleanlab on out-of-fold predictions) for a person to review."""
    from pipeline.corpus.corpora import in_place_corpora, read_sentences
    from pipeline.evaluation.predictions import cv_file, read_cv
    from pipeline.files import write_text
    from pipeline.labels.audit import audit_markdown, framing, suspects

    config = project_config(params)
    name = model or config.labeling.model
    source = cv_file(config.paths.reports, name)
    records = read_cv(source, config.labels)
    found = suspects(records, config.labels)
    sentences = read_sentences(config.paths.sentences)
    texts = {s.id: s.text for s in sentences}
    hidden = in_place_corpora(config.paths)
    shareable = {s.id: s.text for s in sentences if s.corpus not in hidden}
    target = output or config.paths.reports / "label_audit.md"
    write_text(target, audit_markdown(found, len(records), name, source, shareable, config.report.max_text))
    table = Table(title=f"Flagged labels, lowest self-confidence first ({name}, out-of-fold)", show_lines=True)
    table.add_column("rank", justify="right")
    table.add_column("id and sentence", ratio=1)
    for column in ("label", "suggested", "score"):
        table.add_column(column, justify="right" if column == "score" else "left", no_wrap=True)
    for rank, suspect in enumerate(found[:show], start=1):
        text = texts.get(suspect.id, "(no longer in the corpus)")
        table.add_row(str(rank), f"[bold]{escape(suspect.id)}[/]\n{escape(text)}", suspect.label, suspect.suggested, f"{suspect.score:.3f}")
    Console().print(table)
    for line in framing(len(found), len(records), name, source):
        typer.echo(line)
    shown = f"the first {min(show, len(found))} above" if found else "none"
    typer.echo(f"Shown: {shown}; all {len(found)} in {target}. No label was changed.")
