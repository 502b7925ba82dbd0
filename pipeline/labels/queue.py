"""What `stance label` asks about, and in what order: the queue of unlabeled sentences with the model's guesses.

Orders: `uncertain` (least confident guess first, active learning), `diverse`
(most uncertain first without near-duplicates in a row), `article` (reading
order), `random`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, cast

import numpy as np

from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError

WINDOW = 5  # queued sentences a new one must differ from
NEAR = 0.6  # TF-IDF cosine from which two sentences count as near-duplicates


@dataclass(frozen=True)
class Item:
    sentence: Sentence
    guess: str | None = None
    confidence: float | None = None
    entropy: float | None = None  # of the whole probability row, in nats: doubt spread over every label
    set_aside: bool = False  # a claim below the model's minimum confidence, which `stance predict` sets aside


class Guess(Protocol):
    """What `stance predict` says of a sentence (`pipeline.predict.classify.Prediction`): all the queue reads of it.
    Read-only members, so a frozen dataclass fits."""

    @property
    def label(self) -> str: ...
    @property
    def scores(self) -> dict[str, float]: ...
    @property
    def set_aside(self) -> bool: ...
    @property
    def confidence(self) -> float: ...


def unlabeled(sentences: Sequence[Sentence], labeled: set[str], articles: set[str] | None) -> list[Sentence]:
    """Sentences without a label, of the chosen articles (all when None), in corpus order."""
    return [s for s in sentences if s.id not in labeled and (articles is None or s.article in articles)]


def entropy(scores: Mapping[str, float]) -> float:
    row = np.clip(np.array(list(scores.values())), 1e-12, 1.0)
    return float(-(row * np.log(row)).sum())


def with_guesses(sentences: Sequence[Sentence], guesses: Mapping[str, Guess] | None) -> list[Item]:
    """Each sentence with the model's guess by its id, exactly as `stance predict` gives it; none without a model."""
    if guesses is None:
        return [Item(s) for s in sentences]
    items = []
    for sentence in sentences:
        guess = guesses[sentence.id]
        items.append(Item(sentence, guess.label, guess.confidence, entropy(guess.scores), guess.set_aside))
    return items


def _by_doubt(items: list[Item], rng: np.random.Generator) -> list[Item]:
    """Least confident guess first (active learning); without guesses, reading order."""
    if any(item.confidence is None for item in items):
        return items
    return sorted(items, key=lambda item: cast(float, item.confidence))  # stable: ties keep reading order; no None here (checked above)


def _diverse(items: list[Item], rng: np.random.Generator) -> list[Item]:
    """Most uncertain first by the entropy of the whole guess, but never a near-duplicate of the last few queued.

    A sentence whose TF-IDF cosine with any of the last WINDOW queued
    reaches NEAR waits until one that differs has been asked: the same
    doubtful formula ten times in a row teaches the model once.
    """
    if any(item.entropy is None for item in items):
        return items
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(sublinear_tf=True).fit_transform([item.sentence.text for item in items])
    waiting = sorted(range(len(items)), key=lambda i: -(items[i].entropy or 0.0))  # stable: ties keep reading order
    queue: list[int] = []
    while waiting:
        recent = vectors[queue[-WINDOW:]] if queue else None
        pick = next((k for k, i in enumerate(waiting) if recent is None or (recent @ vectors[i].T).max() < NEAR), 0)
        queue.append(waiting.pop(pick))
    return [items[i] for i in queue]


def _reading(items: list[Item], rng: np.random.Generator) -> list[Item]:
    return items


def _shuffled(items: list[Item], rng: np.random.Generator) -> list[Item]:
    return [items[i] for i in rng.permutation(len(items))]


ORDERS = {"uncertain": _by_doubt, "diverse": _diverse, "article": _reading, "random": _shuffled}


def ordered(items: Sequence[Item], order: str, seed: int) -> list[Item]:
    if order not in ORDERS:
        raise StanceError(f"unknown order {order!r}; expected one of {', '.join(ORDERS)}.")
    return ORDERS[order](list(items), np.random.default_rng(seed))
