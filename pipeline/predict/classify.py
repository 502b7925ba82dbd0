"""Classifying a stream of sentences, and what `stance predict` reports about them.

Sentences reach the model in chunks, so memory stays flat however long the
input; the model sorts each chunk by length into batches. A sentence's scores
depend on that sentence alone, never on its chunk or batch (the int8 model
runs one sentence at a time for that; tests/models/test_batching.py), so it gets the
same label typed alone, in a file or in a folder. Records and per-article
summaries are plain dicts, ready for JSONL, CSV, JSON or a table.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby, islice
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.kinds import MODEL_NAMES
from pipeline.models.classifier import Predictor
from pipeline.params import LabelSet
from pipeline.predict.inputs import InputSentence
from pipeline.scores import overall_stance, scored_rows

RECORD_FIELDS = ("article", "sentence", "text", "label", "scores", "set_aside", "language", "model", "model_card")
# A record names its model's card by this many hex digits of the card's SHA-256: enough to tell two trainings apart.
MODEL_CARD_DIGITS = 16
# A carried column named like an output field keeps its value under this prefix.
CARRIED_PREFIX = "input_"


@dataclass(frozen=True)
class Prediction:
    sentence: InputSentence
    label: str
    scores: dict[str, float]
    # A claim below the minimum confidence: marked in records, left out of summaries, tables and --claims-only.
    set_aside: bool

    @property
    def confidence(self) -> float:
        return self.scores[self.label]


def model_folder(name: str, models: Path) -> Path:
    """A kind's name (or `baseline`) is its trained model under `models`; anything else is a folder."""
    return models / MODEL_NAMES[name] if name in MODEL_NAMES else Path(name)


Probabilities = Callable[[Iterable[list[str]]], Iterator[np.ndarray]]


def in_process(model: Predictor) -> Probabilities:
    """The model's probabilities for each chunk, computed here."""
    return lambda chunks: (model.predict_proba(texts) for texts in chunks)


def classify(
    sentences: Iterable[InputSentence], probabilities: Probabilities, labels: Sequence[str], chunk: int, negative: str, min_confidence: float
) -> Iterator[Prediction]:
    """Predictions in input order, `chunk` sentences per call to the model; claims below `min_confidence` set aside."""
    stream = iter(sentences)
    waiting: deque[list[InputSentence]] = deque()

    def chunks() -> Iterator[list[str]]:
        while batch := list(islice(stream, chunk)):
            waiting.append(batch)
            yield [s.text for s in batch]

    for proba in probabilities(chunks()):
        batch = waiting.popleft()
        for sentence, row in zip(batch, scored_rows(proba, labels), strict=True):
            yield Prediction(sentence, row.label, row.scores, row.label != negative and row.confidence < min_confidence)


def is_claim(prediction: Prediction, labels: LabelSet) -> bool:
    """A claim confident enough to count."""
    return prediction.label != labels.negative and not prediction.set_aside


def to_record(prediction: Prediction, stamp: dict[str, str]) -> dict[str, Any]:
    """The record of one sentence, in every output format and from the Python API; `stamp` names the model that made it
    (`model` and `model_card`: its kind and its card's hash). schemas/record.schema.json describes it."""
    sentence = prediction.sentence
    record: dict[str, Any] = {
        "article": sentence.article,
        "sentence": sentence.index,
        "text": sentence.text,
        "label": prediction.label,
        "scores": prediction.scores,
        "set_aside": prediction.set_aside,
        "language": sentence.language,
    } | stamp
    for key, value in sentence.columns.items():
        record[CARRIED_PREFIX + key if key in RECORD_FIELDS else key] = value
    return record


def by_article(predictions: Iterable[Prediction]) -> Iterator[list[Prediction]]:
    """Runs of consecutive predictions from one article: what a table shows at a time."""
    for _, group in groupby(predictions, key=lambda p: (p.sentence.source, p.sentence.article)):
        yield list(group)


def summarise(predictions: Sequence[Prediction], labels: LabelSet, evidence: int, claims_only: bool, min_claims: int, stamp: dict[str, str]) -> dict[str, Any]:
    """Counts and shares of each stance among an article's confident claims, its overall stance, its best evidence.

    The overall stance follows `pipeline.scores.overall_stance`, the rule the
    evaluation scores summaries by. Claims below the minimum confidence are
    counted as set aside, never as a stance.
    """
    claims = [p for p in predictions if is_claim(p, labels)]
    set_aside = sum(p.set_aside for p in predictions)
    counts = {name: sum(p.label == name for p in claims) for name in labels.positives}
    stance = overall_stance([(p.label, p.confidence) for p in claims], set_aside, labels, min_claims)
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
        "language": predictions[0].sentence.language,
        "sentence_count": len(predictions),
        "claim_count": len(claims),
        "set_aside": set_aside,
        "counts": counts,
        "shares": {name: round(counts[name] / len(claims), 4) if claims else 0.0 for name in labels.positives},
        "stance": stance,
        "evidence": best,
        "sentences": [to_record(p, stamp) | {"paragraph": p.sentence.paragraph} for p in shown],
    }


def summarise_articles(
    predictions: Iterable[Prediction], labels: LabelSet, evidence: int, claims_only: bool, min_claims: int, stamp: dict[str, str]
) -> list[dict[str, Any]]:
    """One summary per article, in order of first appearance, however its sentences were interleaved."""
    grouped: dict[tuple[str, str], list[Prediction]] = {}
    for prediction in predictions:
        grouped.setdefault((prediction.sentence.source, prediction.sentence.article), []).append(prediction)
    return [summarise(group, labels, evidence, claims_only, min_claims, stamp) for group in grouped.values()]


@dataclass
class Tally:
    """Counts for the closing summary line, taken as predictions stream past."""

    sentences: int = 0
    articles: set[tuple[str, str]] = field(default_factory=set)
    labels: Counter[str] = field(default_factory=Counter)
    set_aside: int = 0

    def count(self, predictions: Iterable[Prediction]) -> Iterator[Prediction]:
        for prediction in predictions:
            self.sentences += 1
            self.articles.add((prediction.sentence.source, prediction.sentence.article))
            self.set_aside += prediction.set_aside
            if not prediction.set_aside:
                self.labels[prediction.label] += 1
            yield prediction

    def line(self, labels: LabelSet, min_confidence: float) -> str:
        claims = sum(self.labels[name] for name in labels.positives)
        stances = ", ".join(f"{self.labels[name]} {name}" for name in labels.positives)
        return (
            f"Classified {counted(self.sentences, 'sentence')} from {counted(len(self.articles), 'article')}: {counted(claims, 'claim')} ({stances}) "
            f"at confidence {min_confidence:.2f} or more, {self.set_aside} set aside below it."
        )


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
