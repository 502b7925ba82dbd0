"""The training data every model and every fold sees: texts, gold labels, article groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.labels.records import LabeledSentence

ALWAYS_TRAIN = ""


@dataclass(frozen=True)
class Dataset:
    ids: tuple[str, ...]
    texts: tuple[str, ...]
    labels: tuple[str, ...]
    # Article of each sentence: folds never split an article. ALWAYS_TRAIN marks rows
    # (label descriptions) that are training data in every split and never held out.
    groups: tuple[str, ...]
    # Slice of each sentence's article (seed, pk, af, ww): folds are stratified by it.
    slices: tuple[str, ...]

    @classmethod
    def from_labeled(cls, rows: Sequence[LabeledSentence]) -> Dataset:
        return cls(
            tuple(r.id for r in rows),
            tuple(r.text for r in rows),
            tuple(r.label for r in rows),
            tuple(r.article for r in rows),
            tuple(r.slice for r in rows),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def __add__(self, other: Dataset) -> Dataset:
        return Dataset(*(mine + theirs for mine, theirs in zip(self.columns, other.columns)))

    @property
    def columns(self) -> tuple[tuple[str, ...], ...]:
        return (self.ids, self.texts, self.labels, self.groups, self.slices)

    def subset(self, indices: Sequence[int] | np.ndarray) -> Dataset:
        pick = [int(i) for i in indices]
        return Dataset(*(tuple(column[i] for i in pick) for column in self.columns))
