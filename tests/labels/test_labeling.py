"""`stance label`: the queue, the session's state machine, the durable label file, and the
interactive command driven by scripted keys, in-process and in a real pseudo-terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import load_config
from pipeline.corpus.corpora import read_sentences
from pipeline.corpus.segment import segment_article
from pipeline.errors import StanceError
from pipeline.labels.intake import NewArticles, read_articles
from pipeline.labels.queue import Item, ordered, with_guesses
from pipeline.labels.session import (
    LabelingParams,
    LabelLog,
    Session,
    label_file,
    label_keys,
)
from pipeline.params import LabelSet, SegmentParams
from pipeline.predict.classify import Prediction
from pipeline.predict.inputs import InputSentence
from pipeline.scores import scored_rows
from tests.conftest import CONFIG

STANCE = Path(sys.executable).with_name("stance")
NEW = "004_4e83cf9310ecd704"  # the seed article that plays the user's new article
LABELS = LabelSet(("pro-talks", "skeptical", "conditional", "none"), "none")
KEYS = {"p": "pro-talks", "s": "skeptical", "c": "conditional", "n": "none"}
runner = CliRunner()


@pytest.fixture
def new_article(project: Path) -> Path:
    """The project without article 004 and its labels; 004 waits outside as the article to add."""
    incoming = project / "incoming"
    incoming.mkdir()
    article = project / "data" / "articles" / f"{NEW}.txt"
    article.rename(incoming / article.name)
    seed = project / "labels" / "seed.jsonl"
    kept = [line for line in seed.read_text(encoding="utf-8").splitlines() if f'"article": "{NEW}"' not in line]
    seed.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    assert runner.invoke(app, ["segment"]).exit_code == 0
    return incoming / article.name


def records(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def label(*args: str, keys: str) -> str:
    result = runner.invoke(app, ["label", *args], input=keys)
    assert result.exit_code == 0, result.output
    return result.output


def check_passes() -> str:
    result = runner.invoke(app, ["labels", "check"])
    assert result.exit_code == 0, result.output
    return result.output


def guessed(sentences, proba: np.ndarray | None, set_aside: float = 0.0) -> list[Item]:
    """The queue's items with the guesses `stance predict` would give for these probabilities."""
    if proba is None:
        return with_guesses(sentences, None)
    rows = scored_rows(proba, LABELS.names)
    guesses = {
        s.id: Prediction(InputSentence("test", s.article, s.index, s.text), row.label, row.scores, row.label != LABELS.negative and row.confidence < set_aside)
        for s, row in zip(sentences, rows, strict=True)
    }
    return with_guesses(sentences, guesses)


# The queue ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sentences():
    text = (Path(__file__).resolve().parents[2] / "data" / "articles" / f"{NEW}.txt").read_text(encoding="utf-8")
    return segment_article(NEW, text, SegmentParams(("lieut",), 2000))[:6]


def test_uncertain_order_puts_least_confident_guesses_first_and_keeps_reading_order_on_ties(sentences) -> None:
    proba = np.array([[0.1, 0.1, 0.1, 0.7], [0.3, 0.3, 0.2, 0.2], [0.9, 0, 0, 0.1], [0.3, 0.2, 0.2, 0.3], [0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0, 0]])
    items = ordered(guessed(sentences, proba), "uncertain", seed=13)
    assert [item.sentence.index for item in items] == [4, 1, 3, 5, 0, 2]
    assert (items[-1].guess, items[-1].confidence) == ("pro-talks", 0.9)


def test_article_order_is_reading_order_and_uncertain_falls_back_to_it_without_a_model(sentences) -> None:
    items = guessed(sentences, None)
    assert ordered(items, "article", 13) == items == ordered(items, "uncertain", 13)
    assert items[0].guess is None


def test_diverse_order_asks_the_most_uncertain_first_but_no_near_duplicates_in_a_row(sentences) -> None:
    from dataclasses import replace

    from pipeline.labels.queue import NEAR

    texts = [
        "Talks with the group must begin now.",
        "Talks with the group must begin now, he said.",
        "Prices rose in March.",
        "The army holds the pass.",
        "Rain fell.",
        "Talks will fail.",
    ]
    twins = [replace(s, text=t) for s, t in zip(sentences, texts, strict=True)]
    proba = np.array(
        [[0.25, 0.25, 0.25, 0.25], [0.26, 0.24, 0.25, 0.25], [0.4, 0.3, 0.2, 0.1], [0.7, 0.1, 0.1, 0.1], [0.97, 0.01, 0.01, 0.01], [0.5, 0.5, 0, 0]]
    )
    items = guessed(twins, proba)
    assert [round(i.entropy, 3) for i in items][:2] == [round(float(np.log(4)), 3)] * 2  # both as doubtful as can be
    by_entropy = [i.sentence.index for i in sorted(items, key=lambda i: -(i.entropy or 0.0))]
    assert by_entropy[:2] == [0, 1]  # the near-duplicates would come one after the other
    diverse = [i.sentence.index for i in ordered(items, "diverse", 13)]
    assert diverse[0] == 0 and diverse[1] != 1 and sorted(diverse) == list(range(6))
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    assert (vectors[0] @ vectors[1].T)[0, 0] >= NEAR > (vectors[0] @ vectors[2].T)[0, 0]  # the premise: 0 and 1 are near-duplicates, 2 is not
    assert ordered(guessed(sentences, None), "diverse", 13) == guessed(sentences, None)  # no model: reading order


def test_random_order_is_a_seeded_permutation(sentences) -> None:
    items = [Item(s) for s in sentences]
    shuffled = ordered(items, "random", 13)
    assert sorted(i.sentence.index for i in shuffled) == list(range(6))
    assert shuffled == ordered(items, "random", 13) != items


def test_unknown_order_names_the_choices(sentences) -> None:
    with pytest.raises(StanceError, match="unknown order 'doubt'; expected one of uncertain, diverse, article, random"):
        ordered([Item(s) for s in sentences], "doubt", 13)


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        (("p", "s", "c", "q"), "uses 'q', which is a control key"),
        (("p", "s", "c", "pp"), "distinct single characters"),
        (("p", "s", "p", "n"), "distinct single characters"),
    ],
)
def test_label_keys_must_not_clash(keys: tuple[str, ...], message: str) -> None:
    with pytest.raises(StanceError, match=message):
        LabelingParams(keys=keys, model="transformer", context=1)


def test_one_key_per_label() -> None:
    with pytest.raises(StanceError, match="labeling.keys has 3 keys for 4 labels"):
        label_keys(LabelingParams(("p", "s", "c"), "transformer", 1), LABELS)
    assert label_keys(LabelingParams(("p", "s", "c", "n"), "transformer", 1), LABELS) == KEYS


# The session and its label file ----------------------------------------------------------------


def session(sentences, path: Path) -> Session:
    return Session([Item(s) for s in sentences], LabelLog.open(path, LABELS), "Tester", KEYS, frozenset({"pool"}))


def test_every_decision_is_on_disk_at_once(sentences, tmp_path: Path) -> None:
    path = tmp_path / "tester.jsonl"
    run = session(sentences, path)
    assert run.press("n") == f"{NEW}-0: none"
    assert [r["id"] for r in records(path)] == [f"{NEW}-0"]
    run.note = "quoted position"
    run.press("p")
    assert records(path)[1] == {
        "id": f"{NEW}-1",
        "article": NEW,
        "text": sentences[1].text,
        "label": "pro-talks",
        "annotator": "Tester",
        "note": "quoted position",
    }
    assert run.note == ""


def test_a_sentence_labeled_twice_keeps_one_record_with_the_last_label(sentences, tmp_path: Path) -> None:
    path = tmp_path / "tester.jsonl"
    run = session(sentences, path)
    run.press("n")
    run.note = "hedged"
    run.press("s")
    assert run.press("u") == f"undid {NEW}-1"
    assert run.note == "hedged"  # the undone label's note is back in hand
    run.press("c")
    assert [(r["id"], r["label"], r["note"]) for r in records(path)] == [(f"{NEW}-0", "none", ""), (f"{NEW}-1", "conditional", "hedged")]
    assert (run.labeled, run.position) == (2, 2)


def test_undo_walks_back_over_skips_and_an_empty_file_is_removed(sentences, tmp_path: Path) -> None:
    path = tmp_path / "tester.jsonl"
    run = session(sentences, path)
    run.press("p")
    assert run.press(" ") == f"{NEW}-1: skipped"
    assert run.press("k") == f"{NEW}-2: skipped"
    assert (run.labeled, run.skipped) == (1, 2)
    run.press("u")
    run.press("u")
    assert run.current is not None and run.current.sentence.index == 1
    run.press("u")
    assert not path.exists()  # an empty label file would fail `stance labels check`
    assert run.press("u") == "nothing to undo in this session"
    assert run.press("x") == "unknown key 'x'"


def test_a_broken_label_file_is_refused_before_it_is_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "tester.jsonl"
    path.write_text('{"id": "x", "article": "a", "text": "t", "label": "none", "annotator": "T"}\n{"id": \n', encoding="utf-8")
    with pytest.raises(StanceError, match=rf"{path}:2: not valid JSON .* Fix it first"):
        LabelLog.open(path, LABELS)


def test_label_file_is_named_for_the_annotator(tmp_path: Path) -> None:
    assert label_file(tmp_path, "Ayesha K. Siddiqa") == tmp_path / "ayesha-k-siddiqa.jsonl"
    with pytest.raises(StanceError, match="no letters or digits"):
        label_file(tmp_path, "…")


# Adding articles ----------------------------------------------------------------------------


def add_articles(inputs: list[Path], folder: Path) -> list:
    """Read the inputs and store every new one, as a session does with the first label of each."""
    added = read_articles(inputs, folder)
    store = NewArticles.of(added, folder)
    for article in added:
        store.keep(article.id)
    return added


def test_adding_an_article_twice_reuses_it_and_a_different_one_under_its_id_is_refused(new_article: Path, project: Path) -> None:
    folder = project / "data" / "articles"
    first = read_articles([new_article], folder)
    assert [(a.id, a.new) for a in first] == [(NEW, True)]
    assert not (folder / f"{NEW}.txt").exists()  # reading writes nothing
    add_articles([new_article], folder)
    assert (folder / f"{NEW}.txt").read_text(encoding="utf-8") == new_article.read_text(encoding="utf-8")
    assert [(a.id, a.new) for a in read_articles([new_article.parent], folder)] == [(NEW, False)]
    changed = project / "other" / new_article.name
    changed.parent.mkdir()
    changed.write_text(new_article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    with pytest.raises(StanceError, match=f"already holds a different article with the id '{NEW}'"):
        read_articles([changed], folder)


def test_html_is_stored_as_its_main_text_and_a_bad_input_writes_nothing(project: Path) -> None:
    folder = project / "data" / "articles"
    page = project / "page.html"
    body = "".join(f"<p>{line}</p>" for line in ["Talks with the TTP resumed on Monday after a long pause.", "Critics called the talks a ploy to buy time."])
    page.write_text(f"<html><head><title>T</title></head><body><nav>Home | World</nav><article>{body}</article></body></html>", encoding="utf-8")
    bad = project / "notes.pdf"
    bad.write_bytes(b"%PDF")
    with pytest.raises(StanceError, match="notes.pdf: not an article file"):
        read_articles([page, bad], folder)
    assert not (folder / "page.txt").exists()
    add_articles([page], folder)
    stored = (folder / "page.txt").read_text(encoding="utf-8")
    assert "Talks with the TTP resumed" in stored and "Home | World" not in stored


# The command ---------------------------------------------------------------------------------


def test_label_session_end_to_end(new_article: Path, project: Path) -> None:
    output = label(str(new_article), "--annotator", "Test Person", "--order", "article", keys="nnp tmaybe conditional\ncuq")
    assert f"Articles to label: {NEW} (1 new, each copied into data/articles with its first label)." in output
    assert "No trained model in models/transformer: no guesses." in output
    assert "Can Pakistan Deliver the Haqqanis to the Negotiating Table?" in output  # the title, from data/metadata.csv
    assert "[p] pro-talks" in output and "[u] undo" in output
    path = project / "labels" / "test-person.jsonl"
    assert [(r["id"], r["label"], r["annotator"]) for r in records(path)] == [
        (f"{NEW}-0", "none", "Test Person"),
        (f"{NEW}-1", "none", "Test Person"),
        (f"{NEW}-2", "pro-talks", "Test Person"),
    ]
    assert "This session: 3 labeled, 1 skipped" in output
    assert (project / "data" / "articles" / new_article.name).exists()
    assert f"{NEW}-53" not in {s.id for s in read_sentences(project / "data" / "sentences.jsonl")}  # the segment stage's file
    assert "420 of 471 sentences labeled" in check_passes()  # right after labeling, before any `stance segment`
    exported = runner.invoke(app, ["labels", "export", "-o", "tasks.json"])
    assert exported.exit_code == 0, exported.output
    assert runner.invoke(app, ["segment"]).exit_code == 0
    assert f"{NEW}-53" in {s.id for s in read_sentences(project / "data" / "sentences.jsonl")}
    assert "420 of 471 sentences labeled" in check_passes()

    # Run it again: labeled sentences are not asked again; the skipped one is first.
    label(str(new_article), "--annotator", "Test Person", "--order", "article", keys="sq")
    assert [r["id"] for r in records(path)][-1] == f"{NEW}-3"


def test_without_paths_the_whole_corpus_queue_and_a_labeled_corpus_has_nothing_to_do(project: Path) -> None:
    assert runner.invoke(app, ["segment"]).exit_code == 0
    assert "Nothing to label" in label("--annotator", "Tester", keys="")


def train_baseline(project: Path) -> None:
    """A small TF-IDF model in models/tfidf whose minimum confidence (0.5) sets some claims aside."""
    from pipeline.labels.dataset import Dataset
    from pipeline.labels.records import existing_label_files, load_labeled
    from pipeline.models.card import Calibration, model_card
    from pipeline.models.folder import save_model
    from pipeline.models.tfidf import fit

    params = replace(CONFIG.kind_params("tfidf"), word_ngrams=(1, 2), char_ngrams=(3, 3), c_grid=(10.0,))
    paths = load_config(project / "configs" / "params.yaml").paths
    rows = load_labeled(existing_label_files(paths), read_sentences(project / "data" / "sentences.jsonl"), LABELS, frozenset({"pool"}))
    data = Dataset.from_labeled(rows)
    model = fit(data, LABELS.names, params, 13)
    save_model(model, model_card("tfidf", LABELS, CONFIG.segment, params, 13, Calibration(model.temperature, 0.5), data, {}), project / "models" / "tfidf")


def test_the_model_guess_orders_the_queue(new_article: Path, project: Path) -> None:
    from pipeline.models.folder import load_model

    train_baseline(project)
    output = label(str(new_article), "--annotator", "Tester", "--model", "baseline", keys="nq")
    assert "model guess: " in output and "no trained model" not in output
    assert runner.invoke(app, ["segment"]).exit_code == 0
    model, _ = load_model(project / "models" / "tfidf")
    texts = [s.text for s in read_sentences(project / "data" / "sentences.jsonl") if s.article == NEW]
    doubt = int(model.predict_proba(texts).max(axis=1).argmin())
    assert records(project / "labels" / "tester.jsonl")[0]["id"] == f"{NEW}-{doubt}"


def test_the_screen_shows_what_stance_predict_prints(new_article: Path, project: Path) -> None:
    """Label, `?` when set aside below the model's minimum confidence, and confidence: as predict's table has them."""
    train_baseline(project)
    printed = runner.invoke(app, ["predict", str(new_article), "--model", "baseline", "--format", "jsonl"])
    assert printed.exit_code == 0, printed.output
    expected = [f"{r['label']}{'?' * r['set_aside']} {r['scores'][r['label']]:.2f}" for r in map(json.loads, printed.stdout.splitlines())]
    assert any("?" in guess for guess in expected) and any("?" not in guess for guess in expected)  # the premise: both kinds occur
    output = label(str(new_article), "--annotator", "Tester", "--model", "baseline", "--order", "article", keys=" " * len(expected))
    shown = [line.split("model guess: ")[1].split("  (")[0].strip() for line in output.splitlines() if "model guess: " in line]
    assert shown == expected
    assert "below the model's minimum confidence: `stance predict` sets it aside" in " ".join(output.split())


def test_guesses_of_a_resumed_article_equal_predict_with_the_int8_model(small_transformer, project: Path) -> None:
    """Only some of an article's sentences left to label: each is still scored as `stance predict ARTICLE` scores it."""
    from pipeline.corpus.corpora import current_sentences
    from pipeline.predict.api import open_model

    folder, _ = small_transformer
    config = load_config(project / "configs" / "params.yaml")
    article = [s for s in current_sentences(config.paths, config.segment, config.slices)[0] if s.article == NEW]
    model = open_model(folder, config.predict, "onnx")
    assert model.runtime == "onnx"
    guesses = model.corpus_guesses(article)
    printed = runner.invoke(app, ["predict", str(project / "data" / "articles" / f"{NEW}.txt"), "--model", str(folder), "--format", "jsonl"])
    assert printed.exit_code == 0, printed.output
    records = [json.loads(line) for line in printed.stdout.splitlines()]
    assert [(guesses[s.id].label, guesses[s.id].scores) for s in article] == [(r["label"], r["scores"]) for r in records]


def test_an_article_is_copied_in_only_with_its_first_label(new_article: Path, project: Path) -> None:
    stored = project / "data" / "articles" / new_article.name
    assert "0 labeled, 1 skipped" in label(str(new_article), "--annotator", "Tester", "--order", "article", keys=" q")
    assert not stored.exists() and not (project / "labels" / "tester.jsonl").exists()
    label(str(new_article), "--annotator", "Tester", "--order", "article", keys="nuq")  # labeled, then undone
    assert not stored.exists() and not (project / "labels" / "tester.jsonl").exists()
    label(str(new_article), "--annotator", "Tester", "--order", "article", keys="nq")
    assert stored.read_text(encoding="utf-8") == new_article.read_text(encoding="utf-8")
    assert [r["article"] for r in records(project / "labels" / "tester.jsonl")] == [NEW]


def test_annotator_defaults_to_the_git_user_name(new_article: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = project / "gitconfig"
    config.write_text("[user]\n\tname = Dana Example\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    label(str(new_article), "--order", "article", keys="nq")
    assert records(project / "labels" / "dana-example.jsonl")[0]["annotator"] == "Dana Example"

    config.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["label", str(new_article)], input="nq")
    assert result.exit_code == 1
    assert "error: no annotator name: pass --annotator NAME or set `git config user.name`." in result.output


def test_a_missing_input_is_one_line_of_error(project: Path) -> None:
    result = runner.invoke(app, ["label", "nowhere.txt", "--annotator", "T"])
    assert (result.exit_code, result.output) == (1, "error: nowhere.txt: no such file or folder.\n")


def test_new_labels_reach_training(new_article: Path, project: Path) -> None:
    """The retraining loop: what `dvc repro` runs after a session counts the new labels."""
    label(str(new_article), "--annotator", "Tester", "--order", "article", keys="npnsnq")
    assert runner.invoke(app, ["segment"]).exit_code == 0
    check_passes()
    result = runner.invoke(app, ["train", "majority"])
    assert result.exit_code == 0, result.output
    assert "majority: 422 labeled sentences" in result.output
    assert "004_4e83cf9310ecd704" in json.loads((project / "models" / "majority" / "model.json").read_text())["training_articles"]


# A real terminal: kill the process mid-session, lose nothing ----------------------------------


class Terminal:
    """`stance label` in a pseudo-terminal, so keys arrive exactly as typed."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        env = {**os.environ, "COLUMNS": "100", "LINES": "40", "TERM": "xterm"}
        self.process = subprocess.Popen([str(STANCE), *args], cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.seen = b""

    def wait_for(self, text: bytes, timeout: float = 60) -> None:
        end = time.monotonic() + timeout
        while text not in self.seen:
            assert time.monotonic() < end, self.seen[-2000:].decode(errors="replace")
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                self.seen += os.read(self.master, 65536)

    def press(self, key: str) -> None:
        """One key, once the screen waits for it (keys typed earlier would be flushed)."""
        self.wait_for(b"[q]")  # the last key of the legend
        time.sleep(0.3)
        self.seen = b""
        os.write(self.master, key.encode())

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        os.close(self.master)


def wait_for_records(path: Path, count: int, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while not path.exists() or len(path.read_text(encoding="utf-8").splitlines()) < count:
        assert time.monotonic() < end, f"{path} never reached {count} records"
        time.sleep(0.05)


def test_killed_session_loses_nothing_and_resumes(new_article: Path, project: Path) -> None:
    path = project / "labels" / "tester.jsonl"
    terminal = Terminal(["label", str(new_article), "--annotator", "Tester", "--order", "article"], project)
    try:
        for count, key in enumerate("nps", start=1):
            terminal.press(key)
            wait_for_records(path, count)
        terminal.press("u")
        terminal.wait_for(b"undid")  # drawn after the file is rewritten
    finally:
        terminal.kill()
    assert terminal.process.returncode == -signal.SIGKILL
    assert [(r["id"], r["label"]) for r in records(path)] == [(f"{NEW}-0", "none"), (f"{NEW}-1", "pro-talks")]
    assert runner.invoke(app, ["segment"]).exit_code == 0
    assert "419 of 471 sentences labeled" in check_passes()

    label("--annotator", "Tester", "--order", "article", keys="cq")
    assert [(r["id"], r["label"]) for r in records(path)][-1] == (f"{NEW}-2", "conditional")


def test_a_pool_sentence_is_saved_by_hash_never_by_text(tmp_path: Path) -> None:
    from pipeline.corpus.segment import Sentence, text_hash

    pool_sentence = Sentence("pk21-0", "pk21", 0, 0, "A stand-in sentence.", text_hash("A stand-in sentence."), "pool")
    path = tmp_path / "tester.jsonl"
    session([pool_sentence], path).press("n")
    assert records(path) == [{"id": "pk21-0", "article": "pk21", "hash": text_hash("A stand-in sentence."), "label": "none", "annotator": "Tester", "note": ""}]


def test_a_second_session_on_the_same_label_file_is_refused_and_loses_nothing(new_article: Path, project: Path) -> None:
    """Two sessions for one annotator: the second would rewrite the file from what it loaded, erasing the first's labels."""
    path = project / "labels" / "tester.jsonl"
    first = Terminal(["label", str(new_article), "--annotator", "Tester", "--order", "article"], project)
    try:
        first.press("p")
        wait_for_records(path, 1)
        second = runner.invoke(app, ["label", str(new_article), "--annotator", "Tester", "--order", "article"], input="nq")
        assert second.exit_code == 1
        assert second.stderr.startswith(f"error: {Path('labels') / 'tester.jsonl'} is being written by another session (process ")
        first.press("s")
        wait_for_records(path, 2)
    finally:
        first.kill()
    assert [(r["id"], r["label"]) for r in records(path)] == [(f"{NEW}-0", "pro-talks"), (f"{NEW}-1", "skeptical")]
    again = runner.invoke(app, ["label", "--annotator", "Tester", "--order", "article"], input="cq")
    assert again.exit_code == 0, again.output  # the lock went with the killed process


def test_without_a_terminal_nothing_is_written(new_article: Path, project: Path) -> None:
    before = sorted(p.name for p in (project / "data" / "articles").iterdir())
    done = subprocess.run(
        [str(STANCE), "label", str(new_article), "--annotator", "Tester"], cwd=project, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert done.stderr == "error: stance label reads one key at a time from a terminal, and its input here is a pipe or a file; run it in a terminal.\n"
    assert sorted(p.name for p in (project / "data" / "articles").iterdir()) == before
    assert not (project / "labels" / "tester.jsonl").exists()
