"""Property-based tests over every reader of user input: any bytes end in a result or one StanceError.

Never an unhandled exception, and never a partial output file. Each reader gets
arbitrary bytes and bytes shaped like its format (so the search reaches past
the first parse), with a bounded number of examples to keep CI fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.corpus.articles import article_text
from pipeline.errors import StanceError
from pipeline.labels.labelstudio import import_labels
from pipeline.labels.labelstudio_formats import read_export
from pipeline.labels.records import read_label_file
from pipeline.models.card import ModelCard
from pipeline.predict.inputs import input_sentences, sources
from tests.conftest import CONFIG, PARAMS

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
LABEL = st.sampled_from([*CONFIG.labels.names, "maybe", "", 3, None])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
records = st.dictionaries(st.sampled_from(["id", "article", "text", "hash", "label", "annotator", "note", "extra"]), json_values | LABEL, max_size=7)
jsonl_bytes = st.lists(st.one_of(records.map(json.dumps), st.text(max_size=30)), max_size=6).map(lambda lines: "\n".join(lines).encode("utf-8"))
csv_bytes = st.lists(st.lists(st.text(alphabet='ab,"\n x', max_size=8), min_size=1, max_size=4).map(",".join), min_size=1, max_size=5).map(
    lambda rows: "\n".join(rows).encode("utf-8")
)
any_bytes = st.binary(max_size=2000)


def ends_well(run) -> None:
    try:
        run()
    except StanceError as err:
        assert str(err) and "\n" not in str(err)


@FAST
@given(data=any_bytes | st.text(max_size=500).map(lambda t: t.encode("utf-8")), suffix=st.sampled_from([".txt", ".md", ".html"]))
def test_articles(data: bytes, suffix: str) -> None:
    ends_well(lambda: article_text(data, f"a{suffix}", suffix))


@FAST
@given(data=any_bytes | jsonl_bytes | csv_bytes, suffix=st.sampled_from([".txt", ".jsonl", ".csv", ".html"]))
def test_predict_inputs(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("in") / f"input{suffix}"
    path.write_bytes(data)
    ends_well(lambda: list(input_sentences(sources([str(path)], ".txt"), None, CONFIG.segment, "text", "sentences", lambda message: None)))


@FAST
@given(data=any_bytes | jsonl_bytes)
def test_label_files(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("labels") / "labels.jsonl"
    path.write_bytes(data)
    try:
        found, problems = read_label_file(path, CONFIG.labels)
    except StanceError:
        return
    assert all(isinstance(p, str) and p for p in problems)
    assert all(r.label in CONFIG.labels.names for r in found)


tasks = st.lists(
    st.fixed_dictionaries(
        {"data": st.dictionaries(st.sampled_from(["id", "text", "article"]), json_values, max_size=3)},
        optional={"annotations": st.lists(st.dictionaries(st.sampled_from(["result", "completed_by", "was_cancelled"]), json_values, max_size=3), max_size=2)},
    ),
    max_size=4,
)


@FAST
@given(data=any_bytes | tasks.map(lambda t: json.dumps(t).encode("utf-8")))
def test_label_studio_exports(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("ls") / "export.json"
    path.write_bytes(data)

    def read_and_import() -> None:
        result = import_labels(read_export(path).tasks, path, [], [], CONFIG.labels, None, frozenset({"pool"}), {})
        assert all(isinstance(p, str) for p in result.problems)

    ends_well(read_and_import)


@FAST
@given(
    raw=st.dictionaries(
        st.sampled_from(["card_version", "kind", "labels", "segment", "params", "seed", "cv", "versions", "training_sentences"]),
        json_values | st.just(2) | st.just("tfidf"),
        max_size=9,
    )
)
def test_model_cards(raw: dict) -> None:
    ends_well(lambda: ModelCard.from_json(raw, "model.json"))


@FAST
@given(data=any_bytes | jsonl_bytes | csv_bytes, suffix=st.sampled_from([".txt", ".jsonl", ".csv"]))
def test_predict_command_writes_whole_output_or_none(tmp_path_factory: pytest.TempPathFactory, majority_model: Path, data: bytes, suffix: str) -> None:
    folder = tmp_path_factory.mktemp("cmd")
    (folder / f"input{suffix}").write_bytes(data)
    output = folder / "out.jsonl"
    result = CliRunner().invoke(
        app, ["predict", str(folder / f"input{suffix}"), "--model", str(majority_model), "--output", str(output), "--params", str(PARAMS)]
    )
    assert result.exit_code in (0, 1)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    if result.exit_code == 1:
        errors = [line for line in result.stderr.splitlines() if not line.startswith("warning: ")]
        assert not output.exists() and len(errors) == 1 and errors[0].startswith("error: ")
