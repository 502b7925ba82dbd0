"""What `stance predict` reads: articles, folders of them, standard input, and sentence files.

Everything becomes one stream of sentences, read lazily so a long input never
sits whole in memory (HTML and Markdown excepted: their text needs the whole
page). A folder's files that are neither articles nor Parquet are named in one
warning, so nothing is left out unsaid.
Articles go through the corpus's own readers and segmentation
(pipeline.corpus.articles, pipeline.corpus.segment); `.jsonl`, `.csv` and
`.parquet` files hold sentences already, one per record (or whole articles,
one per record, with `--rows articles`), and their other columns travel with
each sentence. A line that is not UTF-8 is read as Windows-1252, with one
warning per file.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, cast

from pipeline.corpus.articles import (
    ARTICLE_SUFFIXES,
    FALLBACK_ENCODING,
    HTML_SUFFIXES,
    MARKDOWN_SUFFIXES,
    article_files,
    article_text,
    decode_text,
    decoded_lines,
)
from pipeline.corpus.segment import Sentence, ignore, segment_article, segment_lines
from pipeline.errors import StanceError
from pipeline.files import parse_json_object
from pipeline.params import SegmentParams
from pipeline.predict.parquet import MAGIC, parquet_records

SENTENCE_SUFFIXES = (".jsonl", ".csv", ".parquet")
ROWS = ("sentences", "articles")  # what one record of a sentence file holds
# Articles read whole, since their text needs the whole document; the others stream line by line.
WHOLE_SUFFIXES = HTML_SUFFIXES + MARKDOWN_SUFFIXES
STDIN = "-"
STDIN_NAME = "<stdin>"
# A sentence file's column that groups its sentences into articles; without it, the file is one article.
ARTICLE_COLUMN = "article"
HEAD_BYTES = 8192
SKIPPED_NAMES = 3  # skipped files named in the warning; the rest are counted

Warn = Callable[[str], None]


@dataclass(frozen=True)
class InputSentence:
    source: str  # the file it came from, or <stdin>
    article: str
    index: int  # position within its article, from 0
    text: str
    columns: dict[str, Any] = field(default_factory=dict)  # other columns of a sentence file
    paragraph: int | None = None  # paragraph within its article; sentence files have none
    language: str = "en"  # ISO 639 code of its article's language (639-1 where one exists; pipeline.predict.language): the model reads English only


@dataclass(frozen=True)
class Source:
    path: Path | None  # None: standard input
    suffix: str  # how it is read
    article: str  # its article id (sentence files: for rows without an article column)

    @property
    def name(self) -> str:
        return STDIN_NAME if self.path is None else str(self.path)


def _check_file(path: Path) -> None:
    """Refuse an empty or binary file before anything is classified."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as err:
        raise StanceError(f"{path}: cannot read this file ({err.strerror}).") from None
    if not head:
        raise StanceError(f"{path}: empty file, no text to read.")
    if path.suffix.lower() == ".parquet":
        if not head.startswith(MAGIC):
            raise StanceError(f"{path}: not a Parquet file (it does not start with {MAGIC.decode()}).")
        return
    decode_text(head[: len(head) // 4 * 4 or len(head)], str(path))  # what is not text stops here; the rest is read line by line


def refuse_to_overwrite(found: Sequence[Source], output: Path) -> None:
    """An output that is one of the inputs (by any spelling or link) would destroy it: refuse before reading anything."""
    if not output.exists():
        return
    for source in found:
        if source.path is not None and os.path.samefile(source.path, output):
            raise StanceError(f"{output}: this is the input {source.path}; write the predictions to another file.")


def _unique_ids(paths: Sequence[Path]) -> dict[Path, str]:
    """File names without suffix, as in the corpus; a name used twice gets its folder too."""
    stems = Counter(path.stem for path in paths)
    return {path: path.stem if stems[path.stem] == 1 else str(path.with_suffix("")) for path in paths}


def _skipped(folder: Path, found: Sequence[Path]) -> list[Path]:
    """A folder's files that are not read, hidden ones and those in hidden folders aside (.git, .DS_Store)."""
    read = set(found)
    return [
        path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path not in read and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]


def _skipped_warning(folder: Path, skipped: Sequence[Path]) -> str:
    """One line that counts and names the files left out, so a user knows what was not read."""
    kinds = ", ".join(sorted({path.suffix.lower() or "no suffix" for path in skipped}))
    names = ", ".join(str(path) for path in skipped[:SKIPPED_NAMES])
    more = f" and {len(skipped) - SKIPPED_NAMES} more" if len(skipped) > SKIPPED_NAMES else ""
    files = "file that is not an article" if len(skipped) == 1 else "files that are not articles"
    return f"{folder}: skipped {len(skipped)} {files} or Parquet ({kinds}): {names}{more}."


def _folder_files(folder: Path, warn: Warn) -> list[Path]:
    """A folder's articles and Parquet files, with a warning naming what else it holds."""
    found = [*article_files(folder), *sorted(p for p in folder.rglob("*.parquet") if p.is_file() and not p.name.startswith("."))]
    if not found:
        raise StanceError(f"{folder}: no articles ({', '.join(ARTICLE_SUFFIXES)}) or Parquet files in this folder.")
    skipped = _skipped(folder, found)
    if skipped:
        warn(_skipped_warning(folder, skipped))
    return found


def sources(paths: Sequence[str], stdin_suffix: str, warn: Warn = ignore) -> list[Source]:
    """Every input, checked before any is read, so a mistake in the last path costs no work."""
    files: list[Path | None] = []  # None: standard input, where it was named
    for given in paths:
        path = Path(given)
        if given == STDIN:
            files.append(None)
        elif path.is_dir():
            files.extend(_folder_files(path, warn))
        elif not path.exists():
            raise StanceError(f"{path}: no such file or folder.")
        elif path.suffix.lower() not in ARTICLE_SUFFIXES + SENTENCE_SUFFIXES:
            expected = ", ".join(ARTICLE_SUFFIXES + SENTENCE_SUFFIXES)
            raise StanceError(f"{path}: cannot read {path.suffix or 'files without a suffix'}; expected one of {expected}.")
        else:
            files.append(path)
    named = [path for path in files if path is not None]
    for path in named:
        _check_file(path)
    ids = _unique_ids(named)
    return [Source(None, stdin_suffix, "stdin") if path is None else Source(path, path.suffix.lower(), ids[path]) for path in files]


def standard_input(found: Sequence[Source]) -> BinaryIO | None:
    """Standard input's bytes where an input is `-`. Closed (`<&-`), Python has no sys.stdin: an error before anything is read."""
    if all(source.path is not None for source in found):
        return None
    if sys.stdin is None:
        raise StanceError(f"{STDIN}: standard input is closed, so there is nothing to read; pipe the text in or name a file.")
    return sys.stdin.buffer


def _decoded_lines(handle: BinaryIO, name: str, warn: Warn) -> Iterator[tuple[int, str]]:
    """(line number, text with its line ending), one line at a time."""
    warned = False
    for number, decoded in decoded_lines(handle, name):
        if decoded.fell_back and not warned:
            warn(f"{name}:{number}: not UTF-8; read as {FALLBACK_ENCODING} (Windows-1252), one line at a time.")
            warned = True
        yield number, decoded.text


def _article(source: Source, handle: BinaryIO, params: SegmentParams, warn: Warn) -> Iterator[InputSentence]:
    if source.suffix in WHOLE_SUFFIXES:
        decoded = article_text(handle.read(), source.name, source.suffix)
        if decoded.fell_back:
            warn(f"{source.name}: not UTF-8; read as {FALLBACK_ENCODING} (Windows-1252).")
        sentences: Iterable[Sentence] = segment_article(source.article, decoded.text, params, warn=warn, source=source.name)
    else:
        # splitlines() per line, as segment_article does on the whole text.
        lines = (part for _, line in _decoded_lines(handle, source.name, warn) for part in line.splitlines())
        sentences = segment_lines(source.article, lines, params, warn=warn, source=source.name)
    for sentence in sentences:
        yield InputSentence(source.name, source.article, sentence.index, sentence.text, paragraph=sentence.paragraph)


def _record(source: Source, where: str, row: dict[str, Any], text_column: str) -> InputSentence:
    """One record as a sentence, numbered later by `numbered`."""
    text, article, columns = _fields(source, where, row, text_column)
    return InputSentence(source.name, article, 0, text, columns)


def numbered(sentences: Iterable[InputSentence]) -> Iterator[InputSentence]:
    """Sentences of records numbered within their article in order of appearance: what `sentence` says in the output."""
    counts: Counter[tuple[str, str]] = Counter()
    for sentence in sentences:
        key = (sentence.source, sentence.article)
        yield replace(sentence, index=counts[key])
        counts[key] += 1


def _missing_text(where: str, text_column: str, names: Iterable[str], kind: str) -> StanceError:
    """No text field: name the ones there are and the option that picks one, so the message holds the fix."""
    found = ", ".join(json.dumps(name, ensure_ascii=False)[1:-1] for name in names)
    has = f"it has {found}" if found else f"it has no {kind}s"
    return StanceError(f"{where}: no {kind} {text_column!r} with the text to classify ({has}); name the text {kind} with --text-column NAME.")


def _fields(source: Source, where: str, row: dict[str, Any], text_column: str) -> tuple[str, str, dict[str, Any]]:
    """A record's text, its article id, and the columns it carries."""
    if text_column not in row:
        raise _missing_text(where, text_column, row, "field")
    text = row[text_column]
    if not isinstance(text, str) or not text.strip():
        raise StanceError(f"{where}: field {text_column!r} holds no text.")
    article = str(row[ARTICLE_COLUMN]) if row.get(ARTICLE_COLUMN) not in (None, "") else source.article
    return text, article, {key: value for key, value in row.items() if key not in (text_column, ARTICLE_COLUMN)}


def _article_rows(
    source: Source, records: Iterable[tuple[str, dict[str, Any]]], text_column: str, params: SegmentParams, warn: Warn
) -> Iterator[InputSentence]:
    """Each record a whole article, segmented like the corpus; without an `article` column, the file's id and the record's number."""
    for number, (where, row) in enumerate(records, start=1):
        text, article, columns = _fields(source, where, row, text_column)
        if ARTICLE_COLUMN not in row:
            article = f"{source.article}-{number}"
        for sentence in segment_article(article, text, params, warn=warn, source=where):
            yield InputSentence(source.name, article, sentence.index, sentence.text, columns, sentence.paragraph)


def _jsonl(source: Source, handle: BinaryIO, warn: Warn) -> Iterator[tuple[str, dict[str, Any]]]:
    for number, line in _decoded_lines(handle, source.name, warn):
        if line.strip():
            where = f"{source.name}:{number}"
            yield where, parse_json_object(line, where)


def _csv(source: Source, handle: BinaryIO, text_column: str, warn: Warn) -> Iterator[tuple[str, dict[str, Any]]]:
    reader = csv.reader(line for _, line in _decoded_lines(handle, source.name, warn))
    header = next(reader, None)
    if header is None:
        raise StanceError(f"{source.name}: empty file, no text to read.")
    if text_column not in header:
        raise _missing_text(source.name, text_column, header, "column")
    for row in reader:
        if not row:
            continue
        where = f"{source.name}:{reader.line_num}"
        if len(row) != len(header):
            raise StanceError(f"{where}: {len(row)} fields where the header has {len(header)}.")
        yield where, dict(zip(header, row))


def _records(source: Source, handle: BinaryIO, text_column: str, warn: Warn) -> Iterator[tuple[str, dict[str, Any]]]:
    if source.suffix == ".jsonl":
        return _jsonl(source, handle, warn)
    if source.suffix == ".csv":
        return _csv(source, handle, text_column, warn)
    return parquet_records(handle, source.name)


def record_sentences(
    source: Source, records: Iterable[tuple[str, dict[str, Any]]], text_column: str, rows: str, params: SegmentParams, warn: Warn
) -> Iterator[InputSentence]:
    """The sentences of a sentence file's records: each record one sentence, or (`rows` "articles") one article to segment."""
    if rows == "articles":
        return _article_rows(source, records, text_column, params, warn)
    return numbered(_record(source, where, row, text_column) for where, row in records)


def _read(source: Source, handle: BinaryIO, params: SegmentParams, text_column: str, rows: str, warn: Warn) -> Iterator[InputSentence]:
    if source.suffix not in SENTENCE_SUFFIXES:
        return _article(source, handle, params, warn)
    return record_sentences(source, _records(source, handle, text_column, warn), text_column, rows, params, warn)


def input_sentences(found: Sequence[Source], stdin: BinaryIO | None, params: SegmentParams, text_column: str, rows: str, warn: Warn) -> Iterator[InputSentence]:
    """Sentences of every source in order; a source that yields none is an error."""
    for source in found:
        # A source without a path is standard input, and `stdin` is given whenever `sources` made one.
        with source.path.open("rb") if source.path is not None else nullcontext(cast(BinaryIO, stdin)) as handle:
            empty = True
            for sentence in _read(source, handle, params, text_column, rows, warn):
                empty = False
                yield sentence
            if empty:
                raise StanceError(f"{source.name}: no sentences to classify in this input.")
