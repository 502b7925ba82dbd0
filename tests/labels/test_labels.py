"""The label checker, as a function and as `stance labels check`, on files built from real seed labels."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.config import load_config
from pipeline.corpus.corpora import Corpus, segment_corpus
from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.labels.records import check_labels, label_files, load_labeled
from pipeline.params import LabelSet
from tests.conftest import POOL, POOL_SAMPLE, POOLS, needs_pool

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "labels" / "seed.jsonl"
POOL_LABELS = ROOT / "labels" / "pool" / "adjudicated.jsonl"
IN_PLACE = frozenset({"pool"})
ARTICLE = "004_4e83cf9310ecd704"
OTHER = "001_92b404342e752842"

Record = dict[str, Any]


@pytest.fixture(scope="module")
def sentences() -> list[Sentence]:
    config = load_config(ROOT / "configs" / "params.yaml")
    return segment_corpus(Corpus("seed", ROOT / "data" / "articles", False, "paths.articles", config.paths.metadata), config.segment, config.slices)


@pytest.fixture(scope="module")
def label_set() -> LabelSet:
    return load_config(ROOT / "configs" / "params.yaml").labels


@pytest.fixture(scope="module")
def seed() -> list[Record]:
    return [json.loads(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def of_article(seed: list[Record], article: str, count: int | None = None) -> list[Record]:
    rows = [dict(r) for r in seed if r["article"] == article]
    return rows[:count] if count is not None else rows


def write_lines(path: Path, lines: list[Record | str]) -> Path:
    """One JSON record (or raw text, for broken lines) per line."""
    text = "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


# Each bad kind: how to spoil five real records, the line it spoils, and the words of the message.
def broken_json(rows: list[Record]) -> list[Record | str]:
    return [rows[0], rows[1], json.dumps(rows[2])[:-12], rows[3], rows[4]]


def unknown_label(rows: list[Record]) -> list[Record | str]:
    rows[2]["label"] = "pro talks"
    return list(rows)


def duplicate_id(rows: list[Record]) -> list[Record | str]:
    again = dict(rows[0], label="skeptical" if rows[0]["label"] != "skeptical" else "none")
    return [rows[0], rows[1], again, rows[3], rows[4]]


def stale_text(rows: list[Record]) -> list[Record | str]:
    rows[2]["text"] = rows[2]["text"].replace("Pakistan", "Afghanistan", 1) + " (updated)"
    return list(rows)


def missing_field(rows: list[Record]) -> list[Record | str]:
    del rows[2]["annotator"]
    return list(rows)


def unknown_id(rows: list[Record]) -> list[Record | str]:
    rows[2]["id"] = f"{ARTICLE}-999"
    return list(rows)


def wrong_article(rows: list[Record]) -> list[Record | str]:
    rows[2]["article"] = OTHER
    return list(rows)


def not_a_string(rows: list[Record]) -> list[Record | str]:
    rows[2]["label"] = 3
    return list(rows)


BAD = {
    "broken JSON line": (broken_json, "not valid JSON"),
    "unknown label": (unknown_label, "unknown label 'pro talks'; expected one of pro-talks, skeptical, conditional, none"),
    "duplicate id": (duplicate_id, f"duplicate id '{ARTICLE}-0', first labeled at"),
    "stale text": (stale_text, f"stale label '{ARTICLE}-2'"),
    "missing field": (missing_field, "missing field 'annotator'"),
    "id not in corpus": (unknown_id, f"id '{ARTICLE}-999' is not a sentence in the current corpus"),
    "wrong article": (wrong_article, f"belongs to article '{ARTICLE}', not '{OTHER}'"),
    "label not a string": (not_a_string, "field 'label' must be a non-empty string"),
}


def bad_file(tmp_path: Path, seed: list[Record], spoil: Callable[[list[Record]], list[Record | str]]) -> Path:
    return write_lines(tmp_path / "bad.jsonl", spoil(of_article(seed, ARTICLE, 5)))


# --- the checker as a function ------------------------------------------------------------------


def test_good_file_passes_with_counts_and_coverage(tmp_path: Path, seed: list[Record], sentences: list[Sentence], label_set: LabelSet) -> None:
    rows = of_article(seed, ARTICLE) + of_article(seed, OTHER, 10)
    path = write_lines(tmp_path / "good.jsonl", rows)
    report = check_labels([path], sentences, label_set, IN_PLACE)
    assert report.problems == []
    assert report.sentences == 420
    assert report.labeled == len(rows) == 54 + 10
    assert report.unlabeled == [s.id for s in sentences if s.id not in {r["id"] for r in rows}]
    for article in (ARTICLE, OTHER):
        assert report.counts[article] == Counter(r["label"] for r in rows if r["article"] == article)
    assert set(report.counts) == {ARTICLE, OTHER}


def test_the_whole_seed_file_matches_the_current_corpus(seed: list[Record], sentences: list[Sentence], label_set: LabelSet) -> None:
    report = check_labels([SEED], sentences, label_set, IN_PLACE)
    assert report.problems == []
    assert report.unlabeled == []
    assert sum(sum(c.values()) for c in report.counts.values()) == len(seed) == 420


@pytest.mark.parametrize("kind", list(BAD))
def test_each_bad_kind_names_file_and_line(tmp_path: Path, seed: list[Record], sentences: list[Sentence], label_set: LabelSet, kind: str) -> None:
    spoil, words = BAD[kind]
    path = bad_file(tmp_path, seed, spoil)
    report = check_labels([path], sentences, label_set, IN_PLACE)
    assert len(report.problems) == 1, report.problems
    assert report.problems[0].startswith(f"{path}:3: ")
    assert words in report.problems[0]


def test_duplicate_across_files_points_at_the_first(tmp_path: Path, seed: list[Record], sentences: list[Sentence], label_set: LabelSet) -> None:
    rows = of_article(seed, ARTICLE, 3)
    first = write_lines(tmp_path / "a.jsonl", rows)
    second = write_lines(tmp_path / "b.jsonl", [rows[1]])
    report = check_labels([first, second], sentences, label_set, IN_PLACE)
    assert report.problems == [f"{second}:1: duplicate id '{ARTICLE}-1', first labeled at {first}:2."]


def test_empty_file_is_a_problem(tmp_path: Path, sentences: list[Sentence], label_set: LabelSet) -> None:
    for name, text in (("empty.jsonl", ""), ("blank.jsonl", "\n  \n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert check_labels([path], sentences, label_set, IN_PLACE).problems == [f"{path}: empty label file, no records."]


def test_problems_stop_training(tmp_path: Path, seed: list[Record], sentences: list[Sentence], label_set: LabelSet) -> None:
    path = bad_file(tmp_path, seed, stale_text)
    with pytest.raises(StanceError, match=rf"^{path}:3: stale label"):
        load_labeled([path], sentences, label_set, IN_PLACE)
    good = write_lines(tmp_path / "good.jsonl", of_article(seed, ARTICLE, 5))
    rows = load_labeled([good], sentences, label_set, IN_PLACE)
    assert [r.id for r in rows] == [f"{ARTICLE}-{i}" for i in range(5)]
    assert [r.label for r in rows] == [r["label"] for r in of_article(seed, ARTICLE, 5)]


def test_label_files_expands_folders_and_refuses_missing(tmp_path: Path, seed: list[Record]) -> None:
    write_lines(tmp_path / "b.jsonl", of_article(seed, ARTICLE, 1))
    write_lines(tmp_path / "a.jsonl", of_article(seed, ARTICLE, 1))
    (tmp_path / "nested").mkdir()
    write_lines(tmp_path / "nested" / "c.jsonl", of_article(seed, ARTICLE, 1))
    assert label_files([tmp_path]) == [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    assert label_files([tmp_path, tmp_path / "nested" / "c.jsonl"])[-1] == tmp_path / "nested" / "c.jsonl"
    with pytest.raises(StanceError, match="no such label file"):
        label_files([tmp_path / "missing.jsonl"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(StanceError, match="no label files"):
        label_files([tmp_path / "empty"])


# --- `stance labels check` ----------------------------------------------------------------------


@pytest.fixture
def segmented(project: Path) -> Path:
    """The tmp project with data/sentences.jsonl written by `stance segment`."""
    result = CliRunner().invoke(app, ["segment"])
    assert result.exit_code == 0, result.output
    assert (project / "data" / "sentences.jsonl").is_file()
    return project


def check(*args: str) -> Result:
    return CliRunner().invoke(app, ["labels", "check", *args])


def table_row(output: str, article: str) -> list[str]:
    (line,) = [line for line in output.splitlines() if article in line]
    return [cell.strip() for cell in line.strip("│ ").split("│")]


def test_cli_default_folder_passes_and_prints_counts(segmented: Path, seed: list[Record]) -> None:
    result = check("--complete")
    assert result.exit_code == 0, result.output
    assert "471 of 471 sentences labeled (100%); 0 without a label." in result.stdout
    for article in sorted({r["article"] for r in seed}):
        counts = Counter(r["label"] for r in seed if r["article"] == article)
        expected = [article, *(str(counts[n]) for n in ("pro-talks", "skeptical", "conditional", "none")), str(sum(counts.values()))]
        assert table_row(result.stdout, article) == expected
    assert result.stderr == ""


def test_cli_partial_file_reports_coverage_and_complete_fails(segmented: Path, seed: list[Record]) -> None:
    rows = of_article(seed, ARTICLE) + of_article(seed, OTHER, 10)
    path = write_lines(segmented / "partial.jsonl", rows)
    result = check(str(path))
    assert result.exit_code == 0, result.output
    assert "64 of 471 sentences labeled (14%); 407 without a label." in result.stdout
    counts = Counter(r["label"] for r in rows if r["article"] == OTHER)
    assert table_row(result.stdout, OTHER)[1:] == [*(str(counts[n]) for n in ("pro-talks", "skeptical", "conditional", "none")), "10"]

    complete = check(str(path), "--complete")
    assert complete.exit_code == 1
    first_missing = "000_441c88b33541fa01-0"
    assert complete.stderr == f"error: 407 sentences have no label, first {first_missing}.\n"


@pytest.mark.parametrize("kind", list(BAD))
def test_cli_bad_file_exits_1_with_file_and_line(segmented: Path, seed: list[Record], kind: str) -> None:
    spoil, words = BAD[kind]
    path = bad_file(segmented, seed, spoil)
    result = check(str(path))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}:3: ") and words in lines[0]
    assert "Traceback" not in result.output


def test_cli_empty_file_and_missing_file(segmented: Path) -> None:
    empty = segmented / "labels" / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    result = check()
    assert result.exit_code == 1
    assert result.stderr == f"error: {Path('labels') / 'empty.jsonl'}: empty label file, no records.\n"
    missing = check("nowhere.jsonl")
    assert missing.exit_code == 1
    assert missing.stderr == "error: nowhere.jsonl: no such label file.\n"


def test_cli_without_sentences_file_checks_the_articles_and_says_what_writes_it(project: Path) -> None:
    result = check()
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(f"warning: {Path('data') / 'sentences.jsonl'} does not exist yet; `stance segment` (or `dvc repro`) writes it.")
    assert not (project / "data" / "sentences.jsonl").exists()  # the segment stage's output, written by it alone


def add_labeled_article(project: Path) -> None:
    """An article added after the last `stance segment`, with one label: what a `stance label` session leaves."""
    (project / "data" / "articles" / "mine.txt").write_text("Talks with the TTP must resume.\nNobody believes the ceasefire.\n", encoding="utf-8")
    record = {"id": "mine-1", "article": "mine", "text": "Nobody believes the ceasefire.", "label": "skeptical", "annotator": "Tester", "note": ""}
    write_lines(project / "labels" / "tester.jsonl", [record])


def test_labels_of_an_article_added_since_the_last_segment_pass_the_check_and_export(segmented: Path) -> None:
    add_labeled_article(segmented)
    before = (segmented / "data" / "sentences.jsonl").read_bytes()
    result = check()
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        f"warning: {Path('data') / 'sentences.jsonl'} is stale: it has no sentences of article 'mine'; `stance segment` (or `dvc repro`) rewrites it."
    )
    assert table_row(result.stdout, "mine")[2] == "1"
    exported = CliRunner().invoke(app, ["labels", "export", "-o", "tasks.json"])
    assert exported.exit_code == 0, exported.output
    assert any(task["data"]["sentence_id"] == "mine-1" for task in json.loads((segmented / "tasks.json").read_text(encoding="utf-8")))
    assert (segmented / "data" / "sentences.jsonl").read_bytes() == before


def test_training_on_a_stale_sentences_file_says_it_is_stale_and_what_rewrites_it(segmented: Path) -> None:
    from pipeline.labels.records import training_rows

    add_labeled_article(segmented)
    config = load_config(segmented / "configs" / "params.yaml")
    with pytest.raises(StanceError) as raised:
        training_rows(config.paths, config.labels)
    assert str(raised.value).startswith(
        f"{Path('labels') / 'tester.jsonl'}:1: id 'mine-1' is not a sentence in the current corpus; "
        f"{Path('data') / 'sentences.jsonl'} is stale: it has no sentences of article 'mine'; `stance segment` (or `dvc repro`) rewrites it."
    )
    assert CliRunner().invoke(app, ["segment"]).exit_code == 0
    assert "mine-1" in {row.id for row in training_rows(config.paths, config.labels)}


# --- pool labels: sentences named by hash, never by text ------------------------------------------


@pytest.fixture(scope="module")
def with_pool(sentences: list[Sentence]) -> list[Sentence]:
    if not POOL.is_dir():
        pytest.skip(f"the article pool is not at {POOL}")
    config = load_config(ROOT / "configs" / "params.yaml")
    return sentences + segment_corpus(Corpus("pool", POOL, True, "paths.pools.pool"), config.segment, config.slices)


@pytest.fixture(scope="module")
def pool_rows() -> list[Record]:
    return [json.loads(line) for line in POOL_LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]


@needs_pool
def test_the_real_label_files_cover_every_sentence_of_the_pool_extension(sentences: list[Sentence], label_set: LabelSet) -> None:
    """`stance labels check --complete`, in process: seed, both pools, and the extension's passes."""
    config = load_config(ROOT / "configs" / "params.yaml")
    every = sentences + [
        s for name, folder in POOLS.items() for s in segment_corpus(Corpus(name, folder, True, f"paths.pools.{name}"), config.segment, config.slices)
    ]
    in_place = frozenset(POOLS)
    report = check_labels([SEED, *config.paths.pool_labels], every, label_set, in_place)
    assert (report.problems, report.unlabeled) == ([], [])
    assert report.labeled == 420 + 872 + 1095 == len(every)
    extension = [json.loads(line) for line in (ROOT / "labels" / "pool-2" / "adjudicated.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all("text" not in r and len(r["hash"]) == 16 for r in extension)
    assert len({r["article"] for r in extension}) == 90
    first, second = (
        {r["id"]: r for r in map(json.loads, (ROOT / "labels" / "pool-2" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines())}
        for name in ("first_pass", "second_pass")
    )
    assert set(first) == set(second) == {r["id"] for r in extension}
    assert not {r["annotator"] for r in first.values()} & {r["annotator"] for r in second.values()}  # the blind pass had other annotators
    for record in extension:  # every disagreement was adjudicated, with both passes' labels in its note
        if first[record["id"]]["label"] != second[record["id"]]["label"]:
            assert record["annotator"] == "adjudicator" and record["note"].startswith("pass 1 ")
        else:
            assert record["label"] == first[record["id"]]["label"]


@needs_pool
def test_the_real_label_files_cover_every_seed_and_pool_sentence(with_pool: list[Sentence], label_set: LabelSet, pool_rows: list[Record]) -> None:
    report = check_labels([SEED, POOL_LABELS], with_pool, label_set, IN_PLACE)
    assert report.problems == []
    assert report.unlabeled == []
    assert report.labeled == 420 + 872 == len(with_pool)
    assert all("text" not in r and len(r["hash"]) == 16 for r in pool_rows)
    assert len({r["article"] for r in pool_rows}) == 64
    for name in ("first_pass", "second_pass"):
        assert check_labels([ROOT / "labels" / "pool" / f"{name}.jsonl"], with_pool, label_set, IN_PLACE).problems == []


def stale_hash(rows: list[Record]) -> list[Record]:
    rows[2]["hash"] = "0" * 16
    return rows


def with_text(rows: list[Record]) -> list[Record]:
    rows[2]["text"] = "Any sentence at all."
    return rows


def pool_id_not_in_corpus(rows: list[Record]) -> list[Record]:
    rows[2]["id"] = f"{rows[2]['article']}-999"
    return rows


def neither_text_nor_hash(rows: list[Record]) -> list[Record]:
    del rows[2]["hash"]
    return rows


POOL_BAD = {
    "stale hash": (stale_hash, "stale label 'pk21-2': its hash no longer matches the sentence's text"),
    "text where none is allowed": (with_text, "'pk21-2' is a sentence of the pool corpus, whose text is never copied; name it by 'hash'"),
    "id that does not exist": (pool_id_not_in_corpus, "id 'pk21-999' is not a sentence in the current corpus"),
    "no text and no hash": (neither_text_nor_hash, "missing field 'text' (or 'hash' for a pool sentence)"),
}


@needs_pool
@pytest.mark.parametrize("kind", list(POOL_BAD))
def test_each_bad_pool_record_names_file_and_line(tmp_path: Path, with_pool: list[Sentence], label_set: LabelSet, pool_rows: list[Record], kind: str) -> None:
    spoil, words = POOL_BAD[kind]
    path = write_lines(tmp_path / "pool.jsonl", list(spoil([dict(r) for r in pool_rows if r["article"] == "pk21"][:5])))
    report = check_labels([path], with_pool, label_set, IN_PLACE)
    assert [p.split(": ", 1)[0] for p in report.problems] == [f"{path}:3"]
    assert words in report.problems[0]


def test_cli_checks_pool_labels_in_the_project(segmented: Path) -> None:
    labels = segmented / "labels" / "pool" / "adjudicated.jsonl"
    rows = [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()]
    assert {r["article"] for r in rows} == set(POOL_SAMPLE)
    rows[0]["hash"] = "f" * 16
    write_lines(labels, list(rows))
    result = check("--complete")
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"error: {Path('labels') / 'pool' / 'adjudicated.jsonl'}:1: stale label '{rows[0]['id']}': its hash no longer matches the sentence's text.\n"
    )
