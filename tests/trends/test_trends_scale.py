"""A million records through the real command in flat memory: aggregates per article, never the records.

`stance trends` runs as a subprocess on 100,000 and on 1,000,000 records
(Parquet, as an archive's predictions are; 30 sentences an article, 600
cells by month and outlet) and the peak resident memory of the two runs is
compared, as tests/predict/test_scale.py does for predict (measured from a small
interpreter, see MEASURE). Ten times the
records may cost a few MB of per-article aggregates, not the records.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import PARAMS
from tests.trends.synthetic import NAMES, model

pytestmark = pytest.mark.slow

STANCE = Path(sys.executable).with_name("stance")
CHUNK = 100_000


def archive(path: Path, records: int) -> Path:
    rng = np.random.default_rng(0)
    with pq.ParquetWriter(
        path,
        pa.schema(
            [
                ("article", pa.string()),
                ("sentence", pa.int64()),
                ("label", pa.string()),
                *((f"score_{n}", pa.float64()) for n in NAMES),
                ("set_aside", pa.bool_()),
                ("date", pa.string()),
                ("outlet", pa.string()),
            ]
        ),
    ) as writer:
        for start in range(0, records, CHUNK):
            index = np.arange(start, min(start + CHUNK, records))
            article = index // 30
            scores = rng.dirichlet(np.ones(4), size=len(index))
            labels = np.array(NAMES)[scores.argmax(axis=1)]
            months = article % 120
            columns = {
                "article": [f"a{a}" for a in article],
                "sentence": index % 30,
                "label": labels,
                **{f"score_{n}": scores[:, i].round(6) for i, n in enumerate(NAMES)},
                "set_aside": (labels != "none") & (scores.max(axis=1) < 0.5),
                "date": [f"{2000 + m // 12}-{1 + m % 12:02d}-15" for m in months],
                "outlet": [f"outlet {a // 120 % 5}" for a in article],
            }
            writer.write_table(pa.table(columns, schema=writer.schema))
    return path


# Runs the command from a small interpreter and prints its peak memory: a child forked straight from pytest starts with
# pytest's resident pages counted (torch, if another test imported it), which would hide the growth this test looks for.
MEASURE = "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); \
sys.exit(done.stderr.decode()) if done.returncode else print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def run(source: Path, folder: Path, output: Path) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one `stance trends`."""
    start = time.perf_counter()
    command = [
        str(STANCE),
        "trends",
        str(source),
        "--model",
        str(folder),
        "--by",
        "month",
        "--group",
        "outlet",
        "--output",
        str(output),
        "--params",
        str(PARAMS),
    ]
    done = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - start, int(done.stdout)


def test_a_million_records_stream_in_flat_memory(tmp_path: Path) -> None:
    folder = model(tmp_path / "m")
    small_seconds, small_memory = run(archive(tmp_path / "small.parquet", 100_000), folder, tmp_path / "small.csv")
    large_seconds, large_memory = run(archive(tmp_path / "large.parquet", 1_000_000), folder, tmp_path / "large.csv")
    print(f"100k records: {small_seconds:.1f} s, {small_memory / 1024:.0f} MiB; 1M records: {large_seconds:.1f} s, {large_memory / 1024:.0f} MiB")
    assert (tmp_path / "large.csv").read_text(encoding="utf-8").count("\n") > 600 * 30
    assert large_memory < small_memory + 64 * 1024  # KiB: per-article aggregates only
    assert large_seconds < 30 * small_seconds
