"""One writer per label file: the lock a labeling session holds on the file it rewrites."""

from __future__ import annotations

import fcntl
import os
import socket
import time
from pathlib import Path
from typing import IO

from pipeline.errors import StanceError


def lock_file(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def hold(path: Path) -> IO[str]:
    """An exclusive lock on a label file for as long as this process holds the returned handle.

    A second session on the same file would rewrite it from what it loaded and
    erase the first one's new labels; it is refused instead, told who holds the
    lock. The operating system releases the lock when the holder exits, however
    it exits, so a killed session never leaves the file locked.
    """
    lock = lock_file(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    handle = lock.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise StanceError(f"{path} is being written by another session ({holder}); finish that one first.") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"process {os.getpid()} on {socket.gethostname()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}")
    handle.flush()
    return handle
