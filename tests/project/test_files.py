"""Writing files: nothing half-written, nothing left behind, the user's umask respected, and the input never overwritten."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from pipeline.errors import StanceError
from pipeline.files import write_text

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "data" / "articles" / "004_4e83cf9310ecd704.txt"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_full_disk_is_one_error_and_the_old_file_stays(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StanceError, match=r"out\.jsonl: could not be written \(No space left on device\); nothing was changed\."):
        write_text(path, "new\n")
    assert path.read_text(encoding="utf-8") == "old\n" and leftovers(tmp_path) == []


def test_an_output_folder_that_cannot_exist_is_one_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(StanceError, match=r"file/out\.json: cannot write here"):
        write_text(blocker / "out.json", "{}")


def test_files_get_the_mode_the_umask_gives(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        write_text(tmp_path / "shared.txt", "x")
        os.umask(0o077)
        write_text(tmp_path / "private.txt", "x")
    finally:
        os.umask(before)
    assert (tmp_path / "shared.txt").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "private.txt").stat().st_mode & 0o777 == 0o600


def test_sigterm_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys, time\n"
        "from pathlib import Path\n"
        "from pipeline.files import atomic_writer\n"
        "with atomic_writer(Path(sys.argv[1])) as handle:\n"
        "    handle.write('partial')\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "out.txt")], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("spelling", ["same", "dotted", "link"])
def test_predict_refuses_to_write_over_its_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str) -> None:
    article = tmp_path / "a.txt"
    article.write_bytes(ARTICLE.read_bytes())
    (tmp_path / "link.txt").symlink_to(article)
    monkeypatch.chdir(tmp_path)
    output = {"same": "a.txt", "dotted": "./sub/../a.txt", "link": "link.txt"}[spelling]
    (tmp_path / "sub").mkdir()
    result = CliRunner().invoke(app, ["predict", "a.txt", "--format", "jsonl", "--output", output, "--params", str(ROOT / "configs" / "params.yaml")])
    assert result.exit_code == 1
    assert result.stderr == f"error: {Path(output)}: this is the input a.txt; write the predictions to another file.\n"
    assert article.read_bytes() == ARTICLE.read_bytes() and leftovers(tmp_path) == []
