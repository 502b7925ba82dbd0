"""A sentence's scores depend on that sentence alone, not on the sentences classified beside it.

`stance predict` gives a model a file's or a folder's sentences in chunks, and
the model batches them; a sentence typed alone must get the same label and
scores as the same sentence in a folder run, up to float rounding. Every kind
and backend is checked through `load_model`, as `stance predict` loads it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.models.calibration import Calibrated
from pipeline.models.folder import load_model
from pipeline.predict.classify import classify, in_process
from pipeline.predict.inputs import InputSentence
from tests.conftest import ROOT

TOLERANCE = 1e-5  # float rounding: what batching may move a score by, and no more


def seed_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]


def mixed_texts() -> list[str]:
    """Short and long hand-labeled sentences interleaved, plus one longer than the transformer's 128 tokens."""
    by_length = sorted({row["text"] for row in seed_rows()}, key=len)
    short, middle, long = by_length[:4], by_length[len(by_length) // 2 : len(by_length) // 2 + 4], by_length[-4:]
    return [text for trio in zip(short, long, middle, strict=True) for text in trio] + [" ".join(by_length[-3:])]


MODELS: dict[str, Callable[[pytest.FixtureRequest], tuple[Path, str]]] = {
    "transformer int8 onnx": lambda request: (request.getfixturevalue("small_transformer")[0], "onnx"),
    "transformer torch": lambda request: (request.getfixturevalue("small_transformer")[0], "torch"),
    "fast": lambda request: (request.getfixturevalue("fast_folder"), "torch"),
    "tfidf": lambda request: (request.getfixturevalue("seed_tfidf"), "torch"),
    "majority": lambda request: (request.getfixturevalue("majority_model"), "torch"),
}


@pytest.fixture(params=list(MODELS))
def model(request: pytest.FixtureRequest) -> Calibrated:
    folder, backend = MODELS[request.param](request)
    return load_model(folder, backend)[0]


def test_a_sentence_scores_the_same_alone_and_in_a_mixed_batch(model: Calibrated) -> None:
    texts = mixed_texts()
    together = model.predict_proba(texts)
    alone = np.vstack([model.predict_proba([text]) for text in texts])
    np.testing.assert_allclose(together, alone, rtol=0, atol=TOLERANCE)
    assert together.argmax(axis=1).tolist() == alone.argmax(axis=1).tolist()


def test_classify_gives_the_same_predictions_whatever_the_chunk(model: Calibrated) -> None:
    """One sentence per call (a sentence typed alone) against the whole input in one chunk (a folder run)."""
    sentences = [InputSentence("input.txt", "input", i, text) for i, text in enumerate(mixed_texts())]
    runs = [list(classify(sentences, in_process(model), model.labels, chunk, "none", 0.5)) for chunk in (1, len(sentences))]
    for one, whole in zip(*runs, strict=True):
        assert (one.label, one.set_aside) == (whole.label, whole.set_aside)
        np.testing.assert_allclose(list(one.scores.values()), list(whole.scores.values()), rtol=0, atol=TOLERANCE)
