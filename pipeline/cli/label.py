"""`stance label`: add articles and label their sentences in the terminal."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from pipeline.cli.common import PARAMS, ParamsOption, reports_errors, warn
from pipeline.config import load_config


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
        ordered,
        unlabeled,
        with_guesses,
    )
    from pipeline.models.card import CARD
    from pipeline.models.folder import load_model
    from pipeline.predict.classify import model_folder

    config = load_config(params)
    paths, labels = config.paths, config.labels
    keys = label_keys(config.labeling, labels)
    who = annotator or default_annotator()
    log = LabelLog.open(label_file(paths.labels, who), labels)
    done = labeled_ids(existing_label_files(paths), labels)
    added = add_articles(inputs or [], paths.articles)
    for article in added:
        if article.fell_back:
            warn(f"{article.id}: not UTF-8; decoded as Windows-1252 and stored as UTF-8 in {paths.articles}.")
    sentences = segment_corpora(project_corpora(paths), config.segment, warn)
    pending = unlabeled(sentences, done, {a.id for a in added} if inputs else None)
    if added:
        typer.echo(f"Articles to label: {', '.join(a.id for a in added)} ({sum(a.new for a in added)} new in {paths.articles}).")
    if not pending:
        typer.echo("Nothing to label: every sentence of these articles has a label.")
        return

    console = Console(highlight=False)
    folder = model_folder(model or config.labeling.model, paths.models)
    proba, model_labels = None, ()
    if model is not None or (folder / CARD).is_file():
        with console.status(f"Scoring {len(pending)} sentences with {folder}"):
            classifier, _ = load_model(folder, config.predict.backend)
            proba, model_labels = classifier.predict_proba([s.text for s in pending]), classifier.labels
    else:
        typer.echo(f"No trained model in {folder}: no guesses" + (", sentences in reading order." if order == "uncertain" else "."))
    items = ordered(with_guesses(pending, proba, model_labels), order, config.train.seed)
    session = Session(items, log, who, keys, in_place_corpora(paths))
    run(session, console, by_article(sentences), article_titles(paths.metadata, sentences), config.labeling.context)
    typer.echo(
        f"This session: {session.labeled} labeled, {session.skipped} skipped, saved in {log.path}; "
        f"{len(items) - session.labeled} of {len(items)} still unlabeled. `dvc repro` segments new articles and retrains with the new labels."
    )
