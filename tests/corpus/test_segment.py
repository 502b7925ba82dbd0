"""Segmentation on real passages of the seed corpus: boundaries, ids, hashes, bad input."""

from __future__ import annotations

import csv
import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.corpus.articles import decode, read_article
from pipeline.corpus.corpora import (
    Corpus,
    project_corpora,
    read_sentences,
    segment_corpora,
    segment_corpus,
)
from pipeline.corpus.segment import (
    Sentence,
    paragraphs,
    segment_article,
    split_paragraph,
    text_hash,
)
from pipeline.errors import StanceError
from pipeline.files import write_jsonl
from pipeline.params import SegmentParams
from tests.conftest import CONFIG, POOL, POOL_2, POOLS, needs_pool

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "data" / "articles"
TIME_ARTICLE = "004_4e83cf9310ecd704"
COMMENTS_ARTICLE = "002_945876b3b805b919"


@pytest.fixture(scope="module")
def segment_params() -> SegmentParams:
    return load_config(ROOT / "configs" / "params.yaml").segment


def seed(folder: Path) -> Corpus:
    return Corpus("seed", folder, False, "paths.articles")


@pytest.fixture(scope="module")
def corpus(segment_params: SegmentParams) -> list[Sentence]:
    return segment_corpus(seed(ARTICLES), segment_params, CONFIG.slices)


def article_text(article: str) -> str:
    return (ARTICLES / f"{article}.txt").read_text(encoding="utf-8")


def line_with(article: str, snippet: str) -> str:
    """The one real line of an article that contains `snippet`."""
    (line,) = [line for line in article_text(article).splitlines() if snippet in line]
    return line


def only_sentence_with(sentences: list[Sentence], snippet: str) -> Sentence:
    matches = [s for s in sentences if snippet in s.text]
    assert len(matches) == 1, [s.text for s in matches]
    return matches[0]


# --- sentence boundaries on real passages ---------------------------------------------------


def test_lieut_general_is_not_a_sentence_end(corpus: list[Sentence]) -> None:
    sentence = only_sentence_with(corpus, "Douglas Lute")
    assert sentence.text == (
        "The Pakistanis are pleased that U.S. officials like Lieut. General Douglas Lute, a special adviser to "
        "President Obama, are sensitive to their concerns about the sustainability of the Afghan National Army "
        "and police force that are being trained."
    )
    pasha = only_sentence_with(corpus, "Ahmed Shuja Pasha")
    assert pasha.text.startswith("On the Pakistani side, Kayani was joined by ISI head Lieut. General Ahmed Shuja Pasha,")


def test_lieut_comes_from_the_configured_abbreviations() -> None:
    line = line_with(TIME_ARTICLE, "Douglas Lute")
    without, _ = split_paragraph(line, SegmentParams(extra_abbreviations=(), max_chars=2000))
    with_lieut, _ = split_paragraph(line, SegmentParams(extra_abbreviations=("Lieut.",), max_chars=2000))
    assert any(piece.startswith("General Douglas Lute") for piece in without)
    assert len(with_lieut) == len(without) - 1
    assert not any(piece.startswith("General") for piece in with_lieut)


def test_us_and_dates_are_not_sentence_ends(corpus: list[Sentence]) -> None:
    caption = only_sentence_with(corpus, "listens at a press conference")
    assert caption.text == "U.S. Secretary of State Hillary Clinton listens at a press conference in Islamabad on Oct. 21, 2011"
    arrival = only_sentence_with(corpus, "When Hillary Clinton arrived")
    assert arrival.text.endswith("why the U.S. Secretary of State had even bothered to stop by and be civil.")
    for sentence in corpus:
        assert not sentence.text.endswith((" U.S.", " Lieut.", " Gen.", " Oct.")), sentence.id


def test_quotes_inside_sentences_stay_in_their_sentence(corpus: list[Sentence]) -> None:
    asked = only_sentence_with(corpus, "Kayani asked")
    assert asked.text == 'Abandoning his customary mumbling, Kayani asked, "If you\'re going to serve an ultimatum, then what was the point of the visit?"'
    blamed = only_sentence_with(corpus, "resolution blamed the")
    assert blamed.text == (
        "Indeed, the All Parties Conference resolution blamed the “illegal and immoral drone strikes and the "
        "blowback from the action of Nato/Isaf forces in Afghanistan.”"
    )
    stabilized = only_sentence_with(corpus, '"stabilized"')
    assert stabilized.text == 'After weeks of bitter recriminations, both sides say the relationship has been "stabilized" — for the moment.'


def test_ellipses_inside_sentences_do_not_split(corpus: list[Sentence]) -> None:
    co_opting = only_sentence_with(corpus, "co-opting…")
    assert co_opting.text.startswith("The Pakistani military has been so used to successfully co-opting… well, essentially creating")
    assert co_opting.text.endswith("or even turn against their creator.")
    assert only_sentence_with(corpus, "gloves are OFF").text == "Send the message VERY clearly… “the gloves are OFF!”"


@pytest.mark.parametrize(
    ("article", "headline"),
    [
        ("003_cedb5012ada8128b", "Hard Power"),
        ("003_cedb5012ada8128b", "Argument"),
        (COMMENTS_ARTICLE, "Pakistan ready for peace with the Taliban?"),
        (TIME_ARTICLE, "Can Pakistan Deliver the Haqqanis to the Negotiating Table?"),
    ],
)
def test_headlines_are_one_sentence_of_their_own(corpus: list[Sentence], article: str, headline: str) -> None:
    (sentence,) = [s for s in corpus if s.article == article and s.text == headline]
    same_paragraph = [s for s in corpus if s.article == article and s.paragraph == sentence.paragraph]
    assert same_paragraph == [sentence]


def test_hard_wrapped_reader_comment_is_rejoined(corpus: list[Sentence]) -> None:
    first = line_with(COMMENTS_ARTICLE, "Paki has placed all the pressure they")
    second = line_with(COMMENTS_ARTICLE, "can on US to end drone attacks")
    assert list(paragraphs([first, second])) == [(1, f"{first.strip()} {second.strip()}")]
    comment = only_sentence_with(corpus, "Paki has placed all the pressure")
    assert "all the pressure they can on US to end drone attacks in the Sanctuarys" in comment.text
    assert comment.text.endswith("including holding Davis.")


def test_lines_that_start_upper_case_or_follow_a_finished_line_are_not_joined() -> None:
    headline = line_with(COMMENTS_ARTICLE, "Pakistan ready for peace")
    continuation = line_with(COMMENTS_ARTICLE, "can on US to end drone attacks")
    assert list(paragraphs([headline, continuation])) == [(1, headline.strip()), (2, continuation.strip())]
    subtitle = line_with("003_cedb5012ada8128b", "Why Pakistan is so difficult")
    assert list(paragraphs(["Hard Power", "", subtitle])) == [(1, "Hard Power"), (3, subtitle)]


def test_whitespace_is_normalised(corpus: list[Sentence], segment_params: SegmentParams) -> None:
    for sentence in corpus:
        assert sentence.text == " ".join(sentence.text.split()), sentence.id
    line = line_with(TIME_ARTICLE, "Douglas Lute")
    messy = "  " + line.replace(" ", "  \t").replace(", ", ",\u00a0 ") + "\t "
    assert split_paragraph(messy, segment_params) == split_paragraph(line, segment_params)


def test_unicode_is_kept_and_no_character_is_lost(corpus: list[Sentence]) -> None:
    dash = only_sentence_with(corpus, "coming together—and it hasn’t quite been finalized")
    assert "—" in dash.text and "’" in dash.text
    for path in sorted(ARTICLES.glob("*.txt")):
        original = "".join(path.read_text(encoding="utf-8").split())
        segmented = "".join("".join(s.text.split()) for s in corpus if s.article == path.stem)
        assert segmented == original, path.name


# --- ids, hashes, the whole corpus --------------------------------------------------------------


def test_ids_are_article_and_contiguous_index(corpus: list[Sentence]) -> None:
    articles = sorted({s.article for s in corpus})
    assert articles == sorted(p.stem for p in ARTICLES.glob("*.txt"))
    for article in articles:
        rows = [s for s in corpus if s.article == article]
        assert [s.index for s in rows] == list(range(len(rows)))
        assert [s.id for s in rows] == [f"{article}-{i}" for i in range(len(rows))]
        paragraphs_seen = [s.paragraph for s in rows]
        assert paragraphs_seen[0] == 0
        assert all(b - a in (0, 1) for a, b in zip(paragraphs_seen, paragraphs_seen[1:]))
    assert len({s.id for s in corpus}) == len(corpus)


def test_full_corpus_gives_420_sentences_stable_across_runs(corpus: list[Sentence], segment_params: SegmentParams) -> None:
    assert len(corpus) == 420
    again = segment_corpus(seed(ARTICLES), segment_params, CONFIG.slices)
    assert [s.to_record() for s in again] == [s.to_record() for s in corpus]


def test_hash_follows_the_text(corpus: list[Sentence], segment_params: SegmentParams) -> None:
    assert all(s.hash == text_hash(s.text) for s in corpus)
    assert text_hash("Hard Power") != text_hash("Hard power")
    text = article_text(TIME_ARTICLE)
    before = segment_article(TIME_ARTICLE, text, segment_params)
    after = segment_article(TIME_ARTICLE, text.replace("Douglas Lute, a special", "Douglas Lute, the special"), segment_params)
    assert [s.id for s in after] == [s.id for s in before]
    changed = [(a.id, a.hash != b.hash) for a, b in zip(before, after) if a.hash != b.hash]
    assert changed == [(only_sentence_with(before, "Douglas Lute,").id, True)]


def test_sentence_records_round_trip(tmp_path: Path, corpus: list[Sentence]) -> None:
    path = tmp_path / "sentences.jsonl"
    write_jsonl(path, (s.to_record() for s in corpus))
    assert read_sentences(path) == corpus


def test_metadata_has_one_row_per_article_with_seven_columns() -> None:
    with (ROOT / "data" / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["id", "title", "outlet", "author", "date", "kind", "slice"]
    assert {row["slice"] for row in rows} == {"seed"}  # the seed keeps its slice, so the folds do not move
    assert sorted(row["id"] for row in rows) == sorted(p.stem for p in ARTICLES.glob("*.txt"))
    for row in rows:
        assert None not in row and all(value and value.strip() for value in row.values()), row


# --- bad input ----------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An article folder with one real article in it."""
    target = tmp_path / "articles"
    target.mkdir()
    shutil.copy(ARTICLES / f"{TIME_ARTICLE}.txt", target)
    return target


def test_binary_file_is_refused_with_its_name(folder: Path, segment_params: SegmentParams) -> None:
    (folder / "scan.txt").write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    with pytest.raises(StanceError, match=r"scan\.txt:1: not text \(mostly control or unassigned characters\)"):
        segment_corpora([seed(folder)], segment_params, CONFIG.slices)


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file_is_refused_with_its_name(folder: Path, segment_params: SegmentParams, content: bytes) -> None:
    (folder / "blank.txt").write_bytes(content)
    with pytest.raises(StanceError, match=r"blank\.txt: empty file"):
        segment_corpora([seed(folder)], segment_params, CONFIG.slices)


def test_missing_or_empty_folder_is_refused(tmp_path: Path, segment_params: SegmentParams) -> None:
    with pytest.raises(StanceError, match="article folder not found"):
        segment_corpora([seed(tmp_path / "nowhere")], segment_params, CONFIG.slices)
    (tmp_path / "notes.csv").write_text("id\n", encoding="utf-8")
    with pytest.raises(StanceError, match="no articles"):
        segment_corpora([seed(tmp_path)], segment_params, CONFIG.slices)


def test_two_files_with_one_id_are_refused(folder: Path, segment_params: SegmentParams) -> None:
    (folder / "copy").mkdir()
    shutil.copy(folder / f"{TIME_ARTICLE}.txt", folder / "copy" / f"{TIME_ARTICLE}.md")
    with pytest.raises(StanceError, match=f"the article id '{TIME_ARTICLE}' is also .*; rename one file"):
        segment_corpora([seed(folder)], segment_params, CONFIG.slices)


def test_windows_1252_text_falls_back_and_segments_the_same(folder: Path, segment_params: SegmentParams) -> None:
    text = article_text("003_cedb5012ada8128b")
    legacy = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        legacy.decode("utf-8")
    decoded = decode(legacy, "legacy.txt")
    assert decoded.text == text
    assert decoded.encoding == "cp1252" and decoded.fell_back
    utf8 = decode(text.encode("utf-8"), "modern.txt")
    assert utf8.encoding == "utf-8" and not utf8.fell_back
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "bom.txt").text == text

    (folder / "legacy.txt").write_bytes(legacy)
    legacy_sentences = [s for s in segment_corpora([seed(folder)], segment_params, CONFIG.slices) if s.article == "legacy"]
    expected = [replace(s, slice=CONFIG.slices.default, genre="unknown") for s in segment_article("legacy", text, segment_params, "seed")]
    assert legacy_sentences == expected
    assert read_article(folder / "legacy.txt").fell_back


def test_sentences_file_errors_name_file_and_line(tmp_path: Path, corpus: list[Sentence]) -> None:
    with pytest.raises(StanceError, match="no sentences file"):
        read_sentences(tmp_path / "sentences.jsonl")
    record = corpus[0].to_record()
    del record["hash"]
    path = tmp_path / "sentences.jsonl"
    write_jsonl(path, [corpus[1].to_record(), record])
    with pytest.raises(StanceError, match=r"sentences\.jsonl:2: record lacks 'hash'"):
        read_sentences(path)


# --- the article pool, read in place -------------------------------------------------------------


def pool_labels(pool: str) -> list[dict[str, str]]:
    path = ROOT / "labels" / pool / "adjudicated.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@needs_pool
@pytest.mark.parametrize(
    ("pool", "article"),
    # a short news report; a PDF copy with hyphenated line ends; from the extension, a wire report and an editorial
    [("pool", "pk02"), ("pool", "ww10"), ("pool-2", "ww52"), ("pool-2", "pk34")],
)
def test_pool_article_segments_to_the_sentences_its_labels_name(pool: str, article: str, segment_params: SegmentParams) -> None:
    sentences = segment_article(article, read_article(POOLS[pool] / f"{article}.txt").text, segment_params, pool)
    labeled = [r for r in pool_labels(pool) if r["article"] == article]
    assert [(s.id, s.hash) for s in sentences] == [(r["id"], r["hash"]) for r in labeled]
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert {s.corpus for s in sentences} == {pool}


@needs_pool
def test_every_sentence_carries_its_articles_metadata_and_the_slice_comes_from_it() -> None:
    by_article = {s.article: s for s in segment_corpus(Corpus("pool-2", POOL_2, True, "paths.pools.pool-2"), CONFIG.segment, CONFIG.slices)}
    # af35 is about Pakistan's talks with the Afghan Taliban: its conflict, not its file name, puts it in `af`
    assert (by_article["af35"].slice, by_article["af35"].genre, by_article["af35"].kind) == ("af", "news", "news")
    assert by_article["af35"].conflict.startswith("Pakistan-Afghan Taliban")
    assert (by_article["pk34"].slice, by_article["pk34"].genre, by_article["pk34"].outlet) == ("pk", "opinion", "The Express Tribune")
    assert (by_article["ww76"].slice, by_article["ww76"].date) == ("ww", "2012-03")
    assert len(by_article) == 90


def test_an_article_with_no_metadata_takes_the_default_slice_never_its_name_or_corpus(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("pk_africanagenda_m23", "africanagenda_m23"):
        (folder / f"{name}.txt").write_text("M23 and Kinshasa signed a declaration in Doha.\n", encoding="utf-8")
    sentences = segment_corpus(Corpus("seed", folder, False, "paths.articles", tmp_path / "none.csv"), CONFIG.segment, CONFIG.slices)
    assert CONFIG.slices.default == "user"
    assert {(s.slice, s.genre, s.outlet) for s in sentences} == {("user", "unknown", "")}


def test_the_slice_column_of_the_metadata_table_sets_an_articles_slice(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("africanagenda_m23", "mine", "tagged"):
        (folder / f"{name}.txt").write_text("M23 and Kinshasa signed a declaration in Doha.\n", encoding="utf-8")
    table = tmp_path / "metadata.csv"
    table.write_text("id,kind,slice,conflict\nafricanagenda_m23,news,great-lakes,\nmine,opinion,,Pakistan-TTP\ntagged,,sahel,Pakistan-TTP\n", encoding="utf-8")
    sentences = segment_corpus(Corpus("seed", folder, False, "paths.articles", table), CONFIG.segment, CONFIG.slices)
    assert {s.article: (s.slice, s.genre) for s in sentences} == {
        "africanagenda_m23": ("great-lakes", "news"),
        "mine": ("pk", "opinion"),  # no slice given: the conflict's pattern
        "tagged": ("sahel", "unknown"),  # a slice given wins over the conflict
    }


def test_the_seed_articles_keep_their_slice() -> None:
    sentences = segment_corpus(Corpus("seed", ARTICLES, False, "paths.articles", ROOT / "data" / "metadata.csv"), CONFIG.segment, CONFIG.slices)
    assert {s.slice for s in sentences} == {"seed"} and len(sentences) == 420


@needs_pool
def test_pool_reads_only_the_files_its_manifest_lists(segment_params: SegmentParams) -> None:
    pool = Corpus("pool", POOL, True, "paths.pool")
    assert (POOL / "README.md").is_file()
    assert [p.name for p in pool.files()] == [json.loads(line)["file"] for line in (POOL / "sources.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(pool.files()) == 64


def test_every_corpus_comes_from_configs_and_a_missing_pool_names_its_setting(tmp_path: Path, segment_params: SegmentParams) -> None:
    paths = load_config(ROOT / "configs" / "params.yaml").paths
    assert [(c.name, c.in_place) for c in project_corpora(paths)] == [("seed", False), ("pool", True), ("pool-2", True)]
    (missing,) = [c for c in project_corpora(replace(paths, pools={"pool-2": tmp_path / "article-pool-2"})) if c.in_place]
    with pytest.raises(StanceError, match=r"article-pool-2: pool-2 article folder not found; set paths\.pools\.pool-2 in configs/params\.yaml"):
        segment_corpora([seed(ARTICLES), missing], segment_params, CONFIG.slices)


def test_a_manifest_that_lists_a_missing_file_is_refused(folder: Path, segment_params: SegmentParams) -> None:
    (folder / "sources.jsonl").write_text(json.dumps({"file": f"{TIME_ARTICLE}.txt"}) + "\n" + json.dumps({"file": "gone.txt"}) + "\n", encoding="utf-8")
    with pytest.raises(StanceError, match=r"sources\.jsonl:2: lists gone\.txt, which is not in"):
        segment_corpora([seed(folder)], segment_params, CONFIG.slices)


# --- bounded work per input ---------------------------------------------------------------------------


def test_a_long_line_without_punctuation_is_cut_with_a_warning_and_takes_linear_time(segment_params: SegmentParams) -> None:
    """Generous limits: this measures how the work grows, not how fast the machine is."""
    words = " ".join(f"word{i % 97}" for i in range(40_000))  # about 280,000 characters, no sentence end
    warnings: list[str] = []
    start = time.perf_counter()
    segment_article("long", words[: len(words) // 8], segment_params, CONFIG.slices)
    small_seconds = time.perf_counter() - start
    start = time.perf_counter()
    sentences = segment_article("long", f"Talks began.\n{words}\nThey ended.", segment_params, warn=warnings.append, source="long.txt")
    large_seconds = time.perf_counter() - start
    assert max(len(s.text) for s in sentences) <= segment_params.max_chars
    assert sentences[0].text == "Talks began." and sentences[-1].text == "They ended."
    assert " ".join(s.text for s in sentences[1:-1]) == words
    assert warnings == [f"long.txt:2: a sentence longer than {segment_params.max_chars} characters (segment.max_chars) was cut at spaces."]
    assert large_seconds < 30 * max(small_seconds, 0.05)  # eight times the input: linear is about 8x; quadratic would be 64x


def test_long_paragraphs_of_real_sentences_are_cut_nowhere(segment_params: SegmentParams, corpus: list[Sentence]) -> None:
    """The window pysbd reads never changes a sentence: a paragraph many windows long gives the same sentences."""
    paragraph = " ".join([s.text for s in corpus if s.article == TIME_ARTICLE] * 8)
    assert len(paragraph) > 5 * segment_params.max_chars
    whole, _ = split_paragraph(paragraph, replace(segment_params, max_chars=len(paragraph)))  # pysbd reads it all at once
    windowed, cut = split_paragraph(paragraph, segment_params)
    assert not cut and windowed == whole
