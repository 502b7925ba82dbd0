"""`stance labels check`: every label file checked against the current sentences, with a table of labels per article."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.config import Config
from pipeline.corpus.corpora import in_place_corpora
from pipeline.labels.current import Warn, corpus_sentences
from pipeline.labels.records import check_labels, label_files


def label_table(title: str, corner: str, names: tuple[str, ...], rows: list[tuple[str, list[str]]]) -> Table:
    table = Table(title=title)
    table.add_column(corner)
    for name in names:
        table.add_column(name, justify="right")
    for head, cells in rows:
        table.add_row(head, *cells)
    return table


def check(config: Config, files: Sequence[Path], complete: bool, warn: Warn) -> bool:
    """Print the labels per article and one line of coverage, each problem as an error line on stderr; False when any
    label has a problem, or with `complete` when a sentence has no label. No `files`: what training reads."""
    labels = config.labels
    chosen = label_files(files or [config.paths.labels, *config.paths.pool_labels])
    report = check_labels(chosen, corpus_sentences(config, warn), labels, in_place_corpora(config.paths))
    rows = [
        (article, [str(report.counts[article][n]) for n in labels.names] + [str(sum(report.counts[article].values()))]) for article in sorted(report.counts)
    ]
    Console().print(label_table("Labels per article", "article", (*labels.names, "total"), rows))
    share = report.labeled / report.sentences if report.sentences else 0.0
    print(f"{report.labeled} of {report.sentences} sentences labeled ({share:.0%}); {len(report.unlabeled)} without a label.")
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    if complete and report.unlabeled:
        print(f"error: {len(report.unlabeled)} sentences have no label, first {report.unlabeled[0]}.", file=sys.stderr)
    return not (report.problems or (complete and report.unlabeled))
