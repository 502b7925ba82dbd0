"""Every command the README shows a new user, run for real in a small throwaway project (issue 25, item 6).

The commands are read from README.md at test time, not copied here, so editing the README changes what runs:
the ```sh blocks of the new-user sections, and the commands in inline code of the sections and paragraphs that
have no block (adding your own labels, Label Studio, the audit). Each runs through bash with the venv's `stance`
and `dvc` first on PATH, in a DVC-ready copy of the `project` fixture, on the README's own placeholder paths
(`some_article.txt`, `news/`, `archive/`, ...) filled with a few sentences written here; each must exit 0 and
produce what the README says it produces.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# The pages a new user follows: the README, then the guides it sends them to for labeling and predicting.
NEW_USER_PAGES = (ROOT / "README.md", ROOT / "docs" / "labeling.md", ROOT / "docs" / "predicting.md")
BIN = Path(sys.executable).parent

# Sections (## or ### headings) whose ```sh blocks a new user runs, and those whose inline `stance ...`/`dvc ...` code
# is the command to run (they have no block); "Label Studio" and "Audit" are paragraphs led by that bold name.
BLOCK_SECTIONS = ("Two commands", "A first prediction", "Labeling and retraining", "Labeling your own articles", "Predicting")
INLINE_SECTIONS = ("Labels",)
INLINE_PARAGRAPHS = ("Label Studio", "Audit")

# Commands not run, and why. A prefix matches every command that starts with it.
SKIPS: dict[str, str] = {
    # The two install lines of "Two commands": the test already runs inside that venv, and the test command would
    # run this very suite; their `dvc repro` runs below from "Labeling your own articles".
    "python3 -m venv": "installs the project (the test runs in the installed venv) or runs the whole suite",
    # Printing a file is not a command of the project; what it prints (reports/report.md) is checked after `dvc repro`.
    "cat ": "prints a file that `dvc repro` is checked to write",
    # Named in "Labels" as the stage that reports a stale sentences file; it needs a model KIND, and `dvc repro` trains every kind.
    "stance train": "a stage `dvc repro` runs; the README names it for its message, not as a command to type",
}
# Placeholders a test cannot have, replaced by a local equivalent: a web page is read from a file written here.
REPLACEMENTS = {"curl -s https://example.org/story": "cat story.html"}

ARTICLE = """Talks about talks

The minister said on Monday that the government is ready to open talks with the armed group.
Critics argued that negotiations would only give the militants time to regroup.
Talks can begin once the group lays down its weapons and frees every hostage, an adviser said.
The weather in the capital was mild, and the markets were busy.
"""
STORY = "<html><head><title>A ceasefire</title></head><body><article><h1>A ceasefire</h1><p>{}</p></article></body></html>"
SENTENCES = ("Dialogue is the only way to end this war.", "We will never negotiate with terrorists.", "The bridge was repainted in May.")


# --- reading the README ------------------------------------------------------------------------------------------


def new_user_pages() -> str:
    """The README and the guides it links for labeling and predicting, as one text, in reading order."""
    return "\n\n".join(page.read_text(encoding="utf-8") for page in NEW_USER_PAGES)


def sections(markdown: str) -> dict[str, str]:
    """The text under each ## or ### heading, up to the next heading, so a section's commands are its own."""
    parts = re.split(r"^#{2,3} +(.+?) *$", markdown, flags=re.MULTILINE)
    return {title: body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def block_commands(text: str) -> list[str]:
    """The lines of every ```sh block, without their `# ...` comments: what a user pastes into a shell."""
    lines = [line for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL) for line in block.splitlines()]
    return [re.sub(r"\s+#\s.*$", "", line).strip() for line in lines if line.strip()]


def inline_commands(text: str) -> list[str]:
    """Inline code spans that are whole commands of the project (`stance ...`, `dvc ...`), joined where the source wraps them."""
    spans = (" ".join(span.split()) for span in re.findall(r"`([^`]+)`", text))
    return [span for span in spans if re.fullmatch(r"(stance|dvc) [a-z][\w .\-/]*", span)]


def paragraph(text: str, lead: str) -> str:
    """The paragraph that opens with **lead**, as far as the next blank line."""
    found = re.search(rf"^\*\*{re.escape(lead)}\.?\*\*.*?(?=\n\s*\n|\Z)", text, flags=re.MULTILINE | re.DOTALL)
    return found.group(0) if found else ""


def readme_commands(markdown: str) -> list[str]:
    """The new-user commands in reading order, each once (a command shown twice runs where it is first shown)."""
    found = sections(markdown)
    commands: list[str] = []
    for title, text in found.items():
        if title in BLOCK_SECTIONS:
            commands += block_commands(text)
        if title in INLINE_SECTIONS:
            commands += inline_commands(text)
        for lead in INLINE_PARAGRAPHS:
            commands += inline_commands(paragraph(text, lead))
    return list(dict.fromkeys(commands))


def skipped(command: str) -> str | None:
    """Why a command is not run, from the allow-list; None for one that runs."""
    return next((why for prefix, why in SKIPS.items() if command.startswith(prefix)), None)


# --- the project the commands run in -----------------------------------------------------------------------------


def environment(project: Path) -> dict[str, str]:
    """The venv's `stance`, `dvc` and `python` first on PATH, no hub, and an annotator name without a git config."""
    return {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "HF_HUB_OFFLINE": "1",
        "DVC_NO_ANALYTICS": "1",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "user.name",
        "GIT_CONFIG_VALUE_0": "Readme Tester",
    }


def run(command: str, cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """One command as a user's shell runs it (pipes and redirections included; a failing stage of a pipe fails it)."""
    return subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, env=environment(cwd), capture_output=True, text=True, timeout=timeout)


def make_dvc_ready(project: Path) -> None:
    """dvc.yaml, .dvcignore and the pipeline/ its stages depend on, quick parameters, and a DVC repository without git."""
    shutil.copyfile(ROOT / "dvc.yaml", project / "dvc.yaml")
    shutil.copyfile(ROOT / ".dvcignore", project / ".dvcignore")
    shutil.copytree(ROOT / "pipeline", project / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    path = project / "configs" / "params.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    for kind in ("tfidf", "transformer", "fast"):
        params[kind]["c_grid"] = [1.0]
    params["train"]["learning_curve"] = [3]
    params["evaluate"]["bootstrap"] = 100
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    initialised = run("dvc init --no-scm -q", project)
    assert initialised.returncode == 0, initialised.stderr


def write_inputs(project: Path) -> None:
    """Small real files at the README's placeholder paths: an article, a folder of articles, a page, sentences, a Parquet archive."""
    (project / "some_article.txt").write_text(ARTICLE, encoding="utf-8")
    news = project / "news"
    news.mkdir()
    (news / "talks.txt").write_text(ARTICLE, encoding="utf-8")
    (news / "ceasefire.md").write_text("# A ceasefire\n\n" + " ".join(SENTENCES) + "\n", encoding="utf-8")
    (news / "page.html").write_text(STORY.format(" ".join(SENTENCES)), encoding="utf-8")
    (project / "story.html").write_text(STORY.format(" ".join(SENTENCES)), encoding="utf-8")
    rows = [{"id": f"s{i}", "text": text} for i, text in enumerate(SENTENCES)]
    (project / "sentences.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    archive = project / "archive"
    archive.mkdir()
    pq.write_table(pa.table({"article": ["a1", "a2"], "text": [ARTICLE, " ".join(SENTENCES)]}), archive / "part-0.parquet")


def write_label_studio_export(project: Path) -> None:
    """What Label Studio's JSON export gives back after a person labels one task: the exported tasks' own shape, one annotated."""
    tasks = json.loads((project / "tasks.json").read_text(encoding="utf-8"))
    answer = next(task["annotations"] for task in tasks if task.get("annotations"))
    new = next((task for task in tasks if not task.get("annotations")), None)
    assert new is not None, "every exported task is labeled: `stance label some_article.txt` should have left sentences unlabeled"
    (project / "export.json").write_text(json.dumps([{**new, "annotations": answer}]), encoding="utf-8")


# --- `stance label` at a terminal --------------------------------------------------------------------------------


def read_until(master: int, seen: bytearray, marker: bytes, count: int, deadline: float) -> None:
    """Read the screen until `marker` has been drawn `count` times: keys sent before the screen reads them could be lost."""
    while seen.count(marker) < count:
        assert time.monotonic() < deadline, f"no {marker!r} on the labeling screen:\n{seen.decode(errors='replace')[-2000:]}"
        if select.select([master], [], [], 1.0)[0]:
            try:
                seen += os.read(master, 65536)
            except OSError:  # the child closed the terminal
                return


def read_raw(master: int, seen: bytearray, deadline: float) -> None:
    """Wait (drawing on) until the command has put the terminal in raw mode to read a key: it flushes what was typed before."""
    while termios.tcgetattr(master)[3] & termios.ICANON:
        assert time.monotonic() < deadline, f"the labeling screen never read a key:\n{seen.decode(errors='replace')[-2000:]}"
        if select.select([master], [], [], 0.1)[0]:
            seen += os.read(master, 65536)


def drain(master: int, seen: bytearray, deadline: float) -> None:
    """Read what the command still draws until it closes the terminal, so it never blocks on a full pseudo-terminal."""
    while time.monotonic() < deadline:
        if select.select([master], [], [], 1.0)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            seen += chunk


def run_at_terminal(command: str, cwd: Path, keys: str, timeout: float = 600) -> tuple[int, str]:
    """Run an interactive command on a pseudo-terminal and press `keys`, one per screen; its exit status and what it drew."""
    master, slave = pty.openpty()
    child = subprocess.Popen(["bash", "-c", command], cwd=cwd, env={**environment(cwd), "TERM": "xterm"}, stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    seen, deadline = bytearray(), time.monotonic() + timeout
    for pressed, key in enumerate(keys, start=1):
        read_until(master, seen, b"quit", pressed, deadline)
        read_raw(master, seen, deadline)
        os.write(master, key.encode())
    drain(master, seen, deadline)
    status = child.wait(timeout=60)
    os.close(master)
    return status, seen.decode(errors="replace")


# --- what each command must produce ------------------------------------------------------------------------------


def jsonl_lines(text: str) -> list[dict]:
    """Every line a JSON object, and at least one."""
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert records and all(isinstance(record, dict) for record in records)
    return records


def check_file(path: Path) -> None:
    """An output file that exists, is not empty, and parses as its suffix says."""
    assert path.is_file() and path.stat().st_size > 0, f"{path} missing or empty"
    text = path.read_text(encoding="utf-8") if path.suffix in (".jsonl", ".json", ".csv", ".html", ".md") else ""  # not ONNX, Parquet
    checks: dict[str, Callable[[], object]] = {
        ".jsonl": lambda: jsonl_lines(text),
        ".json": lambda: json.loads(text),
        ".csv": lambda: text.splitlines()[0].split(","),
        ".html": lambda: re.search(r"<html", text, flags=re.IGNORECASE) or pytest.fail(f"{path} is not an HTML page"),
        ".parquet": lambda: pq.read_table(path).num_rows or pytest.fail(f"{path} has no rows"),
        ".md": lambda: text.strip() or pytest.fail(f"{path} is blank"),
    }
    checks.get(path.suffix, lambda: None)()


def output_file(command: str) -> str | None:
    """The file a command writes: after `-o`/`--output` (not `-`, standard output) or a shell redirection."""
    found = re.search(r"(?:^|\s)(?:-o|--output|>)\s+(\S+)", command)
    return found.group(1) if found and found.group(1) != "-" else None


# Files a command that names no output writes, as the README says.
PRODUCTS = {
    "dvc repro": ("reports/report.md", "models/transformer/model.int8.onnx", "models/fast/model.json", "reports/cv/transformer.jsonl"),
    "stance segment": ("data/sentences.jsonl",),
    "stance label ": ("labels/readme-tester.jsonl", "data/articles/some_article.txt"),
    "stance labels export --format label-studio -o tasks.json": ("tasks.xml",),
    "stance labels import export.json": ("labels/label-studio.jsonl",),
    "stance labels audit": ("reports/label_audit.md",),
}


def check_products(command: str, stdout: str, project: Path) -> None:
    """What the README says the command produces: its output file or named files, or records on standard output."""
    named = output_file(command)
    for path in ([named] if named else []) + [p for prefix, paths in PRODUCTS.items() if command.startswith(prefix) for p in paths]:
        check_file(project / path)
    if named is None and command.startswith("stance predict"):
        claims_only = "--claims-only" in command  # an article with no confident claim prints nothing, rightly
        assert claims_only or stdout.strip(), f"{command}: printed nothing"
        if "--format jsonl" in command or ("--output -" in command and "jq" not in command):
            assert all(isinstance(json.loads(line), dict) for line in stdout.splitlines() if line.strip()), stdout[:500]


# --- the tests ---------------------------------------------------------------------------------------------------


def run_one(command: str, project: Path) -> str | None:
    """Run a README command in the project and check its products; what went wrong, or None."""
    shell = command
    for placeholder, local in REPLACEMENTS.items():
        shell = shell.replace(placeholder, local)
    if command.startswith("stance label "):
        status, screen = run_at_terminal(shell, project, "nq")  # one label (`n`, none), then quit
        stdout, stderr = screen, screen
    else:
        if command.startswith("stance labels import"):
            write_label_studio_export(project)
        result = run(shell, project)
        status, stdout, stderr = result.returncode, result.stdout, result.stderr
    if status != 0:
        return f"`{command}` exited {status}:\n{stderr[-3000:]}"
    try:
        check_products(command, stdout, project)
    except (AssertionError, ValueError, pa.ArrowException) as problem:
        return f"`{command}` did not produce what the README says: {problem}"
    return None


@pytest.mark.slow  # `dvc repro` trains every model, then about fifteen processes each load one
def test_every_new_user_command_of_the_readme_runs(project: Path) -> None:
    commands = [command for command in readme_commands(new_user_pages()) if skipped(command) is None]
    assert "dvc repro" in commands and any(c.startswith("stance predict") for c in commands), commands
    # The main job of "Two commands" (skipped above as an install line) ends in `dvc repro`: it runs first, in its place.
    commands = ["dvc repro", *(command for command in commands if command != "dvc repro")]
    make_dvc_ready(project)
    write_inputs(project)
    failures = [problem for command in commands if (problem := run_one(command, project))]
    assert not failures, "\n\n".join(failures)


GUIDE = """# tool

## Two commands

```sh
python3 -m venv .venv && .venv/bin/pip install -e .
```

## Labels

Add labels and run
`stance labels check`; `dvc repro` picks them up. Fields: `id`, `label`.

## Predicting

```sh
stance predict news/ --claims-only          # every article below news/
stance predict news/ --output - | jq .label
```

**Label Studio**, for a team. `stance labels export --format label-studio
-o tasks.json` writes tasks.

### Other

```sh
stance predict elsewhere/
```
"""


def test_the_extractor_reads_blocks_and_inline_commands_of_the_new_user_sections_only() -> None:
    assert readme_commands(GUIDE) == [
        "python3 -m venv .venv && .venv/bin/pip install -e .",
        "stance labels check",
        "dvc repro",
        "stance predict news/ --claims-only",
        "stance predict news/ --output - | jq .label",
        "stance labels export --format label-studio -o tasks.json",
    ]
    assert skipped("python3 -m venv .venv && .venv/bin/pip install -e .") and skipped("stance labels check") is None


def test_the_real_readme_shows_the_commands_the_test_runs() -> None:
    commands = readme_commands(new_user_pages())
    for expected in ("stance label some_article.txt", "dvc repro", "stance labels audit", "stance labels import export.json"):
        assert expected in commands, commands
    assert any(command.startswith("stance predict archive/ --rows articles") for command in commands)


def test_a_broken_readme_command_fails_the_run(tmp_path: Path) -> None:
    """A scratch README whose command has a misspelt option: the extractor hands that command over, and running it fails."""
    broken = GUIDE.replace("--claims-only", "--claims-onyl")
    command = next(c for c in readme_commands(broken) if "--claims-onyl" in c)
    (tmp_path / "news").mkdir()
    problem = run_one(command, tmp_path)
    assert problem is not None and "exited 2" in problem
    assert output_file("stance predict news/ --output summary.json") == "summary.json" and output_file("stance predict x --output - | jq .label") is None
