"""Reading articles from disk: bytes to text, HTML to its main text, files to ids.

One decoding policy for every reader (training and `stance predict` alike):
plain text is decoded line by line, UTF-8 first and Windows-1252 (which maps
every byte) for a line that is not, with a warning instead of a crash; a file
with NUL bytes is binary and is refused. Reading line by line lets predict
stream a long file and still decode it exactly as training reads it. HTML is
handed to trafilatura as bytes, which decodes it by its declared charset.
"""

from __future__ import annotations

import io
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
    """One line (or any bytes that are decoded as one piece): UTF-8, else Windows-1252."""
    if b"\x00" in data[:8192]:
        raise StanceError(f"{source}: binary file, not text.")
    try:
        return Decoded(data.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError:
        return Decoded(data.decode(FALLBACK_ENCODING, errors="replace"), FALLBACK_ENCODING)


def decode_lines(data: bytes, source: str) -> Decoded:
    """A whole text file, decoded line by line as `decode` decodes each line."""
    if b"\x00" in data[:8192]:
        raise StanceError(f"{source}: binary file, not text.")
    lines = [decode(line, source) for line in io.BytesIO(data)]  # the lines a file handle yields, as predict reads them
    fell_back = any(line.fell_back for line in lines)
    return Decoded("".join(line.text for line in lines), FALLBACK_ENCODING if fell_back else "utf-8")


def html_main_text(html: bytes, source: str) -> str:
    """Main text of a web page; trafilatura drops navigation and boilerplate markup, and decodes by the page's charset."""
    import trafilatura

    if b"\x00" in html[:8192]:
        raise StanceError(f"{source}: binary file, not text.")
    text = trafilatura.extract(html, include_comments=True, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        raise StanceError(f"{source}: no article text found in this HTML page.")
    return text


def article_text(data: bytes, source: str, suffix: str) -> Decoded:
    """Text of one article file, HTML reduced to its main text; empty files are refused."""
    decoded = Decoded(html_main_text(data, source), "html") if suffix.lower() in (".html", ".htm") else decode_lines(data, source)
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
