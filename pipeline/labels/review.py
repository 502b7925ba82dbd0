"""`stance labels audit`: the flagged labels as a report for a person to review, and the first of them on screen."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.config import Config
from pipeline.corpus.corpora import in_place_corpora, read_sentences
from pipeline.files import write_text
from pipeline.labels.audit import OutOfFold, Suspect, audit_markdown, framing, suspects


def suspects_table(found: Sequence[Suspect], texts: dict[str, str], name: str, show: int) -> Table:
    table = Table(title=f"Flagged labels, lowest self-confidence first ({name}, out-of-fold)", show_lines=True)
    table.add_column("rank", justify="right")
    table.add_column("id and sentence", ratio=1)
    for column in ("label", "suggested", "score"):
        table.add_column(column, justify="right" if column == "score" else "left", no_wrap=True)
    for rank, suspect in enumerate(found[:show], start=1):
        text = texts.get(suspect.id, "(no longer in the corpus)")
        table.add_row(str(rank), f"[bold]{escape(suspect.id)}[/]\n{escape(text)}", suspect.label, suspect.suggested, f"{suspect.score:.3f}")
    return table


def review(config: Config, name: str, records: Sequence[OutOfFold], source: Path, output: Path | None, show: int) -> str:
    """Write every flagged label of model `name`'s out-of-fold `records` (read from `source`) to `output` (default:
    reports/label_audit.md), which names pool sentences by id only; print the first `show` with their text and what
    the numbers mean. The closing line says where the rest are."""
    found = suspects(records, config.labels)
    sentences = read_sentences(config.paths.sentences)
    texts = {s.id: s.text for s in sentences}
    hidden = in_place_corpora(config.paths)
    shareable = {s.id: s.text for s in sentences if s.corpus not in hidden}
    target = output or config.paths.reports / "label_audit.md"
    write_text(target, audit_markdown(found, len(records), name, source, shareable, config.report.max_text))
    Console().print(suspects_table(found, texts, name, show))
    for line in framing(len(found), len(records), name, source):
        print(line)
    shown = f"the first {min(show, len(found))} above" if found else "none"
    return f"Shown: {shown}; all {len(found)} in {target}. No label was changed."
