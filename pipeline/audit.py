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
from typing import Any

import numpy as np

from pipeline.config import LabelSet
from pipeline.errors import StanceError
from pipeline.files import read_records
from pipeline.report import markdown_table, shorten

CV_FIELDS = ("id", "article", "gold", "scores")


@dataclass(frozen=True)
class Suspect:
    id: str
    article: str
    label: str
    suggested: str
    score: float  # the model's probability for `label`: lower is more suspect


def read_cv(path: Path, labels: LabelSet) -> list[dict[str, Any]]:
    """Out-of-fold predictions of one model (reports/cv/<model>.jsonl), checked against the label set."""
    if not path.exists():
        raise StanceError(f"{path}: no cross-validation predictions; run `dvc repro` first.")
    records = []
    for number, record in read_records(path, CV_FIELDS):
        if record["gold"] not in labels.names:
            raise StanceError(f"{path}:{number}: label {record['gold']!r} is not one of {', '.join(labels.names)}.")
        if not isinstance(record["scores"], dict) or sorted(record["scores"]) != sorted(labels.names):
            raise StanceError(f"{path}:{number}: scores must give one probability for each of {', '.join(labels.names)}.")
        records.append(record)
    return records


def suspects(records: Sequence[Mapping[str, Any]], labels: LabelSet) -> list[Suspect]:
    """The labels cleanlab flags as likely wrong, most suspect first."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    if len({r["gold"] for r in records}) < 2:
        raise StanceError("the audit needs labels of at least two classes.")
    given = np.array([labels.names.index(r["gold"]) for r in records])
    proba = np.array([[float(r["scores"][name]) for name in labels.names] for r in records])
    proba = proba / proba.sum(axis=1, keepdims=True)  # rounded scores may sum to 0.999999
    ranked = find_label_issues(given, proba, return_indices_ranked_by="self_confidence", n_jobs=1)
    quality = get_label_quality_scores(given, proba, method="self_confidence")
    return [
        Suspect(
            id=records[i]["id"],
            article=records[i]["article"],
            label=records[i]["gold"],
            suggested=labels.names[int(proba[i].argmax())],
            score=float(quality[i]),
        )
        for i in ranked
    ]


def audit_markdown(found: Sequence[Suspect], total: int, model: str, source: Path, texts: Mapping[str, str], max_text: int) -> str:
    """A file that may be shared: `texts` holds only sentences whose text may be copied; pool sentences appear by id."""
    lines = [
        "# Label audit",
        "",
        (
            f"cleanlab flags {len(found)} of {total} labels as likely wrong, judged by the out-of-fold probabilities "
            f"of the `{model}` model (`{source}`), most suspect first. Score: the probability the model gave the label "
            "as written (lower is more suspect). Suggested: the model's most likely label. Nothing was changed: "
            "read each sentence in its article, and fix the label file by hand where the label is wrong."
        ),
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
