"""The evaluation report: one Markdown page a reader can take in on one screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.errors import StanceError
from pipeline.evaluation.behaviour import behaviour_section
from pipeline.evaluation.confidence import recommended_confidence
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


def _models_table(cv: Mapping[str, Any], confidence: Mapping[str, Any], focus: str) -> list[str]:
    return markdown_table(
        ["model", "macro-F1", "claim-vs-none F1", "stance macro-F1 (gold claims)", "accuracy", "macro-F1 by article", "calibration error"],
        [
            [
                f"**{name}**" if name == focus else name,
                _ci(scores, "macro_f1"),
                _ci(scores, "claim_f1"),
                _ci(scores, "stance_macro_f1"),
                _ci(scores, "accuracy"),
                f"{_f(scores['fold_macro_f1']['mean'])} ± {_f(scores['fold_macro_f1']['std'])}",
                f"{_f(confidence[name]['ece'])} [{_f(confidence[name]['ece_interval'][0])}, {_f(confidence[name]['ece_interval'][1])}]",
            ]
            for name, scores in cv.items()
        ],
    )


def difference(paired: Mapping[str, Mapping[str, Any]], first: str, second: str) -> tuple[float, float, float]:
    """macro-F1 of `first` minus `second` with its paired interval, whichever order the metrics file holds the pair in."""
    if f"{first} - {second}" in paired:
        d = paired[f"{first} - {second}"]
        return d["macro_f1"], d["interval"][0], d["interval"][1]
    d = paired[f"{second} - {first}"]
    return -d["macro_f1"], -d["interval"][1], -d["interval"][0]


def most_confused(confusion: Mapping[str, Any]) -> tuple[str, str, int, int]:
    """The gold label most often read as another, that other, the count, and the count the other way round."""
    names, matrix = confusion["labels"], confusion["matrix"]
    i, j = max(((i, j) for i in range(len(names)) for j in range(len(names)) if i != j), key=lambda ij: matrix[ij[0]][ij[1]])
    return names[i], names[j], matrix[i][j], matrix[j][i]


def verdict(metrics: Metrics, focus: str, baseline: str, recipe: str) -> str:
    """The report's opening paragraph, written from the numbers alone so it cannot drift from them."""
    scores = metrics.cv[focus]
    low, high = scores["intervals"]["macro_f1"]
    diff, diff_low, diff_high = difference(metrics.paired, focus, baseline)
    clear = "a real difference" if diff_low > 0 or diff_high < 0 else "not a clear difference"
    gold, read_as, count, back = most_confused(scores["confusion"])
    curve = metrics.learning_curve[focus]
    points = ", ".join(f"{p['macro_f1']:.3f} at {p['articles']:.0f}" for p in curve)
    if len(curve) > 1:
        per_ten = (curve[-1]["macro_f1"] - curve[-2]["macro_f1"]) / (curve[-1]["articles"] - curve[-2]["articles"]) * 10
        step = f"its last step gained {per_ten:+.3f} macro-F1 per ten more articles"
        advice = (
            "labeling more articles is the likeliest gain"
            if per_ten >= 0.01
            else "the curve has flattened, and a better recipe is a likelier gain than more articles of the same kind"
        )
    else:
        step, advice = "no smaller training sets were drawn", "see train.learning_curve and train.learning_curve_skip"
    return (
        f"Shipped: the {focus} model ({recipe}). On articles it never saw it scores macro-F1 {scores['macro_f1']:.3f} "
        f"[{low:.3f}, {high:.3f}]; against {baseline}, {diff:+.3f} [{diff_low:+.3f}, {diff_high:+.3f}] (paired), {clear}. "
        f"It fails most by reading {gold} as {read_as} ({count} sentences; {back} the other way). "
        f"Learning curve (macro-F1 at training articles per fold): {points}; {step}: {advice}."
    )


def _calibration(view: Mapping[str, Any], focus: str, claim_precision: float) -> list[str]:
    recommended = recommended_confidence(view["risk_coverage"], claim_precision)
    return [
        f"## Confidence: {focus}",
        "",
        "Every model's probabilities are temperature-scaled, the temperature fitted on training articles only. "
        "Calibration error: the mean gap between confidence and the share correct, over equal-width confidence bins "
        "(0 is perfect). Keeping only claims at or above a confidence trades recall for precision, and decides what "
        "article summaries say: a summary states a stance only with enough kept claims (`predict.min_claims`), else `unclear`. "
        "The last two columns are for held-out articles: the share whose summary states a stance, and the share of those "
        "whose stance is the one their hand labels give by the same rule.",
        "",
        *markdown_table(
            [
                "confidence at least",
                "claims kept",
                "precision of kept claims",
                "recall of gold claims",
                "articles with a stated summary",
                "stated summaries right",
            ],
            [
                [
                    f"**{row['threshold']:.2f}**" if row["threshold"] == recommended else f"{row['threshold']:.2f}",
                    f"{row['kept']} ({row['coverage']:.0%})",
                    _f(row["precision"]),
                    _f(row["recall"]),
                    f"{summary['stated']:.0%}",
                    f"{summary['right']:.0%}",
                ]
                for row, summary in zip(view["risk_coverage"], view["summaries"], strict=True)
            ],
        ),
        "",
        f"Recommended confidence (bold): {recommended:.2f}, the lowest at which kept claims are at least {claim_precision:.0%} precise "
        "(`train.claim_precision`); `stance predict` summaries count only claims at or above it, and `--min-confidence` sets another.",
        "",
        "![reliability](plots/reliability.png)",
        "",
    ]


def _corpus_table(view: str, counts: Mapping[str, Mapping[str, int]], labels: LabelSet) -> list[str]:
    rows = []
    for name, row in counts.items():
        claims = row["sentences"] - row[labels.negative]
        rows.append([name, str(row["articles"]), str(row["sentences"]), *(str(row[label]) for label in labels.names), f"{claims / row['sentences']:.0%}"])
    return markdown_table([view, "articles", "sentences", *labels.names, "claims"], rows)


def _view_scores(view: str, cv: Mapping[str, Mapping[str, Any]], focus: Mapping[str, Any]) -> list[str]:
    """Macro-F1 of every model within each group of a view (slice, genre), with intervals."""
    groups = focus[f"per_{view}"]
    return markdown_table(
        [view, "articles", "sentences", "claims", *cv],
        [
            [name, str(part["articles"]), str(part["sentences"]), str(part["claims"]), *(_ci(cv[model][f"per_{view}"][name], "macro_f1") for model in cv)]
            for name, part in groups.items()
        ],
    )


def build_report(
    metrics: Metrics,
    merged: Sequence[Mapping[str, Any]],
    texts: Mapping[str, str],
    recipes: Mapping[str, str],
    labels: LabelSet,
    params: ReportParams,
    claim_precision: float,
    behaviour: dict[str, dict[str, dict[str, Any]]],
) -> str:
    """`texts` holds only sentences whose text may be copied: pool sentences appear by id; `recipes` describes each scored model; `behaviour` is `stance behaviour`'s results."""
    cv = metrics.cv
    if params.focus not in cv:
        raise StanceError(f"report: no cross-validation scores for model {params.focus!r}; models scored: {', '.join(cv)}.")
    focus = cv[params.focus]
    n = len(merged)
    claims = sum(r["gold"] != labels.negative for r in merged)
    articles = sorted({r["article"] for r in merged})
    folds = len({r["fold"] for r in merged})
    negative_share = (n - claims) / n if n else 0.0
    # A kind in train.learning_curve_skip has the full CV's point only: its cells at smaller sizes stay empty.
    by_size = {name: {point["articles"]: point for point in points} for name, points in metrics.learning_curve.items()}
    sizes = sorted(set().union(*by_size.values()))

    lines = [
        "# Evaluation report",
        "",
        verdict(metrics, params.focus, params.baseline, recipes[params.focus]),
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
        *_corpus_table("corpus", metrics.corpus["corpus"], labels),
        "",
        "`seed`: the project's own articles (`data/articles`); `pool`, `pool-2`: the article pools, read in place.",
        "",
        *_corpus_table("slice", metrics.corpus["slice"], labels),
        "",
        "Slices come from each article's metadata (`conflict`; configs `slices`): `pk` Pakistan, `af` Afghanistan, `ww` other conflicts.",
        "",
        *_corpus_table("genre", metrics.corpus["genre"], labels),
        "",
        "Genre: `news` is an article whose metadata `kind` is news; `opinion` is every other kind (analysis, editorial, opinion, interview, blog).",
        "",
        "## Models",
        "",
        *_models_table(cv, metrics.confidence, params.focus),
        "",
        *(f"- {name}: {recipes[name]} (configs/params.yaml `{name}`)." for name in cv),
        "",
        f"In bold, the model that ships (report.focus, {params.focus}). This project ships a recipe by the rule in docs/recipes.md, "
        "a paired gain over the product that holds on three model seeds (on the same folds); these tables are one seed (train.seed), so a model better here is not yet chosen.",
        "",
        "Paired differences in macro-F1 (same articles resampled for both models; an interval that excludes 0 is a real difference):",
        "",
        *markdown_table(
            ["models", "difference", "95% interval"],
            [[pair, f"{d['macro_f1']:+.3f}", f"[{d['interval'][0]:+.3f}, {d['interval'][1]:+.3f}]"] for pair, d in metrics.paired.items()],
        ),
        "",
        *_calibration(metrics.confidence[params.focus], params.focus, claim_precision),
        "## Per slice (macro-F1)",
        "",
        *_view_scores("slice", cv, focus),
        "",
        "## Per genre (macro-F1)",
        "",
        *_view_scores("genre", cv, focus),
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
        *behaviour_section(behaviour, params.focus),
        "## Learning curve (macro-F1 against training articles per fold)",
        "",
        *markdown_table(
            ["training articles", *by_size],
            [[f"{size:.0f}", *(_ci(points[size], "macro_f1") if size in points else "" for points in by_size.values())] for size in sizes],
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
