"""The corpora on disk, and the sentences file made from them.

The project reads two corpora through the same reader and segmenter: the seed
articles it keeps in `data/articles/`, and the article pool, read in place
from `paths.pool`. The pool's texts belong to their publishers, so nothing
copied into the project may hold them: labels name a pool sentence by id and
text hash (see `pipeline.labels.records`), and reports by id.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus.articles import article_files, article_id, read_article
from pipeline.corpus.segment import Sentence, segment_article
from pipeline.errors import StanceError
from pipeline.files import read_jsonl, read_records
from pipeline.params import Paths, SegmentParams

SENTENCE_FIELDS = ("id", "article", "index", "paragraph", "text", "hash", "corpus")
MANIFEST = "sources.jsonl"  # where a folder lists its articles (one record per file), only those are read


@dataclass(frozen=True)
class Corpus:
    name: str
    folder: Path
    # Read where it lies and never copied: its labels carry hashes, not text.
    in_place: bool
    setting: str  # the params key that names the folder, for messages

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            raise StanceError(f"{self.folder}: {self.name} article folder not found; set {self.setting} in configs/params.yaml to where it lies.")
        manifest = self.folder / MANIFEST
        paths = manifest_files(manifest) if manifest.is_file() else list(article_files(self.folder))
        if not paths:
            raise StanceError(f"{self.folder}: no articles (.txt, .md, .html) in this folder.")
        return paths


def project_corpora(paths: Paths) -> list[Corpus]:
    return [Corpus("seed", paths.articles, False, "paths.articles"), Corpus("pool", paths.pool, True, "paths.pool")]


def in_place_corpora(paths: Paths) -> frozenset[str]:
    return frozenset(c.name for c in project_corpora(paths) if c.in_place)


def manifest_files(manifest: Path) -> list[Path]:
    files = []
    for number, record in read_jsonl(manifest):
        name = record.get("file")
        if not isinstance(name, str) or not name or Path(name).name != name:
            raise StanceError(f"{manifest}:{number}: field 'file' must name a file in this folder.")
        path = manifest.parent / name
        if not path.is_file():
            raise StanceError(f"{manifest}:{number}: lists {name}, which is not in {manifest.parent}.")
        files.append(path)
    return files


def segment_corpus(corpus: Corpus, params: SegmentParams, warn: Callable[[str], None] = lambda message: None) -> list[Sentence]:
    """Sentences of every article of `corpus`; `warn` hears of files that were not UTF-8.

    Ids are file names, so `segment_corpora` checks them across every corpus first.
    """
    sentences: list[Sentence] = []
    for path in corpus.files():
        decoded = read_article(path)
        if decoded.fell_back:
            warn(f"{path}: not UTF-8; decoded as {decoded.encoding}.")
        sentences.extend(segment_article(article_id(path), decoded.text, params, corpus.name, warn, str(path)))
    return sentences


def segment_corpora(corpora: list[Corpus], params: SegmentParams, warn: Callable[[str], None] = lambda message: None) -> list[Sentence]:
    sentences: list[Sentence] = []
    where: dict[str, Path] = {}
    for corpus in corpora:
        for path in corpus.files():
            name = article_id(path)
            if name in where:
                raise StanceError(f"{path}: the article id {name!r} is also {where[name]}; rename one file.")
            where[name] = path
        sentences.extend(segment_corpus(corpus, params, warn))
    return sentences


def article_slice(sentence: Sentence) -> str:
    """The slice an article belongs to, for stratified folds and per-slice scores.

    Pool ids start with their slice (`pk`, `af`, `ww`); seed ids start with a
    number, and the corpus name is their slice.
    """
    prefix = re.match(r"[A-Za-z]+", sentence.article)
    return prefix.group(0).lower() if prefix else sentence.corpus


def read_sentences(path: Path) -> list[Sentence]:
    if not path.exists():
        raise StanceError(f"{path}: no sentences file; run `dvc repro segment` first.")
    return [Sentence(**{f: record[f] for f in SENTENCE_FIELDS}) for _, record in read_records(path, SENTENCE_FIELDS)]
