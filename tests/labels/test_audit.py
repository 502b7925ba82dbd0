"""`stance labels audit`: cleanlab finds deliberately flipped labels in real data, and changes none."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import load_config
from pipeline.corpus.corpora import Corpus, segment_corpus
from pipeline.errors import StanceError
from pipeline.evaluation.predictions import read_cv
from pipeline.labels.audit import audit_markdown, suspects
from pipeline.labels.dataset import Dataset
from pipeline.labels.records import load_labeled
from pipeline.models.tfidf import fit
from pipeline.params import LabelSet
from pipeline.training.crossval import out_of_fold
from tests.conftest import CONFIG

ROOT = Path(__file__).resolve().parents[2]
LABELS = LabelSet(("pro-talks", "skeptical", "conditional", "none"), "none")
runner = CliRunner()


@pytest.fixture(scope="module")
def flipped() -> tuple[list[dict], set[str], dict[str, str]]:
    """Honest out-of-fold probabilities for the seed labels with 10% of them flipped at random."""
    config = load_config(ROOT / "configs" / "params.yaml")
    sentences = segment_corpus(Corpus("seed", ROOT / "data" / "articles", False, "paths.articles", config.paths.metadata), config.segment, config.slices)
    rows = load_labeled([ROOT / "labels" / "seed.jsonl"], sentences, LABELS, frozenset())
    data = Dataset.from_labeled(rows)
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(data), size=len(data) // 10, replace=False)
    labels = list(data.labels)
    for i in chosen:
        labels[i] = str(rng.choice([name for name in LABELS.names if name != labels[i]]))
    noisy = Dataset(data.ids, data.texts, tuple(labels), data.groups, data.slices)
    params = replace(CONFIG.kind_params("tfidf"), word_ngrams=(1, 2), char_ngrams=(2, 4), c_grid=(10.0,))
    records = out_of_fold(noisy, lambda subset: fit(subset, LABELS.names, params, 13), 5, 13)
    return records, {data.ids[i] for i in chosen}, dict(zip(data.ids, data.texts))


def test_most_flipped_labels_rank_near_the_top(flipped: tuple[list[dict], set[str], dict[str, str]]) -> None:
    records, flips, _ = flipped
    found = suspects(records, LABELS)
    top = {s.id for s in found[: 2 * len(flips)]}  # the first 20% of all labels
    assert len(top & flips) >= 0.6 * len(flips)
    assert len({s.id for s in found} & flips) >= 0.7 * len(flips)
    scores = [s.score for s in found]
    assert scores == sorted(scores)
    given = {r.id: r.gold for r in records}
    assert all(s.label == given[s.id] and s.suggested in LABELS.names for s in found)


def test_markdown_lists_every_suspect_in_rank_order(flipped: tuple[list[dict], set[str], dict[str, str]]) -> None:
    records, _, texts = flipped
    found = suspects(records, LABELS)
    text = audit_markdown(found, len(records), "tfidf", Path("reports/cv/tfidf.jsonl"), texts, max_text=60)
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == len(found)
    assert rows[0].startswith(f"| 1 | {found[0].id} | {found[0].label} | {found[0].suggested} | {texts[found[0].id][:20]}")
    hidden = audit_markdown(found, len(records), "tfidf", Path("reports/cv/tfidf.jsonl"), {}, max_text=60)
    assert "| (pool: read in its article) |" in hidden.splitlines()[-2]
    assert f"cleanlab flags {len(found)} of {len(records)} labels" in text


def test_the_audit_says_how_many_how_ranked_what_a_flag_means_and_where_to_start(flipped: tuple[list[dict], set[str], dict[str, str]]) -> None:
    records, _, texts = flipped
    found = suspects(records, LABELS)
    text = audit_markdown(found, len(records), "tfidf", Path("reports/cv/tfidf.jsonl"), texts, max_text=60)
    share = f"{len(found) / len(records):.0%}"
    assert f"cleanlab flags {len(found)} of {len(records)} labels ({share})" in text
    assert "Ranked by self-confidence, the probability the model gave the label as written (the score column), lowest first." in text
    assert "It does not mean the label is wrong" in text and "scoring articles it was not trained on" in text
    assert "Read from the top" in text
    assert [s.score for s in found] == sorted(s.score for s in found)  # what the text says of the order is what the list does


def cv_project(project: Path) -> Path:
    """The project, segmented, with the transformer's real out-of-fold predictions."""
    shutil.copytree(ROOT / "reports" / "cv", project / "reports" / "cv")
    assert runner.invoke(app, ["segment"]).exit_code == 0
    return project


def test_audit_command_writes_the_report_and_changes_no_label(project: Path) -> None:
    cv_project(project)
    before = {p.name: p.read_bytes() for p in (project / "labels").glob("*.jsonl")}
    result = runner.invoke(app, ["labels", "audit", "--show", "5"])
    assert result.exit_code == 0, result.output
    report = (project / "reports" / "label_audit.md").read_text(encoding="utf-8")
    found = suspects(read_cv(project / "reports" / "cv" / "transformer.jsonl", LABELS), LABELS)
    assert f"| 1 | {found[0].id} |" in report
    assert "Flagged labels, lowest self-confidence first (transformer, out-of-fold)" in result.output
    assert found[0].id in result.output and found[5].id not in result.output
    output = " ".join(result.output.split())
    assert f"cleanlab flags {len(found)} of 2387 labels ({len(found) / 2387:.0%})" in output
    assert "It does not mean the label is wrong" in output and "Read from the top" in output and "lowest first" in output
    assert f"Shown: the first 5 above; all {len(found)} in reports/label_audit.md. No label was changed." in output
    pool_rows = [line for line in report.splitlines() if line.startswith("| ") and line.split(" | ")[1][:2] in ("pk", "af", "ww")]
    assert pool_rows and all("| (pool: read in its article) |" in line for line in pool_rows)
    assert {p.name: p.read_bytes() for p in (project / "labels").glob("*.jsonl")} == before


def test_audit_of_another_model_into_another_file(project: Path) -> None:
    cv_project(project)
    result = runner.invoke(app, ["labels", "audit", "--model", "tfidf", "--output", "audit.md"])
    assert result.exit_code == 0, result.output
    assert "out-of-fold probabilities of the `tfidf` model" in (project / "audit.md").read_text(encoding="utf-8")


def test_missing_predictions_say_what_to_run(project: Path) -> None:
    result = runner.invoke(app, ["labels", "audit"])
    assert (result.exit_code, result.output) == (1, "error: reports/cv/transformer.jsonl: no cross-validation predictions; run `dvc repro` first.\n")


def test_a_label_outside_the_label_set_is_refused_with_its_line(tmp_path: Path) -> None:
    lines = (ROOT / "reports" / "cv" / "transformer.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    record = json.loads(lines[1])
    record["gold"] = "maybe"
    path = tmp_path / "cv.jsonl"
    path.write_text("\n".join([lines[0], json.dumps(record), lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(StanceError, match=rf"{path}:2: label 'maybe' is not one of pro-talks, skeptical, conditional, none\."):
        read_cv(path, LABELS)
