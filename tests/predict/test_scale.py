"""Bounded work per input, measured on the real command: time grows linearly with the input and memory stays flat.

Each case runs `stance predict` as a subprocess on a small and a ten-times
larger input and compares the two runs (wall time, and peak memory from the
child's own resource usage). The limits are generous: they tell linear from
quadratic and flat from growing, not a fast machine from a slow one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CONFIG, PARAMS, ROOT

# Streams tens of MB through whole commands and times them.
pytestmark = pytest.mark.slow

STANCE = Path(sys.executable).with_name("stance")
MB = 1_000_000


def run(source: Path, model: Path, output: Path) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one `stance predict`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(STANCE), "predict", str(source), "--model", str(model), "--output", str(output), "--params", str(PARAMS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, process.stderr.read().decode() if process.stderr else ""
    return seconds, usage.ru_maxrss


def sentence_file(path: Path, size: int) -> Path:
    texts = [json.loads(line)["text"] for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()[:400]]
    with path.open("w", encoding="utf-8") as handle:
        written = index = 0
        while written < size:
            line = json.dumps({"article": f"a{index // 30}", "text": texts[index % len(texts)]}) + "\n"
            written += handle.write(line)
            index += 1
    return path


def test_a_50_mb_sentence_file_streams_in_linear_time_and_flat_memory(majority_model: Path, tmp_path: Path) -> None:
    small_seconds, small_memory = run(sentence_file(tmp_path / "small.jsonl", 5 * MB), majority_model, tmp_path / "small.out.jsonl")
    large_seconds, large_memory = run(sentence_file(tmp_path / "large.jsonl", 50 * MB), majority_model, tmp_path / "large.out.jsonl")
    assert sum(1 for _ in (tmp_path / "large.out.jsonl").open(encoding="utf-8")) > 300_000
    assert large_seconds < 30 * small_seconds  # ten times the input: linear is about 10x
    assert large_memory < small_memory + 64 * 1024  # KiB: reading ahead one chunk at a time, not the file


def test_a_2_mb_line_without_punctuation_is_cut_and_classified_in_linear_time(majority_model: Path, tmp_path: Path) -> None:
    words = " ".join(f"word{i % 97}" for i in range(300_000))  # about 2 MB, no sentence end anywhere
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text(words[: len(words) // 10], encoding="utf-8")
    large.write_text(words, encoding="utf-8")
    small_seconds, small_memory = run(small, majority_model, tmp_path / "small.out.jsonl")
    large_seconds, large_memory = run(large, majority_model, tmp_path / "large.out.jsonl")
    records = [json.loads(line) for line in (tmp_path / "large.out.jsonl").open(encoding="utf-8")]
    assert max(len(r["text"]) for r in records) <= CONFIG.segment.max_chars
    assert " ".join(r["text"] for r in records) == words
    assert large_seconds < 30 * small_seconds
    assert large_memory < small_memory + 64 * 1024


def test_a_parquet_archive_streams_in_and_out_in_linear_time_and_flat_memory(majority_model: Path, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = [json.loads(line)["text"] for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()[:400]]

    def archive(path: Path, rows: int) -> Path:
        with pq.ParquetWriter(path, pa.schema([("article", pa.string()), ("text", pa.string())])) as writer:
            for start in range(0, rows, 10_000):
                count = min(10_000, rows - start)
                writer.write_table(
                    pa.table({"article": [f"a{(start + i) // 30}" for i in range(count)], "text": [texts[(start + i) % 400] for i in range(count)]})
                )
        return path

    small_seconds, small_memory = run(archive(tmp_path / "small.parquet", 30_000), majority_model, tmp_path / "small.out.parquet")
    large_seconds, large_memory = run(archive(tmp_path / "large.parquet", 300_000), majority_model, tmp_path / "large.out.parquet")
    assert pq.ParquetFile(tmp_path / "large.out.parquet").metadata.num_rows == 300_000
    assert large_seconds < 30 * small_seconds
    assert large_memory < small_memory + 64 * 1024
