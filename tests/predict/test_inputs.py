"""What `stance predict` reads: corpus articles, HTML, folders, stdin, JSONL and CSV sentence files, bad input."""

from __future__ import annotations

import gzip
import html
import io
import itertools
import random
import re
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.corpus.articles import read_article
from pipeline.corpus.segment import segment_article
from pipeline.errors import StanceError
from pipeline.params import SegmentParams
from pipeline.predict.inputs import InputSentence, Source, input_sentences, sources, standard_input
from tests.conftest import CONFIG

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "data" / "articles"
TIME_ARTICLE = ARTICLES / "004_4e83cf9310ecd704.txt"


@pytest.fixture(scope="module")
def segment_params() -> SegmentParams:
    return load_config(ROOT / "configs" / "params.yaml").segment


def read(
    paths: list[str], params: SegmentParams, stdin: bytes = b"", stdin_suffix: str = ".txt", text_column: str = "text"
) -> tuple[list[InputSentence], list[str]]:
    warnings: list[str] = []
    found = sources(paths, stdin_suffix)
    sentences = list(input_sentences(found, io.BytesIO(stdin), params, text_column, "sentences", warnings.append))
    return sentences, warnings


def write(path: Path, data: bytes | str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return str(path)


# --- articles: the corpus's own segmentation ------------------------------------------------


@pytest.mark.parametrize("path", sorted(ARTICLES.glob("*.txt")), ids=lambda p: p.stem)
def test_streamed_article_equals_corpus_segmentation(path: Path, segment_params: SegmentParams) -> None:
    sentences, warnings = read([str(path)], segment_params)
    expected = segment_article(path.stem, read_article(path).text, segment_params)
    assert [(s.article, s.index, s.text) for s in sentences] == [(e.article, e.index, e.text) for e in expected]
    assert {s.source for s in sentences} == {str(path)} and warnings == []


def test_html_page_gives_its_main_text_not_the_menu(tmp_path: Path, segment_params: SegmentParams) -> None:
    lines = [line for line in TIME_ARTICLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines)
    page = (
        "<html><head><title>News</title></head><body><nav><a href='/'>Home</a> <a href='/w'>World news menu</a></nav>"
        f"<article>{body}</article><footer>Copyright 2011 Example Media. All rights reserved.</footer></body></html>"
    )
    sentences, _ = read([write(tmp_path / "page.html", page)], segment_params)
    texts = [s.text for s in sentences]
    assert texts[0] == "Can Pakistan Deliver the Haqqanis to the Negotiating Table?"
    assert any("Lieut. General Ahmed Shuja Pasha" in t for t in texts)
    assert not any("World news menu" in t or "Copyright" in t for t in texts)


def test_folder_is_read_recursively_and_same_names_get_their_folder(tmp_path: Path, segment_params: SegmentParams) -> None:
    text = "Talks with the Taliban must begin now. Nobody disagrees."
    write(tmp_path / "in" / "a" / "story.txt", text)
    write(tmp_path / "in" / "b" / "story.md", text)
    write(tmp_path / "in" / "b" / "notes.pdf", "not an article")
    sentences, _ = read([str(tmp_path / "in")], segment_params)
    assert sorted({s.article for s in sentences}) == [str(tmp_path / "in" / "a" / "story"), str(tmp_path / "in" / "b" / "story")]
    assert len(sentences) == 4


def test_folder_names_the_files_it_skips_in_one_warning(tmp_path: Path, segment_params: SegmentParams) -> None:
    folder = tmp_path / "news"
    write(folder / "story.txt", "Talks with the Taliban must begin now.")
    for name in ("a.pdf", "b.docx", "c.png", "d.rst"):
        write(folder / "attachments" / name, "not an article")
    write(folder / ".DS_Store", "hidden")
    write(folder / ".git" / "HEAD", "hidden")
    sentences, _ = read([str(folder)], segment_params)
    warnings: list[str] = []
    sources([str(folder)], ".txt", warnings.append)
    skipped = folder / "attachments"
    assert [s.text for s in sentences] == ["Talks with the Taliban must begin now."]
    assert warnings == [
        f"{folder}: skipped 4 files that are not articles or Parquet (.docx, .pdf, .png, .rst): "
        f"{skipped / 'a.pdf'}, {skipped / 'b.docx'}, {skipped / 'c.png'} and 1 more."
    ]


def test_folder_of_articles_only_warns_of_nothing(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Talks must begin.")
    write(tmp_path / "b.md", "# Talks must begin.")
    warnings: list[str] = []
    sources([str(tmp_path)], ".txt", warnings.append)
    assert warnings == []


MARKDOWN = """# We don't talk to terrorists

**Is the Somali government ready for talks?** The [envoy](https://example.org/envoy) said *yes*,
and `al-Shabaab` did not answer.

- Talks must begin now.
- No talks with __militants__.

1. First, a ceasefire.

> Peace needs talks.

    code stays as written.

| Who | Stance |
|---|---|
| The envoy | For talks |

<div>The <b>minister</b> disagreed.</div>
"""
MARKDOWN_SENTENCES = [
    "We don't talk to terrorists",
    "Is the Somali government ready for talks?",
    "The envoy said yes, and al-Shabaab did not answer.",
    "Talks must begin now.",
    "No talks with militants.",
    "First, a ceasefire.",
    "Peace needs talks.",
    "code stays as written.",
    "Who",
    "Stance",
    "The envoy",
    "For talks",
    "The minister disagreed.",
]


def test_markdown_is_read_as_plain_text_by_training_and_predict_alike(tmp_path: Path, segment_params: SegmentParams) -> None:
    path = tmp_path / "story.md"
    write(path, MARKDOWN)
    trained = [s.text for s in segment_article("story", read_article(path).text, segment_params)]
    predicted, warnings = read([str(path)], segment_params)
    from_stdin, _ = read(["-"], segment_params, stdin=MARKDOWN.encode("utf-8"), stdin_suffix=".md")
    assert trained == [s.text for s in predicted] == [s.text for s in from_stdin] == MARKDOWN_SENTENCES
    assert [s.paragraph for s in predicted][:3] == [0, 1, 1] and warnings == []


def test_markdown_of_markup_only_is_an_empty_article(tmp_path: Path) -> None:
    path = tmp_path / "pictures.md"
    write(path, "![a photo](photo.jpg)\n\n<!-- nothing to read -->\n")
    with pytest.raises(StanceError, match=rf"^{re.escape(str(path))}: empty file, no text to read\.$"):
        read_article(path)


def test_closed_standard_input_is_an_error_before_anything_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", None)
    assert standard_input(sources([str(TIME_ARTICLE)], ".txt")) is None
    with pytest.raises(StanceError, match=r"^-: standard input is closed, so there is nothing to read; pipe the text in or name a file\.$"):
        standard_input(sources([str(TIME_ARTICLE), "-"], ".txt"))


def test_standard_input_is_an_article_by_default(segment_params: SegmentParams) -> None:
    sentences, _ = read(["-"], segment_params, stdin=b"We must negotiate with the Taliban now. The weather is nice.\n")
    assert [(s.source, s.article, s.index, s.text) for s in sentences] == [
        ("<stdin>", "stdin", 0, "We must negotiate with the Taliban now."),
        ("<stdin>", "stdin", 1, "The weather is nice."),
    ]


def test_cp1252_text_is_decoded_with_one_warning(tmp_path: Path, segment_params: SegmentParams) -> None:
    path = write(tmp_path / "old.txt", "The army’s talks go on.\nCafé owners in Peshawar doubt it.\n".encode("cp1252"))
    sentences, warnings = read([path], segment_params)
    assert [s.text for s in sentences] == ["The army’s talks go on.", "Café owners in Peshawar doubt it."]
    assert warnings == [f"{path}:1: not UTF-8; read as cp1252 (Windows-1252), one line at a time."]


def test_long_input_streams(segment_params: SegmentParams) -> None:
    """An endless standard input still gives its first sentences: nothing waits for the end."""

    endless = itertools.cycle([b"Talks with the Taliban must begin.\n", b"Others doubt it.\n"])
    stream = input_sentences([Source(None, ".txt", "stdin")], endless, segment_params, "text", "sentences", print)  # type: ignore[arg-type]
    assert [s.index for s in itertools.islice(stream, 5)] == [0, 1, 2, 3, 4]


# --- sentence files --------------------------------------------------------------------------


def test_jsonl_rows_keep_their_columns_and_group_by_article(tmp_path: Path, segment_params: SegmentParams) -> None:
    path = write(
        tmp_path / "s.jsonl",
        '{"id": "x-1", "article": "a", "text": "Talks must begin.", "meta": {"page": 2}}\n\n'
        '{"id": "x-2", "article": "b", "text": "Talks are a trap."}\n'
        '{"id": "x-3", "article": "a", "text": "Nobody agrees."}\n',
    )
    sentences, _ = read([path], segment_params)
    assert [(s.article, s.index, s.text, s.columns) for s in sentences] == [
        ("a", 0, "Talks must begin.", {"id": "x-1", "meta": {"page": 2}}),
        ("b", 0, "Talks are a trap.", {"id": "x-2"}),
        ("a", 1, "Nobody agrees.", {"id": "x-3"}),
    ]


def test_csv_rows_with_quoted_newlines_and_another_text_column(tmp_path: Path, segment_params: SegmentParams) -> None:
    path = write(tmp_path / "s.csv", 'id,sentence\n1,"Talks must begin,\nsaid the envoy."\n2,Others doubt it.\n')
    sentences, _ = read([path], segment_params, text_column="sentence")
    assert [(s.article, s.index, s.text, s.columns) for s in sentences] == [
        ("s", 0, "Talks must begin,\nsaid the envoy.", {"id": "1"}),
        ("s", 1, "Others doubt it.", {"id": "2"}),
    ]


def test_standard_input_as_jsonl(segment_params: SegmentParams) -> None:
    sentences, _ = read(["-"], segment_params, stdin=b'{"text": "Talks must begin."}\n', stdin_suffix=".jsonl")
    assert [(s.article, s.text) for s in sentences] == [("stdin", "Talks must begin.")]


# --- bad input: one sentence naming the file (and line) --------------------------------------

BAD_FILES = {
    "missing": (None, "{path}: no such file or folder."),
    "empty.txt": (b"", "{path}: empty file, no text to read."),
    "blank.txt": (b"  \n\n", "{path}: no sentences to classify in this input."),
    "binary.txt": (b"PK\x03\x04\x00\x00binary", "{path}:1: not text (mostly control or unassigned characters); expected a text file."),
    "late-binary.txt": (b"Talks must begin.\n" * 600 + b"\x00\x01", "{path}:601: not text (mostly control or unassigned characters); expected a text file."),
    "report.pdf": (b"%PDF-1.4", "{path}: cannot read .pdf; expected one of .txt, .md, .html, .htm, .jsonl, .csv, .parquet."),
    "bad.jsonl": (b'{"text": "Talks must begin."}\n{"text": \n', "{path}:2: not valid JSON (Expecting value)."),
    "list.jsonl": (b'["Talks must begin."]\n', "{path}:1: expected a JSON object, got list."),
    "nocolumn.jsonl": (
        b'{"text": "Talks must begin."}\n{"sentence": "Talks."}\n',
        "{path}:2: no field 'text' with the text to classify (it has sentence); name the text field with --text-column NAME.",
    ),
    "empty-object.jsonl": (b"{}\n", "{path}:1: no field 'text' with the text to classify (it has no fields); name the text field with --text-column NAME."),
    "notext.jsonl": (b'{"text": 3}\n', "{path}:1: field 'text' holds no text."),
    "nocolumn.csv": (
        b"id,sentence\n1,Talks must begin.\n",
        "{path}: no column 'text' with the text to classify (it has id, sentence); name the text column with --text-column NAME.",
    ),
    "ragged.csv": (b"id,text\n1,Talks must begin.\n2,Talks,extra\n", "{path}:3: 3 fields where the header has 2."),
    "page.html": (
        b"<html><head><title>Home</title></head><body><script>var page = 1;</script></body></html>",
        "{path}: no article text found in this HTML page.",
    ),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_input_is_one_sentence_naming_file_and_line(name: str, tmp_path: Path, segment_params: SegmentParams) -> None:
    data, message = BAD_FILES[name]
    path = tmp_path / name
    if data is not None:
        write(path, data)
    with pytest.raises(StanceError) as caught:
        read([str(path)], segment_params)
    assert str(caught.value) == message.format(path=path)


def test_folder_without_articles(tmp_path: Path, segment_params: SegmentParams) -> None:
    write(tmp_path / "only.pdf", b"%PDF")
    with pytest.raises(StanceError, match=r"no articles \(\.txt, \.md, \.html, \.htm\) or Parquet files in this folder\.$"):
        sources([str(tmp_path)], ".txt")


def test_every_path_is_checked_before_any_is_read(tmp_path: Path) -> None:
    with pytest.raises(StanceError, match="missing.txt: no such file or folder"):
        sources([str(TIME_ARTICLE), str(tmp_path / "missing.txt")], ".txt")


# --- one decoding policy for every reader ------------------------------------------------------------


def test_training_and_predict_decode_a_mixed_file_to_the_same_sentences(tmp_path: Path) -> None:
    from pipeline.predict.inputs import input_sentences, sources

    path = tmp_path / "mixed.txt"
    path.write_bytes("Caf\u00e9 talks resumed on Monday.\n\n".encode() + "The na\u00efve truce held.\n".encode("cp1252"))
    trained = [s.text for s in segment_article("mixed", read_article(path).text, CONFIG.segment)]
    warnings: list[str] = []
    predicted = [s.text for s in input_sentences(sources([str(path)], ".txt"), None, CONFIG.segment, "text", "sentences", warnings.append)]
    assert trained == predicted == ["Caf\u00e9 talks resumed on Monday.", "The na\u00efve truce held."]
    assert warnings == [f"{path}:3: not UTF-8; read as cp1252 (Windows-1252), one line at a time."]


def test_an_html_page_is_decoded_by_its_declared_charset(tmp_path: Path) -> None:
    sentence = "\u041f\u0435\u0440\u0435\u0433\u043e\u0432\u043e\u0440\u044b \u0441 \u0431\u043e\u0435\u0432\u0438\u043a\u0430\u043c\u0438 \u043f\u0440\u043e\u0434\u043e\u043b\u0436\u0430\u044e\u0442\u0441\u044f."
    page = f'<html><head><meta charset="windows-1251"><title>T</title></head><body><article><p>{sentence} {sentence}</p></article></body></html>'
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("cp1251"))
    assert sentence in read_article(path).text


NOT_TEXT = "not text (mostly control or unassigned characters); expected a text file."


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("random.txt", random.Random(5).randbytes(4000).replace(b"\x00", b"\x01")),  # random bytes without a single NUL
        ("image.txt", (ROOT / "reports" / "plots" / "learning_curve.png").read_bytes()),
        ("archive.txt", gzip.compress((ROOT / "README.md").read_bytes())),
        ("wide.txt", "Talks must begin.\n".encode("utf-16-le")),  # UTF-16 without its byte-order mark
    ],
)
def test_what_is_not_text_is_refused_by_every_reader(name: str, data: bytes, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for reader in (lambda: read_article(path), lambda: read([str(path)], CONFIG.segment)):
        with pytest.raises(StanceError, match=rf"^{path}(:\d+)?: " + re.escape(NOT_TEXT)):
            reader()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-32", "latin-1", "cp1252"])
def test_text_in_every_readable_encoding_gives_the_same_sentences_to_training_and_predict(encoding: str, tmp_path: Path) -> None:
    text = "Caf\u00e9 talks resumed on Monday.\n\nThe na\u00efve truce held, \u00a3 and all.\n"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    trained = [s.text for s in segment_article("a", read_article(path).text, CONFIG.segment)]
    predicted, _ = read([str(path)], CONFIG.segment)
    assert trained == [s.text for s in predicted] == ["Caf\u00e9 talks resumed on Monday.", "The na\u00efve truce held, \u00a3 and all."]
