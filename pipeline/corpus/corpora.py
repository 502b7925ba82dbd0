"""The corpora on disk, and the sentences file made from them.

The project reads its corpora through the same reader and segmenter: the seed
articles it keeps in `data/articles/`, and the article pools, each read in
place from its folder in `paths.pools`. The pools' texts belong to their
publishers, so nothing copied into the project may hold them: labels name a
pool sentence by id and text hash (see `pipeline.labels.records`), and
reports by id. Every sentence record carries its article's metadata.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus.articles import article_files, article_id, read_article
from pipeline.corpus.metadata import (
    ArticleMeta,
    article_genre,
    article_slice,
    read_manifest_meta,
    read_table_meta,
)
from pipeline.corpus.segment import Sentence, segment_article
from pipeline.errors import StanceError
from pipeline.files import read_jsonl, read_records
from pipeline.params import Paths, SegmentParams, SliceParams

SENTENCE_FIELDS = tuple(f.name for f in dataclasses.fields(Sentence))
MANIFEST = "sources.jsonl"  # where a folder lists its articles (one record per file), only those are read


@dataclass(frozen=True)
class Corpus:
    name: str
    folder: Path
    # Read where it lies and never copied: its labels carry hashes, not text.
    in_place: bool
    setting: str  # the params key that names the folder, for messages
    # The metadata table of a folder without a manifest (the seed's data/metadata.csv).
    table: Path | None = None

    def files(self) -> list[Path]:
        if not self.folder.is_dir():
            raise StanceError(f"{self.folder}: {self.name} article folder not found; set {self.setting} in configs/params.yaml to where it lies.")
        manifest = self.folder / MANIFEST
        paths = manifest_files(manifest) if manifest.is_file() else list(article_files(self.folder))
        if not paths:
            raise StanceError(f"{self.folder}: no articles (.txt, .md, .html) in this folder.")
        return paths

    def metadata(self) -> dict[str, ArticleMeta]:
        manifest = self.folder / MANIFEST
        if manifest.is_file():
            return read_manifest_meta(manifest)
        return read_table_meta(self.table) if self.table is not None else {}


def project_corpora(paths: Paths) -> list[Corpus]:
    pools = [Corpus(name, folder, True, f"paths.pools.{name}") for name, folder in paths.pools.items()]
    return [Corpus("seed", paths.articles, False, "paths.articles", paths.metadata), *pools]


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


def with_metadata(sentences: list[Sentence], meta: ArticleMeta, corpus: str, params: SliceParams) -> list[Sentence]:
    fields = dataclasses.asdict(meta) | {"slice": article_slice(meta, corpus, params), "genre": article_genre(meta, params)}
    return [dataclasses.replace(s, **fields) for s in sentences]


def segment_corpus(
    corpus: Corpus, params: SegmentParams, slices: SliceParams, warn: Callable[[str], None] = lambda message: None
) -> list[Sentence]:
    """Sentences of every article of `corpus`, with its metadata; `warn` hears of files that were not UTF-8.

    Ids are file names, so `segment_corpora` checks them across every corpus first.
    """
    sentences: list[Sentence] = []
    metadata = corpus.metadata()
    for path in corpus.files():
        decoded = read_article(path)
        if decoded.fell_back:
            warn(f"{path}: not UTF-8; decoded as {decoded.encoding}.")
        name = article_id(path)
        segmented = segment_article(name, decoded.text, params, corpus.name, warn, str(path))
        sentences.extend(with_metadata(segmented, metadata.get(name, ArticleMeta()), corpus.name, slices))
    return sentences


def segment_corpora(
    corpora: list[Corpus], params: SegmentParams, slices: SliceParams, warn: Callable[[str], None] = lambda message: None
) -> list[Sentence]:
    sentences: list[Sentence] = []
    where: dict[str, Path] = {}
    for corpus in corpora:
        for path in corpus.files():
            name = article_id(path)
            if name in where:
                raise StanceError(f"{path}: the article id {name!r} is also {where[name]}; rename one file.")
            where[name] = path
        sentences.extend(segment_corpus(corpus, params, slices, warn))
    return sentences


def read_sentences(path: Path) -> list[Sentence]:
    if not path.exists():
        raise StanceError(f"{path}: no sentences file; run `dvc repro segment` first.")
    return [Sentence(**{f: record[f] for f in SENTENCE_FIELDS}) for _, record in read_records(path, SENTENCE_FIELDS)]
