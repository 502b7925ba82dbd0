"""The TF-IDF baseline: word and character n-grams into a class-balanced linear model.

It is one scikit-learn pipeline, saved with skops (a format that refuses to
run arbitrary code on load, unlike pickle).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import skops.io as sio
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from pipeline.errors import StanceError
from pipeline.files import atomic_writer
from pipeline.labels.dataset import Dataset
from pipeline.models.calibration import Calibrated
from pipeline.models.logreg import balanced_logreg, fit_selected, probabilities
from pipeline.params import TfidfParams

WEIGHTS = "tfidf.skops"


@dataclass
class TfidfClassifier:
    labels: tuple[str, ...]
    pipeline: Pipeline

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return probabilities(self.pipeline, list(texts), list(self.labels))

    def save(self, folder: Path) -> None:
        with atomic_writer(folder / WEIGHTS, "wb") as handle:
            handle.write(sio.dumps(self.pipeline))


def build_pipeline(params: TfidfParams, seed: int) -> Pipeline:
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=tuple(params.word_ngrams), min_df=params.min_df, sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(params.char_ngrams), min_df=params.min_df, sublinear_tf=True)),
        ]
    )
    return Pipeline([("features", features), ("clf", balanced_logreg(1.0, seed))])


def fit(data: Dataset, labels: tuple[str, ...], params: TfidfParams, seed: int) -> Calibrated:
    selected = fit_selected(build_pipeline(params, seed), "clf__C", params.c_grid, list(data.texts), data.labels, data.groups, labels)
    return Calibrated(TfidfClassifier(labels, selected.estimator), selected.temperature)


def load(folder: Path, labels: tuple[str, ...], params: TfidfParams) -> TfidfClassifier:
    """Load with skops' default trust: any type outside scikit-learn's own is refused."""
    path = folder / WEIGHTS
    if not path.is_file():
        raise StanceError(f"{path}: no such file; the model folder is incomplete, retrain it.")
    try:
        return TfidfClassifier(labels, sio.loads(path.read_bytes()))
    except sio.exceptions.UntrustedTypesFoundException as err:
        raise StanceError(f"{path}: refuses to load untrusted types ({str(err).rstrip('.')}).") from None
    except zipfile.BadZipFile:
        raise StanceError(f"{path}: not a skops file (a pickle, or damaged); TF-IDF models load only from skops.") from None
