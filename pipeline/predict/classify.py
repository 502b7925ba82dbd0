"""Classifying a stream of sentences, and what `stance predict` reports about them.

Sentences reach the model in chunks, so memory stays flat however long the
input; the model sorts each chunk by length into batches. Records and
per-article summaries are plain dicts, ready for JSONL, CSV, JSON or a table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby, islice
from pathlib import Path
from typing import Any

from pipeline.models.registry import Predictor
from pipeline.params import LabelSet
from pipeline.predict.inputs import InputSentence
from pipeline.scores import scored_rows

# Names `--model` accepts besides a folder, and the model kind each one means.
MODEL_NAMES = {"transformer": "transformer", "baseline": "tfidf"}
RECORD_FIELDS = ("article", "sentence", "text", "label", "scores")
# A carried column named like an output field keeps its value under this prefix.
CARRIED_PREFIX = "input_"


@dataclass(frozen=True)
class Prediction:
    sentence: InputSentence
    label: str
    scores: dict[str, float]

    @property
    def confidence(self) -> float:
        return self.scores[self.label]


def model_folder(name: str, models: Path) -> Path:
    """`transformer` and `baseline` name the trained models under `models`; anything else is a folder."""
    return models / MODEL_NAMES[name] if name in MODEL_NAMES else Path(name)


def classify(sentences: Iterable[InputSentence], model: Predictor, chunk: int) -> Iterator[Prediction]:
    """Predictions in input order, `chunk` sentences per call to the model."""
    stream = iter(sentences)
    while batch := list(islice(stream, chunk)):
        rows = scored_rows(model.predict_proba([s.text for s in batch]), model.labels)
        for sentence, row in zip(batch, rows, strict=True):
            yield Prediction(sentence, row.label, row.scores)


def to_record(prediction: Prediction) -> dict[str, Any]:
    sentence = prediction.sentence
    record: dict[str, Any] = {
        "article": sentence.article,
        "sentence": sentence.index,
        "text": sentence.text,
        "label": prediction.label,
        "scores": prediction.scores,
    }
    for key, value in sentence.columns.items():
        record[CARRIED_PREFIX + key if key in RECORD_FIELDS else key] = value
    return record


def by_article(predictions: Iterable[Prediction]) -> Iterator[list[Prediction]]:
    """Runs of consecutive predictions from one article: what a table shows at a time."""
    for _, group in groupby(predictions, key=lambda p: (p.sentence.source, p.sentence.article)):
        yield list(group)


def summarise(predictions: Sequence[Prediction], labels: LabelSet, evidence: int, claims_only: bool) -> dict[str, Any]:
    """Counts and shares of each stance among an article's claims, its overall stance, its best evidence.

    The overall stance is the stance of most claims, a tie going to the larger
    summed confidence; an article without claims gets the negative label.
    """
    claims = [p for p in predictions if p.label != labels.negative]
    counts = {name: sum(p.label == name for p in claims) for name in labels.positives}
    mass = {name: sum(p.confidence for p in claims if p.label == name) for name in labels.positives}
    stance = max(labels.positives, key=lambda name: (counts[name], mass[name])) if claims else labels.negative
    best = {
        name: [
            {"sentence": p.sentence.index, "text": p.sentence.text, "confidence": p.confidence}
            for p in sorted((p for p in claims if p.label == name), key=lambda p: -p.confidence)[:evidence]
        ]
        for name in labels.positives
    }
    shown = claims if claims_only else predictions
    return {
        "article": predictions[0].sentence.article,
        "source": predictions[0].sentence.source,
        "sentence_count": len(predictions),
        "claim_count": len(claims),
        "counts": counts,
        "shares": {name: round(counts[name] / len(claims), 4) if claims else 0.0 for name in labels.positives},
        "stance": stance,
        "evidence": best,
        "sentences": [to_record(p) for p in shown],
    }


def summarise_articles(predictions: Iterable[Prediction], labels: LabelSet, evidence: int, claims_only: bool) -> list[dict[str, Any]]:
    """One summary per article, in order of first appearance, however its sentences were interleaved."""
    grouped: dict[tuple[str, str], list[Prediction]] = {}
    for prediction in predictions:
        grouped.setdefault((prediction.sentence.source, prediction.sentence.article), []).append(prediction)
    return [summarise(group, labels, evidence, claims_only) for group in grouped.values()]


@dataclass
class Tally:
    """Counts for the closing summary line, taken as predictions stream past."""

    sentences: int = 0
    articles: set[tuple[str, str]] = field(default_factory=set)
    labels: Counter[str] = field(default_factory=Counter)

    def count(self, predictions: Iterable[Prediction]) -> Iterator[Prediction]:
        for prediction in predictions:
            self.sentences += 1
            self.articles.add((prediction.sentence.source, prediction.sentence.article))
            self.labels[prediction.label] += 1
            yield prediction

    def line(self, labels: LabelSet) -> str:
        claims = sum(self.labels[name] for name in labels.positives)
        stances = ", ".join(f"{self.labels[name]} {name}" for name in labels.positives)
        return f"Classified {counted(self.sentences, 'sentence')} from {counted(len(self.articles), 'article')}: {counted(claims, 'claim')} ({stances})."


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
