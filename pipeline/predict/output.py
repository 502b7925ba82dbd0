"""Predictions written out: JSONL and CSV records as they stream, JSON documents, terminal tables."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from pipeline.errors import StanceError
from pipeline.params import LabelSet
from pipeline.predict.api import StanceModel
from pipeline.predict.classify import (
    Prediction,
    by_article,
    counted,
    is_claim,
    summarise,
    summarise_articles,
)
from pipeline.predict.html import html_page
from pipeline.predict.parquet import write_parquet

FORMATS = ("table", "jsonl", "csv", "json", "html", "parquet")
SUFFIX_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".json": "json", ".html": "html", ".htm": "html", ".parquet": "parquet"}
BINARY_FORMATS = ("parquet",)
STANCE_COLOURS = ("green", "red", "yellow", "cyan", "magenta", "blue")
SCORE_PREFIX = "score_"


def write_jsonl(records: Iterable[dict[str, Any]], handle: IO[str]) -> None:
    for record in records:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def flat_row(record: dict[str, Any]) -> dict[str, Any]:
    """A score column per label in place of `scores`: the columns of CSV and Parquet."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        if key == "scores":
            row.update({SCORE_PREFIX + name: score for name, score in value.items()})
        else:
            row[key] = value
    return row


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """One flat row, nested values as JSON."""
    return {key: json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value for key, value in flat_row(record).items()}


def write_csv(records: Iterable[dict[str, Any]], handle: IO[str]) -> None:
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


def stance_styles(labels: LabelSet) -> dict[str, str]:
    styles = {name: STANCE_COLOURS[i % len(STANCE_COLOURS)] for i, name in enumerate(labels.positives)}
    return styles | {labels.negative: "dim"}


def article_table(predictions: Sequence[Prediction], labels: LabelSet, claims_only: bool, min_claims: int) -> Table:
    """One article's sentences with label and confidence; claims bold and coloured, the rest dim.

    A claim below the minimum confidence reads as a guess: dim, its label with a question mark.
    """
    summary = summarise(predictions, labels, 0, claims_only, min_claims, {})
    styles = stance_styles(labels)
    counts = ", ".join(f"{n} {name}" for name, n in summary["counts"].items())
    caption = (
        f"{summary['source']}: {counted(summary['claim_count'], 'claim')} in {counted(summary['sentence_count'], 'sentence')} ({counts}); "
        f"{summary['set_aside']} set aside below the minimum confidence; overall {summary['stance']}"
    )
    table = Table(title=Text(summary["article"]), caption=Text(caption), expand=True)  # Text: brackets in names are not markup
    table.add_column("#", justify="right")
    table.add_column("sentence", ratio=1)
    table.add_column("label", no_wrap=True)
    table.add_column("conf.", justify="right")
    for prediction in predictions:
        claim = is_claim(prediction, labels)
        if claim or not claims_only:
            table.add_row(
                str(prediction.sentence.index),
                Text(prediction.sentence.text),
                Text(prediction.label + "?" * prediction.set_aside, style=styles[prediction.label] if claim else "dim"),
                f"{prediction.confidence:.2f}",
                style="bold" if claim else "dim",
            )
    return table


def write_predictions(predictions: Iterable[Prediction], fmt: str, handle: IO[Any], model: StanceModel, claims_only: bool) -> None:
    """Predictions in `fmt`; the model's `about` heads a JSON document or HTML page, the two that wait for the last sentence.
    `handle` is a text stream, a binary one for the binary formats (Parquet)."""
    labels, settings, about = model.labels, model.settings, model.about
    if fmt == "table":
        console = Console(file=handle)
        for group in by_article(predictions):
            console.print(article_table(group, labels, claims_only, settings.min_claims))
    elif fmt in ("json", "html"):
        articles = summarise_articles(predictions, labels, settings.evidence, claims_only, settings.min_claims, model.stamp)
        handle.write(html_page(articles, labels, about) if fmt == "html" else json.dumps(about | {"articles": articles}, indent=2, ensure_ascii=False) + "\n")
    else:
        records = model.records(p for p in predictions if not claims_only or is_claim(p, labels))
        if fmt == "parquet":
            write_parquet((flat_row(r) for r in records), handle, settings.chunk)
        else:
            (write_jsonl if fmt == "jsonl" else write_csv)(records, handle)


@contextmanager
def progress(console: Console, show: bool, inputs: int | None) -> Iterator[Callable[[Iterable[Prediction]], Iterator[Prediction]]]:
    """Sentences classified and, when the number of inputs is known (not standard input), inputs done of all with the time left.

    Shown on `console` when `show`; yields the counting wrapper.
    """
    columns = (
        SpinnerColumn(),
        TextColumn("Classifying: {task.fields[sentences]} sentences;"),
        MofNCompleteColumn(),
        TextColumn("inputs"),
        BarColumn(),
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("left"),
    )
    with Progress(*columns, console=console, transient=True, disable=not show, redirect_stdout=False, redirect_stderr=False) as bar:
        task = bar.add_task("classify", total=inputs, sentences=0)

        def counting(predictions: Iterable[Prediction]) -> Iterator[Prediction]:
            sources: set[str] = set()
            for number, prediction in enumerate(predictions, start=1):
                sources.add(prediction.sentence.source)
                bar.update(task, completed=len(sources) - 1, sentences=number)
                yield prediction
            bar.update(task, completed=len(sources))

        yield counting
