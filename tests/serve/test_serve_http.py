"""`stance serve` as a client meets it: the real server in a subprocess on a loopback port, called over HTTP with httpx.

One server (the seed TF-IDF model, small limits so the refusals are cheap to
reach) answers every test of this module; the Label Studio requests copy the
shapes Label Studio sends (docs/serving.md names the sources).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from pipeline.corpus.segment import Sentence, text_hash
from pipeline.labels.labelstudio import export_tasks, labeling_config
from pipeline.labels.session import label_keys
from pipeline.predict.api import StanceModel, load
from pipeline.scores import Scored
from tests.conftest import CONFIG, ROOT

pytestmark = pytest.mark.slow  # starts a server process: a few seconds in all

STANCE = Path(sys.executable).with_name("stance")
ARTICLE = ROOT / "data" / "articles" / "004_4e83cf9310ecd704.txt"
MAX_BODY, MAX_SENTENCES = 20_000, 60
SEED = [json.loads(line) for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]


class Server(NamedTuple):
    url: str
    model: StanceModel  # the same folder loaded in this process: what the server's answers must equal
    watched: tuple[Path, ...]  # the server's working folder, temporary folder and model folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(seed_tfidf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    cwd, tmp, logs = (tmp_path_factory.mktemp(name) for name in ("serve-cwd", "serve-tmp", "serve-logs"))
    port = free_port()
    command = [str(STANCE), "serve", "--model", str(seed_tfidf), "--port", str(port), "--max-body-bytes", str(MAX_BODY), "--max-sentences", str(MAX_SENTENCES)]
    env = os.environ | {"HF_HUB_OFFLINE": "1", "TMPDIR": str(tmp)}
    with (logs / "server.log").open("wb") as log:
        process = subprocess.Popen([*command, "--timeout", "30"], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the server did not start: {(logs / 'server.log').read_text(encoding='utf-8')}")
            time.sleep(0.1)
        yield Server(url, load(seed_tfidf), (cwd, tmp, seed_tfidf))
    finally:
        process.terminate()
        process.wait(timeout=20)


def post(server: Server, path: str, body: Any) -> httpx.Response:
    return httpx.post(server.url + path, json=body, timeout=30)


def model_json(server: Server) -> dict[str, Any]:
    return json.loads((server.model.folder / "model.json").read_text(encoding="utf-8"))


def test_health_model_and_versions_describe_the_loaded_model(server: Server) -> None:
    digest = hashlib.sha256((server.model.folder / "model.json").read_bytes()).hexdigest()[:16]
    version = f"stance tfidf ({model_json(server)['training_labels_sha256'][:8]})"
    for path in ("/health", "/"):
        assert httpx.get(server.url + path).json() == {"status": "UP", "model": "tfidf", "model_card": digest, "model_version": version}
    card = httpx.get(server.url + "/model").json()
    assert card["card"] == model_json(server)
    assert (card["model"], card["model_card"], card["model_version"], card["min_confidence"]) == ("tfidf", digest, version, server.model.min_confidence)
    assert httpx.get(server.url + "/versions").json() == {"versions": [version]}


def test_sentences_and_articles_get_the_records_of_the_python_api(server: Server) -> None:
    texts = [row["text"] for row in SEED[:12]]
    answer = post(server, "/predict", {"sentences": texts})
    assert answer.status_code == 200
    assert answer.json() == {"records": server.model.classify_sentences(texts), "warnings": []}
    article = {ARTICLE.stem: ARTICLE.read_text(encoding="utf-8")}
    records = post(server, "/predict", {"articles": [{"id": ARTICLE.stem, "text": article[ARTICLE.stem]}]}).json()["records"]
    assert records == list(server.model.classify_articles(article)) and len(records) > 10
    summaries = post(server, "/predict", {"articles": [{"id": ARTICLE.stem, "text": article[ARTICLE.stem]}], "summaries": True}).json()
    assert summaries == {"articles": server.model.summarise_articles(article), "warnings": []}


def test_a_foreign_article_comes_back_marked_and_warned_about(server: Server) -> None:
    text = "Die Regierung muss sofort mit den Aufständischen verhandeln, sagte der Minister am Montag in der Hauptstadt vor Journalisten."
    answer = post(server, "/predict", {"sentences": [text]}).json()
    assert answer["records"][0]["language"] == "de" and "German" in answer["warnings"][0]


TOO_MANY = [f"Talks resumed on day {n}." for n in range(MAX_SENTENCES + 1)]
LONG_ARTICLE = " ".join(f"The envoy met the commanders on day {n} of the talks." for n in range(MAX_SENTENCES + 5))
REFUSED = [
    (b'{"sentences": ["Talks now."', 400, "body: not JSON (Expecting ',' delimiter: line 1 column 28 (char 27))"),
    (b"\xff\xfe\x00", 400, "body: not UTF-8 text"),
    (b"[1, 2]", 400, "body: expected an object, got an array"),
    (b"{}", 400, "body: give either 'sentences' or 'articles'"),
    ({"sentence": ["Talks now."]}, 400, "body: unknown field 'sentence'; expected 'sentences', or 'articles' and 'summaries' (or Label Studio's 'tasks')"),
    ({"sentences": "Talks now."}, 400, "sentences: expected an array, got a string"),
    ({"sentences": ["Talks now.", 3]}, 400, "sentences[1]: expected a string, got a number"),
    ({"sentences": ["Talks now.", "  "]}, 400, "sentences[1]: holds no text"),
    ({"sentences": []}, 400, "sentences: holds no sentence"),
    ({"sentences": ["Talks now."], "summaries": True}, 400, "summaries: summarises articles; send 'articles' to have them summarised"),
    ({"articles": [{"id": "a", "text": "Talks now."}], "summaries": "yes"}, 400, "summaries: expected a boolean, got a string"),
    ({"articles": [{"id": "a"}]}, 400, "articles[0]: no field 'text'"),
    ({"articles": [{"text": "Talks now."}]}, 400, "articles[0]: no field 'id'"),
    ({"articles": [{"id": 7, "text": "Talks now."}]}, 400, "articles[0].id: expected a string, got a number"),
    ({"articles": [{"id": "a", "text": "x."}, {"id": "a", "text": "y."}]}, 400, "articles[1].id: 'a' is the id of an article before it"),
    (
        {"tasks": [{"data": {"text": "Talks now."}}, {"data": {"sentence": "x"}}]},
        400,
        "tasks[1].data: no field 'text'; the tasks of `stance labels export` hold their sentence there",
    ),
    ({"tasks": [{"data": {"text": "Talks now."}}, {"id": 2}]}, 400, "tasks[1]: no field 'data'"),
    ({"tasks": {"data": {"text": "Talks now."}}}, 400, "tasks: expected an array, got an object"),
    ({"tasks": [{"data": {"text": None}}]}, 400, "tasks[0].data.text: expected a string, got null"),
    ({"sentences": TOO_MANY}, 413, "sentences: 61 sentences, more than the 60 sentences a request may hold (--max-sentences)"),
    ({"tasks": [{"data": {"text": text}} for text in TOO_MANY]}, 413, "tasks: 61 tasks, more than the 60 sentences a request may hold (--max-sentences)"),
    (
        {"articles": [{"id": "a", "text": LONG_ARTICLE}]},
        413,
        "articles: 65 sentences once segmented, more than the 60 sentences a request may hold (--max-sentences)",
    ),
    ({"sentences": ["Talks now. " * 2000]}, 413, "body: more than 20000 bytes, the most a request may send (--max-body-bytes)"),
]


@pytest.mark.parametrize(("body", "status", "message"), REFUSED, ids=[message.split(":")[0] + f"-{n}" for n, (_, _, message) in enumerate(REFUSED)])
def test_a_bad_predict_request_gets_one_line_naming_what_and_where(server: Server, body: Any, status: int, message: str) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    answer = httpx.post(server.url + "/predict", content=content, headers={"content-type": "application/json"}, timeout=30)
    assert (answer.status_code, answer.json()) == (status, {"error": message})
    assert "\n" not in answer.text


def test_a_chunked_body_is_refused_once_it_passes_the_limit(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"sentences": ["'
        for _ in range(40):  # 40 KB in all, twice the limit, with no Content-Length to check first
            yield b"a" * 1024
        yield b'"]}'

    answer = httpx.post(server.url + "/predict", content=chunks(), timeout=30)
    assert answer.status_code == 413 and answer.json() == {"error": f"body: more than {MAX_BODY} bytes, the most a request may send (--max-body-bytes)"}


@pytest.mark.parametrize(
    ("method", "path", "status", "message", "allow"),
    [
        (
            "GET",
            "/nowhere",
            404,
            "GET /nowhere: no such route; this server answers GET /health, GET /model, POST /predict; for Label Studio POST /setup, POST /webhook, GET /versions",
            None,
        ),
        ("GET", "/predict", 405, "GET /predict: method not allowed; /predict answers POST", "POST"),
        ("POST", "/health", 405, "POST /health: method not allowed; /health answers GET, HEAD", "GET, HEAD"),
        ("DELETE", "/model", 405, "DELETE /model: method not allowed; /model answers GET, HEAD", "GET, HEAD"),
    ],
)
def test_an_unknown_route_or_method_gets_the_same_one_line_error(server: Server, method: str, path: str, status: int, message: str, allow: str | None) -> None:
    answer = httpx.request(method, server.url + path)
    assert (answer.status_code, answer.json(), answer.headers.get("allow")) == (status, {"error": message}, allow)


def test_fifty_concurrent_requests_each_get_their_own_sentences_back_in_order(server: Server) -> None:
    texts = [row["text"] for row in SEED]
    asked = [[texts[(7 * n + k) % len(texts)] for k in range(1 + n % 5)] for n in range(50)]

    async def ask_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=httpx.Limits(max_connections=50)) as client:
            return await asyncio.gather(*(client.post("/predict", json={"sentences": sentences}) for sentences in asked))

    answers = asyncio.run(ask_all())
    assert [answer.status_code for answer in answers] == [200] * 50
    for sentences, answer in zip(asked, answers, strict=True):
        assert answer.json()["records"] == server.model.classify_sentences(sentences)


# What Label Studio sends (label_studio/ml/api_connector.py: MLApi.setup and _prep_prediction_req; tasks serialised by
# TaskSimpleSerializer, every field of a task), for a project with the labeling config `stance labels export` writes.
PROJECT = "3.1767225600"  # "{project.id}.{int(project.created_at.timestamp())}"
CONFIG_XML = labeling_config(label_keys(CONFIG.labeling, CONFIG.labels))


def sentences() -> list[Sentence]:
    rows = [row for row in SEED if row["article"] == SEED[0]["article"]][:6]
    return [Sentence(row["id"], row["article"], n, 0, row["text"], text_hash(row["text"]), "seed") for n, row in enumerate(rows)]


def label_studio_task(number: int, exported: dict[str, Any]) -> dict[str, Any]:
    stamp = "2026-01-01T10:00:00.000000Z"
    return {
        "id": 100 + number,
        "data": exported["data"],
        "meta": {},
        "created_at": stamp,
        "updated_at": stamp,
        "is_labeled": False,
        "overlap": 1,
        "inner_id": number + 1,
        "total_annotations": 0,
        "cancelled_annotations": 0,
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 3,
        "updated_by": None,
        "file_upload": 1,
        "comment_authors": [],
        "annotations": [],
        "predictions": [],
    }


def test_label_studio_connects_and_gets_the_predictions_a_task_export_carries(server: Server) -> None:
    setup = {"project": PROJECT, "schema": CONFIG_XML, "hostname": "http://localhost:8080", "access_token": "0123abcd", "extra_params": None}
    answer = post(server, "/setup", setup)
    assert answer.status_code == 200 and answer.json() == {"model_version": server.model.version}
    assert httpx.get(server.url + "/health").json()["status"] == "UP"
    batch = sentences()
    tasks = [label_studio_task(n, task) for n, task in enumerate(export_tasks(batch, [], {}, 2, False))]
    request = {"tasks": tasks, "project": PROJECT, "label_config": CONFIG_XML, "params": {"login": None, "password": None, "context": None}}
    answer = post(server, "/predict", request)
    assert answer.status_code == 200
    # As label_studio/ml/models.py reads it (MLBackend._get_predictions_from_ml_backend): a dict with a list of results,
    # one per task in order, each a dict with a `result` list, a `score` and a `model_version`.
    results = answer.json()["results"]
    assert isinstance(results, list) and len(results) == len(tasks)
    for result in results:
        assert set(result) == {"result", "score", "model_version"} and result["model_version"] == server.model.version
        [choice] = result["result"]
        assert (choice["from_name"], choice["to_name"], choice["type"]) == ("label", "text", "choices")
        assert choice["value"]["choices"][0] in CONFIG.labels.names and 0.0 < result["score"] <= 1.0
    # ... and exactly what `stance labels export --with-predictions` writes into a task for the same guesses.
    records = server.model.classify_sentences([s.text for s in batch])
    guesses = {s.id: Scored(r["label"], r["scores"]) for s, r in zip(batch, records, strict=True)}
    exported = export_tasks(batch, [], {}, 2, False, guesses, server.model.version)
    assert results == [task["predictions"][0] for task in exported]


def test_label_studio_events_are_acknowledged_and_a_foreign_config_refused(server: Server) -> None:
    event = {"action": "ANNOTATION_CREATED", "project": {"id": 3, "label_config": CONFIG_XML}, "annotation": {"id": 9, "result": []}, "task": {"id": 101}}
    answer = post(server, "/webhook", event)
    assert answer.status_code == 200 and answer.json()["status"] == "ignored"
    assert post(server, "/webhook", {"project": {"id": 3}}).json() == {"error": "body: no field 'action'"}
    other = CONFIG_XML.replace('name="label"', 'name="stance"')
    answer = post(server, "/setup", {"project": PROJECT, "schema": other})
    assert answer.status_code == 422
    assert answer.json()["error"].startswith('schema: no <Choices name="label" toName="text"> to put the predicted label in;')
    fewer = CONFIG_XML.replace('value="conditional"', 'value="maybe"')
    answer = post(server, "/predict", {"tasks": [{"data": {"text": "Talks now."}}], "label_config": fewer})
    assert answer.status_code == 422 and "are not the model's labels" in answer.json()["error"]
    assert post(server, "/setup", {"schema": "<View>"}).json()["error"].startswith("schema: not XML (")


def listing(folders: tuple[Path, ...]) -> list[tuple[str, int, int]]:
    return sorted((str(path), path.stat().st_size, path.stat().st_mtime_ns) for folder in folders for path in [folder, *folder.rglob("*")])


def test_the_server_writes_nothing(server: Server) -> None:
    before = listing(server.watched)
    post(server, "/predict", {"articles": [{"id": "a", "text": ARTICLE.read_text(encoding="utf-8")}], "summaries": True})
    post(server, "/predict", {"tasks": [{"data": {"text": "Talks now."}}]})
    post(server, "/predict", {"sentences": ["Talks now."] * (MAX_SENTENCES + 1)})
    httpx.get(server.url + "/model")
    assert listing(server.watched) == before
