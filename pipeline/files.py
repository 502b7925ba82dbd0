"""Reading and writing the project's files safely.

Every output is written to a temporary file beside its destination and renamed
into place, so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from pipeline.errors import StanceError

# What writing a file can run into (a full disk, a read-only or forbidden folder), as opposed to errors of the caller's own.
WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def terminations_raise() -> Iterator[None]:
    """SIGTERM ends the process like Ctrl-C does, by an exception, so every `finally` and `except` still runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def atomic_writer(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file next to `path`; rename it over `path` only on success.

    On any failure, SIGTERM and Ctrl-C included, the temporary file is removed
    and `path` is left as it was. The file gets the mode the user's umask gives,
    like any file the user creates, not the temporary file's private one.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise StanceError(f"{path}: cannot write here ({err.strerror}).") from None
    encoding = None if "b" in mode else "utf-8"
    try:
        with terminations_raise(), os.fdopen(fd, mode, encoding=encoding, newline=None if encoding is None else "") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(tmp, 0o666 & ~umask())
            os.replace(tmp, path)
        sync_folder(path.parent)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        if err.errno not in WRITE_ERRORS:
            raise
        raise StanceError(f"{path}: could not be written ({err.strerror}); nothing was changed.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    """Make a rename or removal in `folder` survive a power cut, not only a crash (POSIX)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text(path: Path, text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


def write_bytes(path: Path, data: bytes) -> None:
    with atomic_writer(path, "wb") as handle:
        handle.write(data)


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    with atomic_writer(path) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_utf8(path: Path) -> str:
    """Read a UTF-8 text file the project itself wrote, with a plain error if it can't."""
    if not path.exists():
        raise StanceError(f"{path}: no such file.")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise StanceError(f"{path}: not UTF-8 text (byte {err.start}).") from None


def parse_json_object(line: str, where: str) -> dict[str, Any]:
    """One JSONL record; `where` ("file:line") starts the error message."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise StanceError(f"{where}: not valid JSON ({err.msg}).") from None
    if not isinstance(record, dict):
        raise StanceError(f"{where}: expected a JSON object, got {type(record).__name__}.")
    return record


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, record) for each non-blank line; stop at the first bad one."""
    for number, line in enumerate(read_utf8(path).splitlines(), start=1):
        if line.strip():
            yield number, parse_json_object(line, f"{path}:{number}")


def read_records(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """JSONL records that carry every `required` field; the first that lacks one stops the read."""
    for number, record in read_jsonl(path):
        missing = [name for name in required if name not in record]
        if missing:
            raise StanceError(f"{path}:{number}: record lacks {missing[0]!r}.")
        yield number, record
