"""The model, called from a worker thread one request at a time, within each request's time limit.

A call runs in a thread so the event loop keeps answering (health checks, other
requests' errors) while the model works. Calls are serialised by one lock:
the fast model is not thread-safe (model2vec's `StaticModel.encode` sets the
shared tokenizer's truncation on every call, and a Rust tokenizer changed while
another thread encodes raises "Already borrowed": huggingface/tokenizers#537),
and the transformer gains nothing from two at once, since its ONNX Runtime
session already spreads each run over every core (`Run` itself is thread-safe).
A request that passes its time limit is answered 503 at once; its thread, which
cannot be stopped, gives up waiting for the lock at the same deadline, or
finishes the one call it is in, so late work never piles up behind the lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio
import anyio.to_thread

from pipeline.serve.limits import ApiError

T = TypeVar("T")


class Runner:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.lock = threading.Lock()

    def late(self) -> ApiError:
        return ApiError(503, f"the model did not answer within {self.timeout:g} s (--timeout); send fewer sentences, or try again when the server is less busy")

    def _locked(self, work: Callable[[], T], deadline: float) -> T:
        if not self.lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise self.late()
        try:
            return work()
        finally:
            self.lock.release()

    async def __call__(self, work: Callable[[], T]) -> T:
        """`work()`'s result, computed in a worker thread; 503 when it cannot be had within the time limit."""
        deadline = time.monotonic() + self.timeout
        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(partial(self._locked, work, deadline), abandon_on_cancel=True)
        except TimeoutError:
            raise self.late() from None
