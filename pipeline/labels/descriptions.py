"""Label descriptions: hand-written statements of what each stance means, as training rows."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.errors import StanceError
from pipeline.files import read_utf8
from pipeline.labels.dataset import ALWAYS_TRAIN, Dataset
from pipeline.params import LabelSet


def parse_descriptions(raw: object, labels: LabelSet, where: str) -> Dataset:
    if not isinstance(raw, dict):
        raise StanceError(f"{where}: expected a mapping from label to a list of statements.")
    ids, texts, names = [], [], []
    for label, statements in raw.items():
        if label not in labels.names:
            raise StanceError(f"{where}: unknown label {label!r}; expected one of {', '.join(labels.names)}.")
        if not isinstance(statements, list) or not all(isinstance(s, str) and s.strip() for s in statements):
            raise StanceError(f"{where}: label {label!r} needs a list of non-empty statements.")
        for number, text in enumerate(statements):
            ids.append(f"description-{label}-{number}")
            texts.append(" ".join(text.split()))
            names.append(label)
    return Dataset(tuple(ids), tuple(texts), tuple(names), (ALWAYS_TRAIN,) * len(ids), (ALWAYS_TRAIN,) * len(ids))


def read_descriptions(path: Path, labels: LabelSet) -> Dataset:
    try:
        raw = yaml.safe_load(read_utf8(path))
    except yaml.YAMLError as err:
        raise StanceError(f"{path}: not valid YAML ({err}).".replace("\n", " ")) from None
    return parse_descriptions(raw, labels, str(path))
