"""`stance labels export` and `import`: the sentences to Label Studio as tasks, and its labels back, checked like our own."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

from pipeline.config import Config
from pipeline.corpus.corpora import in_place_corpora
from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.files import write_json, write_text
from pipeline.labels.current import Warn, checked_labels
from pipeline.labels.labelstudio import export_tasks, import_labels, labeling_config
from pipeline.labels.labelstudio_formats import read_export, read_users
from pipeline.labels.queue import Guess
from pipeline.labels.session import LabelLog, article_titles, label_keys


class Guesser(Protocol):
    """A trained model as `pipeline.predict.api.StanceModel` is one: its guess for each sentence by id, and its name as Label Studio shows it."""

    @property
    def version(self) -> str: ...
    def corpus_guesses(self, sentences: Iterable[Sentence]) -> Mapping[str, Guess]: ...


def export(config: Config, output: Path, unlabeled_only: bool, model: Guesser | None, warn: Warn) -> str:
    """Write the tasks to `output` (existing labels included; with a `model`, each sentence's guess as a prediction to
    sort the queue by) and the labeling config beside it as .xml; the line that says what to do with them."""
    sentences, records = checked_labels(config, [], warn)
    guesses, version = (model.corpus_guesses(sentences), model.version) if model else (None, "")
    titles = article_titles(config.paths.metadata, sentences)
    tasks = export_tasks(sentences, records, titles, config.labeling.context, unlabeled_only, guesses, version)
    xml = output.with_suffix(".xml")
    write_json(output, tasks)
    write_text(xml, labeling_config(label_keys(config.labeling, config.labels)))
    done = sum("annotations" in task for task in tasks)
    guessed = f", each with the guess of {version}" if guesses is not None else ""
    return (
        f"Wrote {len(tasks)} label-studio tasks ({done} already labeled{guessed}) to {output} and the labeling config to {xml}. "
        f"In Label Studio: paste the config into Settings > Labeling Interface > Code, import {output}, label, "
        "export (JSON, JSON_MIN or CSV), then run `stance labels import FILE`."
    )


def import_(config: Config, file: Path, output: Path | None, annotator: str | None, users: Path | None, warn: Warn) -> str:
    """Add the new labels of a Label Studio export to `output` (default: labels/label-studio.jsonl); any problem, or a
    conflict with a label already given, imports nothing. The line that says what was imported."""
    target = output or config.paths.labels / "label-studio.jsonl"
    log = LabelLog.open(target, config.labels)
    sentences, records = checked_labels(config, [target], warn)
    names = read_users(users) if users else {}
    exported = read_export(file)
    print(f"{file}: read as Label Studio's {exported.format} export.", file=sys.stderr)
    result = import_labels(exported.tasks, file, records, sentences, config.labels, annotator, in_place_corpora(config.paths), names)
    for problem in result.problems:
        print(f"error: {problem}", file=sys.stderr)
    for message in result.warnings:
        warn(message)
    if result.problems:
        count = len(result.problems)
        raise StanceError(f"{file}: {count} problem{'s' if count > 1 else ''}; nothing was imported.")
    if result.new:
        log.put(record.to_record() for record in result.new)
    if target.parent.resolve() != config.paths.labels.resolve():
        warn(f"{target} is outside {config.paths.labels}/, so training will not read it.")
    return (
        f"Imported {len(result.new)} new labels into {target}; {result.unchanged} were already there, "
        f"{result.unlabeled} tasks had no label. `dvc repro` retrains with them."
    )
