"""The cells as a table for further work: one row per cell, measure, estimator and stance, in CSV or Parquet (from the suffix).

Long rather than wide, so a reader filters by `estimator` and `measure` and
plots `share` with `low` and `high`; `small` marks a cell below the
small-cell threshold and `gold` holds the true share where the records carry
gold labels. Written atomically: a failure leaves no half-written file.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError
from pipeline.files import atomic_writer
from pipeline.trends.cells import Cell

FORMATS = (".csv", ".parquet")
DIGITS = 4


def number(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, DIGITS)


def rows(cells: Sequence[Cell], gold: bool) -> Iterator[dict[str, Any]]:
    for cell in cells:
        head = {
            "period": cell.period,
            "period_start": cell.start.isoformat() if cell.start else None,
            "group": cell.group,
            "articles": cell.articles,
            "sentences": cell.sentences,
            "small": cell.small,
        }
        for share in cell.shares:
            row = head | {
                "measure": share.measure,
                "estimator": share.estimator,
                "stance": share.stance,
                "share": number(share.share),
                "low": number(share.low),
                "high": number(share.high),
            }
            yield row | ({"gold": number(share.gold)} if gold else {})


def check_suffix(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise StanceError(f"{path}: cannot tell the format from this suffix; name a .csv or .parquet file.")


def write_table(cells: Sequence[Cell], path: Path, gold: bool) -> None:
    table = list(rows(cells, gold))
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        with atomic_writer(path, "wb") as handle:
            pq.write_table(pa.Table.from_pylist(table), handle)
        return
    with atomic_writer(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
