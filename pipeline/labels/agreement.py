"""Inter-annotator agreement between two label passes over the same sentences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import cohen_kappa_score, confusion_matrix

from pipeline.labels.records import LabelRecord
from pipeline.params import LabelSet


@dataclass(frozen=True)
class Agreement:
    n: int
    observed: float
    kappa: float
    claim_kappa: float
    confusion: np.ndarray  # rows: first pass, columns: second pass, in LabelSet order
    disagreements: list[tuple[LabelRecord, LabelRecord]]


def agreement(first: Sequence[LabelRecord], second: Sequence[LabelRecord], labels: LabelSet) -> Agreement:
    """Cohen's kappa on the sentences both passes labeled, for all labels and for claim-vs-none."""
    by_id = {r.id: r for r in first}
    pairs = [(by_id[r.id], r) for r in second if r.id in by_id]
    a = [x.label for x, _ in pairs]
    b = [y.label for _, y in pairs]
    claim_a = [label != labels.negative for label in a]
    claim_b = [label != labels.negative for label in b]
    return Agreement(
        n=len(pairs),
        observed=float(np.mean([x == y for x, y in zip(a, b)])) if pairs else 0.0,
        kappa=float(cohen_kappa_score(a, b, labels=list(labels.names))),
        claim_kappa=float(cohen_kappa_score(claim_a, claim_b)),
        confusion=confusion_matrix(a, b, labels=list(labels.names)),
        disagreements=[(x, y) for x, y in pairs if x.label != y.label],
    )
