"""The evaluation report: one Markdown page a reader can take in on one screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.errors import StanceError
from pipeline.evaluation.scoring import Metrics
from pipeline.markdown import markdown_table, shorten
from pipeline.params import LabelSet, ReportParams


def _f(value: float) -> str:
    return f"{value:.3f}"


def _ci(scores: Mapping[str, Any], name: str) -> str:
    low, high = scores["intervals"][name]
    return f"{_f(scores[name])} [{_f(low)}, {_f(high)}]"


def confident_errors(merged: Sequence[Mapping[str, Any]], model: str, count: int) -> list[tuple[float, Mapping[str, Any]]]:
    errors = []
    for record in merged:
        prediction = record["predictions"][model]
        if prediction["label"] != record["gold"]:
            errors.append((prediction["scores"][prediction["label"]], record))
    return sorted(errors, key=lambda e: (-e[0], e[1]["id"]))[:count]


def _models_table(cv: Mapping[str, Any], focus: str) -> list[str]:
    return markdown_table(
        ["model", "macro-F1", "claim-vs-none F1", "stance macro-F1 (gold claims)", "accuracy", "macro-F1 by article"],
        [
            [
                f"**{name}**" if name == focus else name,
                _ci(scores, "macro_f1"),
                _ci(scores, "claim_f1"),
                _ci(scores, "stance_macro_f1"),
                _ci(scores, "accuracy"),
                f"{_f(scores['fold_macro_f1']['mean'])} ± {_f(scores['fold_macro_f1']['std'])}",
            ]
            for name, scores in cv.items()
        ],
    )


def _corpus_table(counts: Mapping[str, Mapping[str, int]], labels: LabelSet) -> list[str]:
    rows = []
    for name, row in counts.items():
        claims = row["sentences"] - row[labels.negative]
        rows.append([name, str(row["articles"]), str(row["sentences"]), *(str(row[label]) for label in labels.names), f"{claims / row['sentences']:.0%}"])
    return markdown_table(["slice", "articles", "sentences", *labels.names, "claims"], rows)


def build_report(
    metrics: Metrics,
    merged: Sequence[Mapping[str, Any]],
    texts: Mapping[str, str],
    recipe: str,
    labels: LabelSet,
    params: ReportParams,
) -> str:
    """`texts` holds only sentences whose text may be copied: pool sentences appear by id."""
    cv = metrics.cv
    if params.focus not in cv:
        raise StanceError(f"report: no cross-validation scores for model {params.focus!r}; models scored: {', '.join(cv)}.")
    focus = cv[params.focus]
    n = len(merged)
    claims = sum(r["gold"] != labels.negative for r in merged)
    articles = sorted({r["article"] for r in merged})
    folds = len({r["fold"] for r in merged})
    negative_share = (n - claims) / n if n else 0.0
    curves = metrics.learning_curve
    slices = list(focus["per_slice"])

    lines = [
        "# Evaluation report",
        "",
        f"{n} labeled sentences from {len(articles)} articles, {claims} of them claims. "
        f"{folds}-fold cross-validation grouped by article and stratified by slice: every prediction comes from a model "
        "that never saw the sentence's article, and hyper-parameters are chosen inside the training folds only. "
        "Brackets: 95% bootstrap intervals over articles (whole articles resampled); ± is the spread (std) of macro-F1 across articles.",
        "",
        f"**Imbalance warning:** `{labels.negative}` is {negative_share:.0%} of sentences, so accuracy flatters any model that rarely finds a claim; read macro-F1.",
        "",
        "## Labeled data",
        "",
        *_corpus_table(metrics.corpus, labels),
        "",
        "`seed`: the five seed articles; `pk`, `af`, `ww`: the article pool (Pakistan, Afghanistan, other conflicts), read in place.",
        "",
        "## Models",
        "",
        *_models_table(cv, params.focus),
        "",
        f"Transformer recipe: {recipe} (configs/params.yaml `transformer`).",
        "",
        "Paired differences in macro-F1 (same articles resampled for both models; an interval that excludes 0 is a real difference):",
        "",
        *markdown_table(
            ["models", "difference", "95% interval"],
            [[pair, f"{d['macro_f1']:+.3f}", f"[{d['interval'][0]:+.3f}, {d['interval'][1]:+.3f}]"] for pair, d in metrics.paired.items()],
        ),
        "",
        "## Per slice (macro-F1)",
        "",
        *markdown_table(
            ["slice", "articles", "sentences", "claims", *cv],
            [
                [
                    name,
                    str(focus["per_slice"][name]["articles"]),
                    str(focus["per_slice"][name]["sentences"]),
                    str(focus["per_slice"][name]["claims"]),
                    *(_ci(cv[model]["per_slice"][name], "macro_f1") for model in cv),
                ]
                for name in slices
            ],
        ),
        "",
        f"## Per class: {params.focus}",
        "",
        *markdown_table(
            ["label", "precision", "recall", "F1", "support"],
            [[name, _f(s["precision"]), _f(s["recall"]), _f(s["f1"]), str(s["support"])] for name, s in focus["per_class"].items()],
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
        "## Learning curve (macro-F1 against training articles per fold)",
        "",
        *markdown_table(
            ["training articles", *curves],
            [
                [f"{point['articles']:.0f}", *(_ci(points[i], "macro_f1") for points in curves.values())]
                for i, point in enumerate(next(iter(curves.values())))
            ],
        ),
        "",
        "![learning curve](plots/learning_curve.png)",
        "",
        f"## Most confident errors: {params.focus}",
        "",
    ]
    lines += markdown_table(
        ["id", "gold", "predicted", "text", "confidence"],
        [
            [
                record["id"],
                record["gold"],
                record["predictions"][params.focus]["label"],
                shorten(texts[record["id"]], params.max_text) if record["id"] in texts else "(pool sentence: read it in its article)",
                _f(confidence),
            ]
            for confidence, record in confident_errors(merged, params.focus, params.top_errors)
        ],
        right_from=4,
    )
    return "\n".join(lines) + "\n"
