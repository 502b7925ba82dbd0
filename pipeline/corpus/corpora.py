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
from collections.abc import Callable, Mapping, Sequence
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
REFRESH = "`stance segment` (or `dvc repro`)"  # what rewrites the sentences file
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


def seed_corpus(paths: Paths) -> Corpus:
    """The project's own articles (`data/articles/`): where `stance label` stores the user's new ones."""
    return Corpus("seed", paths.articles, False, "paths.articles", paths.metadata)


def project_corpora(paths: Paths) -> list[Corpus]:
    pools = [Corpus(name, folder, True, f"paths.pools.{name}") for name, folder in paths.pools.items()]
    return [seed_corpus(paths), *pools]


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


def with_metadata(sentences: list[Sentence], meta: ArticleMeta, params: SliceParams) -> list[Sentence]:
    fields = dataclasses.asdict(meta) | {"slice": article_slice(meta, params), "genre": article_genre(meta, params)}
    return [dataclasses.replace(s, **fields) for s in sentences]


def segment_texts(
    corpus: Corpus, texts: Mapping[Path, str], params: SegmentParams, slices: SliceParams, warn: Callable[[str], None] = lambda message: None
) -> list[Sentence]:
    """Sentences of articles of `corpus` given as text, keyed by their file, with the corpus's metadata.

    The one way an article becomes sentences: `segment_corpus` reads the files
    first, and `stance label` passes an article it has not stored yet.
    """
    metadata = corpus.metadata()
    sentences: list[Sentence] = []
    for path, text in texts.items():
        name = article_id(path)
        segmented = segment_article(name, text, params, corpus.name, warn, str(path))
        sentences.extend(with_metadata(segmented, metadata.get(name, ArticleMeta()), slices))
    return sentences


def segment_corpus(corpus: Corpus, params: SegmentParams, slices: SliceParams, warn: Callable[[str], None] = lambda message: None) -> list[Sentence]:
    """Sentences of every article of `corpus`, with its metadata; `warn` hears of files that were not UTF-8.

    Ids are file names, so `segment_corpora` checks them across every corpus first.
    """
    texts: dict[Path, str] = {}
    for path in corpus.files():
        decoded = read_article(path)
        if decoded.fell_back:
            warn(f"{path}: not UTF-8; decoded as {decoded.encoding}.")
        texts[path] = decoded.text
    return segment_texts(corpus, texts, params, slices, warn)


def segment_corpora(corpora: list[Corpus], params: SegmentParams, slices: SliceParams, warn: Callable[[str], None] = lambda message: None) -> list[Sentence]:
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


def stale_reason(corpora: list[Corpus], path: Path, sentences: Sequence[Sentence]) -> str:
    """Why the sentences file `path` (holding `sentences`) is not what the `segment` stage would write now; '' when it is.

    Stale: an article of the corpora it has no sentences of (one `stance label` just added), one it holds that
    is gone, or an article file changed after it was written.
    """
    if not path.exists():
        return f"{path} does not exist yet; {REFRESH} writes it."
    files = {article_id(file): file for corpus in corpora if corpus.folder.is_dir() for file in corpus.files()}
    written = {s.article for s in sentences}
    written_at = path.stat().st_mtime
    reasons = (
        (sorted(files.keys() - written), "has no sentences of article"),
        (sorted(written - files.keys()), "still holds article"),
        (sorted(name for name in files.keys() & written if files[name].stat().st_mtime > written_at), "is older than the file of article"),
    )
    for names, what in reasons:
        if names:
            more = f" (and {len(names) - 1} more)" if len(names) > 1 else ""
            return f"{path} is stale: it {what} {names[0]!r}{more}; {REFRESH} rewrites it."
    return ""


def current_sentences(
    paths: Paths, params: SegmentParams, slices: SliceParams, warn: Callable[[str], None] = lambda message: None
) -> tuple[list[Sentence], str]:
    """The sentences the `segment` stage would write now, and why the sentences file is stale ('' when it is not).

    Why segment here rather than have `stance label` add its article's sentences to the file: the file is the
    `segment` stage's output, which DVC tracks and only that stage writes. While it matches the corpora it is
    read; when it is stale (an article just added by `stance label`, say) the corpora are segmented here, in
    memory, by the same `segment_corpora` (about two seconds), and the file is left alone. Checks and exports
    that run right after labeling thus see the new sentences, and segmentation keeps one implementation.
    """
    corpora = project_corpora(paths)
    sentences = read_sentences(paths.sentences) if paths.sentences.exists() else []
    stale = stale_reason(corpora, paths.sentences, sentences)
    return (segment_corpora(corpora, params, slices, warn) if stale else sentences), stale
