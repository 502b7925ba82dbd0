"""Figures: PNGs for the report, and the CSVs `dvc plots show` draws (declared under the evaluate stage's `plots:`).

The CSVs round to four decimals so a rebuild rewrites them byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from io import BytesIO
from typing import Any


def confusion_csv(merged: Sequence[Mapping[str, Any]], name: str) -> str:
    """One row per sentence, gold and predicted: DVC's confusion template counts them."""
    return "actual,predicted\n" + "".join(f"{r['gold']},{r['predictions'][name]['label']}\n" for r in merged)


def learning_curve_csv(points: Sequence[Mapping[str, Any]]) -> str:
    """macro-F1 and its interval by training articles per fold."""
    return "train_articles,macro_f1,low,high\n" + "".join(
        f"{p['articles']:.1f},{p['macro_f1']:.4f},{p['intervals']['macro_f1'][0]:.4f},{p['intervals']['macro_f1'][1]:.4f}\n" for p in points
    )


def reliability_csv(bins: Sequence[Mapping[str, float]]) -> str:
    """The reliability diagram's points: share correct against mean confidence per bin, and how many predictions each holds."""
    return "confidence,accuracy,count,low,high\n" + "".join(
        f"{b['confidence']:.4f},{b['accuracy']:.4f},{b['count']},{b['low']:.2f},{b['high']:.2f}\n" for b in bins
    )


def risk_coverage_csv(rows: Sequence[Mapping[str, float]]) -> str:
    """Precision of the claims kept against the share kept, one row per minimum confidence."""
    return "coverage,precision,recall,threshold,kept\n" + "".join(
        f"{r['coverage']:.4f},{r['precision']:.4f},{r['recall']:.4f},{r['threshold']:.2f},{r['kept']}\n" for r in rows
    )


def _png(figure: Any) -> bytes:
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def confusion_png(matrix: Sequence[Sequence[int]], labels: Sequence[str], title: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.6, 4))
    axes = figure.subplots()
    axes.imshow(matrix, cmap="Blues")
    axes.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axes.set_yticks(range(len(labels)), labels)
    axes.set_xlabel("predicted")
    axes.set_ylabel("gold")
    axes.set_title(title)
    peak = max(max(row) for row in matrix) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            axes.text(j, i, str(value), ha="center", va="center", color="white" if value > peak / 2 else "black")
    return _png(figure)


def learning_curve_png(curves: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 3.4))
    axes = figure.subplots()
    for name, points in curves.items():
        x = [p["articles"] for p in points]
        axes.plot(x, [p["macro_f1"] for p in points], marker="o", label=name)
        axes.fill_between(x, [p["intervals"]["macro_f1"][0] for p in points], [p["intervals"]["macro_f1"][1] for p in points], alpha=0.15)
    axes.set_xlabel("training articles per fold")
    axes.set_ylabel("macro-F1 (article-grouped CV)")
    axes.grid(alpha=0.3)
    axes.legend()
    return _png(figure)


def reliability_png(bins: Mapping[str, Sequence[Mapping[str, float]]]) -> bytes:
    """Accuracy against confidence per bin; the diagonal is perfect calibration, point size the bin's share."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4.6, 4))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="calibrated")
    for name, rows in bins.items():
        total = sum(row["count"] for row in rows) or 1
        axes.plot([row["confidence"] for row in rows], [row["accuracy"] for row in rows], marker="o", label=name)
        axes.scatter([row["confidence"] for row in rows], [row["accuracy"] for row in rows], s=[400 * row["count"] / total for row in rows], alpha=0.3)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xlabel("confidence of the predicted label")
    axes.set_ylabel("share correct (out-of-fold)")
    axes.grid(alpha=0.3)
    axes.legend()
    return _png(figure)
