"""Article-grouped K-fold cross-validation and the learning curve built on it.

Sentences of one article share topic, vocabulary and speaker, so a split by
sentence would leak; every fold holds out whole articles. Folds are stratified
by slice (seed, pk, af, ww) so each holds articles of every conflict, and are
fixed by the seed. Each fold is trained by exactly the code that trains the
final model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from pipeline.dataset import Dataset
from pipeline.errors import StanceError
from pipeline.models import Classifier

Fit = Callable[[Dataset], Classifier]


@dataclass(frozen=True)
class TrainParams:
    seed: int = 13
    # Outer folds of the article-grouped cross-validation.
    folds: int = 5
    # Training articles kept per fold for the learning curve; all of them is the full CV.
    learning_curve: tuple[int, ...] = (10, 20, 40)

    def __post_init__(self) -> None:
        if self.folds < 2:
            raise StanceError(f"configs: train.folds must be at least 2, got {self.folds}.")
        if any(n < 2 for n in self.learning_curve):
            raise StanceError(f"configs: train.learning_curve counts articles and needs at least 2 each, got {list(self.learning_curve)}.")


def folds(data: Dataset, count: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices of each fold; every article is tested exactly once."""
    articles = sorted(set(data.groups))
    if len(articles) < 2:
        raise StanceError(f"cross-validation needs labeled sentences from at least two articles, found {len(articles)}.")
    splitter = StratifiedGroupKFold(n_splits=min(count, len(articles)), shuffle=True, random_state=seed)
    rows = np.arange(len(data))
    return [(train, test) for train, test in splitter.split(rows, np.asarray(data.slices), np.asarray(data.groups))]


def predict_records(model: Classifier, held_out: Dataset, fold: int) -> list[dict[str, Any]]:
    proba = model.predict_proba(held_out.texts)
    return [
        {
            "id": sentence_id,
            "article": held_out.groups[row],
            "slice": held_out.slices[row],
            "fold": fold,
            "gold": held_out.labels[row],
            "pred": model.labels[int(np.argmax(proba[row]))],
            "scores": {name: round(float(p), 6) for name, p in zip(model.labels, proba[row])},
        }
        for row, sentence_id in enumerate(held_out.ids)
    ]


def out_of_fold(data: Dataset, fit: Fit, count: int, seed: int) -> list[dict[str, Any]]:
    """One prediction per sentence, each from a model that never saw its article; no text, only ids."""
    records: list[dict[str, Any]] = []
    for fold, (train, test) in enumerate(folds(data, count, seed)):
        records.extend(predict_records(fit(data.subset(train)), data.subset(test), fold))
    order = {sentence_id: i for i, sentence_id in enumerate(data.ids)}
    return sorted(records, key=lambda r: order[r["id"]])


def learning_curve(data: Dataset, fit: Fit, sizes: Sequence[int], count: int, seed: int) -> list[dict[str, Any]]:
    """The same folds with each training fold cut to a number of whole articles.

    Each point keeps its predictions (in the order of `data`) so the
    evaluation scores it like the full CV, with intervals. Sizes not below
    every fold's training articles are left out; the full CV is the last point.
    """
    rng = np.random.default_rng(seed)
    splits = folds(data, count, seed)
    groups = np.asarray(data.groups)
    fewest = min(len(set(groups[train])) for train, _ in splits)
    points = []
    for size in (s for s in sizes if s < fewest):
        predicted: dict[str, str] = {}
        kept_sentences = []
        for train, test in splits:
            articles = rng.choice(sorted(set(groups[train])), size=size, replace=False)
            kept = train[np.isin(groups[train], articles)]
            kept_sentences.append(len(kept))
            model = fit(data.subset(kept))
            for record in predict_records(model, data.subset(test), 0):
                predicted[record["id"]] = record["pred"]
        points.append({"articles": size, "train_sentences": float(np.mean(kept_sentences)), "pred": [predicted[i] for i in data.ids]})
    return points
