"""Label Studio interchange: export tasks and config, label them as Label Studio would, import back."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app

STANCE = Path(sys.executable).with_name("stance")
NEW = "004_4e83cf9310ecd704"
runner = CliRunner()


@pytest.fixture
def unlabeled_article(project: Path) -> Path:
    """The real project with the labels of article 004 taken away, sentences segmented."""
    seed = project / "labels" / "seed.jsonl"
    kept = [line for line in seed.read_text(encoding="utf-8").splitlines() if f'"article": "{NEW}"' not in line]
    seed.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    assert runner.invoke(app, ["segment"]).exit_code == 0
    return project


def seed_labels(project: Path) -> dict[str, dict[str, Any]]:
    lines = (project / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()
    return {record["id"]: record for record in map(json.loads, lines)}


def export(*args: str) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["labels", "export", "--format", "label-studio", "--output", "out/tasks.json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(Path("out/tasks.json").read_text(encoding="utf-8"))


def annotated(task: dict[str, Any], *choices: str, user: Any = 7, note: str = "", cancelled: bool = False) -> dict[str, Any]:
    """The task as Label Studio's JSON export returns it, one annotation per choice."""
    annotations = []
    for n, choice in enumerate(choices):
        result = [{"id": f"r{n}", "from_name": "label", "to_name": "text", "type": "choices", "origin": "manual", "value": {"choices": [choice]}}]
        if note:
            result.append({"id": f"n{n}", "from_name": "note", "to_name": "text", "type": "textarea", "origin": "manual", "value": {"text": [note]}})
        annotations.append(
            {"id": 100 + n, "completed_by": user, "result": result, "was_cancelled": cancelled, "ground_truth": False, "lead_time": 4.2, "task": 1}
        )
    return {"id": 1, "data": task["data"], "annotations": annotations, "predictions": [], "project": 3}


def write_export(tasks: list[dict[str, Any]]) -> Path:
    path = Path("out/export.json")
    path.write_text(json.dumps(tasks), encoding="utf-8")
    return path


def import_labels(path: Path, *args: str) -> Any:
    return runner.invoke(app, ["labels", "import", str(path), *args])


def test_export_writes_every_sentence_with_its_label_and_a_config_for_the_four_choices(unlabeled_article: Path) -> None:
    tasks = export()
    assert len(tasks) == 471  # 420 seed sentences, 34 and 17 of the pools samples
    seed = seed_labels(unlabeled_article)
    first = tasks[0]
    assert first["data"]["sentence_id"] == "000_441c88b33541fa01-0"
    assert first["data"]["title"] == "Is a Pakistan Truce Good for the United States?"
    assert first["data"]["before"] == "" and first["data"]["after"] == tasks[1]["data"]["text"]
    assert first["annotations"][0]["result"][0] == {
        "from_name": "label",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [seed[first["data"]["sentence_id"]]["label"]]},
    }
    assert sum("annotations" in t for t in tasks) == len(seed) + 34 + 17 == 417

    config = ET.fromstring(Path("out/tasks.xml").read_text(encoding="utf-8"))
    choices = config.find("Choices")
    assert choices is not None and (choices.get("name"), choices.get("toName"), choices.get("choice")) == ("label", "text", "single")
    assert [(c.get("value"), c.get("hotkey")) for c in choices] == [("pro-talks", "p"), ("skeptical", "s"), ("conditional", "c"), ("none", "n")]
    assert {t.get("name"): t.get("value") for t in config.iter("Text")}["text"] == "$text"


def test_round_trip_brings_new_labels_back_checked(unlabeled_article: Path) -> None:
    tasks = export("--unlabeled")
    assert [t["data"]["article"] for t in tasks] == [NEW] * 54 and "annotations" not in tasks[0]
    labeled = [
        annotated(tasks[0], "none"),
        annotated(tasks[1], "none", "none", user={"id": 2, "email": "ana@example.org"}),
        annotated(tasks[2], "skeptical", note="warning, not about talks?"),
        annotated(tasks[3], "pro-talks", cancelled=True),
        {"id": 9, "data": tasks[4]["data"], "annotations": [], "predictions": []},
    ]
    result = import_labels(write_export(labeled))
    assert result.exit_code == 0, result.output
    assert "Imported 3 new labels into labels/label-studio.jsonl; 0 were already there, 2 tasks had no label." in result.output
    assert "out/export.json: read as Label Studio's JSON export." in result.stderr
    assert "annotators are Label Studio user ids (label-studio-user-7); pass --users" in result.stderr
    lines = (unlabeled_article / "labels" / "label-studio.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": f"{NEW}-0", "article": NEW, "text": tasks[0]["data"]["text"], "label": "none", "annotator": "label-studio-user-7", "note": ""},
        {"id": f"{NEW}-1", "article": NEW, "text": tasks[1]["data"]["text"], "label": "none", "annotator": "ana@example.org", "note": ""},
        {
            "id": f"{NEW}-2",
            "article": NEW,
            "text": tasks[2]["data"]["text"],
            "label": "skeptical",
            "annotator": "label-studio-user-7",
            "note": "warning, not about talks?",
        },
    ]
    check = runner.invoke(app, ["labels", "check"])
    assert check.exit_code == 0 and "420 of 471 sentences labeled" in check.output

    again = import_labels(Path("out/export.json"))
    assert again.exit_code == 0 and "Imported 0 new labels" in again.output and "3 were already there" in again.output


def test_exported_labels_come_back_unchanged(unlabeled_article: Path) -> None:
    tasks = export()
    done = [annotated(t, t["annotations"][0]["result"][0]["value"]["choices"][0]) for t in tasks if "annotations" in t]
    result = import_labels(write_export(done), "--annotator", "Team")
    assert result.exit_code == 0, result.output
    assert "Imported 0 new labels" in result.output and "417 were already there" in result.output
    assert not (unlabeled_article / "labels" / "label-studio.jsonl").exists()


def last(tasks: list[dict[str, Any]]) -> dict[str, Any]:
    """The last task of the article without labels."""
    return [t for t in tasks if t["data"]["article"] == NEW][-1]


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda t, seed: annotated(t[0], "skeptical" if seed[t[0]["data"]["sentence_id"]]["label"] != "skeptical" else "none"), "conflict: labeled"),
        (lambda t, seed: annotated({**last(t), "data": {**last(t)["data"], "text": "Edited."}}, "none"), "stale label"),
        (lambda t, seed: annotated(last(t), "maybe"), "unknown label 'maybe'"),
        (
            lambda t, seed: annotated(last(t), "none", "skeptical"),
            "annotators disagree (label-studio-user-7: none, label-studio-user-7: skeptical); mark the right",
        ),
        (lambda t, seed: annotated({**last(t), "data": {**last(t)["data"], "sentence_id": "999_x-1"}}, "none"), "id '999_x-1' is not a sentence"),
        (lambda t, seed: {"data": {"text": "no id"}}, "no sentence_id"),
    ],
)
def test_a_bad_or_conflicting_label_stops_the_import_and_nothing_is_written(unlabeled_article: Path, spoil: Any, message: str) -> None:
    tasks = export()
    before = (unlabeled_article / "labels" / "seed.jsonl").read_bytes()
    good = annotated([t for t in tasks if t["data"]["article"] == NEW][-2], "none")
    result = import_labels(write_export([good, spoil(tasks, seed_labels(unlabeled_article))]))
    assert result.exit_code == 1
    assert message in result.output
    assert "nothing was imported" in result.output
    assert not (unlabeled_article / "labels" / "label-studio.jsonl").exists()
    assert (unlabeled_article / "labels" / "seed.jsonl").read_bytes() == before


def test_conflict_names_both_places(unlabeled_article: Path) -> None:
    tasks = export()
    sentence_id = tasks[2]["data"]["sentence_id"]
    given = seed_labels(unlabeled_article)[sentence_id]["label"]
    other = "none" if given != "none" else "pro-talks"
    done = subprocess.run(
        [str(STANCE), "labels", "import", str(write_export([annotated(tasks[2], other)]))], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert f"out/export.json: task 1 ({sentence_id}): conflict: labeled '{given}' at labels/seed.jsonl:3 but '{other}' here" in done.stderr
    assert "Traceback" not in done.stderr


def test_not_an_export_is_one_line_of_error(unlabeled_article: Path) -> None:
    path = Path("out/export.json")
    path.parent.mkdir()
    path.write_text('{"tasks": []}', encoding="utf-8")
    result = import_labels(path)
    assert (result.exit_code, result.stderr) == (
        1,
        "error: out/export.json: not an export this can read; expected Label Studio's JSON, JSON_MIN or CSV export of tasks written by `stance labels export`.\n",
    )


def test_a_label_file_outside_labels_is_written_with_a_warning(unlabeled_article: Path) -> None:
    tasks = export("--unlabeled")
    result = import_labels(write_export([annotated(tasks[0], "none")]), "--output", "elsewhere/team.jsonl")
    assert result.exit_code == 0, result.output
    assert "warning: elsewhere/team.jsonl is outside labels/, so training will not read it." in result.output
    assert json.loads((unlabeled_article / "elsewhere" / "team.jsonl").read_text(encoding="utf-8"))["id"] == f"{NEW}-0"


def test_pool_sentences_go_out_with_their_text_and_come_back_by_hash(project: Path) -> None:
    pool = project / "labels" / "pool" / "adjudicated.jsonl"
    kept = [line for line in pool.read_text(encoding="utf-8").splitlines() if '"article": "pk21"' not in line]
    pool.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    assert runner.invoke(app, ["segment"]).exit_code == 0
    tasks = export("--unlabeled")
    assert [t["data"]["sentence_id"] for t in tasks] == [f"pk21-{i}" for i in range(8)]
    assert all(t["data"]["text"] for t in tasks)  # shown to the annotator at run time
    result = import_labels(write_export([annotated(t, "none") for t in tasks]), "--annotator", "Team")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in (project / "labels" / "label-studio.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [sorted(r) for r in records] == [["annotator", "article", "hash", "id", "label", "note"]] * 8
    sentences = {r["id"]: r for r in map(json.loads, (project / "data" / "sentences.jsonl").read_text(encoding="utf-8").splitlines())}
    assert all(r["hash"] == sentences[r["id"]]["hash"] for r in records)
    check = runner.invoke(app, ["labels", "check", "--complete"])
    assert check.exit_code == 0, check.output


def test_an_edited_task_text_that_kept_its_label_is_warned_about(unlabeled_article: Path) -> None:
    tasks = export()
    edited = {**tasks[0], "data": {**tasks[0]["data"], "text": tasks[0]["data"]["text"] + " (edited)"}}
    given = seed_labels(unlabeled_article)[tasks[0]["data"]["sentence_id"]]["label"]
    result = import_labels(write_export([annotated(edited, given)]))
    assert result.exit_code == 0, result.output
    assert "1 were already there" in result.output
    assert f"warning: out/export.json: task 1 ({tasks[0]['data']['sentence_id']}): its text was edited in Label Studio" in result.output


# --- every export format, ground truth, user names, model guesses ---------------------------------


def as_json_min(tasks: list[dict[str, Any]], labels: list[str], annotator: Any = 7) -> list[dict[str, Any]]:
    """Label Studio 1.23's JSON_MIN rows: data at the top level, its own task id written over `id`, a control's value by
    name, the annotator as a user id, then the annotation's id, times and lead time."""
    stamp = "2026-11-20T10:00:00.000000Z"
    return [
        {
            **task["data"],
            "id": 1000 + n,
            "label": label,
            "annotator": annotator,
            "annotation_id": 500 + n,
            "created_at": stamp,
            "updated_at": stamp,
            "lead_time": 3.1,
        }
        for n, (task, label) in enumerate(zip(tasks, labels))
    ]


def test_json_min_and_csv_exports_import_like_json_and_say_which_they_were(unlabeled_article: Path) -> None:
    import csv

    tasks = export("--unlabeled")[:3]
    rows = as_json_min(tasks, ["none", "skeptical", "pro-talks"])
    rows[1]["note"] = "about the army, not talks?"
    path = Path("out/min.json")
    path.write_text(json.dumps(rows), encoding="utf-8")
    Path("out/users.json").write_text(
        json.dumps([{"id": 7, "first_name": "", "last_name": "", "username": "ana", "email": "ana@example.org"}]), encoding="utf-8"
    )
    result = import_labels(path, "--users", "out/users.json")
    assert result.exit_code == 0, result.output
    assert "out/min.json: read as Label Studio's JSON_MIN export." in result.stderr and "Imported 3 new labels" in result.stdout
    records = [json.loads(line) for line in (unlabeled_article / "labels" / "label-studio.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["label"], r["annotator"], r["note"]) for r in records] == [
        (f"{NEW}-0", "none", "ana@example.org", ""),
        (f"{NEW}-1", "skeptical", "ana@example.org", "about the army, not talks?"),
        (f"{NEW}-2", "pro-talks", "ana@example.org", ""),
    ]

    more = export("--unlabeled")[:2]
    with Path("out/export.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*more[0]["data"], "id", "label", "annotator", "annotation_id", "created_at", "updated_at", "lead_time"])
        writer.writeheader()
        writer.writerows(as_json_min(more, ["none", "conditional"]))
    result = import_labels(Path("out/export.csv"), "--annotator", "Team")
    assert result.exit_code == 0, result.output
    assert "read as Label Studio's CSV export." in result.stderr and "Imported 2 new labels" in result.stdout


def test_a_ground_truth_annotation_settles_a_disagreement(unlabeled_article: Path) -> None:
    tasks = export("--unlabeled")
    task = annotated(tasks[0], "none", "skeptical")
    task["annotations"][1]["ground_truth"] = True
    result = import_labels(write_export([task]))
    assert result.exit_code == 0, result.output
    record = json.loads((unlabeled_article / "labels" / "label-studio.jsonl").read_text(encoding="utf-8"))
    assert record["label"] == "skeptical"


def test_users_file_names_the_annotators(unlabeled_article: Path) -> None:
    tasks = export("--unlabeled")
    Path("out/users.json").write_text(
        json.dumps([{"id": 7, "email": "ana@example.org", "username": "ana"}, {"id": 8, "email": "", "username": "bo"}]), encoding="utf-8"
    )
    result = import_labels(write_export([annotated(tasks[0], "none"), annotated(tasks[1], "none", user=8)]), "--users", "out/users.json")
    assert result.exit_code == 0, result.output
    assert "user ids" not in result.output
    annotators = [json.loads(line)["annotator"] for line in (unlabeled_article / "labels" / "label-studio.jsonl").read_text(encoding="utf-8").splitlines()]
    assert annotators == ["ana@example.org", "bo"]
    Path("out/users.json").write_text('{"users": 1}', encoding="utf-8")
    bad = import_labels(write_export([annotated(tasks[2], "none")]), "--users", "out/users.json")
    assert bad.exit_code == 1 and "out/users.json: expected the list of users that Label Studio's /api/users returns" in bad.stderr


def test_exports_from_before_sentence_id_still_import(unlabeled_article: Path) -> None:
    tasks = export("--unlabeled")
    old = {"data": {**{k: v for k, v in tasks[0]["data"].items() if k != "sentence_id"}, "id": tasks[0]["data"]["sentence_id"]}}
    result = import_labels(write_export([annotated(old, "none")]), "--annotator", "Team")
    assert result.exit_code == 0 and "Imported 1 new labels" in result.stdout, result.output


def test_export_with_predictions_gives_every_task_the_models_guess(unlabeled_article: Path, majority_model: Path) -> None:
    folder = majority_model
    result = runner.invoke(app, ["labels", "export", "--output", "out/tasks.json", "--unlabeled", "--with-predictions", "--model", str(folder)])
    assert result.exit_code == 0, result.output
    tasks = json.loads(Path("out/tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 54
    for task in tasks:
        (prediction,) = task["predictions"]
        assert prediction["model_version"].startswith("stance majority (") and prediction["score"] == 1.0
        assert prediction["result"] == [{"from_name": "label", "to_name": "text", "type": "choices", "value": {"choices": ["none"]}}]
    assert "each with the guess of stance majority" in result.stdout
    plain = export("--unlabeled")
    assert "predictions" not in plain[0]


def test_a_second_opinion_on_a_labeled_sentence_is_a_conflict_with_its_file_and_line(unlabeled_article: Path) -> None:
    """The export carries the existing label as an annotation; a teammate's different one is a conflict with labels/seed.jsonl, not between users."""
    tasks = export()
    sentence_id = tasks[2]["data"]["sentence_id"]
    given = seed_labels(unlabeled_article)[sentence_id]["label"]
    other = "none" if given != "none" else "pro-talks"
    task = annotated(tasks[2], given, other)
    task["annotations"][0]["completed_by"] = 1  # Label Studio credits the imported annotation to whoever imported the tasks
    result = import_labels(write_export([task]))
    assert result.exit_code == 1
    assert f"({sentence_id}): conflict: labeled '{given}' at labels/seed.jsonl:3 but '{other}' here" in result.stderr
    assert "disagree" not in result.stderr
