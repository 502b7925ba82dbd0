"""The `stance` command's conventions: --version, the kind names as --model, --output - for standard output; the project's terms."""

from __future__ import annotations

import json
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import PARAMS, ROOT

ARTICLE = ROOT / "data" / "articles" / "004_4e83cf9310ecd704.txt"
runner = CliRunner()


@pytest.fixture(scope="module")
def params_file(seed_tfidf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real parameters with `paths.models` where the seed TF-IDF model lies, so kind names find it."""
    params = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    params["paths"]["models"] = str(seed_tfidf.parent)
    path = tmp_path_factory.mktemp("params") / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    return path


def predict(*args: str) -> str:
    result = runner.invoke(app, ["predict", str(ARTICLE), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_version_is_the_installed_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"stance {metadata.version('stance')}\n"


def test_tfidf_and_its_old_name_baseline_name_the_same_model(params_file: Path) -> None:
    by_kind = predict("--model", "tfidf", "--format", "jsonl", "--params", str(params_file))
    assert by_kind and by_kind == predict("--model", "baseline", "--format", "jsonl", "--params", str(params_file))


def test_output_dash_writes_jsonl_records_to_standard_output(seed_tfidf: Path) -> None:
    written = predict("--model", str(seed_tfidf), "--output", "-", "--params", str(PARAMS))
    assert written == predict("--model", str(seed_tfidf), "--format", "jsonl", "--params", str(PARAMS))
    assert {json.loads(line)["label"] for line in written.splitlines()} - {"pro-talks", "skeptical", "conditional", "none"} == set()
    csv = predict("--model", str(seed_tfidf), "--output", "-", "--format", "csv", "--params", str(PARAMS))
    assert len(csv.splitlines()) == len(written.splitlines()) + 1  # a header, then one row per record


def test_the_terms_agree_with_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert project["license"] == citation["license"] == "Apache-2.0"
    assert citation["version"] == project["version"] and citation["cff-version"] == "1.2.0"
    assert (
        (ROOT / "LICENSE")
        .read_text(encoding="utf-8")
        .startswith("\n                                 Apache License\n                           Version 2.0, January 2004")
    )
