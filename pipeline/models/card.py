"""The model card, `model.json`: everything `stance predict` needs to use a model folder and to say where it came from.

A folder is self-sufficient: its card holds the label set, the segmentation
the model was trained with, the kind, the recipe and its resolved parameters,
so predict never reads the current parameters file for them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from pipeline.config import build
from pipeline.errors import StanceError
from pipeline.kinds import KINDS
from pipeline.labels.dataset import Dataset
from pipeline.labels.records import LabeledSentence
from pipeline.params import LabelSet, SegmentParams

CARD = "model.json"
LIBRARIES = ("stance", "torch", "transformers", "scikit-learn", "skops", "safetensors", "tokenizers", "onnxruntime", "model2vec", "numpy")
# Version of the card's shape; a card without it, or older, comes from a version of stance that predict can no longer read.
CARD_VERSION = 5


@dataclass(frozen=True)
class Calibration:
    # Divides the log-probabilities; fitted inside the training data (pipeline.models.calibration).
    temperature: float
    # The lowest confidence at which out-of-fold claims reach `train.claim_precision`: what predict's summaries count by default.
    recommended_confidence: float


@dataclass(frozen=True)
class CorpusSummary:
    """One corpus the model was trained on, by counts and sources only: never its text (the pools' belongs to their publishers)."""

    name: str
    # Read where it lies, never copied into the project: its texts are not the model's to share.
    in_place: bool
    articles: int
    sentences: int
    labels: dict[str, int]
    # Labeled articles per outlet, from the corpus's metadata ("" where it names none).
    outlets: dict[str, int]


@dataclass(frozen=True)
class ModelCard:
    kind: str
    labels: LabelSet
    segment: SegmentParams
    params: Any  # the kind's resolved parameters (TfidfParams, TransformerParams, ...)
    seed: int
    calibration: Calibration
    training_sentences: int
    training_articles: tuple[str, ...]
    training_labels_sha256: str
    versions: dict[str, str]
    cv: dict[str, Any]
    # Optional (cards of version 4 written before it load with none): the corpora, for the README card.
    corpora: tuple[CorpusSummary, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "card_version": CARD_VERSION,
            "kind": self.kind,
            "labels": {"names": list(self.labels.names), "negative": self.labels.negative},
            "segment": json.loads(json.dumps(dataclasses.asdict(self.segment))),
            "params": json.loads(json.dumps(dataclasses.asdict(self.params))),
            "seed": self.seed,
            "calibration": dataclasses.asdict(self.calibration),
            "training_sentences": self.training_sentences,
            "training_articles": list(self.training_articles),
            "training_labels_sha256": self.training_labels_sha256,
            "versions": self.versions,
            "cv": self.cv,
            "corpora": [dataclasses.asdict(corpus) for corpus in self.corpora],
        }

    @classmethod
    def from_json(cls, raw: Any, source: str) -> ModelCard:
        """A card read back; anything missing or malformed is one error naming the card's file."""
        if not isinstance(raw, dict):
            raise StanceError(f"{source}: expected a JSON object.")
        if raw.get("card_version") != CARD_VERSION:
            raise StanceError(f"{source}: written by an older version of stance; retrain this model (`dvc repro`).")
        kind = raw.get("kind")
        if not isinstance(kind, str) or kind not in KINDS:
            raise StanceError(f"{source}: unknown model kind {kind!r}.")
        fields = [f.name for f in dataclasses.fields(cls) if f.default is dataclasses.MISSING]
        missing = [name for name in fields if name not in raw]
        if missing:
            raise StanceError(f"{source}: lacks {missing[0]!r}; retrain this model (`dvc repro`).")
        return cls(
            kind=kind,
            labels=build(LabelSet, raw["labels"], "labels", source),
            segment=build(SegmentParams, raw["segment"], "segment", source),
            params=build(KINDS[kind].params, raw["params"], "params", source),
            seed=int(raw["seed"]),
            calibration=build(Calibration, raw["calibration"], "calibration", source),
            training_sentences=int(raw["training_sentences"]),
            training_articles=tuple(raw["training_articles"]),
            training_labels_sha256=str(raw["training_labels_sha256"]),
            versions=dict(raw["versions"]),
            cv=dict(raw["cv"]),
            corpora=tuple(build(CorpusSummary, corpus, "corpora", source) for corpus in raw.get("corpora", [])),
        )


def corpus_summaries(rows: Sequence[LabeledSentence], outlets: dict[str, str], in_place: frozenset[str], labels: LabelSet) -> tuple[CorpusSummary, ...]:
    """Counts per corpus of the training rows, in order of first appearance; `outlets` maps an article to its outlet."""
    by_corpus: dict[str, list[LabeledSentence]] = {}
    for row in rows:
        by_corpus.setdefault(row.corpus, []).append(row)
    return tuple(corpus_summary(name, of_corpus, outlets, name in in_place, labels) for name, of_corpus in by_corpus.items())


def corpus_summary(name: str, rows: Sequence[LabeledSentence], outlets: dict[str, str], in_place: bool, labels: LabelSet) -> CorpusSummary:
    articles = sorted({row.article for row in rows})
    counts = Counter(row.label for row in rows)
    by_outlet = Counter(outlets.get(article, "") for article in articles)
    return CorpusSummary(
        name,
        in_place,
        len(articles),
        len(rows),
        {label: counts[label] for label in labels.names},
        dict(sorted(by_outlet.items(), key=lambda item: (-item[1], item[0]))),
    )


def labels_hash(data: Dataset) -> str:
    """Identifies the exact training labels a model saw."""
    digest = hashlib.sha256()
    for row in sorted(zip(data.ids, data.texts, data.labels, strict=True)):
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def model_card(
    kind: str,
    labels: LabelSet,
    segment: SegmentParams,
    params: Any,
    seed: int,
    calibration: Calibration,
    data: Dataset,
    cv: dict[str, Any],
    corpora: tuple[CorpusSummary, ...] = (),
) -> ModelCard:
    return ModelCard(
        kind, labels, segment, params, seed, calibration, len(data), tuple(sorted(set(data.groups))), labels_hash(data), library_versions(), cv, corpora
    )
