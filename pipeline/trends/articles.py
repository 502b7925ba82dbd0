"""Records folded into one aggregate per article: what every cell, estimate and interval is built from.

An article's records usually arrive together; the open article is summed in
plain Python and stored in growing arrays when another starts, so memory grows
with the number of articles, never with the number of sentences. An article
whose records come back later is added to its row. Its overall stance is
`pipeline.scores.overall_stance`, the rule of `stance predict`'s summaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pipeline.errors import StanceError
from pipeline.params import LabelSet
from pipeline.scores import UNCLEAR, overall_stance
from pipeline.trends.periods import empty
from pipeline.trends.records import Record


def stances(labels: LabelSet) -> tuple[str, ...]:
    """What an article's summary can say, in the order of the output."""
    return (*labels.positives, UNCLEAR, labels.negative)


@dataclass(frozen=True)
class Articles:
    """One row per article: sentences, predicted-label counts, summed scores, gold-label counts (or None), summary stances."""

    ids: list[str]
    sentences: np.ndarray
    predicted: np.ndarray
    scores: np.ndarray
    gold: np.ndarray | None
    stance: np.ndarray  # index into stances(labels)
    gold_stance: np.ndarray | None
    values: dict[str, list[Any]]  # per metadata column, each article's first non-empty value


@dataclass
class Open:
    """The article being read, summed in Python lists (cheap per record, unlike numpy scalars)."""

    size: int
    positives: int
    sentences: int = 0
    set_aside: int = 0
    predicted: list[int] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    gold: list[int] = field(default_factory=list)
    claims: list[int] = field(default_factory=list)
    mass: list[float] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.predicted, self.scores, self.gold = [0] * self.size, [0.0] * self.size, [0] * self.size
        self.claims, self.mass = [0] * self.positives, [0.0] * self.positives


def summary(claims: np.ndarray, mass: np.ndarray, set_aside: int, labels: LabelSet, min_claims: int) -> str:
    """`overall_stance` from counts and summed confidence, which is all it reads: each label's mass on one of its claims."""
    listed = [(name, float(m) if k == 0 else 0.0) for name, n, m in zip(labels.positives, claims, mass, strict=True) for k in range(int(n))]
    return overall_stance(listed, set_aside, labels, min_claims)


class Aggregator:
    """Folds records into articles; `finish` gives the table."""

    def __init__(self, labels: LabelSet, gold_column: str | None, columns: Sequence[str], min_claims: int) -> None:
        self.labels, self.gold_column, self.columns, self.min_claims = labels, gold_column, tuple(columns), min_claims
        self.position = {name: i for i, name in enumerate(labels.names)}
        self.claim_position = {name: i for i, name in enumerate(labels.positives)}
        self.rows: dict[str, int] = {}
        self.ids: list[str] = []
        self.values: dict[str, list[Any]] = {name: [] for name in self.columns}
        size, positives = len(labels.names), len(labels.positives)
        self.arrays = {
            "sentences": np.zeros(1024, np.int64),
            "set_aside": np.zeros(1024, np.int64),
            "predicted": np.zeros((1024, size), np.int64),
            "scores": np.zeros((1024, size)),
            "gold": np.zeros((1024, size), np.int64),
            "claims": np.zeros((1024, positives), np.int64),
            "mass": np.zeros((1024, positives)),
        }
        self.open: Open | None = None
        self.open_id = ""
        self.cards: set[str] = set()
        self.distinct: dict[str, str] = {}

    def add(self, record: Record) -> None:
        if self.open is None or record.article != self.open_id:
            self.flush()
            self.open, self.open_id = Open(len(self.labels.names), len(self.labels.positives)), record.article
        article = self.open
        article.sentences += 1
        article.predicted[self.position[record.label]] += 1
        for i, score in enumerate(record.scores):
            article.scores[i] += score
        if record.label != self.labels.negative:
            if record.set_aside:
                article.set_aside += 1
            else:
                article.claims[self.claim_position[record.label]] += 1
                article.mass[self.claim_position[record.label]] += record.scores[self.position[record.label]]
        if self.gold_column is not None:
            gold = record.extra.get(self.gold_column)
            if gold not in self.position:
                raise StanceError(f"{record.where}: gold label {gold!r} in {self.gold_column!r} is not one of {', '.join(self.labels.names)}.")
            article.gold[self.position[gold]] += 1
        for name in self.columns:
            if name not in article.values and not empty(value := record.extra.get(name)):
                # One object per distinct value (an archive has few outlets and dates), not one per article.
                article.values[name] = self.distinct.setdefault(value, value) if isinstance(value, str) else value
        if (card := record.extra.get("model_card")) is not None:
            self.cards.add(str(card))

    def flush(self) -> None:
        article = self.open
        if article is None:
            return
        row = self.rows.get(self.open_id)
        if row is None:
            row = self.rows[self.open_id] = len(self.ids)
            self.ids.append(self.open_id)
            for name in self.columns:
                self.values[name].append(article.values.get(name))
            if row == len(self.arrays["sentences"]):
                self.arrays = {key: np.concatenate([array, np.zeros_like(array)]) for key, array in self.arrays.items()}
        else:
            for name in self.columns:
                if empty(self.values[name][row]):
                    self.values[name][row] = article.values.get(name)
        for key in self.arrays:
            self.arrays[key][row] += getattr(article, key)
        self.open = None

    def finish(self) -> Articles:
        self.flush()
        n = len(self.ids)
        a = {key: array[:n] for key, array in self.arrays.items()}
        order = stances(self.labels)
        stance = [order.index(summary(a["claims"][i], a["mass"][i], int(a["set_aside"][i]), self.labels, self.min_claims)) for i in range(n)]
        gold = a["gold"] if self.gold_column is not None else None
        gold_stance = None
        if gold is not None:
            claims = gold[:, [self.position[name] for name in self.labels.positives]]
            gold_stance = np.array([order.index(summary(c, c.astype(float), 0, self.labels, self.min_claims)) for c in claims], np.int64)
        return Articles(self.ids, a["sentences"], a["predicted"], a["scores"], gold, np.array(stance, np.int64), gold_stance, self.values)
