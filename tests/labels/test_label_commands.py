"""The functions behind `stance labels ...` as a Python API, without the CLI: what the commands print is theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.labels.agree import by_group, read_pass
from pipeline.labels.check import label_table
from pipeline.labels.records import LabelRecord
from tests.conftest import CONFIG

LABELS = CONFIG.labels


def sentence(id_: str, slice_: str) -> Sentence:
    return Sentence(id_, id_.split("-")[0], 0, 0, "A sentence.", "h", "seed", slice_)


def record(id_: str, label: str) -> LabelRecord:
    return LabelRecord(id_, id_.split("-")[0], "A sentence.", None, label, "a", "", "x:1")


def test_agreement_is_computed_within_each_slice_of_the_first_pass() -> None:
    sentences = [sentence("a-0", "pk"), sentence("a-1", "pk"), sentence("b-0", "af"), sentence("c-0", "")]
    first = [record("a-0", "none"), record("a-1", "skeptical"), record("b-0", "none"), record("c-0", "none")]
    second = [record("a-0", "none"), record("a-1", "pro-talks"), record("b-0", "none"), record("c-0", "none")]
    groups = dict(by_group(first, second, sentences, "slice", LABELS))
    assert list(groups) == ["af", "pk", "unknown"]
    assert (groups["pk"].n, len(groups["pk"].disagreements), groups["af"].n, groups["unknown"].n) == (2, 1, 1, 1)
    assert groups["af"].observed == 1.0


def test_a_pass_with_a_bad_label_is_one_error(tmp_path: Path) -> None:
    bad = tmp_path / "pass.jsonl"
    bad.write_text('{"id": "a-0", "article": "a", "text": "A sentence.", "label": "maybe", "annotator": "a"}\n', encoding="utf-8")
    with pytest.raises(StanceError, match="pass.jsonl:1"):
        read_pass(bad, LABELS)


def test_the_label_table_has_a_column_per_label_and_a_row_per_article() -> None:
    table = label_table("Labels", "article", LABELS.names, [("a", ["1", "0", "0", "2"])])
    assert [column.header for column in table.columns] == ["article", *LABELS.names] and table.row_count == 1
