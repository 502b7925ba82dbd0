"""Hand labels: reading label files, checking them against the sentences, joining them.

Label files are JSONL under labels/, one record per sentence. A label is only
usable while its text still equals the sentence with that id, so a change in
segmentation or in an article shows up as stale labels instead of silently
training on the wrong sentence. A sentence of a corpus read in place (the
article pool) is named by its text hash instead of its text, since its text
must not be copied into the project; a hash that no longer matches is stale
in the same way.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.corpus.corpora import in_place_corpora, project_corpora, read_sentences, stale_reason
from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.files import read_jsonl
from pipeline.params import LabelSet, Paths

REQUIRED_FIELDS = ("id", "article", "label", "annotator")
SENTENCE_KEYS = ("text", "hash")  # a record names its sentence by one or both


@dataclass(frozen=True)
class LabelRecord:
    id: str
    article: str
    text: str | None
    hash: str | None
    label: str
    annotator: str
    note: str
    where: str  # "path:line", for messages

    def to_record(self) -> dict[str, str]:
        """The record as written to a label file."""
        fields = {"id": self.id, "article": self.article, "text": self.text, "hash": self.hash}
        fields |= {"label": self.label, "annotator": self.annotator, "note": self.note}
        return {key: value for key, value in fields.items() if value is not None}


def label_record(sentence: Sentence, label: str, annotator: str, note: str, in_place: frozenset[str], where: str = "") -> LabelRecord:
    """A new label for `sentence`: by text, or by hash for a corpus read in place."""
    text, digest = (None, sentence.hash) if sentence.corpus in in_place else (sentence.text, None)
    return LabelRecord(sentence.id, sentence.article, text, digest, label, annotator, note, where)


@dataclass(frozen=True)
class LabeledSentence:
    id: str
    article: str
    text: str
    label: str
    slice: str  # seed, pk, af or ww: folds are stratified by it and scores reported per slice
    corpus: str
    genre: str  # news or opinion, from the article's metadata


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    records: list[LabelRecord] = field(default_factory=list)
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    unlabeled: list[str] = field(default_factory=list)
    sentences: int = 0

    @property
    def labeled(self) -> int:
        return self.sentences - len(self.unlabeled)


def training_label_files(paths: Paths) -> list[Path]:
    """What training reads: the top of labels/ and the adjudicated pool labels; all must exist."""
    return label_files([paths.labels, *paths.pool_labels])


def existing_label_files(paths: Paths) -> list[Path]:
    """The training label files that exist so far: having none yet is no error when adding labels."""
    top = sorted(paths.labels.glob("*.jsonl")) if paths.labels.is_dir() else []
    return top + [path for path in paths.pool_labels if path.is_file()]


def label_files(chosen: Sequence[Path]) -> list[Path]:
    """Label files named on the command line or in configs, folders expanded to their *.jsonl."""
    files: list[Path] = []
    for path in chosen:
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.exists():
            files.append(path)
        else:
            raise StanceError(f"{path}: no such label file.")
    if not files:
        raise StanceError(f"{', '.join(map(str, chosen))}: no label files (*.jsonl).")
    return files


def parse_record(raw: dict[str, object], where: str, labels: LabelSet) -> LabelRecord:
    missing = [f for f in REQUIRED_FIELDS if f not in raw]
    if missing:
        raise StanceError(f"{where}: missing field {missing[0]!r}.")
    if not any(key in raw for key in SENTENCE_KEYS):
        raise StanceError(f"{where}: missing field 'text' (or 'hash' for a pool sentence).")
    present = [f for f in (*REQUIRED_FIELDS, *SENTENCE_KEYS) if f in raw]
    wrong = [f for f in present if not isinstance(raw[f], str) or not str(raw[f]).strip()]
    if wrong:
        raise StanceError(f"{where}: field {wrong[0]!r} must be a non-empty string.")
    note = raw.get("note") or ""
    if not isinstance(note, str):
        raise StanceError(f"{where}: field 'note' must be a string.")
    if raw["label"] not in labels.names:
        raise StanceError(f"{where}: unknown label {raw['label']!r}; expected one of {', '.join(labels.names)}.")
    return LabelRecord(
        id=str(raw["id"]),
        article=str(raw["article"]),
        text=raw.get("text"),  # type: ignore[arg-type]
        hash=raw.get("hash"),  # type: ignore[arg-type]
        label=str(raw["label"]),
        annotator=str(raw["annotator"]),
        note=note,
        where=where,
    )


def read_label_file(path: Path, labels: LabelSet) -> tuple[list[LabelRecord], list[str]]:
    """Records of one file and the problems found in it; reading stops at broken JSON."""
    records: list[LabelRecord] = []
    problems: list[str] = []
    try:
        for number, raw in read_jsonl(path):
            try:
                records.append(parse_record(raw, f"{path}:{number}", labels))
            except StanceError as err:
                problems.append(str(err))
    except StanceError as err:
        problems.append(str(err))
    if not records and not problems:
        problems.append(f"{path}: empty label file, no records.")
    return records, problems


def consistency_problems(records: Iterable[LabelRecord], sentences: dict[str, Sentence], in_place: frozenset[str], stale: str = "") -> list[str]:
    """Each record against its sentence; `stale` (why the sentences file is out of date) follows an id it lacks."""
    missing = f"; {stale}" if stale else "."
    problems = []
    first_seen: dict[str, str] = {}
    for record in records:
        if record.id in first_seen:
            problems.append(f"{record.where}: duplicate id {record.id!r}, first labeled at {first_seen[record.id]}.")
            continue
        first_seen[record.id] = record.where
        sentence = sentences.get(record.id)
        if sentence is None:
            problems.append(f"{record.where}: id {record.id!r} is not a sentence in the current corpus{missing}")
        elif record.text is not None and sentence.corpus in in_place:
            problems.append(
                f"{record.where}: {record.id!r} is a sentence of the {sentence.corpus} corpus, whose text is never copied; name it by 'hash', without 'text'."
            )
        elif record.text is not None and sentence.text != record.text:
            problems.append(f"{record.where}: stale label {record.id!r}: its text no longer equals the sentence.")
        elif record.hash is not None and sentence.hash != record.hash:
            problems.append(f"{record.where}: stale label {record.id!r}: its hash no longer matches the sentence's text.")
        elif sentence.article != record.article:
            problems.append(f"{record.where}: id {record.id!r} belongs to article {sentence.article!r}, not {record.article!r}.")
    return problems


def check_labels(files: Sequence[Path], sentences: Sequence[Sentence], labels: LabelSet, in_place: frozenset[str], stale: str = "") -> CheckReport:
    """Every label file against `sentences`; `stale` says why those came from an out-of-date sentences file."""
    report = CheckReport(sentences=len(sentences))
    by_id = {s.id: s for s in sentences}
    for path in files:
        found, problems = read_label_file(path, labels)
        report.records.extend(found)
        report.problems.extend(problems)
    report.problems.extend(consistency_problems(report.records, by_id, in_place, stale))
    labeled = {r.id for r in report.records}
    for record in report.records:
        report.counts[record.article][record.label] += 1
    report.unlabeled = [s.id for s in sentences if s.id not in labeled]
    return report


def load_labeled(files: Sequence[Path], sentences: Sequence[Sentence], labels: LabelSet, in_place: frozenset[str], stale: str = "") -> list[LabeledSentence]:
    """The labeled sentences for training, in corpus order; any problem stops the run."""
    report = check_labels(files, sentences, labels, in_place, stale)
    if report.problems:
        extra = f" (and {len(report.problems) - 1} more; run `stance labels check`)" if len(report.problems) > 1 else ""
        raise StanceError(report.problems[0] + extra)
    chosen = {record.id: record.label for record in report.records}
    return [LabeledSentence(s.id, s.article, s.text, chosen[s.id], s.slice, s.corpus, s.genre) for s in sentences if s.id in chosen]


def training_rows(paths: Paths, labels: LabelSet) -> list[LabeledSentence]:
    """Every labeled sentence of every corpus, as `stance train` reads them: from the sentences file, which
    training must match; a label of a sentence it lacks says when the file is stale and what rewrites it."""
    sentences = read_sentences(paths.sentences)
    stale = stale_reason(project_corpora(paths), paths.sentences, sentences)
    return load_labeled(training_label_files(paths), sentences, labels, in_place_corpora(paths), stale)
