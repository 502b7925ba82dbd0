"""Behavioural tests (CheckList, Ribeiro et al. 2020): what each trained model gets right by capability.

The cases (`paths.behaviour`, configs/behaviour.yaml) are short sentences the
project wrote itself, in minimal pairs, each with the label the guidelines
give it. They are never trained on. A model passes a case when its most
probable label is the case's; the report shows the pass rate per
capability beside the cross-validation, as a picture of what a model cannot
do yet rather than a gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import StanceError
from pipeline.files import read_utf8
from pipeline.markdown import markdown_table
from pipeline.params import LabelSet


@dataclass(frozen=True)
class Case:
    capability: str
    text: str
    label: str


def parse_cases(raw: object, labels: LabelSet, where: str) -> list[Case]:
    if not isinstance(raw, dict) or not raw:
        raise StanceError(f"{where}: expected a mapping from capability to a list of [sentence, label] pairs.")
    cases = []
    for capability, pairs in raw.items():
        if not isinstance(pairs, list) or not pairs:
            raise StanceError(f"{where}: capability {capability!r} needs a list of [sentence, label] pairs.")
        for number, pair in enumerate(pairs, 1):
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) and x.strip() for x in pair)):
                raise StanceError(f"{where}: {capability!r} case {number} must be [sentence, label], got {pair!r}.")
            if pair[1] not in labels.names:
                raise StanceError(f"{where}: {capability!r} case {number} has unknown label {pair[1]!r}; expected one of {', '.join(labels.names)}.")
            cases.append(Case(str(capability), " ".join(pair[0].split()), pair[1]))
    return cases


def read_cases(path: Path, labels: LabelSet) -> list[Case]:
    try:
        raw = yaml.safe_load(read_utf8(path))
    except yaml.YAMLError as err:
        raise StanceError(f"{path}: not valid YAML ({err}).".replace("\n", " ")) from None
    return parse_cases(raw, labels, str(path))


def pass_rates(cases: Sequence[Case], predicted: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per capability: cases, passed, and each failure with its sentence, expected and predicted label."""
    out: dict[str, dict[str, Any]] = {}
    for case, label in zip(cases, predicted, strict=True):
        row = out.setdefault(case.capability, {"cases": 0, "passed": 0, "failures": []})
        row["cases"] += 1
        if label == case.label:
            row["passed"] += 1
        else:
            row["failures"].append({"text": case.text, "expected": case.label, "predicted": label})
    return out


def behaviour_section(results: dict[str, dict[str, dict[str, Any]]], focus: str) -> list[str]:
    """The report's table of pass rates (capability by model) and the focus model's failures."""
    models = list(results)
    capabilities = list(results[focus]) if focus in results else list(next(iter(results.values())))
    rows = [
        [name, str(results[models[0]][name]["cases"]), *(f"{results[m][name]['passed'] / results[m][name]['cases']:.0%}" for m in models)]
        for name in capabilities
    ]
    total = sum(results[models[0]][name]["cases"] for name in capabilities)
    rows.append(["all", str(total), *(f"{sum(results[m][name]['passed'] for name in capabilities) / total:.0%}" for m in models)])
    failures = [f for name in capabilities for f in results.get(focus, {}).get(name, {}).get("failures", [])]
    return [
        "## Behaviour (pass rate by capability)",
        "",
        "Short sentences written for the project (configs/behaviour.yaml, never trained on), in minimal pairs, each with the "
        "label the guidelines give it: what each trained model gets right, not a gate.",
        "",
        *markdown_table(["capability", "cases", *models], rows),
        "",
        f"Failures of {focus}:",
        "",
        *markdown_table(["sentence", "expected", "predicted"], [[f["text"], f["expected"], f["predicted"]] for f in failures], right_from=3),
        "",
    ]
