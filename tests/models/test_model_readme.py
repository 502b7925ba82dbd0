"""The README card of a model folder: written at training time from the card's numbers, the same bytes every time, no text."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.labels.dataset import Dataset
from pipeline.labels.records import LabeledSentence
from pipeline.models.card import CARD, ModelCard, corpus_summaries
from pipeline.models.folder import read_card, save_model
from pipeline.models.readme import README, readme_card
from pipeline.training.train import TrainingResult, train
from tests.conftest import CONFIG, ROOT, TEST_ENCODER

ARTICLES = ("001_92b404342e752842", "002_945876b3b805b919", "004_4e83cf9310ecd704")


@pytest.fixture(scope="module")
def rows() -> list[LabeledSentence]:
    """The seed labels of three articles, the middle one as if it came from a pool read in place."""
    records = [json.loads(line) for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]
    corpus = {ARTICLES[0]: "seed", ARTICLES[1]: "pool", ARTICLES[2]: "seed"}
    return [LabeledSentence(r["id"], r["article"], r["text"], r["label"], "seed", corpus[r["article"]], "opinion") for r in records if r["article"] in ARTICLES]


@pytest.fixture(scope="module")
def trained(rows: list[LabeledSentence]) -> TrainingResult:
    corpora = corpus_summaries(rows, {ARTICLES[0]: "Outlet A", ARTICLES[1]: "Outlet B"}, frozenset({"pool"}), CONFIG.labels)
    params = replace(CONFIG.kind_params("tfidf"), c_grid=(1.0,))
    settings = replace(CONFIG.train, folds=3, learning_curve=())
    return train("tfidf", Dataset.from_labeled(rows), CONFIG.labels, CONFIG.segment, params, settings, CONFIG.evaluate, None, corpora)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, trained: TrainingResult) -> Path:
    folder = tmp_path_factory.mktemp("models") / "tfidf"
    save_model(trained.model, trained.card, folder)
    return folder


def test_every_saved_model_has_a_readme_naming_its_labels(folder: Path, majority_model: Path, seed_tfidf: Path) -> None:
    for saved in (folder, majority_model, seed_tfidf):
        text = (saved / README).read_text(encoding="utf-8")
        assert all(f"`{label}`" in text for label in CONFIG.labels.names)
        assert "English only" in text and "Apache License 2.0" in text


def test_the_readme_states_the_cv_numbers_of_model_json(folder: Path) -> None:
    cv = json.loads((folder / CARD).read_text(encoding="utf-8"))["cv"]
    text = (folder / README).read_text(encoding="utf-8")
    low, high = cv["intervals"]["macro_f1"]
    assert f"{cv['macro_f1']:.3f} [{low:.3f}, {high:.3f}]" in text
    assert f"{cv['claim_f1']:.3f}" in text and f"{cv['stance_macro_f1']:.3f}" in text and f"{cv['ece']:.3f}" in text
    assert all(f"`{label}` | {f1:.3f}" in text for label, f1 in cv["per_class_f1"].items())
    assert "is its weakest label" in text


def test_the_readme_counts_each_corpus_by_its_sources_and_holds_no_training_text(folder: Path, rows: list[LabeledSentence]) -> None:
    text = (folder / README).read_text(encoding="utf-8")
    pool = [r for r in rows if r.corpus == "pool"]
    assert f"| `pool` | read in place, not included | 1 | {len(pool)} |" in text
    assert "`pool`: Outlet B (1)." in text and "`seed`: unnamed (1), Outlet A (1)." in text
    assert [r.text for r in rows if r.text in text] == []


def test_two_saves_write_the_same_readme(tmp_path: Path, folder: Path, trained: TrainingResult) -> None:
    again = tmp_path / "elsewhere" / "tfidf"
    save_model(trained.model, trained.card, again)
    assert (again / README).read_bytes() == (folder / README).read_bytes()


def test_the_card_keeps_its_corpora_and_older_cards_without_them_still_load(tmp_path: Path, folder: Path, trained: TrainingResult) -> None:
    assert read_card(folder) == trained.card and trained.card.corpora
    raw = trained.card.to_json()
    del raw["corpora"]
    assert ModelCard.from_json(raw, "old.json") == replace(trained.card, corpora=())


@pytest.mark.parametrize(
    ("base_model", "named", "licence"),
    [
        (TEST_ENCODER, "sentence-transformers/all-MiniLM-L6-v2", "Apache-2.0"),
        ("parts:all-mpnet-base-v2", "sentence-transformers/all-mpnet-base-v2", "Apache-2.0"),
        ("someone/other-encoder", "someone/other-encoder", "see the model's own card"),
        ("/home/someone/encoders/mine", "mine", "see the model's own card"),
    ],
)
def test_the_readme_names_the_encoder_and_its_licence_never_a_path(trained: TrainingResult, base_model: str, named: str, licence: str) -> None:
    params = dataclasses.replace(CONFIG.kind_params("transformer"), base_model=base_model)
    text = readme_card(replace(trained.card, kind="transformer", params=params))
    assert f"Encoder: {named} (licence: {licence})." in text
    assert "/home/" not in text
