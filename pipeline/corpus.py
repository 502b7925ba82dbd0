"""The corpus on disk: the article folder and the sentences file made from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.articles import article_files, article_id, read_article
from pipeline.config import SegmentParams
from pipeline.errors import StanceError
from pipeline.files import read_records
from pipeline.segment import Sentence, segment_article

SENTENCE_FIELDS = ("id", "article", "index", "paragraph", "text", "hash")


def segment_corpus(folder: Path, params: SegmentParams, warn: Callable[[str], None] = lambda message: None) -> list[Sentence]:
    """Sentences of every article in `folder`; `warn` hears of files that were not UTF-8."""
    if not folder.is_dir():
        raise StanceError(f"{folder}: article folder not found.")
    paths = list(article_files(folder))
    if not paths:
        raise StanceError(f"{folder}: no articles (.txt, .md, .html) in this folder.")
    ids = [article_id(p) for p in paths]
    if len(set(ids)) != len(ids):
        duplicate = next(i for i in ids if ids.count(i) > 1)
        raise StanceError(f"{folder}: two articles share the id {duplicate!r}; rename one file.")
    sentences: list[Sentence] = []
    for path in paths:
        decoded = read_article(path)
        if decoded.fell_back:
            warn(f"{path}: not UTF-8; decoded as {decoded.encoding}.")
        sentences.extend(segment_article(article_id(path), decoded.text, params))
    return sentences


def read_sentences(path: Path) -> list[Sentence]:
    if not path.exists():
        raise StanceError(f"{path}: no sentences file; run `dvc repro segment` first.")
    return [Sentence(**{f: record[f] for f in SENTENCE_FIELDS}) for _, record in read_records(path, SENTENCE_FIELDS)]
