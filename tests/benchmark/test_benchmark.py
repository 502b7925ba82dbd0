"""Benchmark mode on the real TweetEval stance folder: loading, the official metric, choice on val, the command."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.benchmark.report import report_markdown
from pipeline.benchmark.run import (
    BenchmarkResults,
    decide,
    decided,
    first_tweets,
    fit_system,
    none_threshold,
    run,
    score,
    system_params,
)
from pipeline.benchmark.tweeteval import load
from pipeline.benchmark_params import System
from pipeline.cli.app import app
from pipeline.config import config_from
from pipeline.errors import StanceError
from pipeline.labels.dataset import Dataset
from pipeline.params import LabelSet
from tests.conftest import CONFIG, PARAMS

ROOT = Path(__file__).resolve().parents[2]
DATA = (ROOT / yaml.safe_load((ROOT / "configs" / "params.yaml").read_text(encoding="utf-8"))["benchmark"]["data"]).resolve()
LABELS = LabelSet(("none", "against", "favor"), "none")
TARGETS = ("abortion", "atheism", "climate", "feminist", "hillary")

pytestmark = pytest.mark.skipif(not (DATA / "mapping.txt").is_file(), reason=f"TweetEval stance data not at {DATA}")


@pytest.fixture(scope="module")
def corpus() -> dict:
    return load(DATA, TARGETS, ("train", "val", "test"), LABELS)


def small_params(params: dict, systems: list[dict]) -> dict:
    """The project's params with the benchmark cut to the given systems and an absolute data path."""
    raw = copy.deepcopy(params)
    raw["benchmark"].update(data=str(DATA), systems=systems)
    return raw


def test_loads_every_split_with_the_readme_counts(corpus: dict) -> None:
    sizes = {split: sum(len(d) for d in by_target.values()) for split, by_target in corpus.items()}
    assert sizes == {"train": 2620, "val": 294, "test": 1249}
    test_labels = [label for d in corpus["test"].values() for label in d.labels]
    assert (test_labels.count("none"), test_labels.count("against"), test_labels.count("favor")) == (230, 715, 304)
    climate = corpus["train"]["climate"]
    assert climate.labels.count("against") == 13 and climate.ids[0] == "climate-train-1"
    texts = [t for d in corpus["train"].values() for t in d.texts]
    assert not any("#SemST" in t or t != t.strip() for t in texts)


def test_per_target_majority_reproduces_the_published_baseline(corpus: dict) -> None:
    """The README's gold-label check: 52.01 / 78.44 / 65.22 pooled, 40.09 as a mean of per-target scores."""
    system = System("majority", "majority", per_target=True)
    fitted = fit_system(system, system_params(system, CONFIG, None), corpus["train"], {}, LABELS, 13, 5)
    scores = score(corpus["test"], decided(fitted.probabilities(corpus["test"]), LABELS, 0.5), LABELS)
    assert (round(scores["f1_favor"], 2), round(scores["f1_against"], 2), round(scores["f_avg"], 2)) == (52.01, 78.44, 65.22)
    per_target_mean = sum(s["f_avg"] for s in scores["per_target"].values()) / 5
    assert round(per_target_mean, 2) == 40.09


def test_the_none_threshold_is_chosen_on_validation_by_f_avg(corpus: dict) -> None:
    proba = np.array([[0.5, 0.3, 0.2], [0.35, 0.6, 0.05], [0.45, 0.05, 0.5], [0.9, 0.05, 0.05]])  # none, against, favor
    assert decide(proba, LABELS, 0.4) == ["none", "against", "none", "none"]
    assert decide(proba, LABELS, 0.5) == ["none", "against", "favor", "none"]
    assert decide(proba, LABELS, 0.6) == ["against", "against", "favor", "none"]
    gold = {"t": Dataset(("a", "b", "c", "d"), ("",) * 4, ("against", "against", "favor", "none"), ("t",) * 4, ("t",) * 4)}
    assert [round(score(gold, {"t": decide(proba, LABELS, t)}, LABELS)["f_avg"], 1) for t in (0.4, 0.5, 0.6)] == [33.3, 83.3, 100.0]
    assert none_threshold(gold, {"t": proba}, LABELS, (0.5, 0.6, 0.4)) == 0.6
    assert none_threshold(gold, {"t": proba}, LABELS, (0.4, 0.5)) == 0.5


def test_f_avg_gives_none_no_score_but_counts_its_errors(corpus: dict) -> None:
    gold = {"t": corpus["val"]["atheism"].subset([0, 1, 2])}
    labels = gold["t"].labels
    right = score(gold, {"t": list(labels)}, LABELS)
    assert right["f_avg"] == pytest.approx(100.0 if {"favor", "against"} <= set(labels) else 50.0)
    all_none = score(gold, {"t": ["none"] * 3}, LABELS)
    assert all_none["f_avg"] == 0.0


def test_one_model_systems_see_the_target_before_each_tweet(corpus: dict) -> None:
    small = first_tweets(corpus, 15, 5, "train")
    system = System("joint", "tfidf", per_target=False, params={"c_grid": [1.0]})
    params = system_params(system, CONFIG, None)
    fitted = fit_system(system, params, small["train"], {t: f"zzq{t}" for t in TARGETS}, LABELS, 13, 3)
    model = fitted.models["atheism"]
    assert model is fitted.models["hillary"] and fitted.prefixes["atheism"] == "zzqatheism: "
    vocabulary = model.model.pipeline.named_steps["features"].transformer_list[0][1].vocabulary_
    assert {f"zzq{t}" for t in TARGETS} <= set(vocabulary)


def test_only_the_val_winner_of_each_kind_is_scored_on_test(corpus: dict, params: dict) -> None:
    systems = [
        {"name": "weak", "kind": "tfidf", "per_target": True, "params": {"c_grid": [0.0001], "char_ngrams": [3, 3]}},
        {"name": "strong", "kind": "tfidf", "per_target": True, "seeded": False, "params": {"c_grid": [10.0], "char_ngrams": [3, 3]}},
        {"name": "majority", "kind": "majority", "per_target": True, "seeded": False},
    ]
    config = config_from(small_params(params, systems), PARAMS)
    settings = config.benchmark
    small = first_tweets(corpus, 40, 20, "train")
    kind_params = {s.name: system_params(s, config, None) for s in settings.systems}
    results = run(small, settings, kind_params, (1, 2), lambda line: None)
    rows = {row["name"]: row for row in results["systems"]}
    assert rows["weak"]["seeds"] == [1, 2] and rows["strong"]["seeds"] == [1]
    winner, loser = sorted(("weak", "strong"), key=lambda n: -rows[n]["select"]["f_avg"]["mean"])
    assert rows[winner]["selected"] and rows[winner]["test"] is not None
    assert not rows[loser]["selected"] and rows[loser]["test"] is None and "test_runs" not in rows[loser]
    assert rows["majority"]["selected"] and results["counts"]["test"]["climate"] == 20


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b: b["systems"][0].update(colour="red"), "unknown key benchmark.systems[0].colour"),
        (lambda b: b["systems"][0].update(kind="svm"), "benchmark.systems[0].kind 'svm' is not a model kind; expected one of majority, tfidf, transformer"),
        (lambda b: b.update(seeds=[1, 1]), "benchmark.seeds must be distinct"),
        (lambda b: b.update(select="test"), "three different splits"),
        (lambda b: b["smoke"]["params"].update(svm={}), "benchmark.smoke.params names 'svm' is not a model kind"),
        (lambda b: b["smoke"].update(train_per_target=0), "benchmark.smoke.train_per_target and eval_per_target must be at least 1"),
    ],
)
def test_config_mistakes_are_named(params: dict, change, message: str) -> None:
    raw = copy.deepcopy(params)
    change(raw["benchmark"])
    with pytest.raises(StanceError, match=message.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.")):
        config_from(raw, PARAMS)


def copy_target(tmp_path: Path) -> Path:
    folder = tmp_path / "tweeteval"
    (folder / "atheism").mkdir(parents=True)
    shutil.copy(DATA / "mapping.txt", folder)
    for name in ("train_text.txt", "train_labels.txt"):
        shutil.copy(DATA / "atheism" / name, folder / "atheism")
    return folder


def test_bad_data_is_reported_with_file_and_line(tmp_path: Path) -> None:
    folder = copy_target(tmp_path)
    assert len(load(folder, ["atheism"], ["train"], LABELS)["train"]["atheism"]) == 461
    labels_file = folder / "atheism" / "train_labels.txt"
    lines = labels_file.read_text().splitlines()
    labels_file.write_text("\n".join(lines[:2] + ["favor"] + lines[3:]) + "\n")
    with pytest.raises(StanceError, match=r"train_labels.txt:3: label 'favor' is not one of 0, 1, 2\."):
        load(folder, ["atheism"], ["train"], LABELS)
    labels_file.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(StanceError, match=r"train_labels.txt: 460 labels for 461 tweets in train_text.txt\."):
        load(folder, ["atheism"], ["train"], LABELS)
    with pytest.raises(StanceError, match=r"do not match the configured labels \['against', 'favor', 'pro'\]"):
        load(folder, ["atheism"], ["train"], LabelSet(("against", "pro", "favor"), "against"))
    with pytest.raises(StanceError, match=r"val_text.txt: no such file"):
        load(folder, ["atheism"], ["val"], LABELS)


def test_smoke_command_prints_and_writes_the_table(tmp_path: Path, params: dict) -> None:
    raw = small_params(params, [s for s in params["benchmark"]["systems"] if s["kind"] != "transformer"])
    params_file = tmp_path / "params.yaml"
    params_file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = CliRunner().invoke(app, ["benchmark", "tweeteval", "--smoke", "--params", str(params_file), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "SMOKE RUN" in result.output and "SVM-ngrams" in result.output and "100 train / 50 val / 50 test" in result.output
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert results["smoke"] and results["seeds"] == [params["benchmark"]["seeds"][0]]
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "| SVM-ngrams, one SVM per target (organisers' baseline) |" in report and "**tfidf**" in report


def test_command_without_data_fails_in_one_line(tmp_path: Path) -> None:
    stance = Path(sys.executable).with_name("stance")
    done = subprocess.run(
        [str(stance), "benchmark", "tweeteval", "--smoke", "--data", str(tmp_path), "--params", str(ROOT / "configs" / "params.yaml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == f"error: {tmp_path}: no TweetEval stance data here (no mapping.txt); pass --data with the folder's path.\n"


def test_head_recipe_has_no_randomness_so_one_run_stands_for_all_seeds(corpus: dict, params: dict) -> None:
    """Why the config runs `head` once (seeded: false): two seeds give the same probabilities."""
    system = System("head", "transformer", per_target=True, params={"recipe": "head", "c_grid": [1.0]})
    kind_params = system_params(system, CONFIG, None)
    train = {"atheism": corpus["train"]["atheism"].subset(range(12))}
    tweets = corpus["val"]["atheism"].texts[:6]
    runs = [fit_system(system, kind_params, train, {}, LABELS, seed, 3).models["atheism"].predict_proba(tweets) for seed in (1, 2)]
    assert (runs[0] == runs[1]).all()


def test_committed_results_round_trip_and_a_stale_file_says_to_rerun() -> None:
    path = ROOT / "benchmarks" / "tweeteval" / "results.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    results = BenchmarkResults.from_json(raw, str(path))
    assert results.to_json() == raw
    assert report_markdown(results) == (ROOT / "benchmarks" / "tweeteval" / "report.md").read_text(encoding="utf-8")
    with pytest.raises(StanceError, match=r"results\.json: not benchmark results of this version .*; rerun the benchmark\."):
        BenchmarkResults.from_json({k: v for k, v in raw.items() if k != "machine"}, "results.json")
