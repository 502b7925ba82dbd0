"""Label Studio interchange: sentences out as tasks, annotations back in as label records.

Export writes one task per sentence in Label Studio's JSON task format:
`data` holds the sentence (`text`), its `sentence_id` (not `id`, which Label
Studio's JSON_MIN and CSV exports overwrite with their own task id),
`article` and article `title`, and the sentences `before` and `after` it for
context; a sentence that already has a label carries it as an annotation, so
the team sees what is done, and `--with-predictions` adds the model's guess
as a prediction Label Studio can sort its queue by. The labeling config (XML)
names one single-choice control over the four labels, with the same keys as
`stance label`, and an optional note.

Import reads Label Studio's JSON, JSON_MIN and CSV exports (`labelstudio_formats`)
and maps each task back by its sentence id (`data.id` in exports older than
`sentence_id`). Cancelled (skipped) annotations are ignored; annotators who
disagree on a task are reported unless one annotation is marked ground
truth, which settles it. Every record then goes through the checks of
`stance labels check` (fields, known label, the id is a current sentence with
the same text and article). A sentence that already has the same label is
left alone; one with a different label is a conflict: reported and refused,
never overwritten. Any problem means nothing is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import quoteattr

from pipeline.corpus.segment import Sentence, text_hash
from pipeline.errors import StanceError
from pipeline.labels.labelstudio_formats import (
    CHOICE,
    NOTE,
    SENTENCE_ID,
    TEXT,
    UNNAMED,
    user_name,
)
from pipeline.labels.queue import Guess
from pipeline.labels.records import LabelRecord, consistency_problems, parse_record
from pipeline.params import LabelSet


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


def _choice(label: str) -> list[dict[str, Any]]:
    return [{"from_name": CHOICE, "to_name": TEXT, "type": "choices", "value": {"choices": [label]}}]


def prediction(label: str, confidence: float, version: str) -> dict[str, Any]:
    """A model's guess as a Label Studio prediction, in a task file and from `stance serve`: its confidence is the score the queue sorts by."""
    return {"model_version": version, "score": confidence, "result": _choice(label)}


def _result(record: LabelRecord) -> list[dict[str, Any]]:
    result = _choice(record.label)
    if record.note:
        result.append({"from_name": NOTE, "to_name": TEXT, "type": "textarea", "value": {"text": [record.note]}})
    return result


def export_tasks(
    sentences: Sequence[Sentence],
    records: Sequence[LabelRecord],
    titles: Mapping[str, str],
    context: int,
    unlabeled_only: bool,
    guesses: Mapping[str, Guess] | None = None,
    model_version: str = "",
) -> list[dict[str, Any]]:
    """One task per sentence in corpus order; labeled ones carry their label as an annotation, and each its model guess when given."""
    by_id = {record.id: record for record in records}
    around = _neighbours(sentences, context)
    tasks = []
    for sentence in sentences:
        record = by_id.get(sentence.id)
        if record is not None and unlabeled_only:
            continue
        before, after = around[sentence.id]
        data = {
            "text": sentence.text,
            SENTENCE_ID: sentence.id,
            "article": sentence.article,
            "title": titles.get(sentence.article, ""),
            "before": before,
            "after": after,
        }
        task: dict[str, Any] = {"data": data}
        if record is not None:
            task["annotations"] = [{"result": _result(record)}]
        if guesses is not None:
            guess = guesses[sentence.id]
            task["predictions"] = [prediction(guess.label, guess.confidence, model_version)]
        tasks.append(task)
    return tasks


def _annotator(annotation: Mapping[str, Any], users: Mapping[int, str]) -> str:
    """Who completed an annotation: Label Studio exports a user id (named through `users`), an email, or (older versions) a user object."""
    user = annotation.get("completed_by")
    if isinstance(user, dict):
        return user_name(user)
    if isinstance(user, int) and not isinstance(user, bool):
        return users.get(user, f"{UNNAMED}{user}")
    return str(user) if user not in (None, "") else "label-studio"


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


def sentence_id(data: Mapping[str, Any]) -> str | None:
    """The sentence a task is about: `sentence_id`, or `id` in exports written before it."""
    for key in (SENTENCE_ID, "id"):
        if isinstance(data.get(key), str):
            return data[key]
    return None


class Vote(NamedTuple):
    annotator: str
    label: str
    note: str
    ground_truth: bool


def _settled(votes: list[Vote], before: LabelRecord | None) -> list[Vote]:
    """The votes that count when annotators disagree: those marked ground truth if they agree; else, against a label
    already on file, the votes that differ from it (a second opinion, which the import reports as a conflict with that file)."""
    if len({v.label for v in votes}) < 2:
        return votes
    truth = [v for v in votes if v.ground_truth]
    if truth and len({v.label for v in truth}) == 1:
        return truth
    others = [v for v in votes if before is not None and v.label != before.label]
    return others if others and len({v.label for v in others}) == 1 else votes


def task_record(
    task: Mapping[str, Any], where: str, annotator: str | None, labels: LabelSet, users: Mapping[int, str], existing: Mapping[str, LabelRecord]
) -> LabelRecord | None:
    """The label record of one task; None when nobody labeled it. An annotation marked ground truth settles a disagreement."""
    data = task.get("data")
    identifier = sentence_id(data) if isinstance(data, dict) else None
    if not isinstance(data, dict) or identifier is None:
        raise StanceError(f"{where}: no sentence_id; import only tasks written by `stance labels export`.")
    where = f"{where} ({identifier})"
    votes = []
    for annotation in (a for a in task.get("annotations") or [] if isinstance(a, dict)):
        try:
            decision = _decision(annotation)
        except StanceError as err:
            raise StanceError(f"{where}: an annotation {err}.") from None
        if decision is not None:
            votes.append(Vote(_annotator(annotation, users), *decision, annotation.get("ground_truth") is True))
    if not votes:
        return None
    votes = _settled(votes, existing.get(identifier))
    if len({v.label for v in votes}) > 1:
        listed = ", ".join(f"{v.annotator}: {v.label}{' (ground truth)' * v.ground_truth}" for v in votes)
        raise StanceError(f"{where}: annotators disagree ({listed}); mark the right annotation as ground truth in Label Studio and export again.")
    who = annotator or ", ".join(dict.fromkeys(v.annotator for v in votes))
    note = "; ".join(dict.fromkeys(v.note for v in votes if v.note))
    raw = {"id": identifier, "article": data.get("article"), "text": data.get("text"), "label": votes[0].label, "annotator": who, "note": note}
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
    users: Mapping[int, str],
) -> Import:
    """Check every annotated task against the labels and sentences there are; nothing is written here."""
    result = Import()
    current = {record.id: record for record in existing}
    by_id = {s.id: s for s in sentences}
    for number, task in enumerate(tasks, start=1):
        try:
            record = task_record(task, f"{source}: task {number}", annotator, labels, users, current)
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
    unnamed = sorted({name for record in result.new for name in record.annotator.split(", ") if name.startswith(UNNAMED)})
    if unnamed and annotator is None:
        result.warnings.append(
            f"{source}: annotators are Label Studio user ids ({', '.join(unnamed)}); "
            "pass --users with the JSON of Label Studio's /api/users to record their names."
        )
    return result
