"""Parquet in and out for `stance predict`, through pyarrow: archives stream in bounded batches both ways.

Reading walks a file's row groups a batch at a time; writing appends one row
group per chunk of predictions, so memory stays flat whatever the archive's
size. The columns are those of `--format csv` (a `score_<label>` column per
label), with carried columns keeping their Arrow types.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any, BinaryIO

from pipeline.errors import StanceError

MAGIC = b"PAR1"
BATCH_ROWS = 1024


def parquet_records(handle: BinaryIO, name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, record) for every row, read a batch at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(handle, pre_buffer=False).iter_batches(batch_size=BATCH_ROWS)  # pre-buffering keeps ~40 MB per million rows read
        row = 0
        for batch in batches:
            for record in batch.to_pylist():
                row += 1
                yield f"{name}: row {row}", record
    except (pa.ArrowException, OSError) as err:
        raise StanceError(f"{name}: not a readable Parquet file ({str(err).splitlines()[0]}).") from None


def write_parquet(rows: Iterable[dict[str, Any]], handle: IO[bytes], chunk: int) -> None:
    """Rows (flat records) as one Parquet file, one row group per `chunk`; every row must have the first row's columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    stream = iter(rows)
    writer: Any = None
    try:
        while batch := list(islice(stream, chunk)):
            if writer is not None:
                extra = sorted({key for row in batch for key in row} - set(writer.schema.names))
                if extra:
                    raise StanceError(f"column {extra[0]!r} is not among the first sentence's columns, so it cannot go into one Parquet file.")
            table = pa.Table.from_pylist(batch, schema=writer.schema if writer is not None else None)
            writer = writer or pq.ParquetWriter(handle, table.schema)
            writer.write_table(table)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as err:
        raise StanceError(f"a column changes type between sentences ({str(err).splitlines()[0]}); it cannot go into one Parquet file.") from None
    finally:
        if writer is not None:
            writer.close()
