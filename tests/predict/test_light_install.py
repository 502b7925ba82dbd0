"""The predict-only install (docs/install.md): `stance predict` needs nothing beyond pyproject.toml's core dependencies.

Each test runs `stance` in a real process, outside the repository, behind an import blocker: every installed
distribution that the core dependencies do not reach (torch, scikit-learn, DVC, the server, Ray, the test tools...)
cannot be imported, as in a venv where only `pip install .` ran. The records must be the same as without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

# What the extras bring and prediction must do without; each is blocked wherever it is installed.
EXTRAS_ONLY = "torch transformers datasets sklearn scipy skops dvc matplotlib cleanlab ray starlette uvicorn quapy pandas".split()
# What a fresh venv holds before any install.
VENV = frozenset({"pip", "setuptools", "pkg_resources", "_distutils_hack"})

# `stance` with every module in argv[1] (comma-separated) unimportable; the rest of argv is the command line.
BLOCKED_RUN = """
import sys
from importlib.abc import MetaPathFinder


class Absent(MetaPathFinder):
    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Absent(frozenset(sys.argv[1].split(","))))
sys.argv = ["stance", *sys.argv[2:]]
from pipeline.cli.app import app

app()
"""
PLAIN_RUN = "import sys; sys.argv = ['stance', *sys.argv[2:]]; from pipeline.cli.app import app; app()"

ARTICLES = {
    "talks.txt": "Talks about talks\n\nThe minister said the government is ready to open talks with the armed group.\n"
    "Critics argued that negotiations would only give the militants time to regroup.\n",
    "terms.md": "# Terms\n\nTalks can begin once the group lays down its weapons, an adviser said. The markets were busy.\n",
    "page.html": "<html><head><title>A ceasefire</title></head><body><article><h1>A ceasefire</h1>"
    "<p>Dialogue is the only way to end this war. We will never negotiate with terrorists, the general said.</p></article></body></html>",
}


def core_distributions() -> set[str]:
    """The project and every distribution its core dependencies reach, following requirements (and requested extras) only."""
    todo = [Requirement(line) for line in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]]
    reached: set[tuple[str, str]] = set()
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        extras = {""} | requirement.extras
        if {(name, extra) for extra in extras} <= reached:
            continue
        reached |= {(name, extra) for extra in extras}
        todo += [
            needed
            for line in metadata.requires(name) or []
            if (needed := Requirement(line)).marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras)
        ]
    return {name for name, _ in reached} | {"stance"}


def blocked_modules() -> frozenset[str]:
    """Top-level modules of the installed distributions that the core does not reach."""
    core = core_distributions()
    providers = metadata.packages_distributions()
    return frozenset(module for module, dists in providers.items() if not any(canonicalize_name(d) in core for d in dists)) - VENV


def stance(args: list[str], cwd: Path, blocked: frozenset[str] | None) -> subprocess.CompletedProcess[str]:
    """`stance ARGS` in a fresh interpreter in `cwd`, with the modules `blocked` unimportable (None: none)."""
    code = PLAIN_RUN if blocked is None else BLOCKED_RUN
    command = [sys.executable, "-c", code, ",".join(sorted(blocked or ())), *args]
    return subprocess.run(command, cwd=cwd, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def blocked() -> frozenset[str]:
    return blocked_modules()


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """A folder of three small articles, one per reader (text, Markdown, HTML), outside the repository."""
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def same_records_without_the_extras(model: Path, articles: Path, blocked: frozenset[str]) -> None:
    args = ["predict", str(articles), "--model", str(model), "--format", "jsonl"]
    light, full = stance(args, articles.parent, blocked), stance(args, articles.parent, None)
    assert light.returncode == 0, light.stderr
    assert full.returncode == 0, full.stderr
    assert light.stdout == full.stdout and light.stdout.count("\n") >= len(ARTICLES) * 2


def test_the_core_dependencies_are_the_predict_path_and_leave_out_every_extra(blocked: frozenset[str]) -> None:
    core = core_distributions()
    assert {"onnxruntime", "tokenizers", "pysbd", "trafilatura", "markdown-it-py", "pyarrow", "py3langid", "model2vec"} <= core
    assert not {"torch", "scikit-learn", "scipy", "dvc", "cleanlab", "matplotlib", "ray", "starlette", "quapy"} & core
    installed = [name for name in EXTRAS_ONLY if name in metadata.packages_distributions()]
    assert set(installed) <= blocked, f"importable in the core install, which must not need them: {sorted(set(installed) - blocked)}"


def test_every_command_is_listed_without_the_extras(blocked: frozenset[str], tmp_path: Path) -> None:
    """The CLI imports every command's module: none may import an extra at the top."""
    result = stance(["--help"], tmp_path, blocked)
    assert result.returncode == 0, result.stderr
    assert "predict" in result.stdout


@pytest.mark.slow  # four processes, each loading the model (about six seconds on two cores)
def test_the_fast_model_predicts_every_format_without_the_extras(fast_folder: Path, articles: Path, blocked: frozenset[str]) -> None:
    same_records_without_the_extras(fast_folder, articles, blocked)
    for output in ("out.parquet", "out.html"):
        result = stance(["predict", str(articles), "--model", str(fast_folder), "--output", output], articles.parent, blocked)
        assert result.returncode == 0 and (articles.parent / output).stat().st_size > 0, result.stderr


@pytest.mark.slow  # trains the small transformer and exports it to ONNX (shared with other tests), then two processes
def test_the_transformer_onnx_export_predicts_without_the_extras(small_transformer: tuple[Path, object], articles: Path, blocked: frozenset[str]) -> None:
    same_records_without_the_extras(small_transformer[0], articles, blocked)


def test_the_tfidf_model_names_the_extra_it_needs(seed_tfidf: Path, tmp_path: Path, blocked: frozenset[str]) -> None:
    (tmp_path / "a.txt").write_text(ARTICLES["talks.txt"], encoding="utf-8")
    result = stance(["predict", "a.txt", "--model", str(seed_tfidf)], tmp_path, blocked)
    assert result.returncode == 1
    assert result.stderr == "error: the tfidf model needs skops, from the optional extra [train]: pip install -e '.[train]'.\n"
