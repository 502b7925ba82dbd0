"""`stance predict --workers N`: N processes, each with its own copy of the model and its own share of the cores.

Sentences still go out in the same chunks as with one process, and a
sentence's scores never depend on the sentences beside it (the int8 model
runs one sentence at a time): the output is identical, record for record. Each
worker is pinned to its share of the cores, so the inference library, which
sizes its thread pool by the cores it may use, splits the threads between
workers instead of every worker taking them all. At most two chunks per
worker are in flight, so memory stays bounded however long the input.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

_model: Any = None  # the model of this worker process, loaded once by _start


def shares(cores: list[int], workers: int) -> list[list[int]]:
    """Cores for each worker: disjoint while there are enough, shared round-robin beyond."""
    if workers <= len(cores):
        return [cores[i::workers] for i in range(workers)]
    return [[cores[i % len(cores)]] for i in range(workers)]


def _start(folder: str, backend: str, queue: Any) -> None:
    global _model
    from pipeline.models.folder import load_model

    share = queue.get()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, share)
    if backend == "torch":
        import torch

        torch.set_num_threads(len(share))
    _model, _ = load_model(Path(folder), backend)


def _probabilities(texts: list[str]) -> np.ndarray:
    return _model.predict_proba(texts)


def parallel_probabilities(chunks: Iterable[list[str]], folder: Path, backend: str, workers: int) -> Iterator[np.ndarray]:
    """The model's probabilities for each chunk, in order, computed by `workers` processes."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else list(range(os.cpu_count() or 1))
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: forking a process that holds thread pools can hang
    queue = context.Queue()
    for share in shares(cores, workers):
        queue.put(share)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start, initargs=(str(folder), backend, queue)) as pool:
        pending: deque[Future[np.ndarray]] = deque()
        for texts in chunks:
            pending.append(pool.submit(_probabilities, texts))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
