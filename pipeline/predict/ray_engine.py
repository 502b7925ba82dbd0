"""`stance predict --engine ray`: the same classification on Ray Data, on this machine or on a cluster.

Ray Data reads the Parquet inputs block by block where the cluster has room;
a pool of actors, each loading the model once, turns a batch of rows into
sentences and classifies them with the local path's own functions
(`record_sentences`, `classify`). Predictions stream back to this process in
input order and go through the same writers, numbering and summaries as any
other run, so the output has one format whatever the engine. Ray is an
optional extra (`pip install -e '.[ray]'`).

Ray cuts batches where its blocks of rows end, not where one process cuts
its chunks. No model's scores depend on a sentence's neighbours in a batch
(the int8 model runs one sentence at a time; tests/models/test_batching.py), so
both engines give the same records, up to float rounding (tests/predict/test_ray.py). On a cluster, the inputs and the model folder must be at the
same path on every node (a shared file system).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import groupby, tee
from pathlib import Path
from typing import Any

from pipeline.corpus.segment import ignore
from pipeline.errors import StanceError
from pipeline.models.onnx_runtime import available_cores
from pipeline.params import SegmentParams
from pipeline.predict.classify import Prediction, classify, in_process
from pipeline.predict.inputs import (
    ARTICLE_COLUMN,
    InputSentence,
    Source,
    Warn,
    numbered,
    record_sentences,
)
from pipeline.predict.language import ForeignArticles, with_language

INSTALL = "pip install -e '.[ray]'"
PATH_COLUMN = "path"  # Ray Data's column naming the file of each row
FIELD = "__stance_"  # prefix of the columns an actor adds to its rows
READ_CPUS = 0.25  # reading Parquet is light: leave the cores to the model actors


@dataclass(frozen=True)
class Job:
    """Everything an actor needs, sent to each actor once."""

    folder: str
    backend: str
    segment: SegmentParams
    labels: tuple[str, ...]
    negative: str
    chunk: int
    min_confidence: float
    text_column: str
    rows: str
    sources: dict[str, Source]  # by the path Ray reads each file from


def _where(source: Source, row: dict[str, Any]) -> str:
    article = row.get(ARTICLE_COLUMN)
    return f"{source.name}, article {article}" if article not in (None, "") else source.name


class Classifier:
    """One actor of the pool: the model loaded once, then batch after batch."""

    def __init__(self, job: Job) -> None:
        from pipeline.models.folder import load_model

        self.job = job
        self.model, _ = load_model(Path(job.folder), job.backend)

    def __call__(self, batch: Any) -> Any:
        """The batch's predictions; a StanceError comes back as data, since Ray reports an actor's exception as a traceback."""
        import pyarrow as pa

        try:
            return self.classified(batch)
        except StanceError as err:
            return pa.table({FIELD + "error": [str(err)]})

    def classified(self, batch: Any) -> Any:
        import pyarrow as pa

        job = self.job
        carried = batch.drop_columns([name for name in (PATH_COLUMN, job.text_column, ARTICLE_COLUMN) if name in batch.column_names])
        sentences: list[InputSentence] = []
        notes: list[str] = []  # warnings (a sentence cut at the length limit), shown by the command as a local run shows them
        for path, rows in groupby(batch.to_pylist(), key=lambda row: row[PATH_COLUMN]):
            source = job.sources[path]
            records = ((_where(source, row), {k: v for k, v in row.items() if k != PATH_COLUMN}) for row in rows)
            sentences.extend(with_language(record_sentences(source, records, job.text_column, job.rows, job.segment, notes.append), ignore))
        predictions = list(classify(sentences, in_process(self.model), job.labels, job.chunk, job.negative, job.min_confidence))
        columns = {
            "source": [p.sentence.source for p in predictions],
            "article": [p.sentence.article for p in predictions],
            "index": [p.sentence.index for p in predictions],
            "paragraph": [p.sentence.paragraph for p in predictions],
            "language": [p.sentence.language for p in predictions],
            "text": [p.sentence.text for p in predictions],
            "label": [p.label for p in predictions],
            "scores": [[p.scores[name] for name in job.labels] for p in predictions],
            "set_aside": [p.set_aside for p in predictions],
            "warnings": [notes if i == 0 else [] for i in range(len(predictions))],
        }
        table = pa.table({FIELD + name: values for name, values in columns.items()})
        for column in carried.schema:  # each carried column keeps its Arrow type
            table = table.append_column(column, pa.array([p.sentence.columns[column.name] for p in predictions], type=column.type))
        return table


def _prediction(row: dict[str, Any], labels: Sequence[str], warn: Warn) -> Prediction:
    mine = {key[len(FIELD) :]: row.pop(key) for key in [key for key in row if key.startswith(FIELD)]}
    for message in mine["warnings"]:
        warn(message)
    sentence = InputSentence(mine["source"], mine["article"], mine["index"], mine["text"], row, mine["paragraph"], mine["language"])
    return Prediction(sentence, mine["label"], dict(zip(labels, mine["scores"], strict=True)), mine["set_aside"])


def check_inputs(found: Sequence[Source], text_column: str, rows: str) -> None:
    """Refuse, before Ray starts, inputs it cannot read the way one process would."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for source in found:
        if source.path is None or source.suffix != ".parquet":
            raise StanceError(f"{source.name}: --engine ray reads Parquet files or folders of them; classify other inputs without --engine ray.")
        try:
            names = pq.read_schema(source.path).names
        except (pa.ArrowException, OSError) as err:
            raise StanceError(f"{source.name}: not a readable Parquet file ({str(err).splitlines()[0]}).") from None
        if text_column not in names:
            raise StanceError(f"{source.name}: no column {text_column!r} with the text to classify.")
        if PATH_COLUMN in names:
            raise StanceError(f"{source.name}: a column named {PATH_COLUMN!r} clashes with Ray's own column for each row's file; rename it.")
        if rows == "articles" and ARTICLE_COLUMN not in names:
            raise StanceError(f"{source.name}: with --engine ray, --rows articles needs an {ARTICLE_COLUMN!r} column to tell the articles apart.")


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise StanceError(f"--engine ray needs Ray, an optional extra: {INSTALL}") from None
    return ray


def ray_predictions(job: Job, address: str | None, actors: int | None, batch: int, warn: Warn) -> Iterator[Prediction]:
    """Predictions of every input row in input order, computed by a pool of Ray actors."""
    ray = _ray()
    if not ray.is_initialized():
        # Started here: one logical CPU more than the cores, for Ray Data's own light tasks (listing and reading files).
        local = {} if address else {"num_cpus": available_cores() + 1, "include_dashboard": False}
        ray.init(address=address, log_to_driver=False, logging_level="ERROR", **local)
    import ray.data

    for name in ("ray", "ray.data"):
        # Ray's progress lines and its own report of a failed batch would bury the one line this command prints.
        logging.getLogger(name).setLevel(logging.CRITICAL)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    context.enable_progress_bars = False
    pool = actors or max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
    # Blocks of one batch each (streaming): Ray reads small files as one block, and one block goes to one actor alone.
    data = ray.data.read_parquet(list(job.sources), include_paths=True, num_cpus=READ_CPUS).repartition(target_num_rows_per_block=batch)
    with warnings.catch_warnings():
        # Ray 2.60 names no parameter for restarts and calls this one deprecated; the extra pins 2.60.
        warnings.simplefilter("ignore", DeprecationWarning)
        classified = data.map_batches(
            Classifier,
            fn_constructor_args=(job,),
            batch_size=batch,
            batch_format="pyarrow",
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=pool),
            num_cpus=1,
            max_restarts=0,  # a failing actor is an error to report, not to retry
        )
    predictions = (_prediction(row, job.labels, warn) for table in classified.iter_batches(batch_size=None, batch_format="pyarrow") for row in _rows(table))
    if job.rows != "articles":
        ours, theirs = tee(predictions)  # consumed in step: tee holds one prediction
        predictions = (replace(prediction, sentence=sentence) for prediction, sentence in zip(ours, numbered(p.sentence for p in theirs), strict=True))
    foreign = ForeignArticles(warn)  # the actors check each batch's articles quietly; the warnings are worded and capped here
    for prediction in predictions:
        foreign.article(prediction.sentence.source, prediction.sentence.article, prediction.sentence.language)
        yield prediction
    foreign.close()


def _rows(table: Any) -> list[dict[str, Any]]:
    if FIELD + "error" in table.column_names:
        raise StanceError(table.column(FIELD + "error")[0].as_py())
    return table.to_pylist()
