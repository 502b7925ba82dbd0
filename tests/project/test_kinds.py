"""The table of model kinds (pipeline/kinds.py) is the one place that names them: dvc.yaml, configs/params.yaml, the
registry, the config and the help texts agree with it, so adding a kind is a row, its module, its section and dvc.yaml."""

from __future__ import annotations

import ast
import copy
import dataclasses
import re
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.errors import StanceError
from pipeline.kinds import KINDS, MODEL_NAMES, TABLE, kind_named, model_help, recipe
from pipeline.models import registry
from pipeline.params import MODEL_KINDS
from tests.conftest import CONFIG, ROOT

DVC = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))
PARAMS = yaml.safe_load((ROOT / "configs" / "params.yaml").read_text(encoding="utf-8"))
# The per-model plots the evaluate stage writes (pipeline.evaluation.stage.write_plots), as dvc.yaml declares them.
PLOTS = ("confusion", "learning_curve", "reliability", "risk_coverage")
PLOT = re.compile(r"^\$\{paths\.reports\}/plots/(" + "|".join(PLOTS) + r")_(\w+)\.csv$")


def names(entries: list[Any]) -> list[str]:
    """The paths of a dvc.yaml list of outs, plots or deps, each a string or a one-key mapping."""
    return [entry if isinstance(entry, str) else next(iter(entry)) for entry in entries]


def report_params(kind: Any) -> set[str]:
    """The keys of a kind's section the report's one line reads: `descriptions` and the fields its recipe names."""
    return {f"{kind.section}.descriptions"} | {f"{kind.section}.{field}" for field in re.findall(r"\{params\.(\w+)\}", kind.recipe)}


def disagreements(dvc: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """Where dvc.yaml or configs/params.yaml name another set of kinds than the table."""
    stages, kinds = dvc["stages"], list(KINDS)
    found = []
    if stages["train"]["foreach"] != kinds:
        found.append(f"train foreach {stages['train']['foreach']} != {kinds}")
    folders = [dep.removeprefix("${paths.models}/") for dep in names(stages["behaviour"]["deps"]) if dep.startswith("${paths.models}/")]
    if folders != kinds:
        found.append(f"behaviour's model folders {folders} != {kinds}")
    plots = [match.groups() for path in names(stages["evaluate"]["plots"]) if (match := PLOT.match(path))]
    for what in PLOTS:
        if [kind for plot, kind in plots if plot == what] != kinds:
            found.append(f"evaluate's {what} plots do not name {kinds}")
    pictures = [path for path in names(stages["evaluate"]["outs"]) if path.startswith("${paths.reports}/plots/confusion_")]
    if pictures != [f"${{paths.reports}}/plots/confusion_{kind}.png" for kind in kinds]:
        found.append(f"evaluate's confusion pictures {pictures} do not name {kinds}")
    read = {key for entry in stages["report"]["params"] for key in entry["configs/params.yaml"]}
    found += [f"report does not declare {key}" for kind in TABLE for key in sorted(report_params(kind) - read)]
    found += [f"configs/params.yaml has no section {kind.section!r}" for kind in TABLE if kind.section not in params]
    found += [f"evaluate.models names {name!r}, not a kind" for name in params["evaluate"]["models"] if name not in KINDS]
    return found


def test_dvc_yaml_and_params_yaml_agree_with_the_table() -> None:
    assert disagreements(DVC, PARAMS) == []


@pytest.mark.parametrize(
    ("stage", "change"),
    [
        ("train", lambda s: s.update(foreach=s["foreach"][:-1])),
        ("behaviour", lambda s: s["deps"].remove("${paths.models}/fast")),
        ("evaluate", lambda s: s["plots"].pop()),
        ("report", lambda s: s["params"][0]["configs/params.yaml"].remove("transformer.recipe")),
    ],
)
def test_the_dvc_check_sees_a_kind_left_out(stage: str, change: Any) -> None:
    dvc = copy.deepcopy(DVC)
    change(dvc["stages"][stage])
    assert disagreements(dvc, PARAMS) != []


def test_the_dvc_check_sees_a_missing_section() -> None:
    assert disagreements(DVC, {name: section for name, section in PARAMS.items() if name != "fast"}) == ["configs/params.yaml has no section 'fast'"]


def test_every_name_of_a_kind_derives_from_the_table() -> None:
    assert MODEL_KINDS == tuple(KINDS) == tuple(registry.KINDS) == tuple(CONFIG.kinds)
    assert MODEL_NAMES == {"majority": "majority", "tfidf": "tfidf", "baseline": "tfidf", "transformer": "transformer", "tuned": "tuned", "fast": "fast"}
    assert len(MODEL_NAMES) == sum(1 + len(kind.aliases) for kind in TABLE), "an alias may not repeat a name"


@pytest.mark.parametrize("kind", TABLE, ids=lambda kind: kind.name)
def test_each_row_names_code_that_exists(kind: Any) -> None:
    """The module has fit and load (read from its source: importing torch here would take seconds), the export resolves."""
    source = ast.parse((ROOT / "pipeline" / "models" / f"{kind.name}.py").read_text(encoding="utf-8"))
    functions = {node.name for node in source.body if isinstance(node, ast.FunctionDef)}
    assert {"fit", "load"} <= functions and kind.module == f"pipeline.models.{kind.name}"
    if kind.export:
        module, function = kind.export.split(":")
        exporter = ast.parse((ROOT / f"{module.replace('.', '/')}.py").read_text(encoding="utf-8"))
        assert function in {node.name for node in exporter.body if isinstance(node, ast.FunctionDef)}
    assert dataclasses.is_dataclass(kind.params) and "descriptions" in {f.name for f in dataclasses.fields(kind.params)}
    assert "\n" not in kind.description and "\n" not in kind.recipe


def test_a_kind_section_is_read_by_its_name() -> None:
    assert CONFIG.kind_params("transformer").recipe == PARAMS["transformer"]["recipe"]
    with pytest.raises(StanceError, match="unknown model kind 'tfidff'"):
        CONFIG.kind_params("tfidff")


def test_the_report_line_fills_in_the_recipe() -> None:
    params = dataclasses.replace(CONFIG.kind_params("transformer"), recipe="setfit", descriptions=False)
    assert recipe("transformer", params) == "`setfit` recipe"
    assert recipe("majority", CONFIG.kind_params("majority")) == "the most frequent label"
    with pytest.raises(StanceError, match=r"unknown model kind 'svm'; expected one of majority, tfidf, transformer, tuned, fast\."):
        kind_named("svm")


@pytest.mark.parametrize("command", [["train"], ["label"], ["labels", "export"]])
def test_the_help_texts_list_every_kind(command: list[str]) -> None:
    text = " ".join(CliRunner().invoke(app, [*command, "--help"]).stdout.split())
    assert all(kind in text for kind in KINDS)
    if command != ["train"]:
        assert model_help() in text and "baseline" in text
