"""What one request may ask of the server, and the one error every refusal raises.

The body is counted as it arrives, before any of it is parsed: a declared
Content-Length over the limit is refused unread, and a chunked body as soon as
its chunks pass the limit, so no request makes the server hold more than the
limit in memory. (Starlette's own `max_body_size` does the same, but answers a
declared length over it in plain text, not in this server's JSON.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.errors import StanceError

if TYPE_CHECKING:  # `stance --help` reads the defaults below without the `serve` extra installed
    from starlette.requests import Request

# The defaults `stance serve` starts with. A Label Studio task carries its sentence and a few around it (about 1 KB),
# so a batch of MAX_SENTENCES tasks fits MAX_BODY_BYTES; the transformer's int8 graph classifies it within TIMEOUT on
# two cores, and Label Studio waits 100 s for a prediction (ML_TIMEOUT_PREDICT) before it gives up.
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_SENTENCES = 1000
TIMEOUT = 60.0


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = MAX_BODY_BYTES
    max_sentences: int = MAX_SENTENCES
    timeout: float = TIMEOUT  # seconds a request may wait for the model and run on it

    def __post_init__(self) -> None:
        if self.max_body_bytes < 1 or self.max_sentences < 1 or self.timeout <= 0:
            raise StanceError(f"the limits must be positive, got {self.max_body_bytes} bytes, {self.max_sentences} sentences and {self.timeout} s.")


class ApiError(Exception):
    """A request the server refuses: its HTTP status and one line that says what is wrong and where."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def too_large(limit: int) -> ApiError:
    return ApiError(413, f"body: more than {limit} bytes, the most a request may send (--max-body-bytes)")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused (413) as soon as it is known to pass `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and not declared.isdigit():
        raise ApiError(400, f"Content-Length: not a number of bytes: {declared!r}")
    if declared is not None and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)
