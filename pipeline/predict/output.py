"""Predictions written out: JSONL and CSV records as they stream, JSON documents, terminal tables."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from pipeline.errors import StanceError
from pipeline.params import LabelSet
from pipeline.predict.classify import (
    Prediction,
    by_article,
    counted,
    summarise,
    summarise_articles,
    to_record,
)

FORMATS = ("table", "jsonl", "csv", "json")
SUFFIX_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".json": "json"}
STANCE_COLOURS = ("green", "red", "yellow", "cyan", "magenta", "blue")
SCORE_PREFIX = "score_"


def write_jsonl(records: Iterable[dict[str, Any]], handle: TextIO) -> None:
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """One flat row: a score column per label where the record has `scores`, nested values as JSON."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key == "scores":
            row.update({SCORE_PREFIX + name: score for name, score in value.items()})
        else:
            row[key] = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value
    return row


def write_csv(records: Iterable[dict[str, Any]], handle: TextIO) -> None:
    """The header is the first record's columns; a later record with others cannot be a CSV row."""
    writer: csv.DictWriter | None = None
    for record in records:
        row = csv_row(record)
        if writer is None:
            writer = csv.DictWriter(handle, fieldnames=list(row), restval="")
            writer.writeheader()
        extra = [key for key in row if key not in writer.fieldnames]
        if extra:
            raise StanceError(
                f"article {record['article']}, sentence {record['sentence']}: column {extra[0]!r} is not among "
                "the first sentence's columns, so it cannot go into one CSV; use --format jsonl."
            )
        writer.writerow(row)


def write_json(document: dict[str, Any], handle: TextIO) -> None:
    handle.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def stance_styles(labels: LabelSet) -> dict[str, str]:
    styles = {name: STANCE_COLOURS[i % len(STANCE_COLOURS)] for i, name in enumerate(labels.positives)}
    return styles | {labels.negative: "dim"}


def article_table(predictions: Sequence[Prediction], labels: LabelSet, claims_only: bool) -> Table:
    """One article's sentences with label and confidence; claims bold and coloured, the rest dim."""
    summary = summarise(predictions, labels, 0, claims_only)
    styles = stance_styles(labels)
    counts = ", ".join(f"{n} {name}" for name, n in summary["counts"].items())
    caption = f"{summary['source']}: {counted(summary['claim_count'], 'claim')} in {counted(summary['sentence_count'], 'sentence')} ({counts}); overall {summary['stance']}"
    table = Table(title=Text(summary["article"]), caption=Text(caption), expand=True)  # Text: brackets in names are not markup
    table.add_column("#", justify="right")
    table.add_column("sentence", ratio=1)
    table.add_column("label", no_wrap=True)
    table.add_column("conf.", justify="right")
    for prediction in predictions:
        claim = prediction.label != labels.negative
        if claim or not claims_only:
            table.add_row(
                str(prediction.sentence.index),
                Text(prediction.sentence.text),
                Text(prediction.label, style=styles[prediction.label]),
                f"{prediction.confidence:.2f}",
                style="bold" if claim else "dim",
            )
    return table


def write_predictions(
    predictions: Iterable[Prediction], fmt: str, handle: TextIO, labels: LabelSet, claims_only: bool, evidence: int, about: dict[str, Any]
) -> None:
    """Predictions in `fmt`; `about` (the model) heads a JSON document. Only JSON waits for the last sentence."""
    if fmt == "table":
        console = Console(file=handle)
        for group in by_article(predictions):
            console.print(article_table(group, labels, claims_only))
    elif fmt == "json":
        write_json(about | {"articles": summarise_articles(predictions, labels, evidence, claims_only)}, handle)
    else:
        records = (to_record(p) for p in predictions if not claims_only or p.label != labels.negative)
        (write_jsonl if fmt == "jsonl" else write_csv)(records, handle)


@contextmanager
def progress(console: Console, show: bool) -> Iterator[Callable[[Iterable[Prediction]], Iterator[Prediction]]]:
    """A spinner counting the sentences classified, on `console` when `show`; yields the counting wrapper."""
    columns = (SpinnerColumn(), TextColumn("Classifying: {task.completed} sentences"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not show, redirect_stdout=False, redirect_stderr=False) as bar:
        task = bar.add_task("classify", total=None)

        def counting(predictions: Iterable[Prediction]) -> Iterator[Prediction]:
            for prediction in predictions:
                bar.advance(task)
                yield prediction

        yield counting
