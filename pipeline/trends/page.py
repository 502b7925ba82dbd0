"""The self-contained HTML page of `stance trends`: the plots inline as data-URI PNGs, a table, no script and no request.

The same PNGs are written beside the page, in a folder named after it unless
`--png-dir` says otherwise, for slides and reports.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.files import write_bytes, write_text
from pipeline.params import LabelSet
from pipeline.trends.articles import stances
from pipeline.trends.cells import SUMMARIES, Cell
from pipeline.trends.periods import ALL_TIME
from pipeline.trends.plots import MAX_GROUPS, colours, picked, shares_by_group, shares_over_time, stacked

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Plot:
    name: str  # the PNG's file name
    data: bytes
    caption: str


def png_folder(page: Path, png_dir: Path | None) -> Path:
    return png_dir if png_dir is not None else page.with_name(f"{page.stem}_png")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "group"


def plots(cells: Sequence[Cell], labels: LabelSet, estimator: str) -> list[Plot]:
    """Shares over time per group (the groups with the most articles), then the stacked view; without time (`--by all`), shares by group."""
    palette = colours(labels.names, labels.negative)
    timeless = [cell for cell in cells if cell.period == ALL_TIME]
    if timeless:
        shown = sorted(timeless, key=lambda cell: (-cell.articles, cell.group))[: MAX_GROUPS * 2]
        return [
            Plot("shares-by-group.png", shares_by_group(shown, estimator, labels.positives, palette), "Stance among claims, by group."),
            Plot(
                "stacked.png",
                stacked({"all": [(cell.group, cell) for cell in shown]}, estimator, labels.names, palette),
                "Every label's share of the sentences.",
            ),
        ]
    dated: dict[str, list[Cell]] = {}
    for cell in cells:
        if cell.start is not None:
            dated.setdefault(cell.group, []).append(cell)
    if not dated:
        return []
    biggest = sorted(dated, key=lambda group: (-sum(c.articles for c in dated[group]), group))[:MAX_GROUPS]
    found = [
        Plot(f"shares-{i:02d}-{slug(group)}.png", shares_over_time(dated[group], group, estimator, labels.positives, palette), f"{group}: stance among claims.")
        for i, group in enumerate(biggest, start=1)
    ]
    left = len(dated) - len(biggest)
    more = f" {left} smaller groups are in the table only." if left else ""
    panels = {group: [(cell.period, cell) for cell in dated[group]] for group in biggest}
    found.append(Plot("stacked.png", stacked(panels, estimator, labels.names, palette), f"Every label's share of the sentences.{more}"))
    return found


def size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, from its header."""
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def table_rows(cells: Sequence[Cell], labels: LabelSet, estimator: str) -> list[dict[str, Any]]:
    def shown(share: Any) -> dict[str, Any]:
        text = {key: "–" if value != value else f"{value:.2f}" for key, value in (("share", share.share), ("low", share.low), ("high", share.high))}
        return text | {"gold": None if share.gold is None else f"{share.gold:.2f}"}

    found = []
    for cell in cells:
        claims, sentences, summaries = picked(cell, "claims", estimator), picked(cell, "sentences", estimator), picked(cell, "articles", SUMMARIES)
        values = [claims[name] for name in labels.positives] + [sentences[labels.negative]] + [summaries[name] for name in stances(labels)]
        found.append(
            {"period": cell.period, "group": cell.group, "articles": cell.articles, "sentences": cell.sentences, "small": cell.small}
            | {"shares": [shown(value) for value in values]}
        )
    return found


def write_page(
    path: Path, png_dir: Path | None, cells: Sequence[Cell], labels: LabelSet, estimator: str, about: dict[str, Any], warnings: Sequence[str]
) -> Path:
    """The page, and its plots as PNG files; returns the PNGs' folder."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    found = plots(cells, labels, estimator)
    folder = png_folder(path, png_dir)
    for plot in found:
        write_bytes(folder / plot.name, plot.data)
    figures = [
        {
            "uri": "data:image/png;base64," + base64.b64encode(p.data).decode("ascii"),
            "alt": p.caption,
            "caption": p.caption,
            "width": size(p.data)[0],
            "height": size(p.data)[1],
        }
        for p in found
    ]
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), undefined=StrictUndefined)
    html = environment.get_template("page.html.j2").render(
        about=about,
        warnings=warnings,
        figures=figures,
        rows=table_rows(cells, labels, estimator),
        claim_names=labels.positives,
        negative=labels.negative,
        summary_names=stances(labels),
    )
    write_text(path, html)
    return folder
