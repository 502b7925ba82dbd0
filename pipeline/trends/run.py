"""`stance trends` as one function: records in, cells out (a table, a page, or both), one summary line back.

Reading streams: the records are folded into per-article aggregates as they
arrive, so memory grows with articles, not sentences. Every check on the
options (columns, estimator, output names) happens before the records are read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError
from pipeline.trends.articles import Aggregator, Articles
from pipeline.trends.cells import Settings, cells
from pipeline.trends.metadata import read_metadata
from pipeline.trends.model import TrendsModel, trends_model
from pipeline.trends.output import check_suffix, write_table
from pipeline.trends.page import write_page
from pipeline.trends.periods import ALL_TIME, Dating
from pipeline.trends.records import Record, input_files, read_records

# Chosen by benchmarks/trends_estimators.py under the rule docs/trends.md declared before it ran
# (benchmarks/results/trends.json: lowest mean error of the sentence shares over shifted mixes).
DEFAULT_ESTIMATOR = "cc"
# From the same benchmark: no period size it tried brought the default's mean error of the sentence shares to 0.05, so its largest.
MIN_ARTICLES = 40
NO_GROUP = "none"
ALL = "all"  # the one group's name without --group
UNKNOWN = "(unknown)"  # a group value no article gives
HELP = {
    "cc": "classify and count, the share of sentences given each label (biased by the model's errors).",
    "pcc": "the mean calibrated probability of each label.",
    "acc": "classify and count, corrected by the model's out-of-fold confusion.",
    "pacc": "the mean calibrated probability, corrected by the model's out-of-fold mean probabilities per true label.",
}


@dataclass(frozen=True)
class TrendsJob:
    inputs: tuple[Path, ...]
    model: str
    models: Path  # where kinds' trained models live (paths.models)
    by: str
    group: str
    date_column: str = "date"
    metadata: Path | None = None
    gold: str | None = None
    estimator: str | None = None
    min_articles: int = MIN_ARTICLES
    draws: int = 1000
    level: float = 0.95
    seed: int = 0
    min_claims: int = 2
    output: Path | None = None
    page: Path | None = None
    png_dir: Path | None = None


def first_record(stream: Any) -> Record:
    first = next(stream, None)
    if first is None:
        raise StanceError("no records in the input.")
    return first


def check_columns(job: TrendsJob, first: Record, meta_columns: set[str]) -> None:
    known = set(first.extra) | meta_columns
    where = "the records or the metadata" if job.metadata else "the records (give --metadata FILE to join a table by article id)"
    if job.group != NO_GROUP and job.group not in known:
        raise StanceError(f"no column {job.group!r} in {where} to group by; it has {', '.join(sorted(known)) or 'no metadata columns'}.")
    if job.by != ALL_TIME and job.date_column not in known:
        raise StanceError(f"no date column {job.date_column!r} in {where}; name it with --date-column.")
    if job.gold is not None and job.gold not in first.extra:
        raise StanceError(f"{first.where}: no gold column {job.gold!r} in the records.")


def article_values(articles: Articles, column: str, meta: dict[str, dict[str, Any]]) -> list[Any]:
    """Each article's value of a column: the metadata's where it has one, else the records' own."""
    carried = articles.values[column]
    return [meta.get(article, {}).get(column) or carried[i] for i, article in enumerate(articles.ids)]


def trends(job: TrendsJob, warn: Callable[[str], None]) -> str:
    """Read the records, write the table and/or page, return the closing line."""
    if job.output is None and job.page is None:
        raise StanceError("nothing to write: give --output FILE.csv (or .parquet), --page FILE.html, or both.")
    if job.output is not None:
        check_suffix(job.output)
    if job.page is not None and job.page.suffix.lower() not in (".html", ".htm"):
        raise StanceError(f"{job.page}: the page must be an .html file.")
    model: TrendsModel = trends_model(job.model, job.models)
    estimator = job.estimator or DEFAULT_ESTIMATOR
    model.check(estimator)
    columns = [job.date_column] + ([job.group] if job.group != NO_GROUP else [])
    meta, meta_columns = read_metadata(job.metadata, columns) if job.metadata else ({}, set())
    labels = model.card.labels
    stream = read_records(input_files(job.inputs), labels.names, [*columns, "model_card"] + ([job.gold] if job.gold else []))
    first = first_record(stream)
    check_columns(job, first, meta_columns)
    aggregator = Aggregator(labels, job.gold, columns, job.min_claims)
    aggregator.add(first)
    for record in stream:
        aggregator.add(record)
    articles = aggregator.finish()
    warnings = [line for line in (model.mismatch(aggregator.cards), unmatched(articles, meta, job.metadata)) if line]
    dating = Dating(job.by)
    periods = [dating.period(article, value) for article, value in zip(articles.ids, article_values(articles, job.date_column, meta), strict=True)]
    if line := dating.warning(len(articles.ids)):
        warnings.append(line)
    groups = (
        [ALL] * len(articles.ids) if job.group == NO_GROUP else [str(v) if v not in (None, "") else UNKNOWN for v in article_values(articles, job.group, meta)]
    )
    settings = Settings(labels, model.estimators, model.correction, job.draws, job.level, job.seed, job.min_articles)
    found = cells(articles, periods, groups, dating.starts, settings)
    for line in warnings:
        warn(line)
    if job.output is not None:
        write_table(found, job.output, job.gold is not None)
    if job.page is not None:
        about = page_about(job, model, estimator, articles)
        write_page(job.page, job.png_dir, found, labels, estimator, about, warnings)
    small = sum(cell.small for cell in found)
    return (
        f"{len(found)} cells from {len(articles.ids)} articles and {int(articles.sentences.sum())} sentences, {view(job)}; "
        f"estimator {estimator}; {small} small (fewer than {job.min_articles} articles)."
    )


def view(job: TrendsJob) -> str:
    """How the cells are cut, in words: by year and outlet, over the whole archive by conflict."""
    when = "over the whole archive" if job.by == ALL_TIME else f"by {job.by}"
    return when if job.group == NO_GROUP else f"{when}{' by' if job.by == ALL_TIME else ' and'} {job.group}"


def unmatched(articles: Articles, meta: dict[str, dict[str, Any]], path: Path | None) -> str | None:
    if path is None:
        return None
    missing = [article for article in articles.ids if article not in meta]
    if not missing:
        return None
    return f"{len(missing)} of {len(articles.ids)} articles are not in {path} (first: {missing[0]}); their own columns are used, if any."


def page_about(job: TrendsJob, model: TrendsModel, estimator: str, articles: Articles) -> dict[str, Any]:
    return {
        "articles": len(articles.ids),
        "sentences": int(articles.sentences.sum()),
        "by": job.by,
        "group": None if job.group == NO_GROUP else job.group,
        "view": view(job),
        "model": str(model.folder),
        "card": model.card_hash,
        "estimator": estimator,
        "estimator_help": HELP[estimator],
        "level": f"{job.level:.0%}",
        "draws": job.draws,
        "min_articles": job.min_articles,
        "small_why": (
            f"The default, {MIN_ARTICLES}, comes from the benchmark of the estimators (docs/trends.md): below it the default estimator missed "
            "the true sentence shares by more than 5 points on average, and its intervals covered them less often."
        ),
        "gold": job.gold,
    }
