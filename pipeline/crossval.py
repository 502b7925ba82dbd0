"""Leave-one-article-out cross-validation and the learning curve built on it.

Sentences of one article share topic, vocabulary and speaker, so a split by
sentence would leak; every fold holds out whole articles. Each fold is trained
by exactly the code that trains the final model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.config import LabelSet
from pipeline.dataset import Dataset
from pipeline.errors import StanceError
from pipeline.metrics import headline
from pipeline.models import Classifier

Fit = Callable[[Dataset], Classifier]


@dataclass(frozen=True)
class TrainParams:
    seed: int = 13
    # Shares of each training fold kept for the learning curve; 1.0 is the full CV.
    learning_curve: tuple[float, ...] = (0.25, 0.5, 0.75)

    def __post_init__(self) -> None:
        if any(not 0 < share < 1 for share in self.learning_curve):
            raise StanceError(f"configs: train.learning_curve shares must lie strictly between 0 and 1, got {list(self.learning_curve)}.")


def folds(data: Dataset) -> list[tuple[str, np.ndarray, np.ndarray]]:
    articles = sorted(set(data.groups))
    if len(articles) < 2:
        raise StanceError(f"cross-validation needs labeled sentences from at least two articles, found {len(articles)}.")
    groups = np.asarray(data.groups)
    return [(article, np.flatnonzero(groups != article), np.flatnonzero(groups == article)) for article in articles]


def out_of_fold(data: Dataset, fit: Fit) -> list[dict[str, Any]]:
    """One prediction per sentence, each from a model that never saw its article."""
    records: list[dict[str, Any]] = []
    for _, train, test in folds(data):
        model = fit(data.subset(train))
        held_out = data.subset(test)
        proba = model.predict_proba(held_out.texts)
        for row, sentence_id in enumerate(held_out.ids):
            scores = {name: round(float(p), 6) for name, p in zip(model.labels, proba[row])}
            records.append(
                {
                    "id": sentence_id,
                    "article": held_out.groups[row],
                    "text": held_out.texts[row],
                    "gold": held_out.labels[row],
                    "pred": model.labels[int(np.argmax(proba[row]))],
                    "scores": scores,
                }
            )
    order = {sentence_id: i for i, sentence_id in enumerate(data.ids)}
    return sorted(records, key=lambda r: order[r["id"]])


def learning_curve(data: Dataset, fit: Fit, labels: LabelSet, shares: Sequence[float], seed: int) -> list[dict[str, float]]:
    """Macro-F1 of the same CV with each training fold cut to a share of its sentences.

    The full-data point is the ordinary out-of-fold score; callers add it.
    """
    rng = np.random.default_rng(seed)
    points = []
    for share in shares:
        gold: list[str] = []
        pred: list[str] = []
        sizes = []
        for _, train, test in folds(data):
            kept = np.sort(rng.choice(train, size=max(2, int(round(share * len(train)))), replace=False))
            sizes.append(len(kept))
            model = fit(data.subset(kept))
            proba = model.predict_proba(data.subset(test).texts)
            gold.extend(data.labels[i] for i in test)
            pred.extend(model.labels[int(k)] for k in np.argmax(proba, axis=1))
        points.append({"share": share, "train_sentences": float(np.mean(sizes)), "macro_f1": headline(gold, pred, labels)["macro_f1"]})
    return points
