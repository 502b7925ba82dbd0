"""The Python API: the same records as `stance predict`, from a model folder alone, with no project and no torch."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.errors import StanceError
from pipeline.predict.api import PREDICT_DEFAULTS, load
from tests.conftest import CONFIG, ROOT

ARTICLE = ROOT / "data" / "articles" / "004_4e83cf9310ecd704.txt"
SCHEMAS = ROOT / "docs" / "schemas"
STANCE = Path(sys.executable).with_name("stance")
runner = CliRunner()


def validator(name: str) -> Draft202012Validator:
    schemas = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.schema.json")}
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    return Draft202012Validator(schemas[name], registry=registry)


def test_the_defaults_outside_a_project_are_the_projects_own() -> None:
    assert PREDICT_DEFAULTS == CONFIG.predict


def test_articles_give_the_records_predict_writes(seed_tfidf: Path) -> None:
    model = load(seed_tfidf)
    records = list(model.classify_articles({ARTICLE.stem: ARTICLE.read_text(encoding="utf-8")}))
    result = runner.invoke(app, ["predict", str(ARTICLE), "--model", str(seed_tfidf), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    written = [json.loads(line) for line in result.stdout.splitlines()]
    assert records == written
    assert len(records) > 10 and {r["article"] for r in records} == {ARTICLE.stem}


def test_every_record_names_its_model_and_matches_the_schema(seed_tfidf: Path) -> None:
    model = load(seed_tfidf)
    records = model.classify_sentences(["The government must talk to the insurgents now.", "It rained in Lahore."])
    digest = hashlib.sha256((seed_tfidf / "model.json").read_bytes()).hexdigest()[:16]
    assert [(r["model"], r["model_card"], r["sentence"], r["language"]) for r in records] == [("tfidf", digest, 0, "en"), ("tfidf", digest, 1, "en")]
    check = validator("record.schema.json")
    for record in records:
        check.validate(record)
    with pytest.raises(ValidationError, match="'model_card' is a required property"):  # the schema is not a rubber stamp
        check.validate({key: value for key, value in records[0].items() if key != "model_card"})


def test_the_json_document_matches_its_schema(seed_tfidf: Path) -> None:
    result = runner.invoke(app, ["predict", str(ARTICLE), "--model", str(seed_tfidf), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    validator("predictions.schema.json").validate(document)
    assert document["articles"][0]["sentences"][0]["model"] == "tfidf"


def test_summaries_equal_the_json_documents_articles(seed_tfidf: Path) -> None:
    model = load(seed_tfidf)
    [summary] = model.summarise_articles([(ARTICLE.stem, ARTICLE.read_text(encoding="utf-8"))])
    result = runner.invoke(app, ["predict", str(ARTICLE), "--model", str(seed_tfidf), "--format", "json"])
    [written] = json.loads(result.stdout)["articles"]
    assert {k: v for k, v in summary.items() if k != "source"} == {k: v for k, v in written.items() if k != "source"}


def test_articles_are_read_lazily(seed_tfidf: Path) -> None:
    """Records of the first article come while the second is still unread past its head (the language check reads one article ahead)."""
    model = replace(load(seed_tfidf), settings=replace(PREDICT_DEFAULTS, chunk=4))

    def articles():
        yield "a", "Talks with the Taliban are the only way. The war cannot be won. Everyone knows it. Peace needs patience. So talk."
        yield "b", "No talks with killers. They lie. They always lie. Force is the answer. Nothing else works."
        raise RuntimeError("read past the second article")

    records = model.classify_articles(articles())
    assert [next(records)["sentence"] for _ in range(4)] == [0, 1, 2, 3]
    with pytest.raises(RuntimeError):
        list(records)


def test_an_empty_sentence_is_refused(seed_tfidf: Path) -> None:
    with pytest.raises(StanceError, match="sentence 1: holds no text"):
        load(seed_tfidf).classify_sentences(["Talks now.", "  "])


def test_a_kind_name_outside_a_project_says_to_give_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StanceError, match="no stance project here to find the transformer model"):
        load("transformer")


def test_predict_and_the_api_work_outside_any_project(small_transformer, tmp_path: Path) -> None:
    """Run from a folder with no configs/ above it: the model folder alone says how to segment, label and export."""
    folder = small_transformer[0]
    (tmp_path / "news.txt").write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    env = os.environ | {"HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [str(STANCE), "predict", "news.txt", "--model", str(folder), "--format", "jsonl"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert records and {r["model"] for r in records} == {"transformer"} and "(onnx)" in done.stderr
    code = (
        "import sys; from pipeline.predict.api import load; "
        f"m = load({str(folder)!r}); r = m.classify_sentences(['Talks must resume at once.']); "
        "print(r[0]['label'], m.runtime, 'torch' in sys.modules)"
    )
    api = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert api.returncode == 0, api.stderr
    label, runtime, torch_loaded = api.stdout.split()
    assert label in CONFIG.labels.names and runtime == "onnx" and torch_loaded == "False"
    refused = subprocess.run([str(STANCE), "predict", "news.txt"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("error: no stance project here")


def test_the_readme_example_runs(seed_tfidf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The README's "From Python" block, as written, on a small model in place of the shipped one."""
    block = re.search(r"## From Python\n\n```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert block is not None
    (tmp_path / "news.txt").write_text(ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    exec(compile(block.group(1).replace('"models/transformer"', repr(str(seed_tfidf))), "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) > 10 and all(line.split()[1] in CONFIG.labels.names for line in printed)
