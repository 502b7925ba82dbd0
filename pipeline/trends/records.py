"""Reading the records `stance predict` writes (JSONL, CSV or Parquet), one at a time, whatever the file's size.

JSONL holds each label's probability in a `scores` object; CSV and Parquet in
one `score_<label>` column per label. Every reader yields the same `Record`;
a missing field, an unknown label or a file that cannot be read is one error
naming the file (and line or row).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError
from pipeline.files import parse_json_object

SUFFIXES = (".jsonl", ".csv", ".parquet")
SCORE_PREFIX = "score_"  # as pipeline.predict.output writes them
REQUIRED = ("article", "label", "set_aside")
BATCH_ROWS = 8192
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


@dataclass(frozen=True)
class Record:
    where: str
    article: str
    label: str
    scores: list[float]  # in the order of the model's labels
    set_aside: bool
    extra: dict[str, Any]  # the columns asked for (date, group, gold, model_card) that the record has


def input_files(paths: Sequence[Path]) -> list[Path]:
    """The files named, and the .jsonl, .csv and .parquet files below the folders named, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            parts = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if not parts:
                raise StanceError(f"{path}: no .jsonl, .csv or .parquet files in this folder.")
            found.extend(parts)
        elif not path.is_file():
            raise StanceError(f"{path}: no such file or folder.")
        elif path.suffix.lower() not in SUFFIXES:
            raise StanceError(f"{path}: not a file of records; expected .jsonl, .csv or .parquet, as `stance predict` writes them.")
        else:
            found.append(path)
    return found


def check_columns(names: Sequence[str], labels: Sequence[str], where: str, scores_nested: bool) -> None:
    missing = [name for name in REQUIRED if name not in names]
    if not scores_nested:
        missing += [SCORE_PREFIX + label for label in labels if SCORE_PREFIX + label not in names]
    elif "scores" not in names:
        missing.append("scores")
    if missing:
        raise StanceError(f"{where}: no field {missing[0]!r}; expected the records of `stance predict` (it has {', '.join(names) or 'none'}).")


def flag(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
        return value.strip().lower() in TRUE
    raise StanceError(f"{where}: set_aside must be true or false, got {value!r}.")


def record(row: dict[str, Any], where: str, labels: Sequence[str], wanted: Sequence[str]) -> Record:
    label = row["label"]
    if label not in labels:
        raise StanceError(f"{where}: label {label!r} is not one of the model's labels ({', '.join(labels)}); is --model the model that wrote these records?")
    nested = row.get("scores")
    try:
        scores = [float(nested[name]) if isinstance(nested, dict) else float(row[SCORE_PREFIX + name]) for name in labels]
    except (KeyError, TypeError, ValueError):
        raise StanceError(f"{where}: the scores lack a number for one of the labels {', '.join(labels)}.") from None
    extra = {name: row[name] for name in wanted if name in row}
    return Record(where, str(row["article"]), label, scores, flag(row["set_aside"], where), extra)


def jsonl_records(path: Path, labels: Sequence[str], wanted: Sequence[str]) -> Iterator[Record]:
    with path.open(encoding="utf-8") as handle:
        checked = False
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            row = parse_json_object(line, where)
            if not checked:
                check_columns(list(row), labels, where, scores_nested=True)
                checked = True
            missing = [name for name in REQUIRED if name not in row]
            if missing:
                raise StanceError(f"{where}: no field {missing[0]!r}.")
            yield record(row, where, labels, wanted)


def csv_records(path: Path, labels: Sequence[str], wanted: Sequence[str]) -> Iterator[Record]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        check_columns(reader.fieldnames or [], labels, str(path), scores_nested=False)
        for row in reader:
            yield record(row, f"{path}:{reader.line_num}", labels, wanted)


def parquet_records(path: Path, labels: Sequence[str], wanted: Sequence[str]) -> Iterator[Record]:
    """A batch of rows at a time, only the columns that are read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        # pre_buffer (pyarrow's default) keeps every row group's column chunks it has read: memory grows with the file.
        table = pq.ParquetFile(path, pre_buffer=False)
        names = table.schema_arrow.names
        check_columns(names, labels, str(path), scores_nested="scores" in names)
        needed = [name for name in [*REQUIRED, "scores", *(SCORE_PREFIX + label for label in labels), *wanted] if name in names]
        row = 0
        for batch in table.iter_batches(batch_size=BATCH_ROWS, columns=list(dict.fromkeys(needed))):
            for values in batch.to_pylist():
                row += 1
                yield record(values, f"{path}: row {row}", labels, wanted)
    except (pa.ArrowException, OSError) as err:
        raise StanceError(f"{path}: not a readable Parquet file ({str(err).splitlines()[0]}).") from None


READERS = {".jsonl": jsonl_records, ".csv": csv_records, ".parquet": parquet_records}


def read_records(paths: Sequence[Path], labels: Sequence[str], wanted: Sequence[str]) -> Iterator[Record]:
    """Every record of every file, in order; text that is not UTF-8 or a malformed CSV is one error naming the file."""
    for path in paths:
        try:
            yield from READERS[path.suffix.lower()](path, labels, wanted)
        except UnicodeDecodeError:
            raise StanceError(f"{path}: not UTF-8 text; is it really {path.suffix.lower()}?") from None
        except csv.Error as err:
            raise StanceError(f"{path}: not a readable CSV file ({err}).") from None
