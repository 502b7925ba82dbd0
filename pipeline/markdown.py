"""Markdown tables for the reports a person reads (evaluation report, label audit, benchmark)."""

from __future__ import annotations

from collections.abc import Sequence


def shorten(text: str, limit: int) -> str:
    text = text.replace("|", "/")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(header))]
    return ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |", *("| " + " | ".join(row) + " |" for row in rows)]
