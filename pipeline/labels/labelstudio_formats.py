"""Label Studio's exports read into one shape: its JSON (tasks with annotations), JSON_MIN and CSV.

JSON_MIN and CSV hold one flat row per annotation: the task's data fields at
the top level, each control's value under the control's name (`label`,
`note`) and the `annotator`. They are regrouped into tasks with one annotation
per row, so one import path checks every format. Label Studio writes its own
task id over a data field named `id`, which is why tasks name their sentence
`sentence_id`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import StanceError
from pipeline.files import read_utf8

CHOICE = "label"  # the Choices control: from_name of a label
NOTE = "note"  # the TextArea control: from_name of a note
TEXT = "text"  # the Text object both controls point at: to_name
SENTENCE_ID = "sentence_id"
UNNAMED = "label-studio-user-"  # an annotator known only by Label Studio's user id
EXPECTED = "expected Label Studio's JSON, JSON_MIN or CSV export of tasks written by `stance labels export`"


@dataclass(frozen=True)
class Export:
    format: str
    tasks: list[dict[str, Any]]


def user_name(user: Mapping[str, Any]) -> str:
    """A Label Studio user's email, else username, else full name, else its id."""
    full = " ".join(str(user.get(part) or "") for part in ("first_name", "last_name")).strip()
    return str(user.get("email") or user.get("username") or full or f"{UNNAMED}{user.get('id')}")


def _values(value: Any, key: str) -> list[str]:
    """A control's value in a flat row: one string, or {key: [...]} when it holds several."""
    if isinstance(value, dict):
        return [str(v) for v in value.get(key) or []]
    return [] if value in (None, "") else [str(value)]


def _annotator(value: Any) -> Any:
    """JSON_MIN gives a user id (a number) or an email; CSV gives either as text."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def regrouped(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    tasks: dict[str, dict[str, Any]] = {}
    for row in rows:
        sentence = str(row.get(SENTENCE_ID))
        task = tasks.setdefault(sentence, {"data": {SENTENCE_ID: sentence, "article": row.get("article"), TEXT: row.get(TEXT)}, "annotations": []})
        result = [{"from_name": CHOICE, "value": {"choices": _values(row.get(CHOICE), "choices")}}]
        result.append({"from_name": NOTE, "value": {"text": _values(row.get(NOTE), "text")}})
        task["annotations"].append({"completed_by": _annotator(row.get("annotator")), "result": result})
    return list(tasks.values())


def read_export(path: Path) -> Export:
    """The tasks of any export Label Studio writes for this project, and which format it was."""
    text = read_utf8(path)
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        parsed = None
    if isinstance(parsed, list) and all(isinstance(item, dict) for item in parsed):
        if all("data" in item for item in parsed):
            return Export("JSON", parsed)
        if all(SENTENCE_ID in item for item in parsed):
            return Export("JSON_MIN", regrouped(parsed))
    if parsed is None:
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            if reader.fieldnames and SENTENCE_ID in reader.fieldnames:
                return Export("CSV", regrouped(list(reader)))
        except csv.Error:
            pass
    raise StanceError(f"{path}: not an export this can read; {EXPECTED}.")


def read_users(path: Path) -> dict[int, str]:
    """User id -> name from the JSON that Label Studio's /api/users returns."""
    try:
        users = json.loads(read_utf8(path))
    except json.JSONDecodeError as err:
        raise StanceError(f"{path}: not valid JSON ({err.msg}, line {err.lineno}).") from None
    if isinstance(users, dict) and isinstance(users.get("results"), list):
        users = users["results"]
    if not isinstance(users, list) or not all(isinstance(u, dict) and isinstance(u.get("id"), int) for u in users):
        raise StanceError(f"{path}: expected the list of users that Label Studio's /api/users returns, each with an id.")
    return {user["id"]: user_name(user) for user in users}
