"""What the trends tests share: a model card with an out-of-fold confusion, and synthetic records as `stance predict` writes them."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.files import write_json
from pipeline.labels.dataset import Dataset
from pipeline.models.card import Calibration, model_card
from tests.conftest import CONFIG

NAMES = CONFIG.labels.names
# A model that reads a quarter of the `none` sentences as claims and confuses stances now and then: (gold, predicted) counts.
CONFUSION = {
    "pro-talks": {"pro-talks": 70, "skeptical": 10, "conditional": 5, "none": 15},
    "skeptical": {"pro-talks": 10, "skeptical": 65, "conditional": 5, "none": 20},
    "conditional": {"pro-talks": 10, "skeptical": 10, "conditional": 60, "none": 20},
    "none": {"pro-talks": 15, "skeptical": 5, "conditional": 5, "none": 75},
}


def card_folder(folder: Path, cv: dict[str, Any]) -> Path:
    """A model folder with only its card: all `stance trends` reads of a model."""
    data = Dataset(("a-0", "a-1", "b-0"), ("Talks now.", "No talks.", "Rain."), ("pro-talks", "none", "none"), ("a", "a", "b"), ("pk", "pk", "pk"))
    card = model_card("majority", CONFIG.labels, CONFIG.segment, CONFIG.kind_params("majority"), 13, Calibration(1.0, 0.5), data, cv)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "model.json", card.to_json())
    return folder


def rates() -> np.ndarray:
    """CONFUSION as P(predicted | gold): row gold, column predicted."""
    return np.array([[CONFUSION[g][p] / sum(CONFUSION[g].values()) for p in NAMES] for g in NAMES])


def mean_scores() -> dict[str, dict[str, float]]:
    """What `scores_for` gives on average, per gold label: 0.6 on the predicted label and 0.4/3 on each other, mixed by CONFUSION."""
    r = rates()
    return {g: {p: float(r[i] @ np.where(np.eye(4)[:, j] == 1, 0.6, 0.4 / 3)) for j, p in enumerate(NAMES)} for i, g in enumerate(NAMES)}


def model(folder: Path) -> Path:
    """A card that keeps CONFUSION and the mean scores it implies."""
    return card_folder(folder, {"confusion": CONFUSION, "mean_scores": mean_scores()})


def scores_for(predicted: str) -> dict[str, float]:
    return {name: 0.6 if name == predicted else round(0.4 / 3, 6) for name in NAMES}


def simulated(rng: np.random.Generator, articles: int, shares: Sequence[float], sentences: int = 12) -> Iterator[dict[str, Any]]:
    """Records of `articles` articles, gold labels drawn with `shares`, predictions drawn from CONFUSION, gold carried."""
    r = rates()
    for a in range(articles):
        for s in range(sentences):
            gold = int(rng.choice(4, p=shares))
            predicted = NAMES[int(rng.choice(4, p=r[gold]))]
            yield {
                "article": f"a{a}",
                "sentence": s,
                "text": "synthetic",
                "label": predicted,
                "scores": scores_for(predicted),
                "set_aside": False,
                "gold": NAMES[gold],
                "date": f"{2010 + a % 3}-0{1 + a % 9}-1{a % 9}",
                "outlet": ["Dawn", "The News"][a % 2],
            }


def write_jsonl(path: Path, records: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
