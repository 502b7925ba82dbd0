"""Which share estimator `stance trends` ships: each one's error on synthetic periods of held-out articles with known gold shares.

    python benchmarks/trends_estimators.py [--splits 10] [--replicates 100] [--output benchmarks/results/trends.json]

From the CV's out-of-fold predictions (reports/cv/transformer.jsonl: every
sentence labeled by a model that never saw its article), the articles are split
in halves, again and again (seeded): the calibration half gives the correction
the adjusted estimators use (the confusion and mean scores a card keeps), the
test half the periods. A period samples test articles without replacement,
either as labeled or tilted toward one label (an article's weight grows with
exp(TILT × its share of that label)), at several sizes; each estimator's shares
are compared with the period's gold shares. The rule that picks the default
estimator and the small-cell threshold was declared in docs/trends.md before
the first run. Then the bootstrap intervals' coverage of the gold shares is
measured on periods of each size. Numbers only: no sentence text is read or written.
"""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from trends_cv import correction_tables, cv_rows

from pipeline.trends.bootstrap import bounds, weights
from pipeline.trends.estimators import ESTIMATORS, claim_shares, correction, estimate

app = typer.Typer(add_completion=False)
SIZES = (3, 5, 10, 20, 40)
TILT = 4.0
AS_LABELED = "as labeled"
THRESHOLD = 0.05  # the small-cell rule: mean error of the sentence shares at most this


def article_arrays(rows: list[dict[str, Any]], names: list[str]) -> tuple[list[str], dict[str, np.ndarray]]:
    ids = sorted({row["article"] for row in rows})
    index = {article: i for i, article in enumerate(ids)}
    arrays = {
        "sentences": np.zeros(len(ids)),
        "predicted": np.zeros((len(ids), len(names))),
        "scores": np.zeros((len(ids), len(names))),
        "gold": np.zeros((len(ids), len(names))),
    }
    for row in rows:
        i = index[row["article"]]
        arrays["sentences"][i] += 1
        arrays["predicted"][i, names.index(row["pred"])] += 1
        arrays["gold"][i, names.index(row["gold"])] += 1
        arrays["scores"][i] += [row["scores"][name] for name in names]
    return ids, arrays


def period_weights(gold: np.ndarray, sentences: np.ndarray, mix: str, names: list[str]) -> np.ndarray:
    """Sampling probability of each test article for a mix: uniform, or tilted toward one label."""
    if mix == AS_LABELED:
        raw = np.ones(len(sentences))
    else:
        raw = np.exp(TILT * gold[:, names.index(mix)] / sentences)
    return raw / raw.sum()


def errors(shares: np.ndarray, truth: np.ndarray, positives: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per period: mean absolute error over labels of the sentence shares, and of the claim shares (NaN without gold claims)."""
    sentence = np.abs(shares - truth).mean(axis=1)
    claims = np.abs(claim_shares(shares, positives) - claim_shares(truth, positives)).mean(axis=1)
    return sentence, claims


def mean_interval(values: np.ndarray) -> dict[str, float]:
    values = values[~np.isnan(values)]
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
    return {
        "mean": round(float(values.mean()), 4),
        "low": round(float(values.mean() - half), 4),
        "high": round(float(values.mean() + half), 4),
        "periods": int(len(values)),
    }


@app.command()
def main(
    splits: Annotated[int, typer.Option("--splits", help="Calibration/test splits of the articles.")] = 10,
    replicates: Annotated[int, typer.Option("--replicates", help="Periods per split, mix and size.")] = 100,
    coverage_periods: Annotated[int, typer.Option("--coverage-periods", help="Periods per size whose bootstrap intervals are checked.")] = 200,
    draws: Annotated[int, typer.Option("--draws", help="Bootstrap draws per period in the coverage check.")] = 500,
    seed: Annotated[int, typer.Option("--seed")] = 13,
    output: Annotated[Path, typer.Option("--output")] = Path("benchmarks/results/trends.json"),
) -> None:
    """Run the benchmark and write its numbers."""
    start = time.perf_counter()
    rows = cv_rows()
    names = list(rows[0]["scores"])
    negative = "none"
    positives = [i for i, name in enumerate(names) if name != negative]
    ids, arrays = article_arrays(rows, names)
    by_article = {row["article"]: [] for row in rows}
    for row in rows:
        by_article[row["article"]].append(row)
    mixes = [AS_LABELED, *names]
    rng = np.random.default_rng(seed)
    found: dict[tuple[str, str, int], list[np.ndarray]] = {}
    realised: dict[str, list[np.ndarray]] = {mix: [] for mix in mixes}
    coverage: dict[tuple[str, int], list[float]] = {}
    for _ in range(splits):
        order = rng.permutation(len(ids))
        calibration, test = order[: len(ids) // 2], order[len(ids) // 2 :]
        fix = correction(correction_tables([r for i in calibration for r in by_article[ids[i]]], names), names, "calibration half")
        part = {key: array[test] for key, array in arrays.items()}
        for mix in mixes:
            p = period_weights(part["gold"], part["sentences"], mix, names)
            for size in SIZES:
                chosen = np.zeros((replicates, len(test)))
                for r in range(replicates):
                    chosen[r, rng.choice(len(test), size=size, replace=False, p=p)] = 1
                totals = {key: chosen @ array for key, array in part.items()}
                truth = totals["gold"] / totals["sentences"][:, None]
                realised[mix].append(truth)
                for name in ESTIMATORS:
                    shares = estimate(name, totals["sentences"], totals["predicted"], totals["scores"], fix)
                    found.setdefault((name, mix, size), []).append(np.stack(errors(shares, truth, positives)))
        for size in SIZES:
            for _ in range(max(1, coverage_periods // splits)):
                picked = rng.choice(len(test), size=size, replace=False)
                cell = {key: array[picked] for key, array in part.items()}
                truth = cell["gold"].sum(axis=0) / cell["sentences"].sum()
                for block in weights(size, draws, [seed, int(rng.integers(1 << 30))]):
                    totals = {key: block @ array for key, array in cell.items()}
                    for name in ESTIMATORS:
                        low, high = bounds(estimate(name, totals["sentences"], totals["predicted"], totals["scores"], fix), 0.95)
                        coverage.setdefault((name, size), []).extend(((low <= truth + 1e-9) & (truth - 1e-9 <= high)).astype(float).tolist())
    results = []
    for (name, mix, size), parts in found.items():
        stacked = np.concatenate(parts, axis=1)
        results.append({"estimator": name, "mix": mix, "size": size, "sentence_mae": mean_interval(stacked[0]), "claim_mae": mean_interval(stacked[1])})
    shifted = {
        name: round(float(np.mean([r["sentence_mae"]["mean"] for r in results if r["estimator"] == name and r["mix"] != AS_LABELED])), 4) for name in ESTIMATORS
    }
    best = min(ESTIMATORS, key=lambda name: shifted[name])
    by_size = {
        size: float(np.mean([r["sentence_mae"]["mean"] for r in results if r["estimator"] == best and r["mix"] != AS_LABELED and r["size"] == size]))
        for size in SIZES
    }
    min_articles = next((size for size in SIZES if by_size[size] <= THRESHOLD), SIZES[-1])
    document = {
        "date": datetime.date.today().isoformat(),
        "command": "python benchmarks/trends_estimators.py"
        + f" --splits {splits} --replicates {replicates} --coverage-periods {coverage_periods} --draws {draws} --seed {seed}",
        "seconds": round(time.perf_counter() - start, 1),
        "articles": len(ids),
        "sentences": len(rows),
        "labels": names,
        "tilt": TILT,
        "sizes": list(SIZES),
        "mixes": {mix: [round(float(v), 3) for v in np.concatenate(realised[mix]).mean(axis=0)] for mix in mixes},
        "shifted_mean_sentence_mae": shifted,
        "default": best,
        "default_sentence_mae_by_size": {str(size): round(value, 4) for size, value in by_size.items()},
        "min_articles": min_articles,
        "coverage_95": [
            {"estimator": name, "size": size, "coverage": round(float(np.mean(values)), 3), "intervals": len(values)}
            for (name, size), values in coverage.items()
        ],
        "results": results,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {key: document[key] for key in ("seconds", "mixes", "shifted_mean_sentence_mae", "default", "default_sentence_mae_by_size", "min_articles")},
            indent=1,
        )
    )


if __name__ == "__main__":
    app()
