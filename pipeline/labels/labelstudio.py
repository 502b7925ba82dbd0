"""Label Studio interchange: sentences out as tasks, annotations back in as label records.

Export writes one task per sentence in Label Studio's JSON task format:
`data` holds the sentence (`text`), its `id`, `article` and article `title`,
and the sentences `before` and `after` it for context; a sentence that already has a label carries
it as an annotation, so the team sees what is done. The labeling config (XML)
names one single-choice control over the four labels, with the same keys as
`stance label`, and an optional note.

Import reads Label Studio's JSON export and maps each task back by `data.id`.
Cancelled (skipped) annotations are ignored; annotators who disagree on a task
are reported, not resolved. Every record then goes through the checks of
`stance labels check` (fields, known label, the id is a current sentence with
the same text and article). A sentence that already has the same label is
left alone; one with a different label is a conflict: reported and refused,
never overwritten. Any problem means nothing is written.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from pipeline.corpus.segment import Sentence, text_hash
from pipeline.errors import StanceError
from pipeline.files import read_utf8
from pipeline.labels.records import LabelRecord, consistency_problems, parse_record
from pipeline.params import LabelSet

CHOICE = "label"  # the Choices control: from_name of a label
NOTE = "note"  # the TextArea control: from_name of a note
TEXT = "text"  # the Text object both controls point at: to_name


def labeling_config(keys: Mapping[str, str]) -> str:
    """The project's labeling interface: paste into Settings > Labeling Interface > Code."""
    choices = "\n".join(f"    <Choice value={quoteattr(label)} hotkey={quoteattr(key)}/>" for key, label in keys.items())
    return (
        "<View>\n"
        '  <Header value="$title"/>\n'
        '  <View style="color: gray">\n'
        '    <Text name="before" value="$before"/>\n'
        "  </View>\n"
        f'  <Text name="{TEXT}" value="$text"/>\n'
        '  <View style="color: gray">\n'
        '    <Text name="after" value="$after"/>\n'
        "  </View>\n"
        f'  <Choices name="{CHOICE}" toName="{TEXT}" choice="single" showInline="true" required="true">\n'
        f"{choices}\n"
        "  </Choices>\n"
        f'  <TextArea name="{NOTE}" toName="{TEXT}" placeholder="note (optional)" maxSubmissions="1" editable="true"/>\n'
        "</View>\n"
    )


def _neighbours(sentences: Sequence[Sentence], context: int) -> dict[str, tuple[str, str]]:
    """Text before and after each sentence within its article."""
    out = {}
    for i, sentence in enumerate(sentences):
        before = [s.text for s in sentences[max(0, i - context) : i] if s.article == sentence.article]
        after = [s.text for s in sentences[i + 1 : i + 1 + context] if s.article == sentence.article]
        out[sentence.id] = (" ".join(before), " ".join(after))
    return out


def _result(record: LabelRecord) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = [{"from_name": CHOICE, "to_name": TEXT, "type": "choices", "value": {"choices": [record.label]}}]
    if record.note:
        result.append({"from_name": NOTE, "to_name": TEXT, "type": "textarea", "value": {"text": [record.note]}})
    return result


def export_tasks(
    sentences: Sequence[Sentence], records: Sequence[LabelRecord], titles: Mapping[str, str], context: int, unlabeled_only: bool
) -> list[dict[str, Any]]:
    """One task per sentence in corpus order; labeled ones carry their label as an annotation."""
    by_id = {record.id: record for record in records}
    around = _neighbours(sentences, context)
    tasks = []
    for sentence in sentences:
        record = by_id.get(sentence.id)
        if record is not None and unlabeled_only:
            continue
        before, after = around[sentence.id]
        data = {"text": sentence.text, "id": sentence.id, "article": sentence.article, "title": titles.get(sentence.article, ""), "before": before, "after": after}
        task: dict[str, Any] = {"data": data}
        if record is not None:
            task["annotations"] = [{"result": _result(record)}]
        tasks.append(task)
    return tasks


def read_export(path: Path) -> list[dict[str, Any]]:
    try:
        tasks = json.loads(read_utf8(path))
    except json.JSONDecodeError as err:
        raise StanceError(f"{path}: not valid JSON ({err.msg}, line {err.lineno}).") from None
    if not isinstance(tasks, list) or not all(isinstance(task, dict) for task in tasks):
        raise StanceError(f"{path}: expected Label Studio's JSON export, a list of tasks.")
    return tasks


def _annotator(annotation: Mapping[str, Any]) -> str:
    """Who completed an annotation: Label Studio exports a user id, or (older versions) a user object."""
    user = annotation.get("completed_by")
    if isinstance(user, dict):
        name = " ".join(str(user.get(part) or "") for part in ("first_name", "last_name")).strip()
        return str(user.get("email") or name or f"label-studio-user-{user.get('id')}")
    return f"label-studio-user-{user}" if user is not None else "label-studio"


def _values(result: Any, control: str, key: str) -> list[str]:
    """What one control recorded in an annotation's result: its choices, or its text."""
    found: list[str] = []
    for item in result if isinstance(result, list) else []:
        value = item.get("value") if isinstance(item, dict) and item.get("from_name") == control else None
        if isinstance(value, dict) and isinstance(value.get(key), list):
            found.extend(str(v) for v in value[key])
    return found


def _decision(annotation: Mapping[str, Any]) -> tuple[str, str] | None:
    """(label, note) of one annotation; None when it was cancelled or chose nothing."""
    if annotation.get("was_cancelled"):
        return None
    choices = _values(annotation.get("result"), CHOICE, "choices")
    if not choices:
        return None
    if len(choices) > 1:
        raise StanceError(f"chose {len(choices)} labels ({', '.join(choices)}) where one is expected")
    return choices[0], " ".join(_values(annotation.get("result"), NOTE, "text")).strip()


def task_record(task: Mapping[str, Any], where: str, annotator: str | None, labels: LabelSet) -> LabelRecord | None:
    """The label record of one task; None when nobody labeled it."""
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise StanceError(f"{where}: no data.id; import only tasks written by `stance labels export`.")
    where = f"{where} ({data['id']})"
    annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict)]
    decided = []
    for annotation in annotations:
        try:
            decision = _decision(annotation)
        except StanceError as err:
            raise StanceError(f"{where}: an annotation {err}.") from None
        if decision is not None:
            decided.append((_annotator(annotation), *decision))
    if not decided:
        return None
    chosen = {label for _, label, _ in decided}
    if len(chosen) > 1:
        votes = ", ".join(f"{who}: {label}" for who, label, _ in decided)
        raise StanceError(f"{where}: annotators disagree ({votes}); settle it in Label Studio first.")
    who = annotator or ", ".join(dict.fromkeys(name for name, _, _ in decided))
    note = "; ".join(dict.fromkeys(n for _, _, n in decided if n))
    raw = {"id": data["id"], "article": data.get("article"), "text": data.get("text"), "label": decided[0][1], "annotator": who, "note": note}
    return parse_record(raw, where, labels)


@dataclass
class Import:
    new: list[LabelRecord] = field(default_factory=list)
    unchanged: int = 0  # already labeled the same
    unlabeled: int = 0  # tasks nobody labeled
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def by_hash_in_place(record: LabelRecord, sentences: Mapping[str, Sentence], in_place: frozenset[str]) -> LabelRecord:
    """A task's label for a sentence read in place keeps the hash of the task's text, never the text itself."""
    sentence = sentences.get(record.id)
    if sentence is None or sentence.corpus not in in_place or record.text is None:
        return record
    return dataclasses.replace(record, text=None, hash=text_hash(record.text))


def import_labels(
    tasks: Sequence[Mapping[str, Any]],
    source: Path,
    existing: Sequence[LabelRecord],
    sentences: Sequence[Sentence],
    labels: LabelSet,
    annotator: str | None,
    in_place: frozenset[str],
) -> Import:
    """Check every annotated task against the labels and sentences there are; nothing is written here."""
    result = Import()
    current = {record.id: record for record in existing}
    by_id = {s.id: s for s in sentences}
    for number, task in enumerate(tasks, start=1):
        try:
            record = task_record(task, f"{source}: task {number}", annotator, labels)
        except StanceError as err:
            result.problems.append(str(err))
            continue
        if record is None:
            result.unlabeled += 1
            continue
        before = current.get(record.id)
        if before is None:
            result.new.append(by_hash_in_place(record, by_id, in_place))
        elif before.label == record.label:
            result.unchanged += 1
            sentence = by_id.get(record.id)
            if sentence is not None and record.text is not None and record.text != sentence.text:
                result.warnings.append(f"{record.where}: its text was edited in Label Studio; the label stays on the sentence as it is in the corpus.")
        else:
            result.problems.append(
                f"{record.where}: conflict: labeled {before.label!r} at {before.where} but {record.label!r} here; "
                "nothing was overwritten, change one of them by hand."
            )
    result.problems.extend(consistency_problems(result.new, by_id, in_place))
    return result
