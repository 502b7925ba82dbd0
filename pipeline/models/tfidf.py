"""The TF-IDF baseline: word and character n-grams into a class-balanced linear model.

It is one scikit-learn pipeline, saved with skops (a format that refuses to
run arbitrary code on load, unlike pickle), in a canonical form: the same
model gives the same bytes in any process (`canonical_skops`).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from pipeline.errors import StanceError
from pipeline.files import atomic_writer
from pipeline.kinds import TfidfParams
from pipeline.labels.dataset import Dataset
from pipeline.models.assets import optional_extra
from pipeline.models.calibration import Calibrated

# Everything here is scikit-learn, an extra the predict-only install leaves out: without it, one sentence that names it.
with optional_extra("the tfidf model"):
    import skops.io as sio
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, Pipeline

    from pipeline.models.logreg import balanced_logreg, fit_selected, probabilities

WEIGHTS = "tfidf.skops"
SCHEMA = "schema.json"  # skops' description of the object tree; every other member is an array file it names
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip member can carry: stands for "no time"


@dataclass
class TfidfClassifier:
    labels: tuple[str, ...]
    pipeline: Pipeline

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return probabilities(self.pipeline, list(texts), list(self.labels))

    def save(self, folder: Path) -> None:
        with atomic_writer(folder / WEIGHTS, "wb") as handle:
            handle.write(canonical_skops(sio.dumps(without_process_ids(self.pipeline))))


def without_process_ids(pipeline: Pipeline) -> Pipeline:
    """`pipeline` without the `id()` of the stop-word list that scikit-learn's word vectorizer keeps.

    That number belongs to the process that fitted the model, and only spares
    re-checking the list, which any other process does anyway (and this one
    does again on its next call): dropped, it no longer changes the saved bytes.
    """
    for part in pipeline.get_params(deep=True).values():
        if isinstance(part, TfidfVectorizer):
            vars(part).pop("_stop_words_id", None)
    return pipeline


def canonical_skops(data: bytes) -> bytes:
    """The skops file `data` with the same content and nothing of the process that wrote it.

    skops gives every node of its schema the `id()` of its Python object, names
    each array file after that id and stamps each member with the time of
    writing, so one model gave new bytes on every save (and a new hash in
    dvc.lock). Here ids and file names are renumbered in the order the schema
    lists them, and the members are written in name order with one fixed time.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    schema = json.loads(members.pop(SCHEMA))
    renamed = renumber(schema, {}, {})
    canonical = {renamed[name]: content for name, content in members.items()}
    canonical[SCHEMA] = json.dumps(schema, indent=2).encode("utf-8")  # skops' own formatting
    return stored_zip(canonical)


def renumber(state: Any, ids: dict[int, int], files: dict[str, str]) -> dict[str, str]:
    """Give each node's `__id__` and file, in place, its rank of first appearance; return the file renames.

    Equal ids stay equal (they mark one shared object, which loading restores
    once) and distinct ones distinct; ids start at 1, as skops ignores an id 0.
    Only nodes (dicts with a `__loader__`) are renamed, never a key of the
    model's own dicts that happens to be called `file` or `__id__`.
    """
    if isinstance(state, list):
        for item in state:
            renumber(item, ids, files)
    elif isinstance(state, dict):
        if isinstance(state.get("__loader__"), str):
            if isinstance(state.get("__id__"), int):
                state["__id__"] = ids.setdefault(state["__id__"], len(ids) + 1)
            if isinstance(state.get("file"), str):
                state["file"] = files.setdefault(state["file"], f"{len(files) + 1}{PurePosixPath(state['file']).suffix}")
        for value in state.values():
            renumber(value, ids, files)
    return files


def stored_zip(members: dict[str, bytes]) -> bytes:
    """A zip of `members` in name order, uncompressed as skops writes them, each with the same time and mode."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.create_system = 3  # Unix, also when written on Windows
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    return buffer.getvalue()


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
