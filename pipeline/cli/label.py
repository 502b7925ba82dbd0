"""`stance label`: add articles and label their sentences in the terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

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

if TYPE_CHECKING:
    from pipeline.corpus.segment import Sentence
    from pipeline.models.calibration import Calibrated
    from pipeline.models.card import ModelCard
    from pipeline.predict.classify import Prediction


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
    model: Annotated[
        str | None, typer.Option("--model", help="Model for guesses: transformer, fast, tfidf, majority or a folder (default: labeling.model).")
    ] = None,
    params: ParamsOption = PARAMS,
) -> None:
    """Add articles and label their sentences in the terminal, one key per label; every label is saved at once.

    A new article is copied into the seed corpus with its first label; the sentences file stays the `segment` stage's to write (`dvc repro`).
    """
    from pipeline.corpus.corpora import current_sentences, in_place_corpora, seed_corpus
    from pipeline.labels.intake import NewArticles, new_article_sentences, read_articles
    from pipeline.labels.queue import ordered, unlabeled, with_guesses
    from pipeline.labels.records import existing_label_files
    from pipeline.labels.screen import by_article, run
    from pipeline.labels.session import LabelLog, Session, article_titles, default_annotator, label_file, label_keys, labeled_ids
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
    loaded = load_model(folder, config.predict.backend) if model is not None or (folder / CARD).is_file() else None
    log = LabelLog.open(label_file(paths.labels, who), labels)
    done = labeled_ids(existing_label_files(paths), labels)
    added = read_articles(inputs or [], paths.articles)
    for article in added:
        if article.fell_back:
            warn(f"{article.path}: not UTF-8; decoded as Windows-1252, to be stored as UTF-8 in {paths.articles}.")
    sentences = current_sentences(paths, config.segment, config.slices, warn)[0]
    sentences += new_article_sentences(added, seed_corpus(paths), sentences, config.segment, config.slices, warn)
    pending = unlabeled(sentences, done, {a.id for a in added} if inputs else None)
    if added:
        new = sum(a.new for a in added)
        stored = f"{new} new, each copied into {paths.articles} with its first label" if new else f"all in {paths.articles} already"
        typer.echo(f"Articles to label: {', '.join(a.id for a in added)} ({stored}).")
    if not pending:
        typer.echo("Nothing to label: every sentence of these articles has a label.")
        return

    console = Console(highlight=False)
    articles = by_article(sentences)
    guesses = None
    if loaded is not None:
        with console.status(f"Scoring the sentences of {len({s.article for s in pending})} articles with {folder}"):
            guesses = predicted(*loaded, {s.article: articles[s.article] for s in pending}, config.predict.chunk)
    else:
        typer.echo(f"No trained model in {folder}: no guesses" + (", sentences in reading order." if order in ("uncertain", "diverse") else "."))
    items = ordered(with_guesses(pending, guesses), order, config.train.seed)
    session = Session(items, log, who, keys, in_place_corpora(paths), NewArticles.of(added, paths.articles))
    run(session, console, articles, article_titles(paths.metadata, sentences), config.labeling.context)
    typer.echo(
        f"This session: {session.labeled} labeled, {session.skipped} skipped, saved in {log.path}; "
        f"{len(items) - session.labeled} of {len(items)} still unlabeled. `dvc repro` segments new articles and retrains with the new labels."
    )


def predicted(classifier: Calibrated, card: ModelCard, articles: Mapping[str, Sequence[Sentence]], chunk: int) -> dict[str, Prediction]:
    """What `stance predict ARTICLE` says of each sentence of these articles, by sentence id.

    Each article goes whole, in reading order and in chunks of `predict.chunk`,
    through predict's own `classify` with the model as `load_model` gives it for
    `predict.backend`: the same probabilities, label rule and minimum confidence
    (the card's), so the guess on the screen is the one predict prints.
    """
    from pipeline.predict.classify import classify, in_process
    from pipeline.predict.inputs import InputSentence

    found: dict[str, Prediction] = {}
    for name, sentences in articles.items():
        inputs = [InputSentence(name, s.article, s.index, s.text, paragraph=s.paragraph) for s in sentences]
        scored = classify(inputs, in_process(classifier), card.labels.names, chunk, card.labels.negative, card.calibration.recommended_confidence)
        found.update((s.id, prediction) for s, prediction in zip(sentences, scored, strict=True))
    return found
