"""Reading articles from disk: bytes to text, HTML to its main text, files to ids.

One decision for every reader, training and `stance predict` alike, on what is
text and how it is decoded:
- a byte-order mark of UTF-16 or UTF-32 names the encoding;
- otherwise each line is UTF-8 (with or without a BOM) or, where it is not,
  Windows-1252 (which maps every byte), with a warning instead of a crash;
- whatever the bytes, a text that is mostly control or unassigned characters
  once decoded is not text, and is refused.
Reading line by line lets predict stream a long file and still decode it
exactly as training reads it. HTML is handed to trafilatura as bytes, which
decodes it by its declared charset.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import StanceError

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
FALLBACK_ENCODING = "cp1252"
# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's.
WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Above this share of control, unassigned or undecodable characters a text is not text (random bytes give about 13%).
NOT_TEXT_SHARE = 0.05
SAMPLE = 65536
ALLOWED_CONTROLS = "\t\n\r\f"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str

    @property
    def fell_back(self) -> bool:
        return self.encoding == FALLBACK_ENCODING


def decode(data: bytes, source: str) -> Decoded:
    """One line (or any bytes that are decoded as one piece): UTF-8, else Windows-1252."""
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        return Decoded(data.decode(FALLBACK_ENCODING, errors="replace"), FALLBACK_ENCODING)


def wide_encoding(head: bytes) -> str | None:
    return next((codec for bom, codec in WIDE_BOMS if head.startswith(bom)), None)


def decoded_lines(handle: BinaryIO, source: str) -> Iterator[tuple[int, Decoded]]:
    """(line number, decoded line with its ending) of a text stream, one line at a time."""
    wide = wide_encoding(handle.peek(4)[:4]) if hasattr(handle, "peek") else None  # files and stdin can be peeked at
    if wide is None:
        for number, raw in enumerate(handle, start=1):
            line = decode(raw, f"{source}:{number}")
            check_text(line.text, f"{source}:{number}")
            yield number, line
        return
    try:
        for number, line in enumerate(io.TextIOWrapper(handle, encoding=wide, newline=""), start=1):
            yield number, Decoded(line, wide)
    except UnicodeDecodeError:
        raise StanceError(f"{source}: starts with a {wide.upper()} byte-order mark but is not {wide.upper()} text.") from None


def unreadable_share(text: str) -> float:
    sample = text[:SAMPLE]
    odd = sum(1 for c in sample if c == "\ufffd" or (unicodedata.category(c) in ("Cc", "Cn", "Cs", "Co") and c not in ALLOWED_CONTROLS))
    return odd / len(sample) if sample else 0.0


def check_text(text: str, source: str) -> None:
    if unreadable_share(text) > NOT_TEXT_SHARE:
        raise StanceError(f"{source}: not text (mostly control or unassigned characters); expected a text file.")


def decode_text(data: bytes, source: str) -> Decoded:
    """A whole text file, decoded as `decoded_lines` streams it, and checked to be text."""
    lines = [line for _, line in decoded_lines(io.BufferedReader(io.BytesIO(data)), source)]
    text = "".join(line.text for line in lines)
    check_text(text, source)
    encodings = {line.encoding for line in lines}
    encoding = FALLBACK_ENCODING if FALLBACK_ENCODING in encodings else next(iter(encodings), "utf-8")
    return Decoded(text, encoding)


def html_main_text(html: bytes, source: str) -> str:
    """Main text of a web page; trafilatura drops navigation and boilerplate markup, and decodes by the page's charset."""
    import trafilatura

    check_text(decode_text(html[:SAMPLE], source).text, source)
    text = trafilatura.extract(html, include_comments=True, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        raise StanceError(f"{source}: no article text found in this HTML page.")
    return text


def article_text(data: bytes, source: str, suffix: str) -> Decoded:
    """Text of one article file, HTML reduced to its main text; empty files are refused."""
    decoded = Decoded(html_main_text(data, source), "html") if suffix.lower() in (".html", ".htm") else decode_text(data, source)
    if not decoded.text.strip():
        raise StanceError(f"{source}: empty file, no text to read.")
    return decoded


def read_article(path: Path) -> Decoded:
    if not path.is_file():
        raise StanceError(f"{path}: no such file.")
    return article_text(path.read_bytes(), str(path), path.suffix)


def article_files(folder: Path) -> Iterator[Path]:
    """Article files under a folder, recursively, in a stable order."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in ARTICLE_SUFFIXES and not path.name.startswith("."):
            yield path


def article_id(path: Path) -> str:
    """The file name without its suffix: the corpus keeps file names as article ids."""
    return path.stem
