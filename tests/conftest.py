"""Shared fixtures: small real data from the seed corpus, copied into a temporary project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "data" / "articles"
PARAMS = ROOT / "configs" / "params.yaml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throwaway project folder with the real corpus, labels and params; cwd is set to it."""
    shutil.copytree(ARTICLES, tmp_path / "data" / "articles")
    shutil.copytree(ROOT / "labels", tmp_path / "labels")
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def params() -> dict:
    return yaml.safe_load(PARAMS.read_text(encoding="utf-8"))

