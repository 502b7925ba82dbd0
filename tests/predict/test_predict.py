"""`stance predict` end to end on corpus articles, with a small transformer trained on real hand labels (conftest's `small_transformer`)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import load_config
from pipeline.corpus.segment import segment_article
from pipeline.errors import StanceError
from pipeline.models.folder import load_model
from pipeline.models.onnx_runtime import ONNX_FILE, OnnxClassifier, weights_file
from pipeline.models.transformer import TransformerClassifier
from pipeline.params import LabelSet, SegmentParams
from pipeline.predict.classify import (
    Prediction,
    classify,
    in_process,
    model_folder,
    summarise,
)
from pipeline.predict.inputs import InputSentence
from tests.conftest import CONFIG

ROOT = Path(__file__).resolve().parents[2]
PARAMS = ROOT / "configs" / "params.yaml"
ARTICLES = ROOT / "data" / "articles"
ARTICLE = ARTICLES / "004_4e83cf9310ecd704.txt"
SECOND_ARTICLE = ARTICLES / "001_92b404342e752842.txt"
STANCE = Path(sys.executable).with_name("stance")

runner = CliRunner()


@pytest.fixture(scope="module")
def labels() -> LabelSet:
    return load_config(PARAMS).labels


@pytest.fixture(scope="module")
def folder(small_transformer: tuple[Path, TransformerClassifier]) -> Path:
    return small_transformer[0]


@pytest.fixture(scope="module")
def torch_scores(small_transformer: tuple[Path, TransformerClassifier]) -> np.ndarray:
    """The torch model's probabilities for every sentence of the article, straight from the classifier."""
    return small_transformer[1].predict_proba(corpus_texts(ARTICLE))


def corpus_texts(path: Path) -> list[str]:
    params = load_config(PARAMS).segment
    return [s.text for s in segment_article(path.stem, path.read_text(encoding="utf-8"), params)]


def predict(*args: str, input: str | None = None):
    result = runner.invoke(app, ["predict", *args, "--params", str(PARAMS)], input=input)
    assert "Traceback" not in result.output, result.output
    return result


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# --- the ONNX export: written at save time, agrees with torch -------------------------------


def test_onnx_export_agrees_with_torch_on_corpus_sentences(folder: Path, torch_scores: np.ndarray) -> None:
    onnx_model, _ = load_model(folder, "onnx")
    assert isinstance(onnx_model.model, OnnxClassifier) and (folder / ONNX_FILE).is_file()
    expected = torch_scores
    got = onnx_model.predict_proba(corpus_texts(ARTICLE))
    top2 = np.sort(expected, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 0.1  # int8 rounding may only flip near-ties
    assert np.array_equal(got.argmax(axis=1)[clear], expected.argmax(axis=1)[clear])
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).mean() >= 0.9
    assert np.abs(got - expected).max() < 0.05
    assert np.allclose(got.sum(axis=1), 1.0, atol=1e-4)


def test_onnx_export_quantises_the_encoders_products_in_blocks_of_the_configured_size(folder: Path) -> None:
    graph = onnx.load(str(folder / ONNX_FILE)).graph
    blocks = [node for node in graph.node if node.op_type == "MatMulNBits"]
    assert blocks and all(node.name.startswith("/encoder/") for node in blocks)
    sizes = {attribute.i for node in blocks for attribute in node.attribute if attribute.name == "block_size"}
    assert sizes == {load_config(PARAMS).kind_params("transformer").onnx_block_size}
    weights = {initializer.name for initializer in graph.initializer}
    assert not [node.name for node in graph.node if node.op_type == "MatMul" and node.name.startswith("/encoder/") and node.input[1] in weights]


def test_onnx_export_keeps_its_weights_in_a_file_beside_the_graph(folder: Path) -> None:
    graph, weights = folder / ONNX_FILE, weights_file(folder / ONNX_FILE)
    assert graph.stat().st_size < 1_000_000 < weights.stat().st_size
    assert weights.stat().st_mode == graph.stat().st_mode  # readable by whoever may read the graph


def test_a_missing_or_truncated_weights_file_is_one_clear_error(folder: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(folder, copy)
    weights = weights_file(copy / ONNX_FILE)
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(StanceError, match=r"the model files cannot be read .*run `dvc repro`"):
        load_model(copy, "onnx")
    weights.unlink()
    with pytest.raises(StanceError, match=r"the model files cannot be read .*run `dvc repro`"):
        load_model(copy, "onnx")


def test_scores_do_not_depend_on_how_many_sentences_run_at_once(folder: Path) -> None:
    onnx_model, _ = load_model(folder, "onnx")
    assert isinstance(onnx_model.model, OnnxClassifier)
    texts = corpus_texts(ARTICLE)
    alone = replace(onnx_model.model, threads=1).predict_proba(texts)
    assert np.array_equal(replace(onnx_model.model, threads=3).predict_proba(texts), alone)


def test_torch_backend_runs_the_model_as_trained(folder: Path, torch_scores: np.ndarray, labels: LabelSet) -> None:
    result = predict(str(ARTICLE), "--model", str(folder), "--backend", "torch", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = jsonl(result.stdout)
    assert [r["label"] for r in records] == [labels.names[i] for i in torch_scores.argmax(axis=1)]
    assert "(torch)" in result.stderr


def test_onnx_path_does_not_import_torch(folder: Path) -> None:
    code = (
        "import sys; from pipeline.cli.app import app\n"
        f"app(['predict', {str(ARTICLE)!r}, '--model', {str(folder)!r}, '--format', 'jsonl', '--params', {str(PARAMS)!r}], standalone_mode=False)\n"
        "print('torch imported:', 'torch' in sys.modules, 'sklearn' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "torch imported: False False"


# --- the command end to end ------------------------------------------------------------------


def test_real_process_prints_the_table_for_a_corpus_article(folder: Path) -> None:
    done = subprocess.run(
        [str(STANCE), "predict", str(ARTICLE), "--model", str(folder), "--params", str(PARAMS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    n = len(corpus_texts(ARTICLE))
    assert "004_4e83cf9310ecd704" in done.stdout
    assert "Can Pakistan Deliver the Haqqanis" in done.stdout
    assert f"Classified {n} sentences from 1 article:" in done.stdout.splitlines()[-1]


def test_jsonl_records_one_per_sentence(folder: Path, labels: LabelSet) -> None:
    result = predict(str(ARTICLE), "--model", str(folder), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = jsonl(result.stdout)
    assert [r["text"] for r in records] == corpus_texts(ARTICLE)
    assert [r["sentence"] for r in records] == list(range(len(records)))
    for record in records:
        assert list(record) == ["article", "sentence", "text", "label", "scores", "set_aside", "language", "model", "model_card"]
        assert record["set_aside"] is False  # this model recommends no minimum confidence
        assert record["article"] == ARTICLE.stem
        assert list(record["scores"]) == list(labels.names)
        assert record["label"] == max(record["scores"], key=record["scores"].get)
        assert sum(record["scores"].values()) == pytest.approx(1.0, abs=1e-4)
    assert result.stderr.startswith(f"Classified {len(records)} sentences from 1 article:")


def test_jsonl_round_trip_carries_columns(folder: Path, tmp_path: Path) -> None:
    rows = [
        {"id": "t-1", "text": "The government must open talks with the Taliban at once.", "label": "pro-talks", "meta": {"page": 1}},
        {"id": "t-2", "text": "Negotiating with militants only rewards their violence.", "label": "skeptical"},
        {"id": "t-3", "text": "The weather in Islamabad was mild on Thursday.", "label": "none"},
    ]
    source = tmp_path / "sentences.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = predict(str(source), "--model", str(folder), "--text-column", "text", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = jsonl(result.stdout)
    assert [(r["id"], r["text"], r["input_label"], r["article"], r["sentence"]) for r in records] == [
        (row["id"], row["text"], row["label"], "sentences", i) for i, row in enumerate(rows)
    ]
    assert records[0]["meta"] == {"page": 1}

    again = tmp_path / "again.jsonl"
    again.write_text(result.stdout, encoding="utf-8")
    second = jsonl(predict(str(again), "--model", str(folder), "--format", "jsonl").stdout)
    assert [r["label"] for r in second] == [r["label"] for r in records]
    assert [r["input_scores"] for r in second] == [r["scores"] for r in records]


def test_csv_round_trip_carries_columns(folder: Path, tmp_path: Path, labels: LabelSet) -> None:
    source = tmp_path / "sentences.csv"
    source.write_text(
        'id,sentence,source\n7,"Talks with the Taliban, the envoy said, must begin now.",wire\n8,Prices rose in March.,paper\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = predict(str(source), "--model", str(folder), "--text-column", "sentence", "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    score_columns = [f"score_{name}" for name in labels.names]
    assert list(rows[0]) == ["article", "sentence", "text", "label", *score_columns, "set_aside", "language", "model", "model_card", "id", "source"]
    assert [(r["id"], r["source"], r["text"]) for r in rows] == [
        ("7", "wire", "Talks with the Taliban, the envoy said, must begin now."),
        ("8", "paper", "Prices rose in March."),
    ]
    assert f"wrote {out}" in result.stdout


def test_json_summarises_each_article(folder: Path, labels: LabelSet) -> None:
    result = predict(str(ARTICLE), str(SECOND_ARTICLE), "--model", str(folder), "--format", "json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["runtime"] == "onnx" and document["kind"] == "transformer"
    assert [a["article"] for a in document["articles"]] == [ARTICLE.stem, SECOND_ARTICLE.stem]
    for article in document["articles"]:
        claims = [s for s in article["sentences"] if s["label"] != labels.negative]
        assert article["sentence_count"] == len(article["sentences"])
        assert article["claim_count"] == len(claims) == sum(article["counts"].values())
        assert article["counts"] == {name: sum(s["label"] == name for s in claims) for name in labels.positives}
        if claims:
            assert sum(article["shares"].values()) == pytest.approx(1.0, abs=1e-3)
            assert article["counts"][article["stance"]] == max(article["counts"].values())
        for name, evidence in article["evidence"].items():
            confidences = [e["confidence"] for e in evidence]
            assert confidences == sorted(confidences, reverse=True) and len(evidence) == min(3, article["counts"][name])
            assert all(article["sentences"][e["sentence"]]["label"] == name for e in evidence)


def test_claims_only_drops_sentences_without_a_claim(folder: Path, labels: LabelSet) -> None:
    everything = jsonl(predict(str(ARTICLE), "--model", str(folder), "--format", "jsonl").stdout)
    claims = jsonl(predict(str(ARTICLE), "--model", str(folder), "--format", "jsonl", "--claims-only").stdout)
    assert claims == [r for r in everything if r["label"] != labels.negative]
    assert 0 < len(claims) < len(everything)


def test_standard_input(folder: Path) -> None:
    result = predict("-", "--model", str(folder), "--format", "jsonl", input="Talks must begin now.\nThe weather is mild.\n")
    assert result.exit_code == 0, result.output
    assert [(r["article"], r["text"]) for r in jsonl(result.stdout)] == [("stdin", "Talks must begin now."), ("stdin", "The weather is mild.")]


def test_table_shows_brackets_in_text_as_written(folder: Path) -> None:
    result = predict("-", "--model", str(folder), input="[bold]Talks[/bold] must begin now [1].\n")
    assert result.exit_code == 0, result.output
    assert "[bold]Talks[/bold] must begin now [1]." in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Classified 1 sentence from 1 article:")


def test_classify_streams_in_chunks(folder: Path) -> None:
    model, _ = load_model(folder, "onnx")
    endless = (InputSentence("<stdin>", "stdin", i, "Talks must begin now.") for i in itertools.count())
    assert [p.sentence.index for p in itertools.islice(classify(endless, in_process(model), model.labels, 4, "none", 0.0), 6)] == list(range(6))


# --- bad input and missing models ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("missing.txt", None, "{path}: no such file or folder."),
        ("empty.txt", b"", "{path}: empty file, no text to read."),
        ("binary.txt", b"\x89PNG\x00\x00", "{path}:1: not text (mostly control or unassigned characters); expected a text file."),
        ("bad.jsonl", b'{"text": "Talks."}\n{"text": "Talks."}\n{oops\n', "{path}:3: not valid JSON (Expecting property name enclosed in double quotes)."),
        (
            "nocolumn.jsonl",
            b'{"text": "Talks."}\n{"body": "Talks."}\n',
            "{path}:2: no field 'text' with the text to classify (it has body); name the text field with --text-column NAME.",
        ),
        (
            "nocolumn.csv",
            b"id,body\n1,Talks.\n",
            "{path}: no column 'text' with the text to classify (it has id, body); name the text column with --text-column NAME.",
        ),
        ("folder", "dir", "{path}: no articles (.txt, .md, .html, .htm) or Parquet files in this folder."),
    ],
)
def test_bad_input_one_line_exit_1_no_output_file(name: str, data: bytes | str | None, message: str, folder: Path, tmp_path: Path) -> None:
    path = tmp_path / name
    if data == "dir":
        path.mkdir()
    elif data is not None:
        path.write_bytes(data)
    out = tmp_path / "out" / "predictions.jsonl"
    result = predict(str(ARTICLE), str(path), "--model", str(folder), "--output", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"error: {message.format(path=path)}\n"
    assert not out.exists() and (not out.parent.exists() or not any(out.parent.iterdir()))


def test_a_folder_names_the_files_it_skips_and_goes_on(majority_model: Path, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "story.md").write_text("# Talks must begin now\n\n**Nobody** disagrees.\n", encoding="utf-8")
    for name in ("a.pdf", "b.docx", "c.png", "d.rst"):
        (folder / name).write_bytes(b"not an article")
    result = predict(str(folder), "--model", str(majority_model), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert [r["text"] for r in jsonl(result.stdout)] == ["Talks must begin now", "Nobody disagrees."]
    assert result.stderr.splitlines()[0] == (
        f"warning: {folder}: skipped 4 files that are not articles or Parquet (.docx, .pdf, .png, .rst): "
        f"{folder / 'a.pdf'}, {folder / 'b.docx'}, {folder / 'c.png'} and 1 more."
    )


def test_closed_standard_input_is_one_line_of_error(majority_model: Path, tmp_path: Path) -> None:
    """`stance predict - <&-`: with file descriptor 0 closed Python has no sys.stdin at all, unlike reading /dev/null."""
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [str(STANCE), "predict", "-", "--model", str(majority_model), "--output", str(out), "--params", str(PARAMS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=lambda: os.close(0),
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "error: -: standard input is closed, so there is nothing to read; pipe the text in or name a file.\n"
    assert not out.exists()


def test_non_utf8_text_is_read_with_a_warning(folder: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes("The army’s offer of talks stands.\n".encode("cp1252"))
    result = predict(str(path), "--model", str(folder), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert jsonl(result.stdout)[0]["text"] == "The army’s offer of talks stands."
    assert result.stderr.splitlines()[0] == f"warning: {path}:1: not UTF-8; read as cp1252 (Windows-1252), one line at a time."


def test_no_trained_model_says_how_to_make_one(project: Path) -> None:
    result = runner.invoke(app, ["predict", str(ARTICLE), "--model", "baseline"])
    assert result.exit_code == 1
    assert result.stderr == "error: models/tfidf: no trained model here (no model.json); run `dvc repro` to train one.\n"


def test_model_names_and_folders() -> None:
    models = Path("models")
    assert model_folder("transformer", models) == models / "transformer"
    assert model_folder("baseline", models) == models / "tfidf"
    assert model_folder("elsewhere/mine", models) == Path("elsewhere/mine")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "out.txt"], "out.txt: cannot tell the format from this suffix; add --format jsonl, csv, json, html or parquet."),
        (
            ["--output", "out.jsonl", "--format", "table"],
            "out.jsonl: a table is for the terminal; write files with --format jsonl, csv, json, html or parquet.",
        ),
    ],
)
def test_output_format_must_be_known(args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = predict(str(ARTICLE), *args)
    assert result.exit_code == 1 and result.stderr == f"error: {message}\n"


# --- the article summary on known answers ----------------------------------------------------


def summary_prediction(index: int, label: str, confidence: float, labels: LabelSet, min_confidence: float = 0.0) -> Prediction:
    rest = (1 - confidence) / (len(labels.names) - 1)
    scores = {name: confidence if name == label else rest for name in labels.names}
    return Prediction(InputSentence("a.txt", "a", index, f"sentence {index}"), label, scores, label != labels.negative and confidence < min_confidence)


def test_summary_counts_shares_stance_and_evidence(labels: LabelSet) -> None:
    confidences = [("none", 0.9), ("skeptical", 0.5), ("pro-talks", 0.6), ("skeptical", 0.7), ("pro-talks", 0.8)]
    predictions = [summary_prediction(i, label, c, labels) for i, (label, c) in enumerate(confidences)]
    summary = summarise(predictions, labels, evidence=1, claims_only=True, min_claims=2, stamp={})
    assert summary["counts"] == {"pro-talks": 2, "skeptical": 2, "conditional": 0}
    assert summary["shares"] == {"pro-talks": 0.5, "skeptical": 0.5, "conditional": 0.0}
    assert summary["stance"] == "pro-talks"  # a tie in counts goes to the larger summed confidence (1.4 > 1.2)
    assert summary["evidence"] == {
        "pro-talks": [{"sentence": 4, "text": "sentence 4", "confidence": 0.8}],
        "skeptical": [{"sentence": 3, "text": "sentence 3", "confidence": 0.7}],
        "conditional": [],
    }
    assert (summary["sentence_count"], summary["claim_count"], summary["set_aside"], len(summary["sentences"])) == (5, 4, 0, 4)
    assert summarise(predictions[:1], labels, 3, False, 2, {})["stance"] == "none"


def test_summary_counts_only_confident_claims_and_says_unclear_when_too_few(labels: LabelSet) -> None:
    """Two guesses at 0.29 once made an article firmly `skeptical`; now they are set aside and the article is unclear."""
    guesses = [
        summary_prediction(0, "none", 0.9, labels, 0.5),
        summary_prediction(1, "skeptical", 0.29, labels, 0.5),
        summary_prediction(2, "skeptical", 0.29, labels, 0.5),
    ]
    summary = summarise(guesses, labels, evidence=3, claims_only=False, min_claims=2, stamp={})
    assert (summary["stance"], summary["claim_count"], summary["set_aside"]) == ("unclear", 0, 2)
    assert summary["shares"] == {"pro-talks": 0.0, "skeptical": 0.0, "conditional": 0.0}
    assert summary["evidence"]["skeptical"] == []
    one_sure = [*guesses, summary_prediction(3, "pro-talks", 0.8, labels, 0.5)]
    assert summarise(one_sure, labels, 3, False, 2, {})["stance"] == "unclear"  # one confident claim is fewer than min_claims
    assert summarise(one_sure, labels, 3, False, 1, {})["stance"] == "pro-talks"
    assert [r["sentence"] for r in summarise(one_sure, labels, 3, True, 1, {})["sentences"]] == [3]


def test_predict_takes_segmentation_and_labels_from_the_model_card_not_the_params_file(folder: Path, tmp_path: Path) -> None:
    """A model folder is self-sufficient: changing the current params' labels or segmentation changes nothing it predicts."""
    params = yaml.safe_load(PARAMS.read_text(encoding="utf-8"))
    params["labels"] = {"names": ["yes", "no"], "negative": "no"}
    params["segment"]["extra_abbreviations"] = ["lieut", "ma", "afghanistan"]
    assert len(segment_article("x", ARTICLE.read_text(encoding="utf-8"), SegmentParams(("lieut", "ma", "afghanistan"), 2000))) == 53  # 54 by the card
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(params), encoding="utf-8")
    out = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    for path, params_file in zip(out, (PARAMS, other), strict=True):
        result = runner.invoke(app, ["predict", str(ARTICLE), "--model", str(folder), "--output", str(path), "--params", str(params_file)])
        assert result.exit_code == 0, result.output
    assert out[0].read_bytes() == out[1].read_bytes()
    assert {json.loads(line)["label"] for line in out[1].read_text(encoding="utf-8").splitlines()} <= set(CONFIG.labels.names)


# --- minimum confidence ----------------------------------------------------------------------


def test_min_confidence_marks_claims_in_records_and_hides_them_from_claims_only_and_summaries(folder: Path) -> None:
    every = jsonl(predict(str(ARTICLE), "--model", str(folder), "--format", "jsonl", "--min-confidence", "0").stdout)
    claims = sorted(r["scores"][r["label"]] for r in every if r["label"] != "none")
    assert len(claims) >= 2 and not any(r["set_aside"] for r in every)
    cut = claims[len(claims) // 2]  # the median claim's confidence: about half the claims fall below it
    below = [r["label"] != "none" and r["scores"][r["label"]] < cut for r in every]
    assert 0 < sum(below) < len(claims)

    marked = jsonl(predict(str(ARTICLE), "--model", str(folder), "--format", "jsonl", "--min-confidence", str(cut)).stdout)
    assert [r["set_aside"] for r in marked] == below
    assert [r["label"] for r in marked] == [r["label"] for r in every]  # marked, not relabeled

    kept = jsonl(predict(str(ARTICLE), "--model", str(folder), "--format", "jsonl", "--claims-only", "--min-confidence", str(cut)).stdout)
    assert [r["sentence"] for r in kept] == [r["sentence"] for r, aside in zip(every, below) if r["label"] != "none" and not aside]

    document = json.loads(predict(str(ARTICLE), "--model", str(folder), "--format", "json", "--min-confidence", str(cut)).stdout)
    summary = document["articles"][0]
    assert document["min_confidence"] == cut
    assert (summary["set_aside"], summary["claim_count"]) == (sum(below), len(claims) - sum(below))


def test_the_default_minimum_is_the_model_cards_recommended_confidence(folder: Path, tmp_path: Path) -> None:
    import shutil

    strict = tmp_path / "strict"
    shutil.copytree(folder, strict)
    card = json.loads((strict / "model.json").read_text(encoding="utf-8"))
    card["calibration"]["recommended_confidence"] = 1.0
    (strict / "model.json").write_text(json.dumps(card), encoding="utf-8")
    result = predict(str(ARTICLE), "--model", str(strict), "--format", "json")
    summary = json.loads(result.stdout)["articles"][0]
    assert summary["claim_count"] == 0 and summary["set_aside"] > 0 and summary["stance"] == "unclear"
    assert "at confidence 1.00 or more" in result.stderr
    table = predict(str(ARTICLE), "--model", str(strict), "--claims-only")
    assert table.exit_code == 0 and "set aside below the minimum confidence; overall unclear" in " ".join(table.stdout.split())


# --- progress ------------------------------------------------------------------------------------


def test_progress_shows_inputs_done_of_all_and_time_left_when_the_total_is_known(labels: LabelSet) -> None:
    from rich.console import Console

    from pipeline.predict.output import progress

    def stream(sources: list[str]) -> list[Prediction]:
        return [summary_prediction(i, "none", 0.9, labels) for i, _ in enumerate(sources)]

    def shown(inputs: int | None) -> str:
        screen = io.StringIO()
        console = Console(file=screen, force_terminal=True, width=160)
        predictions = [replace(p, sentence=replace(p.sentence, source=f"{i // 2}.txt")) for i, p in enumerate(stream(["x"] * 4))]
        with progress(console, True, inputs) as counting:
            assert list(counting(predictions)) == predictions
        return screen.getvalue()

    known = shown(2)
    assert "2/2" in known and "left" in known and "4 sentences" in known
    unknown = shown(None)
    assert "4 sentences" in unknown and "2/2" not in unknown


# --- several processes ---------------------------------------------------------------------------


@pytest.mark.slow  # a pool of worker processes, each loading the model
def test_two_workers_write_exactly_what_one_writes(folder: Path, tmp_path: Path) -> None:
    """Real processes, each with the int8 ONNX model: a sentence's scores do not depend on its chunk, so the records are identical."""
    alone, pair = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    inputs = [str(ARTICLE), str(SECOND_ARTICLE)]
    for workers, out in (("1", alone), ("2", pair)):
        done = subprocess.run(
            [str(STANCE), "predict", *inputs, "--model", str(folder), "--workers", workers, "--output", str(out), "--params", str(PARAMS)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert pair.read_bytes() == alone.read_bytes() and len(alone.read_text(encoding="utf-8").splitlines()) > 100


def test_cores_are_split_between_workers() -> None:
    from pipeline.predict.workers import shares

    assert shares([0, 1, 2, 3], 2) == [[0, 2], [1, 3]]
    assert shares([0, 1], 1) == [[0, 1]]
    assert shares([0, 1], 3) == [[0], [1], [0]]


def test_onnx_threads_follow_omp_num_threads_where_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ray sets OMP_NUM_THREADS to each actor's share of the cores; without it, every core the process may use."""
    from pipeline.models.onnx_runtime import available_cores

    cores = len(os.sched_getaffinity(0))
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert available_cores() == cores
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert available_cores() == 1
    for ignored in ("0", "many", str(cores + 8)):
        monkeypatch.setenv("OMP_NUM_THREADS", ignored)
        assert available_cores() == cores
