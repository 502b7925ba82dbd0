"""The labeling session behind `stance label`: walking the queue (`pipeline.labels.queue`) and a
label file that is never half-written.

Durability. Each annotator's labels live in one file, `labels/<slug>.jsonl` (`label_file`),
one record per sentence id. Every decision (a label, or an undo) rewrites that
file atomically (temporary file, fsync, rename, fsync of the folder) before the
next key is read. At every moment the file on disk is therefore a complete,
valid label file holding every decision made so far: killing the session loses
nothing decided and never leaves a partial line for `stance labels check` to
trip on. A sentence labeled again replaces its record instead of adding a
second one, so ids stay unique. Rewriting a file of a few thousand lines takes
milliseconds, well below typing speed. An undo that empties the file removes
it, because an empty label file is itself an error.

The session is a state machine (queue, position, history) with no terminal
I/O: the screen in `pipeline.labels.screen` only shows it and feeds it keys.
One session per label file at a time: a second one is refused while the
first holds the file's lock (two at once would each rewrite the file from what
they hold, erasing the other's new labels).
"""

from __future__ import annotations

import csv
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.files import sync_folder, write_jsonl
from pipeline.labels.intake import NewArticles
from pipeline.labels.lock import hold
from pipeline.labels.queue import Item
from pipeline.labels.records import label_record, read_label_file
from pipeline.params import (
    SKIP_KEYS,
    UNDO_KEY,
    LabelingParams,
    LabelSet,
)


def label_keys(params: LabelingParams, labels: LabelSet) -> dict[str, str]:
    """Key to label, in the order of labels.names."""
    if len(params.keys) != len(labels.names):
        raise StanceError(f"configs: labeling.keys has {len(params.keys)} keys for {len(labels.names)} labels {list(labels.names)}.")
    return dict(zip(params.keys, labels.names))


def default_annotator() -> str:
    """The git user name: who labels is who commits the labels."""
    try:
        found = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        found = ""
    if not found:
        raise StanceError("no annotator name: pass --annotator NAME or set `git config user.name`.")
    return found


def label_file(folder: Path, annotator: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", annotator.lower()).strip("-")
    if not slug:
        raise StanceError(f"annotator name {annotator!r} has no letters or digits to name a label file with.")
    return folder / f"{slug}.jsonl"


def article_titles(metadata: Path, sentences: Sequence[Sentence]) -> dict[str, str]:
    """Title of each article from the metadata table, else its first sentence (usually the headline)."""
    titles: dict[str, str] = {}
    for sentence in sentences:
        titles.setdefault(sentence.article, sentence.text)
    if metadata.is_file():
        with metadata.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("id") in titles and row.get("title"):
                    titles[row["id"]] = row["title"]
    return titles


class LabelLog:
    """One annotator's label file, rewritten atomically after every change (see the module doc)."""

    def __init__(self, path: Path, records: dict[str, dict[str, str]], lock: IO[str]) -> None:
        self.path = path
        self.records = records
        self.lock = lock  # held while this log may write

    @classmethod
    def open(cls, path: Path, labels: LabelSet) -> LabelLog:
        """The file as it is, locked for this session; one with problems is refused, since it is about to be rewritten."""
        lock = hold(path)
        if not path.exists():
            return cls(path, {}, lock)
        found, problems = read_label_file(path, labels)
        if problems:
            lock.close()
            raise StanceError(f"{problems[0]} Fix it first (`stance labels check`).")
        return cls(path, {record.id: record.to_record() for record in found}, lock)

    def put(self, records: Iterable[dict[str, str]]) -> None:
        """Add or replace records (a replaced one moves to the end), then save."""
        for record in records:
            self.records.pop(record["id"], None)
            self.records[record["id"]] = record
        self.save()

    def remove(self, sentence_id: str) -> None:
        del self.records[sentence_id]
        self.save()

    def save(self) -> None:
        if self.records:
            write_jsonl(self.path, self.records.values())
        elif self.path.exists():
            self.path.unlink()
            sync_folder(self.path.parent)


def labeled_ids(files: Sequence[Path], labels: LabelSet) -> set[str]:
    """Ids with a label in any of `files`; a file not read whole is refused, or its sentences would be asked again."""
    ids: set[str] = set()
    for path in files:
        found, problems = read_label_file(path, labels)
        if problems:
            raise StanceError(f"{problems[0]} Fix it first (`stance labels check`).")
        ids.update(record.id for record in found)
    return ids


@dataclass(frozen=True)
class Step:
    position: int
    labeled: str | None  # the sentence id labeled at this step; None for a skip
    note: str = ""  # the note it was labeled with, back in hand after an undo


@dataclass
class Session:
    """Walk a queue of sentences, label or skip each, undo any step; every label is saved at once."""

    items: list[Item]
    log: LabelLog
    annotator: str
    keys: dict[str, str]  # key -> label
    in_place: frozenset[str]  # corpora whose labels carry a hash, not the text
    new_articles: NewArticles | None = None  # articles to copy into the corpus with their first label
    position: int = 0
    note: str = ""
    history: list[Step] = field(default_factory=list)

    @property
    def current(self) -> Item | None:
        return self.items[self.position] if self.position < len(self.items) else None

    @property
    def labeled(self) -> int:
        return sum(step.labeled is not None for step in self.history)

    @property
    def skipped(self) -> int:
        return len(self.history) - self.labeled

    def decide(self, label: str) -> str:
        item = self.items[self.position]
        sentence = item.sentence
        if self.new_articles is not None:
            self.new_articles.keep(sentence.article)
        self.log.put([label_record(sentence, label, self.annotator, self.note, self.in_place).to_record()])
        self.history.append(Step(self.position, sentence.id, self.note))
        self.position += 1
        self.note = ""
        return f"{sentence.id}: {label}"

    def skip(self) -> str:
        sentence_id = self.items[self.position].sentence.id
        self.history.append(Step(self.position, None))
        self.position += 1
        self.note = ""
        return f"{sentence_id}: skipped"

    def undo(self) -> str:
        if not self.history:
            return "nothing to undo in this session"
        step = self.history.pop()
        if step.labeled is not None:
            self.log.remove(step.labeled)
            self.release_article(self.items[step.position].sentence.article)
        self.position = step.position
        self.note = step.note
        return f"undid {self.items[step.position].sentence.id}"

    def release_article(self, article: str) -> None:
        """An article copied in this session goes again once none of its labels is left."""
        if self.new_articles is not None and all(record["article"] != article for record in self.log.records.values()):
            self.new_articles.release(article)

    def press(self, key: str) -> str:
        """Apply one key (a label, skip or undo) while a sentence is shown; return what happened."""
        if key in self.keys:
            return self.decide(self.keys[key])
        if key in SKIP_KEYS:
            return self.skip()
        if key == UNDO_KEY:
            return self.undo()
        return f"unknown key {key!r}"
