"""The Python API: a trained model folder loaded once, classifying sentences and articles into the records `stance predict` writes.

    from pipeline.predict.api import load
    model = load("models/transformer")                       # any model folder; no project needed
    model.classify_sentences(["Talks are the only way out."])  # [{"article": ..., "label": ..., "scores": ...}]
    for record in model.classify_articles({"a1": text}):     # lazily, article after article
        ...
    model.summarise_articles({"a1": text})                   # one summary per article, as --format json

`stance predict` and `stance serve` are built on it. Importing it starts no
torch: the transformer's int8 ONNX export, the fast model and the
scikit-learn kinds run without it, and a model kind's code is imported when a
model of that kind is loaded.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from pipeline.config import DEFAULT_PARAMS, find_params, load_config
from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.models.calibration import Calibrated
from pipeline.models.card import ModelCard
from pipeline.models.folder import card_sha256, load_model, runtime
from pipeline.params import LabelSet, PredictParams
from pipeline.predict.classify import (
    MODEL_CARD_DIGITS,
    MODEL_NAMES,
    Prediction,
    Probabilities,
    classify,
    in_process,
    model_folder,
    summarise_articles,
    to_record,
)
from pipeline.predict.inputs import InputSentence, Source, Warn, record_sentences
from pipeline.predict.language import preload, with_language
from pipeline.predict.workers import parallel_probabilities

# What `stance predict` does outside a project, where no configs/params.yaml says otherwise: the project's own defaults
# (tests/predict/test_api.py holds them equal to configs/params.yaml's `predict` section).
PREDICT_DEFAULTS = PredictParams(backend="onnx", chunk=512, evidence=3, min_claims=2)
# The id of sentences given without an article, and the name they are read from.
SENTENCES = "sentences"
API_SOURCE = "<api>"


def python_warning(message: str) -> None:
    warnings.warn(message, stacklevel=3)


@dataclass(frozen=True)
class StanceModel:
    """A loaded model with the settings it predicts by; the same records come out of every method and of `stance predict`."""

    folder: Path
    card: ModelCard
    predictor: Calibrated
    backend: str
    min_confidence: float
    settings: PredictParams
    card_sha256: str

    @property
    def labels(self) -> LabelSet:
        return self.card.labels

    @property
    def runtime(self) -> str:
        return runtime(self.predictor, self.card)

    @property
    def stamp(self) -> dict[str, str]:
        """What every record says of the model that made it: its kind and its card's hash (16 hex digits of the SHA-256)."""
        return {"model": self.card.kind, "model_card": self.card_sha256[:MODEL_CARD_DIGITS]}

    @property
    def version(self) -> str:
        """The model's name where Label Studio shows it (a prediction's `model_version`): its kind and the labels it learnt from."""
        return f"stance {self.card.kind} ({self.card.training_labels_sha256[:8]})"

    @property
    def about(self) -> dict[str, Any]:
        """What heads a JSON document or HTML page of predictions."""
        return {
            "model": str(self.folder),
            "kind": self.card.kind,
            "model_card": self.stamp["model_card"],
            "runtime": self.runtime,
            "min_confidence": self.min_confidence,
        }

    def predictions(self, sentences: Iterable[InputSentence], workers: int = 1, warn: Warn = python_warning) -> Iterator[Prediction]:
        """Predictions in input order, each article's language checked first; `workers` processes share the classifying."""
        probabilities: Probabilities = (
            in_process(self.predictor) if workers == 1 else partial(parallel_probabilities, folder=self.folder, backend=self.backend, workers=workers)
        )
        return classify(with_language(sentences, warn), probabilities, self.labels.names, self.settings.chunk, self.labels.negative, self.min_confidence)

    def corpus_guesses(self, sentences: Iterable[Sentence]) -> dict[str, Prediction]:
        """What `stance predict` says of each of these corpus sentences, by sentence id: the guesses `stance label` shows
        and `stance labels export --with-predictions` writes."""
        listed = list(sentences)
        inputs = (InputSentence(s.article, s.article, s.index, s.text, paragraph=s.paragraph) for s in listed)
        return {s.id: prediction for s, prediction in zip(listed, self.predictions(inputs), strict=True)}

    def records(self, predictions: Iterable[Prediction]) -> Iterator[dict[str, Any]]:
        stamp = self.stamp
        return (to_record(prediction, stamp) for prediction in predictions)

    def article_sentences(self, articles: Mapping[str, str] | Iterable[tuple[str, str]], warn: Warn = python_warning) -> Iterator[InputSentence]:
        """Whole articles, by id, segmented as the model's training corpus was."""
        pairs = articles.items() if isinstance(articles, Mapping) else articles
        rows = ((f"article {article}", {"article": article, "text": text}) for article, text in pairs)
        return record_sentences(Source(Path(API_SOURCE), ".jsonl", SENTENCES), rows, "text", "articles", self.card.segment, warn)

    def classify_sentences(self, texts: Iterable[str], article: str = SENTENCES, warn: Warn = python_warning) -> list[dict[str, Any]]:
        """One record per sentence, as given (not segmented), numbered from 0 as one article."""
        sentences = [InputSentence(API_SOURCE, article, index, text) for index, text in enumerate(texts)]
        empty = next((s.index for s in sentences if not s.text.strip()), None)
        if empty is not None:
            raise StanceError(f"sentence {empty}: holds no text.")
        return list(self.records(self.predictions(sentences, warn=warn)))

    def classify_articles(self, articles: Mapping[str, str] | Iterable[tuple[str, str]], warn: Warn = python_warning) -> Iterator[dict[str, Any]]:
        """A record per sentence of each article, lazily, so an archive never sits whole in memory."""
        return self.records(self.predictions(self.article_sentences(articles, warn), warn=warn))

    def summarise_articles(
        self, articles: Mapping[str, str] | Iterable[tuple[str, str]], claims_only: bool = False, warn: Warn = python_warning
    ) -> list[dict[str, Any]]:
        """Per article: counts and shares of each stance, the overall stance, the best evidence and the sentences (`--format json`)."""
        return self.summaries(self.article_sentences(articles, warn), claims_only, warn)

    def summaries(self, sentences: Iterable[InputSentence], claims_only: bool = False, warn: Warn = python_warning) -> list[dict[str, Any]]:
        """The summaries of sentences already read or segmented (`article_sentences`, the readers of `pipeline.predict.inputs`)."""
        predictions = self.predictions(sentences, warn=warn)
        return summarise_articles(predictions, self.labels, self.settings.evidence, claims_only, self.settings.min_claims, self.stamp)


def resolve(model: str | Path, params: Path | None) -> tuple[Path, PredictParams]:
    """The model folder and the settings to predict by.

    Inside a project (configs/params.yaml here or above, or `params` given) a kind's name is its trained model under
    `paths.models` and the project's `predict` section applies; outside one, `model` must be a folder and the defaults apply.
    """
    name = str(model)
    if params is None:
        try:
            params = find_params(Path.cwd())
        except StanceError:
            if name in MODEL_NAMES and not Path(name).is_dir():
                raise StanceError(
                    f"no stance project here to find the {name} model in (no {DEFAULT_PARAMS} in this folder or above); "
                    "give the path of a trained model folder instead (--model FOLDER)."
                ) from None
            return Path(name), PREDICT_DEFAULTS
    config = load_config(params)
    return model_folder(name, config.paths.models), config.predict


def open_model(folder: Path, settings: PredictParams, backend: str | None = None, min_confidence: float | None = None) -> StanceModel:
    """The model in `folder`, predicting by `settings`: `backend` onnx or torch (default: the settings'), `min_confidence`
    sets claims below it aside (default: the card's recommended one)."""
    chosen = backend or settings.backend
    preload()  # the language identifier, while the model loads
    predictor, card = load_model(folder, chosen)
    threshold = card.calibration.recommended_confidence if min_confidence is None else min_confidence
    if not 0.0 <= threshold <= 1.0:
        raise StanceError(f"min_confidence must lie between 0 and 1, got {threshold}.")
    return StanceModel(folder, card, predictor, chosen, threshold, settings, card_sha256(folder))


def load(model: str | Path = "transformer", backend: str | None = None, min_confidence: float | None = None, params: Path | None = None) -> StanceModel:
    """A model by kind name (inside a project) or folder (anywhere), ready to classify; see `open_model` for the rest."""
    return open_model(*resolve(model, params), backend, min_confidence)
