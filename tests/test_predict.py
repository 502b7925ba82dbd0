"""`stance predict` end to end on corpus articles, with a small transformer trained here on real hand labels.

The model (head recipe, one C, 40 labeled sentences) is trained and saved once
per module; saving writes its int8 ONNX export, as `dvc repro` does.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import load_config
from pipeline.corpus.segment import segment_article
from pipeline.labels.dataset import Dataset
from pipeline.models.card import model_card
from pipeline.models.folder import load_model, save_model
from pipeline.models.onnx_runtime import ONNX_FILE, OnnxClassifier
from pipeline.models.transformer import TransformerClassifier
from pipeline.models.transformer import fit as fit_transformer
from pipeline.params import LabelSet, SegmentParams
from pipeline.predict.classify import Prediction, classify, model_folder, summarise
from pipeline.predict.inputs import InputSentence
from tests.conftest import CONFIG

ROOT = Path(__file__).resolve().parent.parent
PARAMS = ROOT / "configs" / "params.yaml"
ARTICLES = ROOT / "data" / "articles"
ARTICLE = ARTICLES / "004_4e83cf9310ecd704.txt"
SECOND_ARTICLE = ARTICLES / "001_92b404342e752842.txt"
STANCE = Path(sys.executable).with_name("stance")
SEED = 13
PER_LABEL = 10

runner = CliRunner()


@pytest.fixture(scope="module")
def labels() -> LabelSet:
    return load_config(PARAMS).labels


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, labels: LabelSet) -> tuple[Path, TransformerClassifier]:
    """The first ten hand-labeled sentences of each label, a transformer fit on them, saved like `dvc repro` does."""
    rows = [json.loads(line) for line in (ROOT / "labels" / "seed.jsonl").read_text(encoding="utf-8").splitlines()]
    picked = [row for name in labels.names for row in [r for r in rows if r["label"] == name][:PER_LABEL]]
    data = Dataset(*(tuple(r[key] for r in picked) for key in ("id", "text", "label", "article")), ("seed",) * len(picked))
    params = replace(CONFIG.transformer, recipe="head", c_grid=(1.0,))
    model = fit_transformer(data, labels.names, params, SEED)
    folder = tmp_path_factory.mktemp("models") / "transformer"
    save_model(model, model_card("transformer", labels, CONFIG.segment, params, SEED, data, {}), folder)
    return folder, model


@pytest.fixture(scope="module")
def folder(trained: tuple[Path, TransformerClassifier]) -> Path:
    return trained[0]


@pytest.fixture(scope="module")
def torch_scores(trained: tuple[Path, TransformerClassifier]) -> np.ndarray:
    """The torch model's probabilities for every sentence of the article, straight from the classifier."""
    return trained[1].predict_proba(corpus_texts(ARTICLE))


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
    assert isinstance(onnx_model, OnnxClassifier) and (folder / ONNX_FILE).is_file()
    expected = torch_scores
    got = onnx_model.predict_proba(corpus_texts(ARTICLE))
    top2 = np.sort(expected, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 0.1  # int8 rounding may only flip near-ties
    assert np.array_equal(got.argmax(axis=1)[clear], expected.argmax(axis=1)[clear])
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).mean() >= 0.9
    assert np.abs(got - expected).max() < 0.15
    assert np.allclose(got.sum(axis=1), 1.0, atol=1e-4)


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
        assert list(record) == ["article", "sentence", "text", "label", "scores"]
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
    assert list(rows[0]) == ["article", "sentence", "text", "label", *score_columns, "id", "source"]
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
    assert [p.sentence.index for p in itertools.islice(classify(endless, model, 4), 6)] == list(range(6))


# --- bad input and missing models ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("missing.txt", None, "{path}: no such file or folder."),
        ("empty.txt", b"", "{path}: empty file, no text to read."),
        ("binary.txt", b"\x89PNG\x00\x00", "{path}:1: not text (mostly control or unassigned characters); expected a text file."),
        ("bad.jsonl", b'{"text": "Talks."}\n{"text": "Talks."}\n{oops\n', "{path}:3: not valid JSON (Expecting property name enclosed in double quotes)."),
        ("nocolumn.jsonl", b'{"text": "Talks."}\n{"body": "Talks."}\n', "{path}:2: no 'text' field with the sentence to classify."),
        ("nocolumn.csv", b"id,body\n1,Talks.\n", "{path}: no column 'text' in the header (it has id, body)."),
        ("folder", "dir", "{path}: no articles (.txt, .md, .html, .htm) in this folder."),
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
        (["--output", "out.txt"], "out.txt: cannot tell the format from this suffix; add --format jsonl, csv or json."),
        (["--output", "out.jsonl", "--format", "table"], "out.jsonl: a table is for the terminal; write files with --format jsonl, csv or json."),
    ],
)
def test_output_format_must_be_known(args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = predict(str(ARTICLE), *args)
    assert result.exit_code == 1 and result.stderr == f"error: {message}\n"


# --- the article summary on known answers ----------------------------------------------------


def test_summary_counts_shares_stance_and_evidence(labels: LabelSet) -> None:
    def p(index: int, label: str, confidence: float) -> Prediction:
        rest = (1 - confidence) / (len(labels.names) - 1)
        scores = {name: confidence if name == label else rest for name in labels.names}
        return Prediction(InputSentence("a.txt", "a", index, f"sentence {index}"), label, scores)

    predictions = [p(0, "none", 0.9), p(1, "skeptical", 0.5), p(2, "pro-talks", 0.6), p(3, "skeptical", 0.7), p(4, "pro-talks", 0.8)]
    summary = summarise(predictions, labels, evidence=1, claims_only=True)
    assert summary["counts"] == {"pro-talks": 2, "skeptical": 2, "conditional": 0}
    assert summary["shares"] == {"pro-talks": 0.5, "skeptical": 0.5, "conditional": 0.0}
    assert summary["stance"] == "pro-talks"  # a tie in counts goes to the larger summed confidence (1.4 > 1.2)
    assert summary["evidence"] == {
        "pro-talks": [{"sentence": 4, "text": "sentence 4", "confidence": 0.8}],
        "skeptical": [{"sentence": 3, "text": "sentence 3", "confidence": 0.7}],
        "conditional": [],
    }
    assert (summary["sentence_count"], summary["claim_count"], len(summary["sentences"])) == (5, 4, 4)
    assert summarise(predictions[:1], labels, 3, False)["stance"] == "none"


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
