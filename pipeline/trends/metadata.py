"""Article metadata (date, outlet, conflict, kind, or any column) from a table joined to the records by article id.

The table is CSV, Parquet or JSONL, one row per article, its id in an `id` or
`article` column. It is small next to the records (one row per article, not
per sentence), so it is read whole.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError

KEYS = ("id", "article")


def table_rows(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise StanceError(f"{path}: no such metadata file.")
    try:
        if suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                return list(csv.DictReader(handle))
        if suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle if line.strip()]
            if not all(isinstance(row, dict) for row in rows):
                raise StanceError(f"{path}: every line must be a JSON object.")
            return rows
        if suffix == ".parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            try:
                return pq.read_table(path).to_pylist()
            except (pa.ArrowException, OSError) as err:
                raise StanceError(f"{path}: not a readable Parquet file ({str(err).splitlines()[0]}).") from None
    except UnicodeDecodeError:
        raise StanceError(f"{path}: not UTF-8 text.") from None
    except (csv.Error, json.JSONDecodeError) as err:
        raise StanceError(f"{path}: not a readable {suffix[1:]} file ({err}).") from None
    raise StanceError(f"{path}: metadata must be .csv, .parquet or .jsonl.")


def read_metadata(path: Path, wanted: Sequence[str]) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Per article id, the `wanted` columns the table has; and the table's column names."""
    rows = table_rows(path)
    columns = set().union(*(row.keys() for row in rows)) if rows else set()
    key = next((name for name in KEYS if name in columns), None)
    if key is None:
        raise StanceError(f"{path}: no `id` or `article` column to join the records by (it has {', '.join(sorted(columns)) or 'none'}).")
    return {str(row[key]): {name: row.get(name) for name in wanted if name in columns} for row in rows if row.get(key) not in (None, "")}, columns
