"""Cross-validation by article, training, and saving/loading every model kind, on small real subsets."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import pickle
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from pipeline.config import load_config
from pipeline.corpus.corpora import Corpus, segment_corpus
from pipeline.errors import StanceError
from pipeline.labels.dataset import Dataset
from pipeline.labels.records import LabeledSentence, load_labeled
from pipeline.models.calibration import Calibrated
from pipeline.models.card import CARD, Calibration, labels_hash, model_card
from pipeline.models.classifier import Classifier
from pipeline.models.folder import load_model, read_card, save_model
from pipeline.models.logreg import balanced_logreg, fit_selected
from pipeline.models.registry import KINDS, kind_of
from pipeline.models.tfidf import TfidfClassifier
from pipeline.params import (
    LabelSet,
)
from pipeline.training.crossval import folds, learning_curve, out_of_fold
from pipeline.training.train import TrainingResult, train
from tests.conftest import CONFIG, TEST_ENCODER

ROOT = Path(__file__).resolve().parents[2]
SMALL_ARTICLES = ("001_92b404342e752842", "002_945876b3b805b919", "004_4e83cf9310ecd704")
ALL_NONE_ARTICLE = "003_cedb5012ada8128b"
SEED = 13
FAST_TFIDF = replace(CONFIG.kind_params("tfidf"), c_grid=(1.0,))
FAST_TRAIN = replace(CONFIG.train, folds=3, learning_curve=(2,))


@pytest.fixture(scope="module")
def label_set() -> LabelSet:
    return load_config(ROOT / "configs" / "params.yaml").labels


@pytest.fixture(scope="module")
def labeled(label_set: LabelSet) -> list[LabeledSentence]:
    config = load_config(ROOT / "configs" / "params.yaml")
    sentences = segment_corpus(Corpus("seed", ROOT / "data" / "articles", False, "paths.articles", config.paths.metadata), config.segment, config.slices)
    return load_labeled([ROOT / "labels" / "seed.jsonl"], sentences, label_set, frozenset())


@pytest.fixture(scope="module")
def small(labeled: list[LabeledSentence]) -> Dataset:
    """Every labeled sentence of three articles."""
    return Dataset.from_labeled([r for r in labeled if r.article in SMALL_ARTICLES])


@pytest.fixture(scope="module")
def tiny(labeled: list[LabeledSentence], label_set: LabelSet) -> Dataset:
    """Thirty sentences: the first five claims and first five `none` of each of three articles."""
    rows = []
    for article in SMALL_ARTICLES:
        of_article = [r for r in labeled if r.article == article]
        rows += [r for r in of_article if r.label != label_set.negative][:5]
        rows += [r for r in of_article if r.label == label_set.negative][:5]
    return Dataset.from_labeled(rows)


def fit_of(kind: str, labels: LabelSet, params: object) -> Callable[[Dataset], Classifier]:
    def fit(data: Dataset) -> Classifier:
        return KINDS[kind].fit(data, labels.names, params, SEED)

    return fit


# --- folds and out-of-fold predictions ------------------------------------------------------------


def test_folds_never_split_an_article(small: Dataset) -> None:
    groups = np.asarray(small.groups)
    tested = []
    for train_rows, test_rows in folds(small, 3, SEED):
        held_out = set(groups[test_rows])
        tested.extend(held_out)
        assert not held_out & set(groups[train_rows])
        assert sorted(np.concatenate([train_rows, test_rows]).tolist()) == list(range(len(small)))
    assert sorted(tested) == sorted(SMALL_ARTICLES)


def test_folds_are_stratified_by_slice_and_fixed_by_the_seed() -> None:
    # Twelve articles of three sentences, four in each of three slices: every fold of four holds one of each slice.
    articles = [f"{name}{i}" for name in ("pk", "af", "ww") for i in range(4)]
    rows = [(a, a[:2]) for a in articles for _ in range(3)]
    data = Dataset(*(tuple(column) for column in zip(*[(f"{a}-{k}", "text", "none", a, sl) for k, (a, sl) in enumerate(rows)])))
    splits = folds(data, 4, SEED)
    for _, test_rows in splits:
        assert sorted({data.slices[i] for i in test_rows}) == ["af", "pk", "ww"]
        assert len({data.groups[i] for i in test_rows}) == 3
    assert [t.tolist() for _, t in folds(data, 4, SEED)] == [t.tolist() for _, t in splits]
    assert [t.tolist() for _, t in folds(data, 4, SEED + 1)] != [t.tolist() for _, t in splits]


def test_folds_need_two_articles(small: Dataset) -> None:
    one = small.subset([i for i, g in enumerate(small.groups) if g == SMALL_ARTICLES[0]])
    with pytest.raises(StanceError, match="at least two articles, found 1"):
        folds(one, 3, SEED)


def test_out_of_fold_gives_one_prediction_per_sentence_from_a_model_blind_to_its_article(small: Dataset, label_set: LabelSet) -> None:
    trained_on: list[set[str]] = []
    majority = fit_of("majority", label_set, CONFIG.kind_params("majority"))

    def spy(data: Dataset) -> Classifier:
        trained_on.append(set(data.groups))
        return majority(data)

    records = out_of_fold(small, spy, 3, SEED)
    assert [r.id for r in records] == list(small.ids)
    assert [r.gold for r in records] == list(small.labels)
    assert [r.article for r in records] == list(small.groups)
    assert sorted(map(sorted, trained_on)) == sorted(sorted(set(SMALL_ARTICLES) - {article}) for article in SMALL_ARTICLES)
    for record in records:
        assert "text" not in record.to_json()  # reports name sentences by id: pool texts are never copied
        assert record.article not in trained_on[record.fold]
        assert list(record.scores) == list(label_set.names)
        assert sum(record.scores.values()) == pytest.approx(1.0)
        assert record.pred == max(record.scores, key=record.scores.get)


def test_majority_predicts_the_commonest_label_of_the_other_articles(small: Dataset, label_set: LabelSet) -> None:
    records = out_of_fold(small, fit_of("majority", label_set, CONFIG.kind_params("majority")), 3, SEED)
    for article in SMALL_ARTICLES:
        others = Counter(label for label, group in zip(small.labels, small.groups) if group != article)
        assert {r.pred for r in records if r.article == article} == {others.most_common(1)[0][0]}


def test_learning_curve_gives_one_point_per_article_count(labeled: list[LabeledSentence], label_set: LabelSet) -> None:
    data = Dataset.from_labeled(labeled)  # five articles: four train each of five folds
    sizes: list[int] = []

    def fit(subset: Dataset) -> Classifier:
        sizes.append(len(set(subset.groups)))
        return fit_of("majority", label_set, CONFIG.kind_params("majority"))(subset)

    points = learning_curve(data, fit, (2, 3, 4, 9), 5, SEED)
    assert [p["articles"] for p in points] == [2, 3]  # 4 and 9 are not below the four training articles of a fold
    assert sizes == [2] * 5 + [3] * 5
    assert all(len(p["pred"]) == len(data) and set(p["pred"]) <= set(label_set.names) for p in points)
    assert 0 < points[0]["train_sentences"] < points[1]["train_sentences"] < len(data)
    assert learning_curve(data, fit, (2, 3), 5, SEED) == points


# --- majority and tfidf, end to end -----------------------------------------------------------


@pytest.fixture(scope="module")
def majority_result(small: Dataset, label_set: LabelSet) -> TrainingResult:
    return train("majority", small, label_set, CONFIG.segment, CONFIG.kind_params("majority"), FAST_TRAIN, CONFIG.evaluate)


@pytest.fixture(scope="module")
def tfidf_result(small: Dataset, label_set: LabelSet) -> TrainingResult:
    return train("tfidf", small, label_set, CONFIG.segment, FAST_TFIDF, FAST_TRAIN, CONFIG.evaluate)


def test_train_returns_cv_predictions_curve_and_card(majority_result: TrainingResult, small: Dataset) -> None:
    assert [r.id for r in majority_result.predictions] == list(small.ids)
    curve = majority_result.curve
    assert [p["articles"] for p in curve] == [2.0]  # three articles, three folds: two is already every training article
    assert curve[-1]["pred"] == [r.pred for r in majority_result.predictions]
    cv = majority_result.card.cv
    assert cv["scheme"] == "3-fold, grouped by article, stratified by slice"
    assert {"macro_f1", "accuracy", "claim_f1", "stance_macro_f1", "fold_macro_f1_std"} <= set(cv)
    assert cv["claim_f1"] == 0.0


@pytest.fixture(scope="module")
def tfidf_folder(tmp_path_factory: pytest.TempPathFactory, tfidf_result: TrainingResult) -> Path:
    folder = tmp_path_factory.mktemp("models") / "tfidf"
    save_model(tfidf_result.model, tfidf_result.card, folder)
    return folder


@pytest.mark.parametrize("kind", ["majority", "tfidf"])
def test_save_and_load_give_identical_probabilities(request: pytest.FixtureRequest, tmp_path: Path, small: Dataset, kind: str) -> None:
    result: TrainingResult = request.getfixturevalue(f"{kind}_result")
    folder = tmp_path / "models" / kind
    save_model(result.model, result.card, folder)
    loaded, card = load_model(folder)
    assert card == result.card
    assert loaded.labels == result.model.labels
    np.testing.assert_array_equal(loaded.predict_proba(small.texts), result.model.predict_proba(small.texts))
    assert not list(folder.parent.glob(f".{kind}*")), "staging folders left behind"


def test_model_card_describes_the_model(tfidf_folder: Path, tfidf_result: TrainingResult, small: Dataset, label_set: LabelSet) -> None:
    card = json.loads((tfidf_folder / CARD).read_text(encoding="utf-8"))
    assert card["kind"] == "tfidf" and card["card_version"] == 5
    assert card["labels"] == {"names": list(label_set.names), "negative": label_set.negative}
    assert card["segment"] == {"extra_abbreviations": list(CONFIG.segment.extra_abbreviations), "max_chars": CONFIG.segment.max_chars}
    assert card["params"] == json.loads(json.dumps(dataclasses.asdict(FAST_TFIDF)))
    assert card["params"]["c_grid"] == [1.0] and card["params"]["word_ngrams"] == [1, 2]
    assert card["seed"] == SEED
    assert card["calibration"]["temperature"] == tfidf_result.model.temperature != 1.0
    assert card["calibration"]["recommended_confidence"] in CONFIG.train.confidence_grid
    assert card["training_sentences"] == len(small)
    assert card["training_articles"] == sorted(SMALL_ARTICLES)
    assert card["training_labels_sha256"] == labels_hash(small)
    for library in ("scikit-learn", "skops", "numpy", "torch", "transformers"):
        assert card["versions"][library] not in ("", "not installed")
    assert card["cv"] == json.loads(json.dumps(tfidf_result.card.cv))
    assert read_card(tfidf_folder) == tfidf_result.card
    assert 0 < card["cv"]["macro_f1"] <= 1


def test_labels_hash_changes_with_any_label(small: Dataset) -> None:
    relabeled = list(small.labels)
    relabeled[7] = "conditional" if relabeled[7] != "conditional" else "none"
    other = Dataset(small.ids, small.texts, tuple(relabeled), small.groups, small.slices)
    assert labels_hash(other) != labels_hash(small)
    reordered = small.subset(list(reversed(range(len(small)))))
    assert labels_hash(reordered) == labels_hash(small)


def test_tfidf_file_is_skops_and_loads_without_pickle(
    tfidf_folder: Path, tfidf_result: TrainingResult, small: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights = tfidf_folder / "tfidf.skops"
    assert sorted(p.name for p in tfidf_folder.iterdir()) == ["README.md", "model.json", "tfidf.skops"]
    assert zipfile.is_zipfile(weights)
    assert sio.get_untrusted_types(file=weights) == []

    def no_pickle(*args: object, **kwargs: object) -> None:
        raise AssertionError("pickle used while loading a model")

    monkeypatch.setattr(pickle, "loads", no_pickle)
    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "Unpickler", no_pickle)
    loaded, _ = load_model(tfidf_folder)
    np.testing.assert_array_equal(loaded.predict_proba(small.texts[:20]), tfidf_result.model.predict_proba(small.texts[:20]))


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_tfidf_model_saves_to_the_same_bytes_anywhere(tmp_path: Path, tfidf_result: TrainingResult, small: Dataset) -> None:
    """skops names its array files after object ids and stamps the time: saved canonically, dvc.lock's hash never changes."""
    folders = [tmp_path / "first" / "tfidf", tmp_path / "elsewhere" / "models" / "tfidf"]
    save_model(tfidf_result.model, tfidf_result.card, folders[0])
    pipeline = copy.deepcopy(tfidf_result.model.model.pipeline)  # the same model in other objects, as another process holds it
    pipeline.named_steps["features"].transformer_list[0][1]._stop_words_id = 1  # scikit-learn keeps an id() of that process
    save_model(Calibrated(TfidfClassifier(tfidf_result.model.labels, pipeline), tfidf_result.model.temperature), tfidf_result.card, folders[1])
    assert folder_bytes(folders[0]) == folder_bytes(folders[1])
    with zipfile.ZipFile(folders[0] / "tfidf.skops") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert sorted(archive.namelist()) == archive.namelist() and "1.npy" in archive.namelist()
    proba = tfidf_result.model.predict_proba(small.texts)
    for folder in folders:
        np.testing.assert_array_equal(load_model(folder)[0].predict_proba(small.texts), proba)


def test_tfidf_refuses_untrusted_and_non_skops_files(tmp_path: Path, tfidf_folder: Path, tfidf_result: TrainingResult) -> None:
    folder = tmp_path / "tfidf"
    shutil.copytree(tfidf_folder, folder)
    weights = folder / "tfidf.skops"
    weights.write_bytes(sio.dumps(Pipeline([("run", FunctionTransformer(os.system))])))
    with pytest.raises(StanceError, match=r"tfidf\.skops: refuses to load untrusted types .*posix\.system"):
        load_model(folder)
    weights.write_bytes(pickle.dumps(tfidf_result.model.model.pipeline))
    with pytest.raises(StanceError, match=r"tfidf\.skops: not a skops file"):
        load_model(folder)
    weights.unlink()
    with pytest.raises(StanceError, match=r"tfidf\.skops: no such file"):
        load_model(folder)


def test_training_tfidf_twice_gives_identical_predictions(small: Dataset, label_set: LabelSet, tfidf_result: TrainingResult) -> None:
    again = out_of_fold(small, fit_of("tfidf", label_set, FAST_TFIDF), 3, SEED)
    assert again == tfidf_result.predictions


def test_inner_selection_uses_training_articles_only(small: Dataset) -> None:
    two = small.subset([i for i, g in enumerate(small.groups) if g != SMALL_ARTICLES[2]])
    features = np.asarray([[len(t), t.count(",")] for t in two.texts], dtype=float)
    names = CONFIG.labels.names
    selected = fit_selected(balanced_logreg(1.0, SEED), "C", (0.01, 1.0), features, two.labels, two.groups, names)
    assert selected.value in (0.01, 1.0) and selected.estimator.C == selected.value
    assert selected.temperature != 1.0  # fitted on the inner folds' held-out rows
    single = fit_selected(balanced_logreg(1.0, SEED), "C", (0.01, 1.0, 100.0), features, two.labels, ("x",) * len(two), names)
    assert (single.value, single.temperature) == (1.0, 1.0)  # one article: nothing held out, nothing to calibrate on


def test_training_on_one_label_is_a_clear_error(labeled: list[LabeledSentence], label_set: LabelSet) -> None:
    only_none = Dataset.from_labeled([r for r in labeled if r.article == ALL_NONE_ARTICLE])
    assert set(only_none.labels) == {"none"}
    with pytest.raises(StanceError, match=f"cannot train on articles {ALL_NONE_ARTICLE}: .* the label 'none'"):
        KINDS["tfidf"].fit(only_none, label_set.names, FAST_TFIDF, SEED)


# --- model folders -------------------------------------------------------------------------------


def test_unknown_kind_and_bad_folders(tmp_path: Path, majority_result: TrainingResult) -> None:
    with pytest.raises(StanceError, match="unknown model kind 'svm'; expected one of majority, tfidf, transformer"):
        kind_of("svm")
    with pytest.raises(StanceError, match="no trained model here"):
        load_model(tmp_path / "nothing")
    folder = tmp_path / "majority"
    save_model(majority_result.model, majority_result.card, folder)
    card = read_card(folder).to_json()
    (folder / CARD).write_text(json.dumps({**card, "kind": "svm"}), encoding="utf-8")
    with pytest.raises(StanceError, match="unknown model kind 'svm'"):
        load_model(folder)
    (folder / CARD).write_text(json.dumps({**card, "labels": {"names": ["none"], "negative": "none"}}), encoding="utf-8")
    with pytest.raises(StanceError, match=r"majority/model\.json: labels\.names must be at least two distinct labels"):
        load_model(folder)
    (folder / CARD).write_text(json.dumps({k: v for k, v in card.items() if k != "card_version"}), encoding="utf-8")
    with pytest.raises(StanceError, match=r"model\.json: written by an older version of stance; retrain this model \(`dvc repro`\)\."):
        load_model(folder)
    (folder / CARD).write_text("{not json", encoding="utf-8")
    with pytest.raises(StanceError, match=r"model\.json: not valid JSON"):
        load_model(folder)


@pytest.mark.parametrize("damage", ["truncate", "remove"])
def test_a_damaged_weights_file_of_any_kind_is_one_clear_error(tmp_path: Path, tfidf_result: TrainingResult, damage: str) -> None:
    folder = tmp_path / "tfidf"
    save_model(tfidf_result.model, tfidf_result.card, folder)
    weights = folder / "tfidf.skops"
    if damage == "truncate":
        weights.write_bytes(weights.read_bytes()[:100])
    else:
        weights.unlink()
    with pytest.raises(StanceError, match=r"tfidf"):
        load_model(folder)


def test_save_model_replaces_an_existing_model(tmp_path: Path, majority_result: TrainingResult, tfidf_result: TrainingResult) -> None:
    folder = tmp_path / "model"
    save_model(tfidf_result.model, tfidf_result.card, folder)
    save_model(majority_result.model, majority_result.card, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "majority.json", "model.json"]
    assert read_card(folder).kind == "majority"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


# --- the transformer (head recipe) ---------------------------------------------------------------

FAST_TRANSFORMER = replace(CONFIG.kind_params("transformer"), base_model=TEST_ENCODER, recipe="head", c_grid=(1.0,))


@pytest.fixture(scope="module")
def transformer_model(tiny: Dataset, label_set: LabelSet) -> Iterator[Classifier]:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as for BLAS above: a busy two-core machine runs one thread faster
    yield KINDS["transformer"].fit(tiny, label_set.names, FAST_TRANSFORMER, SEED)
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def transformer_proba(transformer_model: Classifier, tiny: Dataset) -> np.ndarray:
    return transformer_model.predict_proba(tiny.texts)


def test_transformer_round_trip_through_safetensors(
    tmp_path: Path, transformer_model: Classifier, transformer_proba: np.ndarray, tiny: Dataset, label_set: LabelSet
) -> None:
    assert len(tiny) == 30 and set(tiny.labels) == set(label_set.names)
    folder = tmp_path / "transformer"
    card = model_card(
        "transformer", label_set, CONFIG.segment, FAST_TRANSFORMER, SEED, Calibration(transformer_model.temperature, 0.5), tiny, {"macro_f1": 0.5}
    )
    save_model(transformer_model, card, folder)
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert {"model.json", "head.safetensors", "encoder/model.safetensors", "encoder/tokenizer.json", "encoder/config.json"} <= set(files)
    assert not [f for f in files if f.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle"))]
    loaded, loaded_card = load_model(folder)
    assert loaded_card.params.recipe == "head" and loaded_card.labels == label_set
    assert loaded_card.training_labels_sha256 == labels_hash(tiny)
    assert transformer_proba.shape == (30, 4)
    np.testing.assert_allclose(transformer_proba.sum(axis=1), 1.0, rtol=1e-5)
    # The trained model's scores come from embeddings its process kept from earlier fits, computed in other
    # batches; the loaded one embeds anew: the same up to float rounding.
    np.testing.assert_allclose(loaded.predict_proba(tiny.texts), transformer_proba, atol=1e-6)


def test_transformer_head_training_is_deterministic(transformer_model: Classifier, transformer_proba: np.ndarray, tiny: Dataset, label_set: LabelSet) -> None:
    again = KINDS["transformer"].fit(tiny, label_set.names, FAST_TRANSFORMER, SEED)
    np.testing.assert_array_equal(again.model.weight, transformer_model.model.weight)
    np.testing.assert_array_equal(again.model.bias, transformer_model.model.bias)
    assert again.temperature == transformer_model.temperature
    np.testing.assert_array_equal(again.predict_proba(tiny.texts[:5]), transformer_proba[:5])


# --- the recipes that update the encoder --------------------------------------------------------


def test_held_out_articles_are_whole_training_articles_and_descriptions_always_train(tiny: Dataset) -> None:
    from pipeline.labels.dataset import ALWAYS_TRAIN
    from pipeline.models.tuning import held_out_split

    with_descriptions = tiny + Dataset(("d-0",), ("Talks now.",), ("pro-talks",), (ALWAYS_TRAIN,), ("",))
    train, held = held_out_split(with_descriptions, 0.2, SEED)
    groups = np.asarray(with_descriptions.groups)
    assert sorted(np.concatenate([train, held])) == list(range(len(with_descriptions)))
    assert set(groups[held]).isdisjoint(groups[train]) and len(set(groups[held])) == 1
    assert ALWAYS_TRAIN in set(groups[train])
    one_article = tiny.subset([i for i, g in enumerate(tiny.groups) if g == tiny.groups[0]])
    with pytest.raises(StanceError, match="needs at least two articles, found 1"):
        held_out_split(one_article, 0.2, SEED)


def test_the_contrastive_loss_is_zero_for_perfectly_separated_labels_and_not_otherwise() -> None:
    import torch

    from pipeline.models.tuning import Contrastive

    step = Contrastive.__new__(Contrastive)
    target = torch.tensor([0, 0, 1])
    separated = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert step.loss(separated, target).item() == 0.0
    assert step.loss(torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), target).item() > 0.5


@pytest.mark.slow  # fine-tunes the encoder, twice per recipe
@pytest.mark.parametrize("recipe", ["finetune", "setfit", "top"])
def test_tuned_recipes_train_deterministically_and_calibrate(tiny: Dataset, label_set: LabelSet, recipe: str) -> None:
    import torch

    params = replace(
        CONFIG.kind_params("transformer"), base_model=TEST_ENCODER, recipe=recipe, epochs=2, learning_rates=(5e-5, 1e-4), max_length=32, c_grid=(1.0,)
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        first = KINDS["transformer"].fit(tiny, label_set.names, params, SEED)
        again = KINDS["transformer"].fit(tiny, label_set.names, params, SEED)
    finally:
        torch.set_num_threads(threads)
    np.testing.assert_array_equal(first.predict_proba(tiny.texts[:6]), again.predict_proba(tiny.texts[:6]))
    assert first.temperature == again.temperature and first.temperature != 1.0
    assert first.model.weight.shape == (len(label_set.names), 384)
