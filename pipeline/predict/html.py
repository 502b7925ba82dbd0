"""`--format html`: one self-contained page of articles with their claims highlighted, for reading and sending.

The page needs no network (styles and the stance filter are inline), works
opened from disk, reads on a phone and prints. Every text goes through
Jinja2's autoescaping, so an article that contains markup shows it as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pipeline.params import LabelSet

TEMPLATES = Path(__file__).resolve().parent / "templates"


def html_page(articles: Sequence[Mapping[str, Any]], labels: LabelSet, about: Mapping[str, Any]) -> str:
    """The page for article summaries as `summarise_articles` gives them (their `sentences` included)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), undefined=StrictUndefined)
    return environment.get_template("page.html.j2").render(articles=articles, stances=labels.positives, negative=labels.negative, about=about)
