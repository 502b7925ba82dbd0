"""The generated parts of the README and docs/ are what the code generates from committed results, word for word."""

from __future__ import annotations

import importlib
import json
import sys

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
RECIPES = (ROOT / "docs" / "recipes.md").read_text(encoding="utf-8")
RESULTS = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")


def test_the_recipe_table_is_the_one_the_benchmark_prints_from_its_committed_results() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        recipes = importlib.import_module("recipes")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    table = "\n".join(recipes.recipe_table(json.loads((ROOT / "benchmarks" / "results" / "recipes.json").read_text(encoding="utf-8"))))
    assert table in RECIPES


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
