"""Request bodies read into typed requests, each problem named by where it is (`tasks[3].data: no field 'text'`).

`POST /predict` takes two shapes, told apart by their fields: Label Studio's
(`tasks`, with `project`, `label_config`, `params` beside it) and this
server's own (`sentences`, or `articles` with an optional `summaries`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pipeline.serve.limits import ApiError

JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number", type(None): "null"}
STANCE_FIELDS = ("sentences", "articles", "summaries")


def bad(where: str, problem: str) -> ApiError:
    return ApiError(400, f"{where}: {problem}")


def json_type(value: Any) -> str:
    return JSON_TYPES.get(type(value), type(value).__name__)


def expect(value: Any, kind: type, where: str) -> Any:
    """`value` itself when it is of the JSON type `kind`; a bool is never taken for a number."""
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        raise bad(where, f"expected {JSON_TYPES[kind]}, got {json_type(value)}")
    return value


def field(record: dict[str, Any], name: str, kind: type, where: str) -> Any:
    if name not in record:
        raise bad(where, f"no field {name!r}")
    return expect(record[name], kind, f"{where}.{name}" if where != "body" else name)


def text(value: Any, where: str) -> str:
    """A string with something in it to classify."""
    if not expect(value, str, where).strip():
        raise bad(where, "holds no text")
    return str(value)


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object."""
    try:
        parsed = json.loads(body)
    except UnicodeDecodeError:
        raise bad("body", "not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise bad("body", f"not JSON ({err})") from None
    return dict(expect(parsed, dict, "body"))


def at_most(count: int, limit: int, where: str, what: str) -> None:
    if count > limit:
        raise ApiError(413, f"{where}: {count} {what}, more than the {limit} sentences a request may hold (--max-sentences)")


@dataclass(frozen=True)
class Classify:
    """This server's own request: sentences as given, or whole articles to segment (and, with `summaries`, summarise)."""

    sentences: tuple[str, ...] | None
    articles: tuple[tuple[str, str], ...] | None
    summaries: bool


def _articles(value: Any) -> tuple[tuple[str, str], ...]:
    pairs: dict[str, str] = {}
    for number, article in enumerate(expect(value, list, "articles")):
        where = f"articles[{number}]"
        identifier = field(expect(article, dict, where), "id", str, where)
        if not identifier.strip():
            raise bad(f"{where}.id", "is empty")
        if identifier in pairs:
            raise bad(f"{where}.id", f"{identifier!r} is the id of an article before it")
        if "text" not in article:
            raise bad(where, "no field 'text'")
        pairs[identifier] = text(article["text"], f"{where}.text")
    if not pairs:
        raise bad("articles", "holds no article")
    return tuple(pairs.items())


def classify_request(body: dict[str, Any], max_sentences: int) -> Classify:
    """`{"sentences": [...]}` or `{"articles": [{"id": ..., "text": ...}], "summaries": false}`."""
    unknown = sorted(set(body) - set(STANCE_FIELDS))
    if unknown:
        raise bad("body", f"unknown field {unknown[0]!r}; expected 'sentences', or 'articles' and 'summaries' (or Label Studio's 'tasks')")
    if ("sentences" in body) == ("articles" in body):
        raise bad("body", "give either 'sentences' or 'articles'")
    summaries = expect(body.get("summaries", False), bool, "summaries")
    if "articles" in body:
        return Classify(None, _articles(body["articles"]), summaries)
    if "summaries" in body:
        raise bad("summaries", "summarises articles; send 'articles' to have them summarised")
    sentences = tuple(text(value, f"sentences[{number}]") for number, value in enumerate(expect(body["sentences"], list, "sentences")))
    if not sentences:
        raise bad("sentences", "holds no sentence")
    at_most(len(sentences), max_sentences, "sentences", "sentences")
    return Classify(sentences, None, False)


@dataclass(frozen=True)
class Tasks:
    """Label Studio's request for predictions: one sentence per task, in `data.text` as `stance labels export` writes it."""

    texts: tuple[str, ...]
    label_config: str | None


def optional_string(body: dict[str, Any], name: str) -> str | None:
    return None if body.get(name) is None else str(expect(body[name], str, name))


def tasks_request(body: dict[str, Any], max_sentences: int) -> Tasks:
    tasks = field(body, "tasks", list, "body")
    at_most(len(tasks), max_sentences, "tasks", "tasks")
    texts = []
    for number, task in enumerate(tasks):
        where = f"tasks[{number}]"
        data = field(expect(task, dict, where), "data", dict, where)
        if "text" not in data:
            raise bad(f"{where}.data", "no field 'text'; the tasks of `stance labels export` hold their sentence there")
        texts.append(text(data["text"], f"{where}.data.text"))
    if body.get("params") is not None:
        expect(body["params"], dict, "params")
    return Tasks(tuple(texts), optional_string(body, "label_config"))
