"""Label audit: the hand labels most likely to be wrong, found by cleanlab.

cleanlab's confident learning compares each label with out-of-fold predicted
probabilities (each from a model that never saw the sentence's article) and
flags the labels that the model contradicts beyond its per-class confidence
thresholds. Flagged labels are ranked by self-confidence, the probability the
model gave the label as written, lowest first. The result is a reading list
for a person: no label is ever changed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from pipeline.errors import StanceError
from pipeline.markdown import markdown_table, shorten
from pipeline.params import LabelSet
from pipeline.scores import scored_rows


@dataclass(frozen=True)
class Suspect:
    id: str
    article: str
    label: str
    suggested: str
    score: float  # the model's probability for `label`: lower is more suspect


class OutOfFold(Protocol):
    """An out-of-fold prediction (`pipeline.evaluation.predictions.CvPrediction`): all the audit reads of one.
    Read-only members, so a frozen dataclass fits."""

    @property
    def id(self) -> str: ...
    @property
    def article(self) -> str: ...
    @property
    def gold(self) -> str: ...
    @property
    def scores(self) -> dict[str, float]: ...


def suspects(records: Sequence[OutOfFold], labels: LabelSet) -> list[Suspect]:
    """The labels cleanlab flags as likely wrong, most suspect first."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    if len({r.gold for r in records}) < 2:
        raise StanceError("the audit needs labels of at least two classes.")
    given = np.array([labels.names.index(r.gold) for r in records])
    proba = np.array([[float(r.scores[name]) for name in labels.names] for r in records])
    proba = proba / proba.sum(axis=1, keepdims=True)  # rounded scores may sum to 0.999999
    ranked = find_label_issues(given, proba, return_indices_ranked_by="self_confidence", n_jobs=1)
    quality = get_label_quality_scores(given, proba, method="self_confidence")
    suggested = scored_rows(proba, labels.names)
    return [Suspect(records[i].id, records[i].article, records[i].gold, suggested[i].label, float(quality[i])) for i in ranked]


def framing(flagged: int, total: int, model: str, source: Path) -> list[str]:
    """What the list is, in plain words, for the terminal and the report alike: how many, how ranked, what a flag means, where to start."""
    share = flagged / total if total else 0.0
    return [
        f"cleanlab flags {flagged} of {total} labels ({share:.0%}), judged by the out-of-fold probabilities of the `{model}` model (`{source}`).",
        "A flag means that the model, scoring articles it was not trained on, confidently prefers another label "
        "(confident learning: beyond its per-label confidence threshold). It does not mean the label is wrong: "
        "often the model is, on a hard or ambiguous sentence.",
        "Ranked by self-confidence, the probability the model gave the label as written (the score column), lowest first. "
        "Suggested: the model's most likely label.",
        "Read from the top: the first rows are where the model is surest the label is wrong, and the likeliest to be real mistakes. "
        "Read each sentence in its article and fix the label file by hand where the label is wrong; nothing here was changed.",
    ]


def audit_markdown(found: Sequence[Suspect], total: int, model: str, source: Path, texts: Mapping[str, str], max_text: int) -> str:
    """A file that may be shared: `texts` holds only sentences whose text may be copied; pool sentences appear by id."""
    lines = [
        "# Label audit",
        "",
        "\n\n".join(framing(len(found), total, model, source)),
        "",
        *markdown_table(
            ["rank", "id", "label", "suggested", "text", "score"],
            [
                [str(rank), s.id, s.label, s.suggested, shorten(texts[s.id], max_text) if s.id in texts else "(pool: read in its article)", f"{s.score:.3f}"]
                for rank, s in enumerate(found, start=1)
            ],
            right_from=5,
        ),
        "",
    ]
    return "\n".join(lines)
