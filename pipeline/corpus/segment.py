"""Articles to sentences: the one segmentation every stage and `stance predict` use.

Lines are paragraphs (the corpus puts headlines, captions and page furniture on
lines of their own, most without final punctuation), except that a line which
starts in lower case continues an unfinished line before it (reader comments
come hard-wrapped mid-sentence). pysbd splits each paragraph into sentences. pysbd knows common abbreviations ("U.S.", "Gen.");
the ones it lacks ("Lieut.") come from configs so they stay data, not code.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
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


def split_paragraph(paragraph: str, params: SegmentParams) -> list[str]:
    text = normalise_whitespace(paragraph)
    if not text:
        return []
    pieces: list[str] = []
    for piece in (normalise_whitespace(s) for s in _segmenter(params.extra_abbreviations).segment(text)):
        if pieces and piece and not any(c.isalnum() for c in piece):
            pieces[-1] += piece  # a closing quote that pysbd split off belongs to the sentence it closes
        elif piece:
            pieces.append(piece)
    return pieces


def paragraphs(lines: Iterable[str]) -> Iterator[str]:
    """Join hard-wrapped lines back into paragraphs, one line of look-behind only."""
    pending = ""
    for line in lines:
        text = normalise_whitespace(line)
        if not text:
            continue
        if pending and text[0].islower() and pending[-1] not in ".!?":
            pending = f"{pending} {text}"
            continue
        if pending:
            yield pending
        pending = text
    if pending:
        yield pending


def segment_lines(article: str, lines: Iterable[str], params: SegmentParams, corpus: str = "") -> Iterator[Sentence]:
    """Sentences of one article, lazily, so a very long input never sits whole in memory."""
    index = 0
    paragraph = 0
    for text_of_paragraph in paragraphs(lines):
        sentences = split_paragraph(text_of_paragraph, params)
        for text in sentences:
            yield Sentence(f"{article}-{index}", article, index, paragraph, text, text_hash(text), corpus)
            index += 1
        paragraph += 1


def segment_article(article: str, text: str, params: SegmentParams, corpus: str = "") -> list[Sentence]:
    return list(segment_lines(article, text.splitlines(), params, corpus))
