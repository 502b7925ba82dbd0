"""The fast triage model: distilled from the local encoder with no network, saved without pickle, and a sentence's
scores depend on that sentence alone (so every engine and batching gives the same records, up to float rounding)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.labels.dataset import Dataset
from pipeline.models.calibration import Calibrated
from pipeline.models.card import Calibration, model_card
from pipeline.models.fast import FastClassifier
from pipeline.models.folder import load_model, save_model
from pipeline.models.registry import KINDS
from tests.conftest import CONFIG, ROOT, TEST_ENCODER

PARAMS = replace(CONFIG.kind_params("fast"), base_model=TEST_ENCODER)
# Every test here uses the model distilled from the small encoder (a minute or two on two cores).
pytestmark = pytest.mark.slow
SEED = 13


@pytest.fixture(scope="module")
def seed_data() -> Dataset:
    rows = [json.loads(line) for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]
    return Dataset(*(tuple(r[key] for r in rows) for key in ("id", "text", "label", "article")), ("seed",) * len(rows))


@pytest.fixture(scope="module")
def fast_model(seed_data: Dataset) -> Iterator[Calibrated]:
    yield KINDS["fast"].fit(seed_data, CONFIG.labels.names, replace(PARAMS, c_grid=(10.0,)), SEED)


def test_the_fast_model_round_trips_through_safetensors(fast_model: Calibrated, seed_data: Dataset, tmp_path: Path) -> None:
    folder = tmp_path / "fast"
    params = replace(PARAMS, c_grid=(10.0,))
    save_model(fast_model, model_card("fast", CONFIG.labels, CONFIG.segment, params, SEED, Calibration(fast_model.temperature, 0.5), seed_data, {}), folder)
    files = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert {"model.json", "head.safetensors", "static/model.safetensors", "static/tokenizer.json"} <= files
    assert not [f for f in files if f.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle", ".joblib"))]
    loaded, card = load_model(folder)
    assert card.kind == "fast" and isinstance(loaded.model, FastClassifier) and card.params == params
    np.testing.assert_array_equal(loaded.predict_proba(seed_data.texts[:50]), fast_model.predict_proba(seed_data.texts[:50]))


def test_the_fast_model_folder_is_the_same_bytes_whichever_checkout_built_it(fast_model: Calibrated, seed_data: Dataset, tmp_path: Path) -> None:
    """model2vec records the absolute path of the encoder it distilled: two checkouts gave two `static/config.json`."""
    card = model_card("fast", CONFIG.labels, CONFIG.segment, PARAMS, SEED, Calibration(fast_model.temperature, 0.5), seed_data, {})
    folders = []
    for checkout in ("one", "two"):
        static = copy.copy(fast_model.model.static)
        static.config = {**static.config, "tokenizer_name": str(tmp_path / checkout / ".venv" / "encoder" / "model")}
        folders.append(tmp_path / checkout / "models" / "fast")
        save_model(Calibrated(replace(fast_model.model, static=static), fast_model.temperature), card, folders[-1])
    files = [{str(p.relative_to(f)): p.read_bytes() for p in sorted(f.rglob("*")) if p.is_file()} for f in folders]
    assert files[0] == files[1]
    assert json.loads(files[0]["static/config.json"])["tokenizer_name"] == "model"
    texts = seed_data.texts[:50]
    for folder in folders:
        np.testing.assert_array_equal(load_model(folder)[0].predict_proba(texts), fast_model.predict_proba(texts))


def test_the_fast_model_learns_the_seed_labels(fast_model: Calibrated, seed_data: Dataset) -> None:
    """Fitted and scored on the same sentences: not a quality figure (the report has that), a check that the head learned."""
    predicted = [CONFIG.labels.names[i] for i in fast_model.predict_proba(seed_data.texts).argmax(axis=1)]
    agreement = np.mean([p == g for p, g in zip(predicted, seed_data.labels, strict=True)])
    assert agreement > 0.8 and len(set(predicted)) == len(CONFIG.labels.names)


def test_a_sentences_scores_do_not_depend_on_its_neighbours(fast_model: Calibrated, seed_data: Dataset) -> None:
    texts = list(seed_data.texts[:40])
    together = fast_model.predict_proba(texts)
    alone = np.vstack([fast_model.predict_proba([text]) for text in texts])
    np.testing.assert_allclose(together, alone, atol=1e-6)  # float rounding of one matrix product against forty


def test_predict_names_the_fast_model(fast_model: Calibrated, seed_data: Dataset, tmp_path: Path) -> None:
    models = tmp_path / "models"
    card = model_card("fast", CONFIG.labels, CONFIG.segment, PARAMS, SEED, Calibration(fast_model.temperature, 0.5), seed_data, {})
    save_model(fast_model, card, models / "fast")
    params = tmp_path / "params.yaml"
    params.write_text((ROOT / "configs" / "params.yaml").read_text(encoding="utf-8").replace("  models: models\n", f"  models: {models}\n"), encoding="utf-8")
    article = ROOT / "data" / "articles" / "004_4e83cf9310ecd704.txt"
    result = CliRunner().invoke(app, ["predict", str(article), "--model", "fast", "--format", "jsonl", "--params", str(params)])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) > 40 and {r["label"] for r in records} <= set(CONFIG.labels.names)
    assert result.stderr.endswith("/models/fast (fast).\n")
