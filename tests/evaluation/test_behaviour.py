"""Behavioural test cases: read and checked at the edge, scored per capability, shown in the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import StanceError
from pipeline.evaluation.behaviour import Case, behaviour_section, parse_cases, pass_rates, read_cases
from tests.conftest import CONFIG, ROOT

LABELS = CONFIG.labels


def test_the_projects_cases_cover_every_capability_the_issue_names_with_known_labels() -> None:
    cases = read_cases(ROOT / "configs" / "behaviour.yaml", LABELS)
    capabilities = {case.capability for case in cases}
    assert {"negation", "a party's stated conditions", "neutral report of a meeting", "attribution to a quoted actor", "hedged predictions"} <= capabilities
    assert {case.label for case in cases} == set(LABELS.names)
    assert len({case.text for case in cases}) == len(cases)  # no case twice


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([["a", "none"]], r"expected a mapping from capability to a list of \[sentence, label\] pairs"),
        ({"negation": []}, r"capability 'negation' needs a list"),
        ({"negation": [["We will never talk."]]}, r"'negation' case 1 must be \[sentence, label\], got \['We will never talk\.'\]"),
        ({"negation": [["We will never talk.", "against"]]}, r"'negation' case 1 has unknown label 'against'; expected one of pro-talks, skeptical"),
    ],
)
def test_a_malformed_case_is_one_error_naming_the_file_and_case(raw: object, message: str) -> None:
    with pytest.raises(StanceError, match=rf"^cases\.yaml: {message}"):
        parse_cases(raw, LABELS, "cases.yaml")


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text("negation: [unclosed\n", encoding="utf-8")
    with pytest.raises(StanceError, match=r"cases\.yaml: not valid YAML"):
        read_cases(path, LABELS)


def test_pass_rates_count_per_capability_and_keep_the_failures() -> None:
    cases = [Case("negation", "No talks.", "skeptical"), Case("negation", "Talks.", "pro-talks"), Case("meetings", "They met.", "none")]
    rates = pass_rates(cases, ["skeptical", "none", "none"])
    assert rates == {
        "negation": {"cases": 2, "passed": 1, "failures": [{"text": "Talks.", "expected": "pro-talks", "predicted": "none"}]},
        "meetings": {"cases": 1, "passed": 1, "failures": []},
    }
    section = behaviour_section({"tfidf": rates, "majority": pass_rates(cases, ["none"] * 3)}, "tfidf")
    assert "| negation | 2 | 50% | 0% |" in section and "| all | 3 | 67% | 33% |" in section
    assert "| Talks. | pro-talks | none |" in section
