"""`stance predict` on Parquet archives: sentences or whole articles in, Parquet out, streamed; bad files are one error."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import PARAMS, ROOT

ARTICLE = ROOT / "data" / "articles" / "004_4e83cf9310ecd704.txt"
runner = CliRunner()


def predict(*args: str):
    result = runner.invoke(app, ["predict", *args, "--params", str(PARAMS)])
    assert "Traceback" not in result.output, result.output
    return result


def sentences_of(path: Path, model: Path) -> list[dict]:
    result = predict(str(path), "--model", str(model), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_parquet_sentences_in_parquet_out_carry_their_columns_and_match_jsonl(seed_tfidf: Path, tmp_path: Path) -> None:
    expected = sentences_of(ARTICLE, seed_tfidf)
    table = pa.table({"doc": ["x"] * len(expected), "text": [r["text"] for r in expected], "year": list(range(len(expected)))})
    source = tmp_path / "archive.parquet"
    pq.write_table(table, source, row_group_size=10)
    out = tmp_path / "out.parquet"
    result = predict(str(source), "--model", str(seed_tfidf), "--output", str(out))
    assert result.exit_code == 0, result.output
    written = pq.read_table(out)
    assert written.column_names == [
        "article",
        "sentence",
        "text",
        "label",
        "score_pro-talks",
        "score_skeptical",
        "score_conditional",
        "score_none",
        "set_aside",
        "language",
        "model",
        "model_card",
        "doc",
        "year",
    ]
    rows = written.to_pylist()
    assert [r["label"] for r in rows] == [r["label"] for r in expected]
    assert [r["year"] for r in rows] == list(range(len(expected))) and written.schema.field("year").type == pa.int64()
    assert pq.ParquetFile(out).metadata.num_row_groups >= 1


def test_parquet_articles_are_segmented_like_text_files(seed_tfidf: Path, tmp_path: Path) -> None:
    expected = sentences_of(ARTICLE, seed_tfidf)
    folder = tmp_path / "archive"
    folder.mkdir()
    pq.write_table(pa.table({"article": ["one"], "text": [ARTICLE.read_text(encoding="utf-8")]}), folder / "part-0.parquet")
    pq.write_table(pa.table({"article": ["two"], "text": ["Talks must begin now. The rebels refused."]}), folder / "part-1.parquet")
    result = predict(str(folder), "--rows", "articles", "--model", str(seed_tfidf), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    one = [r for r in records if r["article"] == "one"]
    assert [(r["sentence"], r["text"], r["label"]) for r in one] == [(r["sentence"], r["text"], r["label"]) for r in expected]
    assert [r["text"] for r in records if r["article"] == "two"] == ["Talks must begin now.", "The rebels refused."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PAR1 but nothing more", "not a readable Parquet file"),
        (b"text, not parquet", "not a Parquet file (it does not start with PAR1)"),
    ],
)
def test_a_broken_parquet_file_is_one_line_of_error(seed_tfidf: Path, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(content)
    out = tmp_path / "out.jsonl"
    result = predict(str(path), "--model", str(seed_tfidf), "--output", str(out))
    assert result.exit_code == 1 and message in result.stderr and len(result.stderr.splitlines()) == 1
    assert not out.exists()


def test_parquet_goes_to_a_file_not_the_terminal(seed_tfidf: Path) -> None:
    result = predict(str(ARTICLE), "--model", str(seed_tfidf), "--format", "parquet")
    assert (result.exit_code, result.stderr) == (1, "error: parquet is a binary format; write it to a file with --output.\n")
