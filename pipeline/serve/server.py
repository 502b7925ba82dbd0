"""`stance serve`'s one function: load the model, then answer HTTP on uvicorn until interrupted."""

from __future__ import annotations

import sys

from pipeline.errors import StanceError
from pipeline.predict.api import load
from pipeline.serve.limits import Limits

INSTALL = "pip install 'stance[serve]' (Starlette and uvicorn)"


def serve(model: str, host: str, port: int, limits: Limits) -> None:
    """A model that cannot be loaded is a StanceError before anything listens; then the server runs until Ctrl-C."""
    try:
        import uvicorn

        from pipeline.serve.app import create_app
    except ImportError as missing:
        raise StanceError(f"stance serve needs {missing.name}, an optional extra: {INSTALL}.") from None
    loaded = load(model)
    url = f"http://{host}:{port}"
    print(
        f"Serving {loaded.version} ({loaded.runtime}, {loaded.folder}) at {url}: POST /predict, GET /health, GET /model; "
        f"for Label Studio, connect {url} in the project's Settings > Model.",
        file=sys.stderr,
    )
    uvicorn.run(create_app(loaded, limits), host=host, port=port, log_level="info")
