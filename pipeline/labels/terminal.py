"""`stance label`: add articles and label the sentences still without a label, one key per label, in the terminal.

The model's guesses come in as a function (`Guesser`), so this layer never loads a model: the command gives it
predict's own classification, and the guess on the screen is the one `stance predict` prints.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from rich.console import Console

from pipeline.config import Config
from pipeline.corpus.corpora import current_sentences, in_place_corpora, seed_corpus
from pipeline.corpus.segment import Sentence
from pipeline.labels.current import Warn
from pipeline.labels.intake import NewArticles, new_article_sentences, read_articles
from pipeline.labels.queue import Guess, ordered, unlabeled, with_guesses
from pipeline.labels.records import existing_label_files
from pipeline.labels.screen import by_article, run
from pipeline.labels.session import LabelLog, Session, article_titles, default_annotator, label_file, label_keys, labeled_ids

# The guesses for every sentence of the given ones (whole articles, in reading order), by sentence id.
Guesser = Callable[[Iterable[Sentence]], Mapping[str, Guess]]


def has_keyboard() -> bool:
    """A terminal to read keys from; a stream without a file descriptor is a test runner's scripted keys."""
    try:
        descriptor = sys.stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return True
    return os.isatty(descriptor)


def label(config: Config, inputs: Sequence[Path], annotator: str | None, order: str, guesser: Guesser | None, model: Path, warn: Warn) -> str:
    """Add the articles `inputs` (none: label every unlabeled sentence of the corpus) and run the session; `guesser`
    is the model in folder `model`, None where it has no trained model. The closing line says what was saved."""
    paths, labels = config.paths, config.labels
    keys = label_keys(config.labeling, labels)
    who = annotator or default_annotator()
    log = LabelLog.open(label_file(paths.labels, who), labels)
    done = labeled_ids(existing_label_files(paths), labels)
    added = read_articles(inputs, paths.articles)
    for article in added:
        if article.fell_back:
            warn(f"{article.path}: not UTF-8; decoded as Windows-1252, to be stored as UTF-8 in {paths.articles}.")
    sentences = current_sentences(paths, config.segment, config.slices, warn)[0]
    sentences += new_article_sentences(added, seed_corpus(paths), sentences, config.segment, config.slices, warn)
    pending = unlabeled(sentences, done, {a.id for a in added} if inputs else None)
    if added:
        new = sum(a.new for a in added)
        stored = f"{new} new, each copied into {paths.articles} with its first label" if new else f"all in {paths.articles} already"
        print(f"Articles to label: {', '.join(a.id for a in added)} ({stored}).")
    if not pending:
        return "Nothing to label: every sentence of these articles has a label."

    console = Console(highlight=False)
    articles = by_article(sentences)
    guesses = None
    if guesser is not None:
        with console.status(f"Scoring the sentences of {len({s.article for s in pending})} articles with {model}"):
            guesses = guesser(s for article in dict.fromkeys(s.article for s in pending) for s in articles[article])
    else:
        print(f"No trained model in {model}: no guesses" + (", sentences in reading order." if order in ("uncertain", "diverse") else "."))
    items = ordered(with_guesses(pending, guesses), order, config.train.seed)
    session = Session(items, log, who, keys, in_place_corpora(paths), NewArticles.of(added, paths.articles))
    run(session, console, articles, article_titles(paths.metadata, sentences), config.labeling.context)
    return (
        f"This session: {session.labeled} labeled, {session.skipped} skipped, saved in {log.path}; "
        f"{len(items) - session.labeled} of {len(items)} still unlabeled. `dvc repro` segments new articles and retrains with the new labels."
    )
