"""The pipeline's commands end to end in a throwaway project, with parameters that make training take seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.models.registry import KINDS
from tests.evaluation.test_headline import assert_headline_matches

STANCE = Path(sys.executable).with_name("stance")
ROOT = Path(__file__).resolve().parents[2]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def fast(project: Path) -> Path:
    """A copy of the project's params that trains majority and tfidf only, each in seconds."""
    quick = yaml.safe_load((project / "configs" / "params.yaml").read_text(encoding="utf-8"))
    quick["evaluate"].update(models=["majority", "tfidf"], bootstrap=100)
    quick["report"].update(focus="tfidf", baseline="majority")
    quick["tfidf"]["c_grid"] = [1.0]
    quick["train"]["learning_curve"] = [3]
    quick["train"]["learning_curve_skip"] = ["majority"]  # as the fine-tuned transformer's is: its full CV is its only point
    quick["floor"] = {"tfidf": 0.0}
    path = project / "configs" / "fast.yaml"
    path.write_text(yaml.safe_dump(quick, sort_keys=False), encoding="utf-8")
    return path


def card_grid(params: Path) -> list[float]:
    return yaml.safe_load(params.read_text(encoding="utf-8"))["train"]["confidence_grid"]


def stance(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return result.stdout


def one_line_error(result: Result) -> str:
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow  # every stage, in subprocesses
def test_segment_train_evaluate_report_check_floor(project: Path, fast: Path) -> None:
    params = ("--params", str(fast))
    assert ok(stance("segment", *params)) == "Wrote 471 sentences (420 seed, 34 pool, 17 pool-2) from 11 articles to data/sentences.jsonl.\n"
    sentences = jsonl(project / "data" / "sentences.jsonl")
    assert len(sentences) == 471 and set(sentences[0]) == {
        "id",
        "article",
        "index",
        "paragraph",
        "text",
        "hash",
        "corpus",
        "slice",
        "genre",
        "outlet",
        "date",
        "kind",
        "conflict",
    }

    for kind in ("majority", "tfidf"):
        out = ok(stance("train", kind, *params))
        assert out.startswith(f"{kind}: 471 labeled sentences; 5-fold, grouped by article, stratified by slice CV macro-F1 ")
        card = json.loads((project / "models" / kind / "model.json").read_text(encoding="utf-8"))
        assert card["kind"] == kind and card["training_sentences"] == 471 and len(card["training_articles"]) == 11
        assert card["calibration"]["recommended_confidence"] in card_grid(fast) and 0 <= card["cv"]["ece"] <= 1
        predictions = jsonl(project / "reports" / "cv" / f"{kind}.jsonl")
        assert [r["id"] for r in predictions] == [s["id"] for s in sentences]
        assert not any("text" in r for r in predictions)
        curve = json.loads((project / "reports" / "cv" / f"{kind}.curve.json").read_text(encoding="utf-8"))
        assert [p["articles"] for p in curve][:-1] == ([] if kind == "majority" else [3])
        assert curve[-1]["pred"] == [r["pred"] for r in predictions]
    assert (project / "models" / "tfidf" / "tfidf.skops").is_file()
    assert (project / "models" / "majority" / "majority.json").is_file()

    out = ok(stance("evaluate", *params))
    assert out.startswith("Scored 471 sentences; macro-F1: majority ")
    metrics = json.loads((project / "reports" / "scores.json").read_text(encoding="utf-8"))
    assert list(metrics["cv"]) == ["majority", "tfidf"]
    tfidf_card = json.loads((project / "models" / "tfidf" / "model.json").read_text(encoding="utf-8"))
    assert metrics["cv"]["tfidf"]["macro_f1"] == pytest.approx(tfidf_card["cv"]["macro_f1"])
    for scores in metrics["cv"].values():
        low, high = scores["intervals"]["macro_f1"]
        assert low <= scores["macro_f1"] <= high
        assert sum(map(sum, scores["confusion"]["matrix"])) == 471
        assert sorted(scores["per_slice"]) == ["af", "pk", "seed", "ww"]
        assert sorted(scores["per_genre"]) == ["news", "opinion"]
    assert (
        metrics["corpus"]["corpus"] == {name: metrics["corpus"]["corpus"][name] for name in ("pool", "pool-2", "seed")}
        and metrics["corpus"]["corpus"]["pool-2"]["articles"] == 2
    )
    # pk33 (news on Baloch insurgents) is `pk` by its conflict; ww52 joins the first pool's ww09 and ww15
    assert metrics["corpus"]["slice"]["seed"]["sentences"] == 420 and metrics["corpus"]["slice"]["ww"]["articles"] == 3
    assert metrics["corpus"]["slice"]["pk"]["articles"] == 2
    assert list(metrics["paired"]) == ["majority - tfidf"]
    per_article = (project / "reports" / "per_article.csv").read_text(encoding="utf-8").splitlines()
    assert per_article[0] == "article,slice,sentences,claims,macro_f1_majority,macro_f1_tfidf" and len(per_article) == 12
    assert [p["articles"] for p in metrics["learning_curve"]["tfidf"]][:1] == [3]
    assert len(metrics["learning_curve"]["tfidf"]) == 2 and len(metrics["learning_curve"]["majority"]) == 1
    merged = jsonl(project / "reports" / "cv_predictions.jsonl")
    assert len(merged) == 471 and set(merged[0]["predictions"]) == {"majority", "tfidf"}
    plots = project / "reports" / "plots"
    for name in ("majority", "tfidf"):
        csv_lines = (plots / f"confusion_{name}.csv").read_text(encoding="utf-8").splitlines()
        assert csv_lines[0] == "actual,predicted" and len(csv_lines) == 472
        assert (plots / f"confusion_{name}.png").read_bytes().startswith(PNG)
        assert (plots / f"learning_curve_{name}.csv").read_text(encoding="utf-8").splitlines()[0] == "train_articles,macro_f1,low,high"
    assert (plots / "learning_curve.png").read_bytes().startswith(PNG)
    assert (plots / "reliability.png").read_bytes().startswith(PNG)
    for view in metrics["confidence"].values():
        low, high = view["ece_interval"]
        assert low <= view["ece"] <= high and sum(b["count"] for b in view["reliability"]) == 471
        assert [row["threshold"] for row in view["risk_coverage"]] == card_grid(fast)
    assert metrics["confidence"]["tfidf"]["ece"] == pytest.approx(tfidf_card["cv"]["ece"])
    assert_headlines(project, metrics, fast)
    assert_declared_plots(project, ("majority", "tfidf"))

    line = one_line_error(stance("report", *params))
    assert line == f"error: {Path('reports') / 'behaviour.json'}: no behavioural test results; run `dvc repro behaviour` first."
    behaviour = ok(stance("behaviour", *params))
    assert behaviour.startswith("Behaviour: 47 cases; passed majority ") and "tfidf " in behaviour
    results = json.loads((project / "reports" / "behaviour.json").read_text(encoding="utf-8"))
    assert list(results) == ["majority", "tfidf"] and sum(r["cases"] for r in results["tfidf"].values()) == 47
    assert results["majority"]["neutral report of a meeting"] == {"cases": 6, "passed": 6, "failures": []}  # the majority label is none
    assert ok(stance("report", *params)) == f"Wrote {Path('reports') / 'report.md'}.\n"
    report = (project / "reports" / "report.md").read_text(encoding="utf-8")
    opening = report.splitlines()[2]
    assert opening.startswith(
        f"Shipped: the tfidf model (TF-IDF word and character n-grams, logistic regression). On articles it never saw it scores macro-F1 {metrics['cv']['tfidf']['macro_f1']:.3f} ["
    )
    assert "against majority, +" in opening and "It fails most by reading " in opening, opening
    assert "## Confidence: tfidf" in report and "![reliability](plots/reliability.png)" in report
    assert "| model | macro-F1 | claim-vs-none F1 | stance macro-F1 (gold claims) | accuracy | macro-F1 by article | calibration error |" in report
    assert "## Per slice (macro-F1)" in report and "## Per genre (macro-F1)" in report and "| majority - tfidf |" in report
    assert "- majority: the most frequent label (configs/params.yaml `majority`).\n- tfidf: TF-IDF" in report
    assert "## Behaviour (pass rate by capability)" in report and "| neutral report of a meeting | 6 | 100% |" in report
    for name in ("majority", "**tfidf**"):
        row = next(line for line in report.splitlines() if line.startswith(f"| {name} |"))
        plain = name.strip("*")
        assert f"{metrics['cv'][plain]['macro_f1']:.3f} [" in row
    assert "## Per class: tfidf" in report and "## Confusion matrix: tfidf" in report
    curve = report[report.index("| training articles | majority | tfidf |") :].splitlines()
    assert curve[2].startswith("| 3 |  | ") and curve[3].count("[") == 2  # majority's curve skipped: only its full CV has a cell

    floor = ok(stance("check-floor", *params))
    assert floor == f"tfidf: CV macro-F1 {metrics['cv']['tfidf']['macro_f1']:.3f} >= floor 0.000.\n"
    raised = yaml.safe_load(fast.read_text(encoding="utf-8"))
    raised["floor"] = {"tfidf": 0.99}
    fast.write_text(yaml.safe_dump(raised), encoding="utf-8")
    line = one_line_error(stance("check-floor", *params))
    assert line.startswith("error: tfidf CV macro-F1 ") and line.endswith("is below its floor 0.990 (configs floor.tfidf).")


def assert_headlines(project: Path, scores: dict[str, Any], params: Path) -> None:
    """reports/metrics/ (DVC's metrics): one small file per model, its numbers the detail file's."""
    folder = project / "reports" / "metrics"
    assert sorted(p.name for p in folder.iterdir()) == ["majority.json", "tfidf.json"]
    claim_precision = yaml.safe_load(params.read_text(encoding="utf-8"))["train"]["claim_precision"]
    for name in ("majority", "tfidf"):
        assert_headline_matches(json.loads((folder / f"{name}.json").read_text(encoding="utf-8")), scores, name, claim_precision)
    tfidf = json.loads((folder / "tfidf.json").read_text(encoding="utf-8"))
    card = json.loads((project / "models" / "tfidf" / "model.json").read_text(encoding="utf-8"))
    assert tfidf["recommended_confidence"] == card["calibration"]["recommended_confidence"]


def assert_declared_plots(project: Path, models: tuple[str, ...]) -> None:
    """Every CSV the evaluate stage declares under `plots:` for these models exists and has the declared x and y columns."""
    declared = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]["evaluate"]["plots"]
    checked = set()
    for entry in declared:
        ((path, spec),) = entry.items()
        name = Path(path).stem
        if not name.endswith(models):
            continue
        header = (project / path.replace("${paths.reports}", "reports")).read_text(encoding="utf-8").splitlines()[0].split(",")
        assert {spec["x"], spec["y"]} <= set(header), path
        checked.add(name.rsplit("_", 1)[0])
    assert {"confusion", "learning_curve", "reliability", "risk_coverage"} <= checked


def test_missing_params_file_is_one_line(project: Path) -> None:
    for command in (["segment"], ["train", "majority"], ["evaluate"], ["report"], ["check-floor"], ["labels", "check"]):
        line = one_line_error(stance(*command, "--params", "nowhere.yaml"))
        assert line == "error: nowhere.yaml: parameters file not found."


def test_missing_inputs_are_one_line(project: Path, fast: Path) -> None:
    params = ("--params", str(fast))
    sentences = Path("data") / "sentences.jsonl"
    assert one_line_error(stance("train", "majority", *params)) == f"error: {sentences}: no sentences file; run `dvc repro segment` first."
    assert "no cross-validation predictions for 'majority'" in one_line_error(stance("evaluate", *params))
    assert one_line_error(stance("report", *params)) == f"error: {Path('reports') / 'scores.json'}: no such file."
    assert one_line_error(stance("train", "svm", *params)) == "error: unknown model kind 'svm'; expected one of majority, tfidf, transformer, tuned, fast."


def test_bad_params_value_is_one_line(project: Path, fast: Path) -> None:
    spoiled = yaml.safe_load(fast.read_text(encoding="utf-8"))
    spoiled["tfidf"]["c_grids"] = [1.0]
    fast.write_text(yaml.safe_dump(spoiled), encoding="utf-8")
    assert "unknown key tfidf.c_grids" in one_line_error(stance("train", "tfidf", "--params", str(fast)))


# --- the installed executable --------------------------------------------------------------------


def run_stance(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert STANCE.is_file(), f"{STANCE} missing: install the project with pip install -e ."
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([str(STANCE), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_installed_stance_checks_labels_and_reports_bad_input_in_one_line(project: Path) -> None:
    ok(stance("segment"))
    check = run_stance("labels", "check", "--complete", cwd=project)
    assert check.returncode == 0, check.stderr
    assert "471 of 471 sentences labeled (100%); 0 without a label." in check.stdout
    assert "004_4e83cf9310ecd704" in check.stdout and check.stderr == ""

    (project / "labels" / "broken.jsonl").write_text('{"id": "004_4e83cf9310ecd704-0", "article": \n', encoding="utf-8")
    bad = run_stance("labels", "check", cwd=project)
    assert bad.returncode == 1
    lines = bad.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), bad.stderr
    assert lines[0].startswith(f"error: {Path('labels') / 'broken.jsonl'}:1: not valid JSON")
    assert "Traceback" not in bad.stderr + bad.stdout


def test_commands_work_from_any_folder_of_the_project_and_say_where_they_looked_outside(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    ok(stance("segment"))
    inside = project / "labels" / "pool"
    done = run_stance("labels", "check", "--complete", cwd=inside)
    assert done.returncode == 0, done.stderr
    assert "471 of 471 sentences labeled" in done.stdout
    outside = tmp_path_factory.mktemp("elsewhere")
    lost = run_stance("labels", "check", cwd=outside)
    assert lost.returncode == 1
    assert lost.stderr == (
        f"error: no stance project here: looked for configs/params.yaml in {outside} and every folder above it; run stance inside a project or pass --params.\n"
    )


def test_help_shows_flags_as_flags() -> None:
    help_text = ok(stance("predict", "--help"))
    (line,) = [line for line in help_text.splitlines() if "--claims-only" in line]
    assert "<bool>" not in help_text and "Leave out sentences" in line


# --- the DVC stages' own entry points ------------------------------------------------------------


def run_stage(module: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.slow  # stage entry points, in subprocesses
def test_stage_entry_points_print_what_the_commands_print_and_fail_in_one_line(project: Path, fast: Path) -> None:
    """dvc.yaml runs `python -m pipeline....` instead of `stance <stage>`: same summary line, same one-line errors."""
    segmented = run_stage("pipeline.corpus.stage", cwd=project / "labels")
    assert segmented.returncode == 0, segmented.stderr
    assert segmented.stdout == ok(stance("segment")).replace("data/", "../data/")
    unknown = run_stage("pipeline.training.stage", "svm", "--params", str(fast), cwd=project)
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr == "error: unknown model kind 'svm'; expected one of majority, tfidf, transformer, tuned, fast.\n"
    for args in (["evaluate"], ["report"]):
        missing = run_stage("pipeline.evaluation.stage", *args, "--params", "nowhere.yaml", cwd=project)
        assert (missing.returncode, missing.stderr) == (1, "error: nowhere.yaml: parameters file not found.\n")
    assert run_stage("pipeline.evaluation.stage", "score", cwd=project).returncode == 2


def test_train_help_lists_every_kind() -> None:
    assert all(kind in ok(stance("train", "--help")) for kind in KINDS)
