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
decodes it by its declared charset. Markdown is decoded like plain text, then
reduced to its text by markdown-it-py, one line per block, since the segmenter
reads lines as paragraphs.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pipeline.errors import StanceError

if TYPE_CHECKING:
    from markdown_it.token import Token

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
FALLBACK_ENCODING = "cp1252"
# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's.
WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Above this share of control, unassigned or undecodable characters a text is not text (random bytes give about 13%).
NOT_TEXT_SHARE = 0.05
SAMPLE = 65536
ALLOWED_CONTROLS = "\t\n\r\f"
HTML_SUFFIXES = (".html", ".htm")
MARKDOWN_SUFFIXES = (".md",)
# Markdown's line breaks inside a block; other inline markup (emphasis, link targets, images, inline HTML) gives no text.
INLINE_BREAKS = {"softbreak": " ", "hardbreak": "\n"}


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
        for number, text in enumerate(io.TextIOWrapper(handle, encoding=wide, newline=""), start=1):
            yield number, Decoded(text, wide)
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


class _HtmlText(HTMLParser):
    """Collects the text of raw HTML inside Markdown, whose tags are markup like the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _inline_piece(token: Token) -> str:
    return token.content if token.type in ("text", "code_inline") else INLINE_BREAKS.get(token.type, "")


def _block_text(token: Token) -> str:
    """A block's text: inline text (paragraph, heading, list item, table cell) as it reads, code as written, raw HTML without its tags."""
    if token.type == "inline":
        return "".join(_inline_piece(child) for child in token.children or ())
    if token.type in ("fence", "code_block"):
        return token.content
    if token.type == "html_block":
        return _html_text(token.content)
    return ""


def markdown_text(markdown: str) -> str:
    """The plain text of a Markdown article, each block on lines of its own so the segmenter keeps them apart as paragraphs."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    blocks = (_block_text(token) for token in parser.parse(markdown))
    return "\n".join(block.rstrip("\n") for block in blocks if block.strip())


def article_text(data: bytes, source: str, suffix: str) -> Decoded:
    """Text of one article file, HTML reduced to its main text, Markdown to its plain text; empty files are refused."""
    kind = suffix.lower()
    if kind in HTML_SUFFIXES:
        decoded = Decoded(html_main_text(data, source), "html")
    else:
        decoded = decode_text(data, source)
        if kind in MARKDOWN_SUFFIXES:
            decoded = replace(decoded, text=markdown_text(decoded.text))
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
