"""`stance label`: add articles and label their sentences in the terminal."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from pipeline.cli.common import (
    PARAMS,
    ParamsOption,
    project_config,
    reports_errors,
    warn,
)
from pipeline.errors import StanceError


def has_keyboard() -> bool:
    """A terminal to read keys from; a stream without a file descriptor is a test runner's scripted keys."""
    try:
        descriptor = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return True
    return os.isatty(descriptor)


@reports_errors
def label(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="Articles (.txt, .md, .html) or folders of them to add and label; none: every unlabeled sentence of the corpus."),
    ] = None,
    annotator: Annotated[str | None, typer.Option("--annotator", help="Who labels (default: git user name); labels go to labels/<annotator>.jsonl.")] = None,
    order: Annotated[
        Literal["uncertain", "diverse", "article", "random"],
        typer.Option(
            "--order",
            help="uncertain: the model's least confident guesses first; diverse: the most uncertain first, no near-duplicates in a row; "
            "article: reading order; random.",
        ),
    ] = "uncertain",
    model: Annotated[str | None, typer.Option("--model", help="Model for guesses: transformer, baseline or a folder (default: labeling.model).")] = None,
    params: ParamsOption = PARAMS,
) -> None:
    """Add articles and label their sentences in the terminal, one key per label; every label is saved at once.

    New articles are stored in the seed corpus; the sentences file stays the `segment` stage's to write (`dvc repro`).
    """
    from pipeline.corpus.corpora import (
        in_place_corpora,
        project_corpora,
        segment_corpora,
    )
    from pipeline.labels.queue import ordered, unlabeled, with_guesses
    from pipeline.labels.records import existing_label_files
    from pipeline.labels.screen import by_article, run
    from pipeline.labels.session import (
        LabelLog,
        Session,
        add_articles,
        article_titles,
        default_annotator,
        label_file,
        label_keys,
        labeled_ids,
    )
    from pipeline.models.card import CARD
    from pipeline.models.folder import load_model
    from pipeline.predict.classify import model_folder

    config = project_config(params)
    paths, labels = config.paths, config.labels
    keys = label_keys(config.labeling, labels)
    who = annotator or default_annotator()
    if not has_keyboard():
        raise StanceError("stance label reads one key at a time from a terminal, and its input here is a pipe or a file; run it in a terminal.")
    folder = model_folder(model or config.labeling.model, paths.models)
    classifier = load_model(folder, config.predict.backend)[0] if model is not None or (folder / CARD).is_file() else None
    log = LabelLog.open(label_file(paths.labels, who), labels)
    done = labeled_ids(existing_label_files(paths), labels)
    added = add_articles(inputs or [], paths.articles)  # the first write, after every check above
    for article in added:
        if article.fell_back:
            warn(f"{article.id}: not UTF-8; decoded as Windows-1252 and stored as UTF-8 in {paths.articles}.")
    sentences = segment_corpora(project_corpora(paths), config.segment, config.slices, warn)
    pending = unlabeled(sentences, done, {a.id for a in added} if inputs else None)
    if added:
        typer.echo(f"Articles to label: {', '.join(a.id for a in added)} ({sum(a.new for a in added)} new in {paths.articles}).")
    if not pending:
        typer.echo("Nothing to label: every sentence of these articles has a label.")
        return

    console = Console(highlight=False)
    proba, model_labels = None, ()
    if classifier is not None:
        with console.status(f"Scoring {len(pending)} sentences with {folder}"):
            proba, model_labels = classifier.predict_proba([s.text for s in pending]), classifier.labels
    else:
        typer.echo(f"No trained model in {folder}: no guesses" + (", sentences in reading order." if order in ("uncertain", "diverse") else "."))
    items = ordered(with_guesses(pending, proba, model_labels), order, config.train.seed)
    session = Session(items, log, who, keys, in_place_corpora(paths))
    run(session, console, by_article(sentences), article_titles(paths.metadata, sentences), config.labeling.context)
    typer.echo(
        f"This session: {session.labeled} labeled, {session.skipped} skipped, saved in {log.path}; "
        f"{len(items) - session.labeled} of {len(items)} still unlabeled. `dvc repro` segments new articles and retrains with the new labels."
    )
