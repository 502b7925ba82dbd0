"""The evaluation report: one Markdown page a reader can take in on one screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.config import LabelSet
from pipeline.errors import StanceError


@dataclass(frozen=True)
class ReportParams:
    # The model whose details (per class, confusion, errors) the report shows.
    focus: str = "transformer"
    top_errors: int = 8
    max_text: int = 140

    def __post_init__(self) -> None:
        if self.top_errors < 0 or self.max_text < 20:
            raise StanceError("configs: report.top_errors must be >= 0 and report.max_text >= 20.")


def _f(value: float) -> str:
    return f"{value:.3f}"


def _ci(scores: Mapping[str, Any], name: str) -> str:
    low, high = scores["intervals"][name]
    return f"{_f(scores[name])} [{_f(low)}, {_f(high)}]"


def shorten(text: str, limit: int) -> str:
    text = text.replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |", *("| " + " | ".join(row) + " |" for row in rows)]


def confident_errors(merged: Sequence[Mapping[str, Any]], model: str, count: int) -> list[tuple[float, Mapping[str, Any]]]:
    errors = []
    for record in merged:
        prediction = record["predictions"][model]
        if prediction["label"] != record["gold"]:
            errors.append((prediction["scores"][prediction["label"]], record))
    return sorted(errors, key=lambda e: (-e[0], e[1]["id"]))[:count]


def build_report(
    metrics: Mapping[str, Any],
    merged: Sequence[Mapping[str, Any]],
    curves: Mapping[str, Sequence[Mapping[str, float]]],
    recipe: str,
    labels: LabelSet,
    params: ReportParams,
) -> str:
    cv = metrics["cv"]
    if params.focus not in cv:
        raise StanceError(f"report: no cross-validation scores for model {params.focus!r}; models scored: {', '.join(cv)}.")
    focus = cv[params.focus]
    models = list(cv)
    n = len(merged)
    claims = sum(r["gold"] != labels.negative for r in merged)
    articles = sorted({r["article"] for r in merged})
    negative_share = (n - claims) / n if n else 0.0

    lines = [
        "# Evaluation report",
        "",
        f"{n} labeled sentences from {len(articles)} articles, {claims} of them claims. "
        f"Leave-one-article-out cross-validation: every prediction comes from a model that never saw the sentence's article. "
        f"Brackets: 95% bootstrap intervals over sentences; ± is the spread (std) of macro-F1 across held-out articles.",
        "",
        f"**Imbalance warning:** `{labels.negative}` is {negative_share:.0%} of sentences, so accuracy flatters any model that rarely finds a claim; read macro-F1.",
        "",
        "## Models",
        "",
        *markdown_table(
            ["model", "macro-F1", "accuracy", "claim-vs-none F1", "stance macro-F1 (gold claims)", "per-article macro-F1"],
            [
                [
                    f"**{name}**" if name == params.focus else name,
                    _ci(cv[name], "macro_f1"),
                    _ci(cv[name], "accuracy"),
                    _ci(cv[name], "claim_f1"),
                    _ci(cv[name], "stance_macro_f1"),
                    f"{_f(cv[name]['fold_macro_f1']['mean'])} ± {_f(cv[name]['fold_macro_f1']['std'])}",
                ]
                for name in models
            ],
        ),
        "",
        f"Transformer recipe: {recipe} (configs/params.yaml `transformer`); why it was chosen over the others: README, \"Choosing the transformer recipe\".",
        "",
        f"## Per class: {params.focus}",
        "",
        *markdown_table(
            ["label", "precision", "recall", "F1", "support"],
            [
                [name, _f(s["precision"]), _f(s["recall"]), _f(s["f1"]), str(s["support"])]
                for name, s in focus["per_class"].items()
            ],
        ),
        "",
        f"## Confusion matrix: {params.focus} (rows gold, columns predicted)",
        "",
        *markdown_table(
            ["gold \\ predicted", *focus["confusion"]["labels"]],
            [[name, *map(str, row)] for name, row in zip(focus["confusion"]["labels"], focus["confusion"]["matrix"])],
        ),
        "",
        f"![confusion](plots/confusion_{params.focus}.png)",
        "",
        "## Per held-out article (macro-F1)",
        "",
        *markdown_table(
            ["article", "sentences", "claims", *models],
            [
                [
                    article,
                    str(focus["per_article"][article]["sentences"]),
                    str(focus["per_article"][article]["claims"]),
                    *(_f(cv[name]["per_article"][article]["macro_f1"]) for name in models),
                ]
                for article in articles
            ],
        ),
        "",
        "## Learning curve (macro-F1 against training sentences per fold)",
        "",
    ]
    shares = [point["share"] for point in next(iter(curves.values()))] if curves else []
    lines += markdown_table(
        ["share of training folds", "sentences", *curves],
        [
            [f"{share:.0%}", f"{next(iter(curves.values()))[i]['train_sentences']:.0f}", *(_f(points[i]["macro_f1"]) for points in curves.values())]
            for i, share in enumerate(shares)
        ],
    )
    lines += ["", "![learning curve](plots/learning_curve.png)", "", f"## Most confident errors: {params.focus}", ""]
    lines += markdown_table(
        ["id", "gold", "predicted", "text", "confidence"],
        [
            [record["id"], record["gold"], record["predictions"][params.focus]["label"], shorten(record["text"], params.max_text), _f(confidence)]
            for confidence, record in confident_errors(merged, params.focus, params.top_errors)
        ],
        right_from=4,
    )
    return "\n".join(lines) + "\n"
