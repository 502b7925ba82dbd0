"""The page's figures as PNG bytes (matplotlib, Agg, no pyplot state): shares over time with interval bands, and a stacked view.

Small cells get hollow markers, gold shares (where known) dashed lines, so a
reader sees both at a glance. Only the groups with the most articles are
drawn (`MAX_GROUPS`); the table and the CSV hold every one.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from pipeline.trends.cells import Cell, Share

MAX_GROUPS = 12
PALETTE = ("#1b7f3b", "#c0392b", "#b7791f", "#2b6cb0", "#6b46c1", "#2c7a7b")
NEGATIVE_COLOUR = "#9aa0a6"


def colours(names: Sequence[str], negative: str) -> dict[str, str]:
    positives = [name for name in names if name != negative]
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(positives)} | {negative: NEGATIVE_COLOUR}


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def picked(cell: Cell, measure: str, estimator: str) -> dict[str, Share]:
    return {s.stance: s for s in cell.shares if s.measure == measure and s.estimator == estimator}


def shares_over_time(cells: Sequence[Cell], group: str, estimator: str, stances: Sequence[str], palette: dict[str, str]) -> bytes:
    """Each stance's share of the claims per period, its interval as a band; small cells hollow; gold dashed."""
    figure = Figure(figsize=(7.5, 3.2), layout="constrained")
    axes = figure.add_subplot()
    axes.tick_params(labelsize=8)
    x = np.array([cell.start for cell in cells], dtype="datetime64[D]")
    for stance in stances:
        shares = [picked(cell, "claims", estimator)[stance] for cell in cells]
        y = np.array([s.share for s in shares])
        colour = palette[stance]
        axes.fill_between(x, [s.low for s in shares], [s.high for s in shares], color=colour, alpha=0.15, linewidth=0)
        axes.plot(x, y, color=colour, label=stance, linewidth=1.6)
        for i, (cell, value) in enumerate(zip(cells, y, strict=True)):
            axes.plot(x[[i]], [value], marker="o", markersize=5, color=colour, markerfacecolor="white" if cell.small else colour)
        if shares[0].gold is not None:
            axes.plot(x, np.array([s.gold for s in shares], dtype=float), color=colour, linestyle="--", linewidth=1, label=f"{stance} (gold)")
    axes.set_ylim(0, 1)
    axes.set_ylabel("share of claims", fontsize=9)
    axes.set_title(f"{group}: stance among claims ({estimator}, 95% interval)", fontsize=10)
    axes.legend(fontsize=7, ncols=2, loc="upper left", frameon=False)
    axes.grid(alpha=0.3)
    return png(figure)


def stacked(panels: dict[str, list[tuple[str, Cell]]], estimator: str, names: Sequence[str], palette: dict[str, str]) -> bytes:
    """Every label's share of the sentences, stacked: a bar per (label, cell) of each panel (a group over time, or every group)."""
    figure = Figure(figsize=(7.5, 1.9 * len(panels) + 0.8), layout="constrained")
    axes_list = figure.subplots(len(panels), 1, squeeze=False)[:, 0]
    for axes, (title, bars) in zip(axes_list, panels.items(), strict=True):
        bottom = np.zeros(len(bars))
        for name in names:
            values = np.array([picked(cell, "sentences", estimator)[name].share for _, cell in bars])
            axes.bar([label for label, _ in bars], values, bottom=bottom, color=palette[name], label=name, width=0.8)
            bottom += values
        axes.set_ylim(0, 1)
        axes.set_title(title, fontsize=9, loc="left")
        axes.tick_params(axis="x", labelsize=7, labelrotation=60)
        axes.tick_params(axis="y", labelsize=8)
    handles, names_shown = axes_list[0].get_legend_handles_labels()
    figure.legend(
        handles, names_shown, fontsize=8, ncols=len(names), loc="outside upper center", frameon=False, title=f"share of sentences by label ({estimator})"
    )
    return png(figure)


def shares_by_group(cells: Sequence[Cell], estimator: str, stances: Sequence[str], palette: dict[str, str]) -> bytes:
    """Without time (`--by all`): each group's stance shares among claims as bars with interval whiskers; small groups hatched; gold as ticks."""
    figure = Figure(figsize=(7.5, 0.25 * len(cells) * len(stances) + 1.2), layout="constrained")
    axes = figure.add_subplot()
    axes.tick_params(labelsize=8)
    height = 0.8 / len(stances)
    for k, stance in enumerate(stances):
        shares = [picked(cell, "claims", estimator)[stance] for cell in cells]
        y = np.arange(len(cells)) + k * height
        values = np.nan_to_num([s.share for s in shares])
        errors = np.nan_to_num([[s.share - s.low for s in shares], [s.high - s.share for s in shares]])
        axes.barh(
            y,
            values,
            height=height,
            color=palette[stance],
            label=stance,
            xerr=errors,
            error_kw={"elinewidth": 0.8, "capsize": 2},
            hatch=["//" if cell.small else "" for cell in cells],
            edgecolor="white",
        )
        if shares[0].gold is not None:
            axes.plot(
                np.array([s.gold for s in shares], dtype=float), y, linestyle="none", marker="|", markersize=12, color="black", label="gold" if k == 0 else None
            )
    axes.set_yticks(np.arange(len(cells)) + 0.4 - height / 2, [cell.group for cell in cells], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel(f"share of claims ({estimator}, 95% interval)", fontsize=9)
    axes.legend(fontsize=7, ncols=len(stances) + 1, loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False)
    axes.grid(axis="x", alpha=0.3)
    return png(figure)
