"""`stance serve`: one trained model over HTTP, as a JSON API and as Label Studio's ML backend."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.common import reports_errors
from pipeline.kinds import model_help
from pipeline.serve.limits import MAX_BODY_BYTES, MAX_SENTENCES, TIMEOUT, Limits


@reports_errors
def serve(
    model: Annotated[str, typer.Option("--model", help=f"The model to serve: {model_help()}.")] = "transformer",
    host: Annotated[str, typer.Option("--host", help="Address to listen on; 0.0.0.0 for every interface (the server has no authentication).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on (Label Studio's ML backends use 9090).")] = 9090,
    max_body_bytes: Annotated[int, typer.Option("--max-body-bytes", min=1, help="Largest request body accepted, in bytes.")] = MAX_BODY_BYTES,
    max_sentences: Annotated[int, typer.Option("--max-sentences", min=1, help="Most sentences (or Label Studio tasks) one request may hold.")] = MAX_SENTENCES,
    timeout: Annotated[float, typer.Option("--timeout", min=0.001, help="Seconds a request may wait for the model and run on it before a 503.")] = TIMEOUT,
) -> None:
    """Serve a model over HTTP: POST /predict, GET /health, GET /model, and Label Studio's ML backend (docs/serving.md)."""
    from pipeline.serve.server import serve as run

    run(model, host, port, Limits(max_body_bytes, max_sentences, timeout))
