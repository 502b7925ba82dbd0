"""Articles to sentences: the one segmentation every stage and `stance predict` use.

Lines are paragraphs (the corpus puts headlines, captions and page furniture on
lines of their own, most without final punctuation), except that a line which
starts in lower case continues an unfinished line before it (reader comments
come hard-wrapped mid-sentence). pysbd splits each paragraph into sentences. pysbd knows common abbreviations ("U.S.", "Gen.");
the ones it lacks ("Lieut.") come from configs so they stay data, not code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache

import pysbd
from pysbd.lang.english import English

from pipeline.params import SegmentParams


@dataclass(frozen=True)
class Sentence:
    id: str
    article: str
    index: int
    paragraph: int
    text: str
    hash: str
    corpus: str = ""  # the corpus it came from; "" for articles given to `stance predict`
    # From the article's metadata (`pipeline.corpus.metadata`); "" where it has none.
    slice: str = ""  # seed, pk, af, ww: folds are stratified by it and scores reported per slice
    genre: str = ""  # news or opinion
    outlet: str = ""
    date: str = ""
    kind: str = ""
    conflict: str = ""

    def to_record(self) -> dict[str, object]:
        return asdict(self)


def text_hash(text: str) -> str:
    """Short content hash: a label whose sentence text changed no longer matches it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=8)
def _segmenter(extra_abbreviations: tuple[str, ...]) -> pysbd.Segmenter:
    extra = [a.lower().rstrip(".") for a in extra_abbreviations]

    class ProjectEnglish(English):
        class Abbreviation(English.Abbreviation):
            ABBREVIATIONS = English.Abbreviation.ABBREVIATIONS + extra
            PREPOSITIVE_ABBREVIATIONS = English.Abbreviation.PREPOSITIVE_ABBREVIATIONS + extra

    segmenter = pysbd.Segmenter(language="en", clean=False)
    segmenter.language_module = ProjectEnglish
    return segmenter


def _sentences(text: str, params: SegmentParams) -> list[str]:
    pieces: list[str] = []
    for piece in (normalise_whitespace(s) for s in _segmenter(params.extra_abbreviations).segment(text)):
        if pieces and piece and not any(c.isalnum() for c in piece):
            pieces[-1] += piece  # a closing quote that pysbd split off belongs to the sentence it closes
        elif piece:
            pieces.append(piece)
    return pieces


def _at_spaces(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at the last space before it (or at the limit, without one)."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*pieces, text] if text else pieces


def split_paragraph(paragraph: str, params: SegmentParams) -> tuple[list[str], bool]:
    """The sentences of a paragraph, and whether one had to be cut for being longer than `max_chars`.

    pysbd sees at most a window of a few sentences' length at a time, and no
    sentence comes out longer than `max_chars`, so the work grows linearly
    with the input however long a line without punctuation is.
    """
    text = normalise_whitespace(paragraph)
    window = 5 * params.max_chars
    sentences: list[str] = []
    cut = False
    while text:
        found = _sentences(text[:window], params)
        if len(text) > window and len(found) > 1:
            found = found[:-1]  # the last sentence may run past the window: it is read again with what follows
            end = 0
            for sentence in found:
                end = text.index(sentence, end) + len(sentence)
            text = text[end:].lstrip()
        elif len(text) > window:
            end = text.rfind(" ", 0, window + 1)
            end = end if end > 0 else window
            found, text = [text[:end].strip()], text[end:].lstrip()
        else:
            text = ""
        for sentence in found:
            pieces = _at_spaces(sentence, params.max_chars)
            cut = cut or len(pieces) > 1
            sentences.extend(pieces)
    return sentences, cut


def paragraphs(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(line number where it starts, paragraph): hard-wrapped lines joined back, one line of look-behind only."""
    pending = ""
    start = 0
    for number, line in enumerate(lines, start=1):
        text = normalise_whitespace(line)
        if not text:
            continue
        if pending and text[0].islower() and pending[-1] not in ".!?":
            pending = f"{pending} {text}"
            continue
        if pending:
            yield start, pending
        pending, start = text, number
    if pending:
        yield start, pending


Warn = Callable[[str], None]


def ignore(message: str) -> None:
    """Where no one is told of cut sentences."""


def segment_lines(article: str, lines: Iterable[str], params: SegmentParams, corpus: str = "", warn: Warn = ignore, source: str = "") -> Iterator[Sentence]:
    """Sentences of one article, lazily, so a very long input never sits whole in memory; `source` names it in warnings."""
    index = 0
    paragraph = 0
    for line, text_of_paragraph in paragraphs(lines):
        sentences, cut = split_paragraph(text_of_paragraph, params)
        if cut:
            warn(f"{source or article}:{line}: a sentence longer than {params.max_chars} characters (segment.max_chars) was cut at spaces.")
        for text in sentences:
            yield Sentence(f"{article}-{index}", article, index, paragraph, text, text_hash(text), corpus)
            index += 1
        paragraph += 1


def segment_article(article: str, text: str, params: SegmentParams, corpus: str = "", warn: Warn = ignore, source: str = "") -> list[Sentence]:
    return list(segment_lines(article, text.splitlines(), params, corpus, warn, source))
