"""Cells (period × group) from article aggregates: every share with its estimator, its interval, and the gold share where known.

Three measures per cell: `sentences` (every label's share of the sentences),
`claims` (each stance's share of the claims), `articles` (the share of
articles whose summary says each stance, counted, so estimator `summaries`).
A cell with fewer than `min_articles` articles is kept and marked `small`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.params import LabelSet
from pipeline.trends.articles import Articles, stances
from pipeline.trends.bootstrap import bounds, cell_seed, weights
from pipeline.trends.estimators import Correction, claim_shares, estimate, unadjusted

SUMMARIES = "summaries"  # the estimator named for the articles measure: summaries counted
MEASURES = ("sentences", "claims", "articles")


@dataclass(frozen=True)
class Share:
    measure: str
    estimator: str
    stance: str
    share: float
    low: float
    high: float
    gold: float | None


@dataclass(frozen=True)
class Cell:
    period: str
    start: dt.date | None  # the period's first day; None for undated
    group: str
    articles: int
    sentences: int
    small: bool
    shares: tuple[Share, ...]


@dataclass(frozen=True)
class Settings:
    labels: LabelSet
    estimators: tuple[str, ...]
    correction: Correction | None
    draws: int
    level: float
    seed: int
    min_articles: int


def measures(totals: Sequence[np.ndarray], articles: int, settings: Settings) -> dict[tuple[str, str], np.ndarray]:
    """Every (measure, estimator)'s shares, a row per total given (the cell itself, or each draw)."""
    sentences, predicted, scores, stance = totals
    positives = [settings.labels.names.index(name) for name in settings.labels.positives]
    found: dict[tuple[str, str], np.ndarray] = {}
    for name in settings.estimators:
        shares = estimate(name, sentences, predicted, scores, settings.correction)
        found["sentences", name] = shares
        found["claims", name] = claim_shares(shares, positives)
    found["articles", SUMMARIES] = stance / articles
    return found


def gold_measures(articles: Articles, rows: np.ndarray, labels: LabelSet) -> dict[str, np.ndarray]:
    """The true shares of a cell whose records carry gold labels."""
    assert articles.gold is not None and articles.gold_stance is not None
    counts = articles.gold[rows].sum(axis=0, keepdims=True).astype(float)
    shares = unadjusted("cc", counts.sum(axis=1), counts, counts)
    positives = [labels.names.index(name) for name in labels.positives]
    summary = np.bincount(articles.gold_stance[rows], minlength=len(stances(labels)))[None, :] / len(rows)
    return {"sentences": shares[0], "claims": claim_shares(shares, positives)[0], "articles": summary[0]}


def cell(articles: Articles, rows: np.ndarray, period: str, start: dt.date | None, group: str, settings: Settings) -> Cell:
    labels = settings.labels
    order = stances(labels)
    onehot = np.eye(len(order))[articles.stance[rows]]
    arrays = (articles.sentences[rows], articles.predicted[rows], articles.scores[rows], onehot)
    point = measures([array.sum(axis=0, keepdims=True) for array in arrays], len(rows), settings)
    drawn: dict[tuple[str, str], list[np.ndarray]] = {key: [] for key in point}
    for block in weights(len(rows), settings.draws, cell_seed(settings.seed, f"{period}\0{group}")):
        for key, values in measures([block @ array for array in arrays], len(rows), settings).items():
            drawn[key].append(values)
    gold = gold_measures(articles, rows, labels) if articles.gold is not None else None
    shares = []
    for (measure, estimator), values in point.items():
        low, high = bounds(np.concatenate(drawn[measure, estimator]), settings.level)
        names = labels.names if measure == "sentences" else labels.positives if measure == "claims" else order
        for i, name in enumerate(names):
            truth = None if gold is None else float(gold[measure][i])
            shares.append(Share(measure, estimator, name, float(values[0, i]), float(low[i]), float(high[i]), truth))
    return Cell(period, start, group, len(rows), int(arrays[0].sum()), len(rows) < settings.min_articles, tuple(shares))


def cells(articles: Articles, periods: Sequence[str], groups: Sequence[str], starts: dict[str, dt.date], settings: Settings) -> list[Cell]:
    """One cell per (period, group) that has articles, in time order (undated last), then by group; a cell's articles in
    order of id, so its draws, and so its interval, do not depend on the order the records came in."""
    keys: dict[tuple[str, str], list[int]] = {}
    for row, key in enumerate(zip(periods, groups, strict=True)):
        keys.setdefault(key, []).append(row)
    ordered = sorted(keys, key=lambda key: (key[0] not in starts, starts.get(key[0], dt.date.max), key[0], key[1]))
    return [cell(articles, np.array(sorted(keys[key], key=articles.ids.__getitem__)), key[0], starts.get(key[0]), key[1], settings) for key in ordered]
