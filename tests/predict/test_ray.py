"""`stance predict --engine ray` on a local Ray instance (2 CPUs) against the local path, record for record.

Ray is an optional extra: outside CI these tests are skipped without it; CI
installs it, and there a missing Ray fails them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import CONFIG, ROOT

PARAMS = ROOT / "configs" / "params.yaml"
STANCE = Path(sys.executable).with_name("stance")
# Float rounding in the last written digit, where padding differs between batches.
SCORE_TOLERANCE = 2e-6
TORCH = ("--backend", "torch")

if os.environ.get("CI") != "true":
    pytest.importorskip("ray", reason="Ray is an optional extra: pip install -e '.[ray]'")

runner = CliRunner()


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus's hand-labeled sentences as two Parquet part files, with a carried column of another type."""
    rows = [json.loads(line) for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]
    table = pa.Table.from_pylist([{"article": r["article"], "text": r["text"], "row": i, "label": r["label"]} for i, r in enumerate(rows)])
    folder = tmp_path_factory.mktemp("archive")
    half = len(rows) // 2
    pq.write_table(table.slice(0, half), folder / "part-0.parquet")
    pq.write_table(table.slice(half), folder / "part-1.parquet")
    return folder


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three corpus articles, one per row, to be segmented."""
    paths = sorted((ROOT / "data" / "articles").glob("*.txt"))[:3]
    path = tmp_path_factory.mktemp("articles") / "articles.parquet"
    pq.write_table(pa.Table.from_pylist([{"article": p.stem, "text": p.read_text(encoding="utf-8")} for p in paths]), path)
    return path


def predict(*args: str) -> Any:
    return runner.invoke(app, ["predict", *args, "--params", str(PARAMS)])


def records(path: Path) -> list[dict[str, Any]]:
    return pq.read_table(path).to_pylist()


def assert_same_records(ray_rows: list[dict[str, Any]], local_rows: list[dict[str, Any]]) -> None:
    """Same sentences, ids, labels and carried columns in the same order; scores equal but for float rounding in
    the last digit, since the two paths pad different batches.

    These tests run the model in torch; no model's scores depend on which sentences share a batch
    (tests/models/test_batching.py checks every kind and backend).
    """
    assert len(ray_rows) == len(local_rows) > 0
    score_columns = [f"score_{name}" for name in CONFIG.labels.names]
    for ours, theirs in zip(ray_rows, local_rows, strict=True):
        assert {k: v for k, v in ours.items() if k not in score_columns} == {k: v for k, v in theirs.items() if k not in score_columns}
        assert all(abs(ours[c] - theirs[c]) <= SCORE_TOLERANCE for c in score_columns)


@pytest.mark.ray
@pytest.mark.slow
def test_ray_sentence_rows_match_the_local_path(local_ray: Any, small_transformer: tuple[Path, Any], archive: Path, tmp_path: Path) -> None:
    folder = small_transformer[0]
    local, distributed = tmp_path / "local.parquet", tmp_path / "ray.parquet"
    assert predict(str(archive), "--model", str(folder), *TORCH, "--output", str(local)).exit_code == 0
    result = predict(str(archive), "--model", str(folder), *TORCH, "--engine", "ray", "--ray-batch", "100", "--output", str(distributed))
    assert result.exit_code == 0, result.stderr
    ray_rows, local_rows = records(distributed), records(local)
    assert_same_records(ray_rows, local_rows)
    # Sentences are numbered within their article across batches and files, as one process numbers them.
    assert [r["sentence"] for r in ray_rows] == [r["sentence"] for r in local_rows] and max(r["sentence"] for r in ray_rows) > 100
    assert (
        pq.read_schema(distributed).field("row").type == pa.int64() and [r["input_label"] for r in ray_rows][:3] == [r["input_label"] for r in local_rows][:3]
    )


@pytest.mark.ray
@pytest.mark.slow
def test_ray_article_rows_are_segmented_like_the_local_path(local_ray: Any, small_transformer: tuple[Path, Any], articles: Path, tmp_path: Path) -> None:
    folder = small_transformer[0]
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert predict(str(articles), "--rows", "articles", "--model", str(folder), *TORCH, "--output", str(local)).exit_code == 0
    result = predict(str(articles), "--rows", "articles", "--model", str(folder), *TORCH, "--engine", "ray", "--output", str(distributed))
    assert result.exit_code == 0, result.stderr
    ours = [json.loads(line) for line in distributed.read_text(encoding="utf-8").splitlines()]
    theirs = [json.loads(line) for line in local.read_text(encoding="utf-8").splitlines()]
    flat = [[{**r, **{f"score_{k}": v for k, v in r.pop("scores").items()}} for r in rows] for rows in (ours, theirs)]
    assert_same_records(*flat)
    assert len({r["article"] for r in ours}) == 3


@pytest.mark.ray
@pytest.mark.slow
def test_warnings_from_actors_reach_the_terminal(local_ray: Any, majority_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "long.parquet"
    pq.write_table(pa.Table.from_pylist([{"article": "long", "text": "word " * 1000}, {"article": "short", "text": "Talks now."}]), path)
    result = predict(str(path), "--rows", "articles", "--model", str(majority_model), "--engine", "ray", "--output", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.stderr
    assert f"warning: {path}, article long:1: a sentence longer than 2000 characters (segment.max_chars) was cut at spaces." in result.stderr


@pytest.mark.ray
@pytest.mark.slow
def test_ray_gives_the_tfidf_model_identical_records(local_ray: Any, seed_tfidf: Path, archive: Path, tmp_path: Path) -> None:
    """A model whose scores do not depend on batching must come out byte for byte the same."""
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert predict(str(archive), "--model", str(seed_tfidf), "--output", str(local)).exit_code == 0
    assert predict(str(archive), "--model", str(seed_tfidf), "--engine", "ray", "--ray-batch", "64", "--output", str(distributed)).exit_code == 0
    assert distributed.read_bytes() == local.read_bytes()


@pytest.mark.ray
@pytest.mark.slow
def test_an_error_inside_an_actor_is_one_line_and_no_output(local_ray: Any, majority_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pylist([{"article": "a", "text": "Talks now."}, {"article": "b", "text": "   "}]), path)
    out = tmp_path / "out.parquet"
    result = predict(str(path), "--model", str(majority_model), "--engine", "ray", "--output", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}, article b: field 'text' holds no text.\n"
    assert not out.exists() and not list(tmp_path.glob(".out*"))


@pytest.mark.parametrize(
    ("rows", "columns", "message"),
    [
        ("sentences", {"body": "Talks now."}, "no column 'text' with the text to classify."),
        ("articles", {"text": "Talks now."}, "with --engine ray, --rows articles needs an 'article' column to tell the articles apart."),
        ("sentences", {"text": "Talks now.", "path": "x"}, "a column named 'path' clashes with Ray's own column for each row's file; rename it."),
    ],
)
def test_inputs_ray_cannot_read_like_one_process_are_refused_before_it_starts(
    rows: str, columns: dict[str, str], message: str, majority_model: Path, tmp_path: Path
) -> None:
    path = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([columns]), path)
    result = predict(str(path), "--rows", rows, "--model", str(majority_model), "--engine", "ray", "--output", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1 and result.stderr == f"error: {path}: {message}\n"


def test_a_damaged_parquet_file_is_refused_before_ray_starts(majority_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "damaged.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 64)
    result = predict(str(path), "--model", str(majority_model), "--engine", "ray", "--output", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {path}: not a readable Parquet file (") and result.stderr.count("\n") == 1


def test_ray_reads_only_parquet_and_does_not_mix_with_workers(majority_model: Path, tmp_path: Path) -> None:
    article = sorted((ROOT / "data" / "articles").glob("*.txt"))[0]
    text = predict(str(article), "--model", str(majority_model), "--engine", "ray")
    assert text.exit_code == 1 and "--engine ray reads Parquet files or folders of them" in text.stderr
    both = predict(str(article), "--model", str(majority_model), "--engine", "ray", "--workers", "2")
    assert both.exit_code == 1 and both.stderr == "error: --workers is for the local engine; with --engine ray, --ray-actors sets the pool.\n"


def test_without_ray_installed_the_error_says_how_to_install_it(majority_model: Path, archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` meets where the extra is not installed
    result = predict(str(archive), "--model", str(majority_model), "--engine", "ray", "--format", "jsonl")
    assert result.exit_code == 1 and result.stderr == "error: --engine ray needs Ray, an optional extra: pip install -e '.[ray]'\n"


@pytest.mark.ray
@pytest.mark.slow
def test_a_real_process_starts_its_own_ray_and_writes_what_the_local_path_writes(small_transformer: tuple[Path, Any], archive: Path, tmp_path: Path) -> None:
    folder = small_transformer[0]
    outputs = {}
    for engine in ("local", "ray"):
        outputs[engine] = tmp_path / f"{engine}.parquet"
        done = subprocess.run(
            [str(STANCE), "predict", str(archive), "--model", str(folder), *TORCH, "--engine", engine, "--output", str(outputs[engine]), "--params", str(PARAMS)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        # Nothing but the closing line: Ray's own progress and log lines stay out of the analyst's terminal.
        assert done.stderr == "" and done.stdout.count("\n") == 1 and done.stdout.startswith("Classified ")
    assert_same_records(records(outputs["ray"]), records(outputs["local"]))
