"""What the trends benchmark and worked example share: the CV's out-of-fold predictions, and the correction a card keeps.

`correction_tables` computes `cv.confusion` and `cv.mean_scores` exactly as
`pipeline.training.train.card_scores` writes them into a model card, so a card
trained before they existed can be completed for a run (in a temporary copy;
the model folder is never written).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

CV = Path("reports/cv/transformer.jsonl")


def cv_rows(path: Path = CV) -> list[dict[str, Any]]:
    """Out-of-fold predictions: id, article, slice, fold, gold, pred, scores (no sentence text)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def correction_tables(rows: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    """The card's `confusion` (gold, then predicted label: counts) and `mean_scores` (gold label: mean score of each label)."""
    pairs = Counter((row["gold"], row["pred"]) for row in rows)
    means = {}
    for gold in names:
        scores = [row["scores"] for row in rows if row["gold"] == gold]
        means[gold] = {name: round(sum(s[name] for s in scores) / len(scores), 6) if scores else 0.0 for name in names}
    return {"confusion": {g: {p: pairs[(g, p)] for p in names} for g in names}, "mean_scores": means}


def completed_card(folder: Path, rows: list[dict[str, Any]], into: Path) -> Path:
    """`folder`'s card, with the correction computed from `rows` if it lacks one, as a folder of its own under `into`."""
    card = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    if "confusion" in card["cv"] and "mean_scores" in card["cv"]:
        return folder
    card["cv"] |= correction_tables(rows, card["labels"]["names"])
    target = into / folder.name
    target.mkdir(parents=True, exist_ok=True)
    (target / "model.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return target
