"""Reading articles from disk: bytes to text, HTML to its main text, files to ids.

Articles arrive from the web in whatever encoding their source used, so text
that is not UTF-8 is decoded as Windows-1252 (which maps every byte) with a
warning instead of a crash; a file with NUL bytes is binary and is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import StanceError

ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
FALLBACK_ENCODING = "cp1252"


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str

    @property
    def fell_back(self) -> bool:
        return self.encoding == FALLBACK_ENCODING


def decode(data: bytes, source: str) -> Decoded:
    if b"\x00" in data[:8192]:
        raise StanceError(f"{source}: binary file, not text.")
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        return Decoded(data.decode(FALLBACK_ENCODING, errors="replace"), FALLBACK_ENCODING)


def html_main_text(html: str, source: str) -> str:
    """Main text of a web page; trafilatura drops navigation and boilerplate markup."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=True, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        raise StanceError(f"{source}: no article text found in this HTML page.")
    return text


def article_text(data: bytes, source: str, suffix: str) -> Decoded:
    """Text of one article file, HTML reduced to its main text; empty files are refused."""
    decoded = decode(data, source)
    text = html_main_text(decoded.text, source) if suffix.lower() in (".html", ".htm") else decoded.text
    if not text.strip():
        raise StanceError(f"{source}: empty file, no text to read.")
    return Decoded(text, decoded.encoding)


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
