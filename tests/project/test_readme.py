"""The generated parts of the README and docs/ are what the code generates from committed results, word for word."""

from __future__ import annotations

import importlib
import json
import sys
from types import ModuleType
from typing import Any

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
RECIPES = (ROOT / "docs" / "recipes.md").read_text(encoding="utf-8")
RESULTS = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
PREDICTING = (ROOT / "docs" / "predicting.md").read_text(encoding="utf-8")


def benchmark(name: str) -> ModuleType:
    """A script of benchmarks/ as a module, importing its neighbours as it does when run."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def committed(results: str) -> Any:
    return json.loads((ROOT / "benchmarks" / "results" / results).read_text(encoding="utf-8"))


def test_the_recipe_table_is_the_one_the_benchmark_prints_from_its_committed_results() -> None:
    assert "\n".join(benchmark("recipes").recipe_table(committed("recipes.json"))) in RECIPES


def test_the_speed_table_is_the_one_the_benchmark_prints_from_its_committed_results() -> None:
    assert "\n".join(benchmark("predict_speed").speed_table(committed("predict_speed.json"))) in PREDICTING


def test_the_readme_quotes_the_reports_verdict() -> None:
    report = (ROOT / "reports" / "report.md").read_text(encoding="utf-8").splitlines()
    assert report[0] == "# Evaluation report" and report[2].startswith("Shipped: ")
    assert f"> {report[2]}" in README


def test_the_behaviour_table_is_the_reports() -> None:
    report = (ROOT / "reports" / "report.md").read_text(encoding="utf-8").splitlines()
    start = report.index("## Behaviour (pass rate by capability)")
    first = next(i for i in range(start, len(report)) if report[i].startswith("| capability |"))
    last = next(i for i in range(first, len(report)) if report[i].startswith("| all |"))
    assert "\n".join(report[first : last + 1]) in RESULTS
