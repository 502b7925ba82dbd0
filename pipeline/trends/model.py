"""The model whose records are read: its labels and the out-of-fold confusion that the adjusted estimators correct by.

Records carry `model_card`, 16 hex digits of the SHA-256 of the card of the
model that wrote them; a card that differs from the one named by `--model`
means the correction would be another model's, which is worth a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import StanceError
from pipeline.models.card import CARD, ModelCard
from pipeline.models.folder import card_sha256, read_card
from pipeline.predict.classify import MODEL_CARD_DIGITS, model_folder
from pipeline.trends.estimators import ADJUSTS, ESTIMATORS, Correction, correction


@dataclass(frozen=True)
class TrendsModel:
    folder: Path
    card: ModelCard
    card_hash: str
    correction: Correction | None

    @property
    def estimators(self) -> tuple[str, ...]:
        """Every estimator this card allows: the adjusted ones need its out-of-fold confusion."""
        return ESTIMATORS if self.correction is not None else tuple(name for name in ESTIMATORS if name not in ADJUSTS)

    def check(self, estimator: str) -> None:
        if estimator not in self.estimators:
            raise StanceError(
                f"{self.folder / CARD} has no out-of-fold confusion (cv.confusion), which --estimator {estimator} corrects by; "
                "retrain the model (`dvc repro`) or use --estimator pcc."
            )

    def mismatch(self, cards: set[str]) -> str | None:
        """A warning when the records name another card than this model's."""
        others = sorted(cards - {self.card_hash})
        if not others:
            return None
        return (
            f"records were written by model card {others[0]}{' and others' if len(others) > 1 else ''}, not by {self.folder} (card {self.card_hash}); "
            "its labels and error rates may not be theirs."
        )


def trends_model(name: str, models: Path) -> TrendsModel:
    """A kind's name (its trained model under `models`) or a model folder."""
    folder = model_folder(name, models)
    card = read_card(folder)
    return TrendsModel(folder, card, card_sha256(folder)[:MODEL_CARD_DIGITS], correction(card.cv, card.labels.names, str(folder / CARD)))
