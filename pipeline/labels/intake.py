"""The articles `stance label` is given: read and checked before anything is written, segmented in memory,
and copied into the corpus folder only with their first saved label."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.corpus.articles import ARTICLE_SUFFIXES, article_files, article_id, read_article
from pipeline.corpus.corpora import Corpus, segment_texts
from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.files import sync_folder, write_text
from pipeline.params import SegmentParams, SliceParams


@dataclass(frozen=True)
class AddedArticle:
    id: str
    path: Path  # the input it was read from
    text: str
    new: bool  # not in the corpus folder yet: copied there with its first saved label
    fell_back: bool  # not UTF-8: decoded as Windows-1252


def input_files(inputs: Sequence[Path]) -> list[Path]:
    """The article files the inputs name, folders expanded; anything else is refused."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found = list(article_files(path))
            if not found:
                raise StanceError(f"{path}: no articles ({', '.join(ARTICLE_SUFFIXES)}) in this folder.")
            files.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in ARTICLE_SUFFIXES:
                raise StanceError(f"{path}: not an article file; expected one of {', '.join(ARTICLE_SUFFIXES)}.")
            files.append(path)
        else:
            raise StanceError(f"{path}: no such file or folder.")
    return files


def read_articles(inputs: Sequence[Path], folder: Path) -> list[AddedArticle]:
    """The articles to label, read and checked against the corpus folder; nothing is written here.

    An article already there with the same text is reused, so running the
    command again resumes; a different article under the same id is refused.
    """
    existing = {article_id(p): p for p in article_files(folder)} if folder.is_dir() else {}
    added: dict[str, AddedArticle] = {}
    for path in input_files(inputs):
        name = article_id(path)
        decoded = read_article(path)
        if name in added and added[name].text != decoded.text:
            raise StanceError(f"{path}: another input also has the article id {name!r}; rename one of them.")
        if name in existing and read_article(existing[name]).text != decoded.text:
            raise StanceError(f"{path}: {existing[name]} already holds a different article with the id {name!r}; rename the new file.")
        added[name] = AddedArticle(name, path, decoded.text, name not in existing, decoded.fell_back)
    return list(added.values())


def new_article_sentences(
    added: Sequence[AddedArticle], corpus: Corpus, known: Sequence[Sentence], params: SegmentParams, slices: SliceParams, warn: Callable[[str], None]
) -> list[Sentence]:
    """Sentences of the articles not stored yet, segmented as the `segment` stage will segment them once stored.

    An id that another corpus already uses is refused here, before anything is written.
    """
    taken = {s.article: s.corpus for s in known}
    clash = next((a for a in added if a.new and a.id in taken), None)
    if clash is not None:
        raise StanceError(f"{clash.path}: the article id {clash.id!r} is already an article of the {taken[clash.id]} corpus; rename the file.")
    return segment_texts(corpus, {a.path: a.text for a in added if a.new}, params, slices, warn)


@dataclass
class NewArticles:
    """Articles given to `stance label` that the corpus folder lacks.

    Each is copied there (as UTF-8 text) just before its first label is saved,
    so an article opened and left without a label changes no DVC dependency and
    retrains nothing; an undo that takes back its last label removes the copy.
    A label is never on disk without its article.
    """

    folder: Path
    waiting: dict[str, str]  # article id -> text, not copied yet
    copied: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, added: Sequence[AddedArticle], folder: Path) -> NewArticles:
        return cls(folder, {a.id: a.text for a in added if a.new})

    def keep(self, article: str) -> None:
        if article in self.waiting:
            write_text(self.folder / f"{article}.txt", self.waiting[article])
            self.copied[article] = self.waiting.pop(article)

    def release(self, article: str) -> None:
        if article in self.copied:
            (self.folder / f"{article}.txt").unlink()
            sync_folder(self.folder)
            self.waiting[article] = self.copied.pop(article)
