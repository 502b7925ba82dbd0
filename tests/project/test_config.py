"""Typed parameters: every section of the real params.yaml loads; bad values get a message naming them."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import Config, build, config_from, load_config, read_yaml, sections
from pipeline.errors import StanceError
from pipeline.kinds import KINDS, TfidfParams, TransformerParams
from pipeline.models import registry
from pipeline.params import (
    MODEL_KINDS,
    EvaluateParams,
    LabelSet,
    Paths,
    ReportParams,
    SegmentParams,
    TrainParams,
)

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "configs" / "params.yaml"
SOURCE = "configs/params.yaml"
KIND_PARAMS = {name: kind.params for name, kind in KINDS.items()}


def section(params: dict[str, Any], name: str, cls: type) -> Any:
    """One section of the whole config built from `params`, as the pipeline builds it."""
    config = config_from(params, Path(SOURCE))
    loaded = config.kind_params(name) if name in KINDS else getattr(config, name)
    assert isinstance(loaded, cls)
    return loaded


def changed(params: dict[str, Any], name: str, **values: Any) -> dict[str, Any]:
    """A deep copy of the parameters with some keys of one section replaced."""
    out = copy.deepcopy(params)
    out[name].update(values)
    return out


# --- the real params.yaml -----------------------------------------------------------------------


def test_the_real_file_loads_whole_once(params: dict[str, Any]) -> None:
    assert read_yaml(FILE) == params
    config = load_config(FILE)
    assert isinstance(config, Config) and config.source == FILE
    assert sorted(sections()) == sorted(params)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.train = config.train  # type: ignore[misc]


def test_model_kinds_are_one_list_everywhere() -> None:
    assert tuple(KINDS) == MODEL_KINDS == tuple(registry.KINDS)


def test_no_section_restates_a_value_as_a_default() -> None:
    """configs/params.yaml holds every value: a default in a dataclass would be a second place that can drift."""
    defaults = [
        f"{cls.__name__}.{f.name}"
        for cls in (Paths, SegmentParams, LabelSet, TrainParams, TfidfParams, TransformerParams, EvaluateParams, ReportParams, *KIND_PARAMS.values())
        for f in dataclasses.fields(cls)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    ]
    assert defaults == []


def test_paths_section_loads_as_paths(params: dict[str, Any]) -> None:
    paths = section(params, "paths", Paths)
    for field in dataclasses.fields(Paths):
        raw = params["paths"][field.name]
        if isinstance(raw, dict):
            assert getattr(paths, field.name) == {name: Path(value) for name, value in raw.items()}
        elif isinstance(raw, list):
            assert getattr(paths, field.name) == tuple(Path(value) for value in raw)
        else:
            assert getattr(paths, field.name) == Path(raw)
    assert paths.pools == {"pool": Path("../shared/article-pool"), "pool-2": Path("../shared/article-pool-2")}
    assert paths.articles == Path("data/articles")
    assert paths.sentences == Path("data/sentences.jsonl")


def test_segment_and_labels_sections_load(params: dict[str, Any]) -> None:
    assert section(params, "segment", SegmentParams).extra_abbreviations == tuple(params["segment"]["extra_abbreviations"])
    labels = section(params, "labels", LabelSet)
    assert labels.names == ("pro-talks", "skeptical", "conditional", "none")
    assert labels.negative == "none"
    assert labels.positives == ("pro-talks", "skeptical", "conditional")


def test_train_section_loads(params: dict[str, Any]) -> None:
    train = section(params, "train", TrainParams)
    assert train.seed == params["train"]["seed"]
    assert train.learning_curve == tuple(params["train"]["learning_curve"]) and train.folds == params["train"]["folds"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_model_section_loads_through_its_kind(params: dict[str, Any], kind: str) -> None:
    loaded = section(params, kind, KIND_PARAMS[kind])
    as_dict = dataclasses.asdict(loaded)
    for key, value in params[kind].items():
        assert as_dict[key] == (tuple(value) if isinstance(value, list) else value)


def test_model_params_are_typed(params: dict[str, Any]) -> None:
    tfidf = section(params, "tfidf", TfidfParams)
    assert all(isinstance(c, float) for c in tfidf.c_grid)
    assert all(isinstance(n, int) for n in tfidf.word_ngrams + tfidf.char_ngrams)
    transformer = section(params, "transformer", TransformerParams)
    assert all(isinstance(rate, float) for rate in transformer.learning_rates) and isinstance(transformer.max_length, int)


def test_evaluate_report_and_floor_sections_agree(params: dict[str, Any]) -> None:
    evaluate = section(params, "evaluate", EvaluateParams)
    assert set(evaluate.models) <= set(KINDS)
    assert evaluate.bootstrap == params["evaluate"]["bootstrap"]
    report = section(params, "report", ReportParams)
    assert report.focus in evaluate.models
    for name, floor in params["floor"].items():
        assert name in evaluate.models and 0 <= floor <= 1


def test_sections_are_frozen(params: dict[str, Any]) -> None:
    tfidf = section(params, "tfidf", TfidfParams)
    with pytest.raises(dataclasses.FrozenInstanceError):
        tfidf.min_df = 3  # type: ignore[misc]


# --- unknown, missing and wrongly typed keys ------------------------------------------------------


def test_unknown_key_is_rejected_by_name(params: dict[str, Any]) -> None:
    with pytest.raises(StanceError, match=r"^configs/params\.yaml: unknown key tfidf\.min_dff; expected one of \[.*'min_df'.*\]\.$"):
        section(changed(params, "tfidf", min_dff=2), "tfidf", TfidfParams)
    with pytest.raises(StanceError, match=r"unknown key majority\.c_grid"):
        section(changed(params, "majority", c_grid=[1.0]), "majority", KIND_PARAMS["majority"])


def test_unknown_keys_are_named_in_sorted_order() -> None:
    with pytest.raises(StanceError) as caught:
        build(TrainParams, {"seed": 1, "zeta": 1, "alpha": 2}, "train", "models/x/model.json")
    assert (
        str(caught.value)
        == "models/x/model.json: unknown key train.alpha; expected one of ['claim_precision', 'confidence_grid', 'folds', 'learning_curve', 'learning_curve_skip', 'seed']."
    )


def test_missing_key_is_named(params: dict[str, Any]) -> None:
    labels = copy.deepcopy(params)
    del labels["labels"]["negative"]
    with pytest.raises(StanceError, match=r"^configs/params\.yaml: section labels lacks key 'negative'\.$"):
        section(labels, "labels", LabelSet)
    paths = copy.deepcopy(params)
    del paths["paths"]["sentences"]
    with pytest.raises(StanceError, match="section paths lacks key 'sentences'"):
        section(paths, "paths", Paths)


def test_missing_unknown_or_malformed_section(params: dict[str, Any]) -> None:
    without = {k: v for k, v in params.items() if k != "tfidf"}
    with pytest.raises(StanceError, match=r"^configs/params\.yaml: no section 'tfidf'\.$"):
        config_from(without, Path(SOURCE))
    with pytest.raises(StanceError, match=r"^configs/params\.yaml: unknown section 'tfidff'; expected one of \["):
        config_from({**params, "tfidff": {}}, Path(SOURCE))
    with pytest.raises(StanceError, match=r"section tfidf must be a mapping, got \[1, 2\]"):
        config_from({**params, "tfidf": [1, 2]}, Path(SOURCE))


@pytest.mark.parametrize(
    ("name", "cls", "values", "message"),
    [
        ("tfidf", TfidfParams, {"min_df": "1"}, "tfidf.min_df must be int, got '1'"),
        ("tfidf", TfidfParams, {"min_df": True}, "tfidf.min_df must be int, got True"),
        ("tfidf", TfidfParams, {"min_df": 1.5}, "tfidf.min_df must be int, got 1.5"),
        ("tfidf", TfidfParams, {"c_grid": 1.0}, "tfidf.c_grid must be a list, got 1.0"),
        ("tfidf", TfidfParams, {"c_grid": [1.0, "ten"]}, r"tfidf.c_grid\[1\] must be float, got 'ten'"),
        ("transformer", TransformerParams, {"learning_rates": ["2e-5"]}, r"transformer.learning_rates\[0\] must be float, got '2e-5'"),
        ("transformer", TransformerParams, {"top_layers": [1.5]}, r"transformer.top_layers\[0\] must be int, got 1.5"),
        ("train", TrainParams, {"seed": False}, "train.seed must be int, got False"),
        ("paths", Paths, {"articles": 5}, "paths.articles must be a path string, got 5"),
        ("segment", SegmentParams, {"extra_abbreviations": "lieut"}, "segment.extra_abbreviations must be a list"),
        ("labels", LabelSet, {"names": ["none", 2]}, r"labels.names\[1\] must be str, got 2"),
    ],
)
def test_wrong_type_is_named(params: dict[str, Any], name: str, cls: type, values: dict[str, Any], message: str) -> None:
    with pytest.raises(StanceError, match=message):
        section(changed(params, name, **values), name, cls)


def test_ints_are_accepted_where_floats_are_expected(params: dict[str, Any]) -> None:
    tfidf = section(changed(params, "tfidf", c_grid=[1, 10]), "tfidf", TfidfParams)
    assert tfidf.c_grid == (1.0, 10.0) and all(type(c) is float for c in tfidf.c_grid)


# --- validation of values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "negative", "message"),
    [
        (["none"], "none", "at least two distinct labels"),
        (["none", "skeptical", "none"], "none", "at least two distinct labels"),
        (["pro-talks", "skeptical"], "none", "labels.negative 'none' is not one of"),
    ],
)
def test_label_set_is_validated(params: dict[str, Any], names: list[str], negative: str, message: str) -> None:
    with pytest.raises(StanceError, match=message):
        section(changed(params, "labels", names=names, negative=negative), "labels", LabelSet)


def test_label_set_positives_keep_the_configured_order() -> None:
    labels = LabelSet(("none", "skeptical", "pro-talks"), "none")
    assert labels.positives == ("skeptical", "pro-talks")


@pytest.mark.parametrize(
    ("name", "cls", "values", "message"),
    [
        ("train", TrainParams, {"learning_curve": [1, 10]}, "counts articles and needs at least 2 each"),
        ("train", TrainParams, {"folds": 1}, "train.folds must be at least 2"),
        ("evaluate", EvaluateParams, {"bootstrap": 10}, "bootstrap must be at least 100"),
        ("evaluate", EvaluateParams, {"confidence": 1.5}, "confidence must be between 0.5 and 1"),
        ("tfidf", TfidfParams, {"word_ngrams": [2, 1]}, r"tfidf.word_ngrams must be \[low, high\]"),
        ("tfidf", TfidfParams, {"c_grid": [0.0, 1.0]}, "tfidf.c_grid must be positive"),
        ("transformer", TransformerParams, {"recipe": "magic"}, "transformer.recipe 'magic' is not one of head, setfit, finetune, top"),
        ("transformer", TransformerParams, {"max_length": 4}, "max_length must be within 8..512"),
        ("transformer", TransformerParams, {"epochs": 0}, "transformer.epochs must be at least 1"),
        # The tuned kind shares the transformer's dataclass: a mistake there is named in its own section.
        ("tuned", TransformerParams, {"epochs": 0}, r"^configs/params\.yaml: tuned\.epochs must be at least 1, got 0\.$"),
        ("transformer", TransformerParams, {"top_layers": [0, 2]}, r"transformer.top_layers must be whole numbers of at least 1, got \[0, 2\]"),
        ("transformer", TransformerParams, {"top_layers": []}, "transformer.top_layers must be whole numbers of at least 1, got \\[\\]"),
        ("transformer", TransformerParams, {"onnx_block_size": 100}, "transformer.onnx_block_size must be a power of two of at least 16, got 100"),
        ("transformer", TransformerParams, {"onnx_block_size": 8}, "transformer.onnx_block_size must be a power of two of at least 16, got 8"),
        ("report", ReportParams, {"top_errors": -1}, "report.top_errors must be >= 0"),
    ],
)
def test_out_of_range_values_are_rejected(params: dict[str, Any], name: str, cls: type, values: dict[str, Any], message: str) -> None:
    with pytest.raises(StanceError, match=message):
        section(changed(params, name, **values), name, cls)


# --- the file itself ------------------------------------------------------------------------------


def test_read_yaml_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(StanceError, match="parameters file not found"):
        read_yaml(tmp_path / "params.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("tfidf:\n  c_grid: [1.0\n  min_df: 1\n", encoding="utf-8")
    with pytest.raises(StanceError, match="not valid YAML") as caught:
        read_yaml(broken)
    assert "\n" not in str(caught.value)
    listing = tmp_path / "list.yaml"
    listing.write_text("- paths\n- segment\n", encoding="utf-8")
    with pytest.raises(StanceError, match="expected a mapping of sections"):
        read_yaml(listing)
