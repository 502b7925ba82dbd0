"""Article-grouped K-fold cross-validation and the learning curve built on it.

Sentences of one article share topic, vocabulary and speaker, so a split by
sentence would leak; every fold holds out whole articles. Folds are stratified
by slice (seed, pk, af, ww) so each holds articles of every conflict, and are
fixed by the seed. Each fold is trained by exactly the code that trains the
final model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from pipeline.errors import StanceError
from pipeline.evaluation.predictions import CvPrediction
from pipeline.labels.dataset import Dataset
from pipeline.labels.records import LabeledSentence
from pipeline.models.calibration import Calibrated
from pipeline.scores import scored_rows

Fit = Callable[[Dataset], Calibrated]


def folds(data: Dataset, count: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row indices of each fold; every article is tested exactly once."""
    articles = sorted(set(data.groups))
    if len(articles) < 2:
        raise StanceError(f"cross-validation needs labeled sentences from at least two articles, found {len(articles)}.")
    splitter = StratifiedGroupKFold(n_splits=min(count, len(articles)), shuffle=True, random_state=seed)
    rows = np.arange(len(data))
    return [(train, test) for train, test in splitter.split(rows, np.asarray(data.slices), np.asarray(data.groups))]


def predict_records(model: Calibrated, held_out: Dataset, fold: int) -> list[CvPrediction]:
    rows = scored_rows(model.predict_proba(held_out.texts), model.labels)
    return [
        CvPrediction(sentence_id, held_out.groups[i], held_out.slices[i], fold, held_out.labels[i], row.label, row.scores)
        for i, (sentence_id, row) in enumerate(zip(held_out.ids, rows, strict=True))
    ]


def with_articles(predictions: Iterable[CvPrediction], rows: Iterable[LabeledSentence]) -> list[CvPrediction]:
    """The predictions with each article's corpus and genre, which the folds (grouped and stratified by slice only) do not carry."""
    where = {r.article: r for r in rows}
    return [dataclasses.replace(p, corpus=where[p.article].corpus, genre=where[p.article].genre) for p in predictions]


def out_of_fold(data: Dataset, fit: Fit, count: int, seed: int) -> list[CvPrediction]:
    """One prediction per sentence, each from a model that never saw its article."""
    records: list[CvPrediction] = []
    for fold, (train, test) in enumerate(folds(data, count, seed)):
        records.extend(predict_records(fit(data.subset(train)), data.subset(test), fold))
    order = {sentence_id: i for i, sentence_id in enumerate(data.ids)}
    return sorted(records, key=lambda r: order[r.id])


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
                predicted[record.id] = record.pred
        points.append({"articles": size, "train_sentences": float(np.mean(kept_sentences)), "pred": [predicted[i] for i in data.ids]})
    return points
