"""Which language each article is in, so text the model cannot read is said out loud.

The model reads English only: a Persian or Urdu article would otherwise come out
all `none` without a word. Each article's language is told once, from the head of
its text (one sentence is too short to tell reliably), by py3langid, a naive Bayes
identifier that ships its model and needs only numpy. An article is foreign only
where English is implausible and another language is clear; text too short or too
unsure to tell counts as English, so a one-line English headline never warns.
A foreign article is named in one warning (its language's English name from CLDR,
through babel) and its sentences carry its code: ISO 639-1 where the language has
one, else py3langid's ISO 639-3 code. Past the first few, foreign articles are
counted in one closing line instead, so an archive of them cannot flood the terminal.
py3langid ships its model compressed; the first run keeps an uncompressed copy in
stance's cache, so later runs read it in a fraction of the time.
"""

from __future__ import annotations

import lzma
import os
import shutil
import tempfile
import unicodedata
import zipfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import cache
from importlib import metadata
from itertools import chain, groupby
from pathlib import Path

import numpy as np
from babel import Locale
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

from pipeline.models.assets import CHUNK, cache_root
from pipeline.predict.inputs import InputSentence

ENGLISH = "en"
# Characters of an article's head that decide its language. From 200 on, every English article of
# the seed corpus and both pools reads as English, and from 500 on with P(English) of 0.995 or more;
# 2,000 leave a margin for a foreign quote or caption up front and cost under a millisecond.
HEAD_CHARS = 2000
# Fewer letters than this cannot be told apart (a short headline, a name): English, silently.
# Vowel signs count as letters, so a Hindi line is measured as fairly as an English one.
MIN_LETTERS = 40
# An article is foreign only where English is this unlikely: no English sentence of 20 letters or
# more in the pools falls below it, no foreign sentence written for the tests rises above 1e-5.
ENGLISH_FLOOR = 0.01
# ... and its best language this likely: a flat ranking (all-capital tweets top out near 0.03) is
# no language the identifier knows, while a real one splits with a few close kin at most
# (Indonesian sentences with Malay: 0.58 or more).
MIN_CONFIDENCE = 0.25
NO_LANGUAGE = "zxx"  # py3langid's code for text with no language in it (numbers, symbols)
NAMED_ARTICLES = 3  # foreign articles named one by one; the rest are counted in one line

Warn = Callable[[str], None]


# What reading or writing the cached copy raises where it is missing or damaged, or the cache cannot be written.
UNREADABLE = (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile)


def cached_model() -> Path:
    """Where py3langid's model is kept uncompressed: its version's own file, so an upgrade never reads an old layout."""
    return cache_root() / "py3langid" / f"model-{metadata.version('py3langid')}.npz"


def _uncompress(target: Path) -> None:
    """py3langid's shipped model (numpy arrays in LZMA, no pickle) written out plain, once; atomically, as processes may race."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as out:
        try:
            with lzma.open(MODEL_DIR / MODEL_FILE) as shipped:
                shutil.copyfileobj(shipped, out, CHUNK)
        except BaseException:
            os.unlink(out.name)
            raise
    os.replace(out.name, target)


def _table(values: np.ndarray) -> array[int]:
    """A transition table as py3langid's own loader hands it over: a stdlib array, which its byte-by-byte walk indexes fastest."""
    table = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    table.frombytes(np.ascontiguousarray(values).data.cast("B"))
    return table


def _read(path: Path) -> LanguageIdentifier:
    with np.load(path, allow_pickle=False) as model:
        tables = _table(model["nextmove"]), _table(model["nextmove_row"])
        return LanguageIdentifier(
            model["ptc"], model["pc"], model["classes"].tolist(), tables[0], model["out_feat"].tolist(), norm_probs=True, tk_row=tables[1]
        )


def load_identifier() -> LanguageIdentifier:
    """The identifier from its uncompressed copy in the cache: decompressing the shipped model takes about 0.4 s of every run,
    longer than opening the stance model beside it, reading the copy about 0.1 s. Without a writable cache: the shipped file."""
    path = cached_model()
    try:
        return _read(path)
    except UNREADABLE:  # not written yet, or damaged
        pass
    try:
        _uncompress(path)
        return _read(path)
    except UNREADABLE:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _loading() -> Future[LanguageIdentifier]:
    """The identifier, loaded once in a thread of its own, which `preload` starts while the stance model loads."""
    loader = ThreadPoolExecutor(1, thread_name_prefix="py3langid")
    identifier = loader.submit(load_identifier)
    loader.shutdown(wait=False)  # the thread ends with its one task
    return identifier


def preload() -> None:
    """Start loading the identifier, so that it is ready by the time the first article needs it."""
    _loading()


def _identifier() -> LanguageIdentifier:
    return _loading().result()


def language_name(code: str) -> str:
    """A code's English name from CLDR (babel), or the code itself where CLDR has none."""
    name = Locale(ENGLISH).languages.get(code)
    return str(name) if name else code


def detect(text: str) -> str | None:
    """The language code of an article's head; None where it is too short to tell, English wherever English is plausible."""
    if sum(char.isalpha() or unicodedata.category(char).startswith("M") for char in text) < MIN_LETTERS:
        return None
    ranked = _identifier().rank(text)
    (best, confidence), english = ranked[0], dict(ranked)[ENGLISH]
    if best == NO_LANGUAGE:
        return None
    return str(best) if english < ENGLISH_FLOOR and confidence >= MIN_CONFIDENCE else ENGLISH


class ForeignArticles:
    """One warning per foreign article for the first few, then a count, so many of them cannot flood the terminal.

    Also what Ray's driver warns by, since each of its actors sees a batch, not the stream."""

    def __init__(self, warn: Warn) -> None:
        self.warn = warn
        self.languages: Counter[str] = Counter()  # foreign articles by language code
        self.seen: set[tuple[str, str]] = set()  # foreign articles only: memory grows with them, not with the archive

    def article(self, source: str, article: str, code: str) -> None:
        if code == ENGLISH or (source, article) in self.seen:
            return
        self.seen.add((source, article))
        self.languages[code] += 1
        if self.languages.total() <= NAMED_ARTICLES:
            self.warn(
                f"{source}, article {article}: reads as {language_name(code)}, not English; its sentences are marked "
                f"language {code!r}, and the model reads English only, so their labels mean little."
            )

    def close(self) -> None:
        unnamed = self.languages.total() - NAMED_ARTICLES
        if unnamed > 0:
            counts = ", ".join(f"{n} {language_name(code)}" for code, n in self.languages.most_common())
            self.warn(
                f"{unnamed} more articles are not in English ({self.languages.total()} in all: {counts}); "
                "their sentences are marked with their language, and the model reads English only."
            )


def _head(group: Iterator[InputSentence]) -> list[InputSentence]:
    """An article's first sentences, up to HEAD_CHARS characters: all that is held in memory."""
    head: list[InputSentence] = []
    size = 0
    for sentence in group:
        head.append(sentence)
        size += len(sentence.text) + 1
        if size >= HEAD_CHARS:
            break
    return head


def with_language(sentences: Iterable[InputSentence], warn: Warn) -> Iterator[InputSentence]:
    """Each sentence with its article's language, reading at most one article's head ahead.

    An article whose sentences come in several runs (a sentence file whose rows
    interleave articles) keeps the language of its first run long enough to tell.
    """
    warnings = ForeignArticles(warn)
    known: dict[tuple[str, str], str] = {}  # foreign articles only, as ForeignArticles.seen
    for key, run in groupby(sentences, key=lambda s: (s.source, s.article)):
        head = _head(run)
        language = known.get(key) or detect(" ".join(s.text for s in head)[:HEAD_CHARS]) or ENGLISH
        if language != ENGLISH:
            known[key] = language
            warnings.article(*key, language)
        for sentence in chain(head, run):
            yield sentence if sentence.language == language else replace(sentence, language=language)
    warnings.close()
