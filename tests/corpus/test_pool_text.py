"""The article pool's texts belong to their publishers: no file the project commits may hold them.

Labels, reports, fixtures and docs refer to pool sentences by id and text hash.
This reads the pool in place, segments it with the project's own segmenter, and
looks for every sentence of it in every file git tracks.
"""

from __future__ import annotations

import subprocess

import pytest

from pipeline.config import load_config
from pipeline.corpus.corpora import Corpus, segment_corpus
from tests.conftest import PARAMS, POOL, ROOT

pytestmark = pytest.mark.pool

# Shorter sentences are headlines and fragments ("Background", "Talks with TTP") that any text may hold.
SHORTEST = 30


def tracked_texts() -> dict[str, str]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: nothing is committed here to check")
    texts = {}
    for name in listed.stdout.decode("utf-8").split("\0"):
        path = ROOT / name
        if name and path.is_file():
            data = path.read_bytes()
            if b"\0" not in data:
                texts[name] = " ".join(data.decode("utf-8", errors="replace").split())
    return texts


@pytest.fixture(scope="module")
def pool_sentences() -> list[str]:
    if not POOL.is_dir():
        pytest.skip(f"the article pool is not at {POOL}")
    config = load_config(PARAMS)
    corpora = [Corpus(name, folder, True, f"paths.pools.{name}") for name, folder in config.paths.pools.items()]
    return [s.text for corpus in corpora for s in segment_corpus(corpus, config.segment, config.slices) if len(s.text) >= SHORTEST]


def copied(texts: dict[str, str], sentences: list[str]) -> list[tuple[str, str]]:
    """(file, the sentence's start) for every pool sentence a file holds."""
    return [(name, sentence[:40]) for name, text in texts.items() for sentence in sentences if sentence in text]


def test_no_committed_file_holds_a_sentence_of_the_pool(pool_sentences: list[str]) -> None:
    assert len(pool_sentences) > 700
    texts = tracked_texts()
    assert "labels/pool/adjudicated.jsonl" in texts and "reports/report.md" in texts
    assert copied(texts, pool_sentences) == []


def test_a_copied_sentence_is_found_even_rewrapped(pool_sentences: list[str]) -> None:
    sentence = pool_sentences[100]
    words = sentence.split()
    half = len(words) // 2
    file_text = f"Intro.\n{' '.join(words[:half])}\n    {' '.join(words[half:])}\nOutro."
    texts = {"notes.md": " ".join(file_text.split())}  # as tracked_texts() reads every file
    assert copied(texts, pool_sentences) == [("notes.md", sentence[:40])]
