"""`stance labels agree`: Cohen's kappa between two label passes, overall, per slice and per genre, with their confusion."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from pipeline.config import Config
from pipeline.corpus.corpora import read_sentences
from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.labels.agreement import Agreement, agreement
from pipeline.labels.check import label_table
from pipeline.labels.records import LabelRecord, read_label_file
from pipeline.params import LabelSet

VIEWS = ("slice", "genre")


def read_pass(path: Path, labels: LabelSet) -> list[LabelRecord]:
    records, problems = read_label_file(path, labels)
    if problems:
        raise StanceError(problems[0])
    return records


def by_group(
    first: Sequence[LabelRecord], second: Sequence[LabelRecord], sentences: Sequence[Sentence], view: str, labels: LabelSet
) -> list[tuple[str, Agreement]]:
    """Agreement within each group of the first pass's sentences by `view` (slice or genre; "unknown" where a sentence has none)."""
    group = {s.id: getattr(s, view) or "unknown" for s in sentences}
    names = sorted({group.get(r.id, "unknown") for r in first})

    def within(records: Sequence[LabelRecord], name: str) -> list[LabelRecord]:
        return [r for r in records if group.get(r.id, "unknown") == name]

    return [(name, agreement(within(first, name), within(second, name), labels)) for name in names]


def agree(config: Config, first: Path, second: Path) -> None:
    """Print the agreement of two passes: overall, per slice and genre, the confusion and every disagreement."""
    labels = config.labels
    sentences = read_sentences(config.paths.sentences)
    one, two = read_pass(first, labels), read_pass(second, labels)
    result = agreement(one, two, labels)
    print(f"{result.n} sentences in both passes; observed agreement {result.observed:.3f}")
    print(f"Cohen's kappa, four labels: {result.kappa:.3f}; claim vs none: {result.claim_kappa:.3f}")
    for view in VIEWS:
        for name, part in by_group(one, two, sentences, view, labels):
            print(f"  {view} {name}: {part.n} sentences; kappa {part.kappa:.3f}; claim vs none {part.claim_kappa:.3f}")
    rows = [(name, [str(int(v)) for v in row]) for name, row in zip(labels.names, result.confusion, strict=True)]
    Console().print(label_table("Confusion (rows: first pass, columns: second pass)", "", labels.names, rows))
    for a, b in result.disagreements:
        print(f"{a.id}: {a.label} / {b.label}" + (f": {a.text}" if a.text else ""))
