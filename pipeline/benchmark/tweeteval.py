"""TweetEval's stance subset (SemEval-2016 Task 6, subtask A), read in place as one Dataset per target and split.

The tweets are research data under their own terms: they are read from their
folder (`<target>/<split>_text.txt`, `<split>_labels.txt`, `mapping.txt`) and
never copied into this repository. The published rows come from the folder's
README, which says where each was read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import StanceError
from pipeline.files import read_utf8
from pipeline.labels.dataset import Dataset
from pipeline.params import LabelSet

MAPPING = "mapping.txt"
# SemEval's collection hashtag, left in 4,063 of the 4,163 tweets: it says nothing
# about stance, so it is removed from every tweet before any system sees it.
COLLECTION_TAG = "#SemST"

SEMEVAL = "SemEval-2016 Task 6 (Mohammad et al. 2016)"
TWEETEVAL = "TweetEval (Barbieri et al. 2020)"


@dataclass(frozen=True)
class Published:
    system: str
    source: str
    f1_favor: float | None
    f1_against: float | None
    f_avg: float


# Pooled F_avg x 100 on the same 1,249 test tweets. The per-class figures of the
# SemEval rows other than the majority come from a secondary transcription of
# the task paper (see the data folder's README).
PUBLISHED = (
    Published("Majority class, per target (organisers' baseline)", SEMEVAL, 52.01, 78.44, 65.22),
    Published("SVM-ngrams, one SVM per target (organisers' baseline)", SEMEVAL, 62.98, 74.98, 68.98),
    Published("MITRE, best of 19 teams", SEMEVAL, 59.32, 76.33, 67.82),
    Published("SVM", TWEETEVAL, None, None, 67.3),
    Published("FastText", TWEETEVAL, None, None, 65.4),
    Published("RoBERTa-base", TWEETEVAL, None, None, 68.0),
    Published("RoBERTa-retrained on tweets", TWEETEVAL, None, None, 69.3),
)


def read_mapping(folder: Path, labels: LabelSet) -> dict[str, str]:
    """Label id as written in the label files -> label name; the names must be the configured label set."""
    path = folder / MAPPING
    if not path.is_file():
        raise StanceError(f"{folder}: no TweetEval stance data here (no {MAPPING}); pass --data with the folder's path.")
    mapping = {}
    for number, line in enumerate(read_utf8(path).splitlines(), start=1):
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise StanceError(f"{path}:{number}: expected 'id<TAB>label', got {line!r}.")
        mapping[parts[0].strip()] = parts[1].strip()
    if sorted(mapping.values()) != sorted(labels.names):
        raise StanceError(f"{path}: labels {sorted(mapping.values())} do not match the configured labels {sorted(labels.names)}.")
    return mapping


def clean(text: str) -> str:
    return " ".join(word for word in text.split() if word != COLLECTION_TAG)


def read_target(folder: Path, target: str, split: str, mapping: dict[str, str]) -> Dataset:
    text_path = folder / target / f"{split}_text.txt"
    label_path = folder / target / f"{split}_labels.txt"
    texts = read_utf8(text_path).splitlines()
    raw_labels = read_utf8(label_path).splitlines()
    if len(texts) != len(raw_labels):
        raise StanceError(f"{label_path}: {len(raw_labels)} labels for {len(texts)} tweets in {text_path.name}.")
    for number, raw in enumerate(raw_labels, start=1):
        if raw.strip() not in mapping:
            raise StanceError(f"{label_path}:{number}: label {raw!r} is not one of {', '.join(mapping)}.")
    return Dataset(
        tuple(f"{target}-{split}-{number}" for number in range(1, len(texts) + 1)),
        tuple(clean(text) for text in texts),
        tuple(mapping[raw.strip()] for raw in raw_labels),
        (target,) * len(texts),
        (target,) * len(texts),
    )


def load(folder: Path, targets: Sequence[str], splits: Sequence[str], labels: LabelSet) -> dict[str, dict[str, Dataset]]:
    """split -> target -> Dataset, targets in the given order (the order the official scorer pools them in)."""
    mapping = read_mapping(folder, labels)
    return {split: {target: read_target(folder, target, split, mapping) for target in targets} for split in splits}
