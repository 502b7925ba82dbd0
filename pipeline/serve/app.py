"""The ASGI app: one loaded model behind this server's JSON API and Label Studio's ML backend, every refusal one line of JSON.

Starlette routes the requests; each endpoint reads its body within the size
limit (`pipeline.serve.limits`) into a typed request (`pipeline.serve.bodies`), hands the model's part to
the runner's worker thread, and answers JSON. Every error, an unknown route or
method included, is `{"error": "..."}` with a 4xx status, naming what is wrong
and where; nothing is written to disk.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pipeline.errors import StanceError
from pipeline.predict.api import StanceModel
from pipeline.serve import backend
from pipeline.serve.bodies import Classify, at_most, classify_request, json_object, tasks_request
from pipeline.serve.limits import ApiError, Limits, read_body
from pipeline.serve.runner import Runner

ROUTES = "GET /health, GET /model, POST /predict; for Label Studio POST /setup, POST /webhook, GET /versions"


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message.replace("\n", "\\n")}, status, headers=headers)


def classify(request: Classify, model: StanceModel, max_sentences: int) -> dict[str, Any]:
    """The records `stance predict` writes (with `summaries`, its `--format json` articles) and the warnings on the way."""
    warnings: list[str] = []
    if request.sentences is not None:
        return {"records": model.classify_sentences(request.sentences, warn=warnings.append), "warnings": warnings}
    sentences = list(model.article_sentences(request.articles or (), warn=warnings.append))  # segmented once: counted, then classified
    at_most(len(sentences), max_sentences, "articles", "sentences once segmented")
    if request.summaries:
        return {"articles": model.summaries(sentences, warn=warnings.append), "warnings": warnings}
    return {"records": list(model.records(model.predictions(sentences, warn=warnings.append))), "warnings": warnings}


def refused(request: Request, exc: Exception) -> JSONResponse:
    """Every exception as one line of JSON: the server's own refusals, a bad input the API names, Starlette's 404 and 405."""
    if isinstance(exc, ApiError):
        return error(exc.status, str(exc))
    if isinstance(exc, StanceError):
        return error(400, str(exc))
    route = f"{request.method} {request.url.path}"
    if isinstance(exc, HTTPException) and exc.status_code == 404:
        return error(404, f"{route}: no such route; this server answers {ROUTES}")
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        allowed = ", ".join(sorted((exc.headers or {}).get("Allow", "").split(", ")))  # Starlette keeps a route's methods in a set
        return error(405, f"{route}: method not allowed; {request.url.path} answers {allowed}", {"Allow": allowed})
    if isinstance(exc, HTTPException):
        return error(exc.status_code, f"{route}: {exc.detail}")
    return error(500, f"{route}: internal error ({type(exc).__name__}); the server's log has the details")


def create_app(model: StanceModel, limits: Limits) -> Starlette:
    runner = Runner(limits.timeout)

    async def body(request: Request) -> dict[str, Any]:
        return json_object(await read_body(request, limits.max_body_bytes))

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "UP"} | model.stamp | {"model_version": model.version})

    async def card(request: Request) -> JSONResponse:
        about = {"model_version": model.version, "runtime": model.runtime, "min_confidence": model.min_confidence}
        return JSONResponse(model.stamp | about | {"card": model.card.to_json()})

    async def predict(request: Request) -> JSONResponse:
        """Label Studio's body has `tasks`; this server's own has `sentences` or `articles`."""
        query = await body(request)
        if "tasks" in query:
            tasks = backend.checked(tasks_request(query, limits.max_sentences), model)
            return JSONResponse(await runner(partial(backend.predictions, tasks, model)))
        return JSONResponse(await runner(partial(classify, classify_request(query, limits.max_sentences), model, limits.max_sentences)))

    async def setup(request: Request) -> JSONResponse:
        return JSONResponse(backend.setup(await body(request), model))

    async def webhook(request: Request) -> JSONResponse:
        return JSONResponse(backend.webhook(await body(request)))

    async def versions(request: Request) -> JSONResponse:
        return JSONResponse({"versions": [model.version]})

    routes = [
        Route("/", health, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/model", card, methods=["GET"]),
        Route("/predict", predict, methods=["POST"]),
        Route("/setup", setup, methods=["POST"]),
        Route("/webhook", webhook, methods=["POST"]),
        Route("/versions", versions, methods=["GET"]),
    ]
    handlers = {ApiError: refused, StanceError: refused, HTTPException: refused, Exception: refused}
    return Starlette(routes=routes, exception_handlers=handlers)
