"""Article metadata (outlet, date, kind, conflict) and the slice and genre it gives an article.

A pool lists its articles in `sources.jsonl`, one record per file; the seed
and the user's own articles have `data/metadata.csv`, one row per article id.
An article's slice (for stratified folds and per-slice scores) is its `slice`
field where the metadata gives one, else the first pattern of configs
(`slices.patterns`) its `conflict` matches, else `slices.default`; its genre
(news or opinion) comes from `kind`. Neither its file name nor its corpus
decides anything: a file name prefix (`africanagenda_m23.txt`) would make a
one-article slice that stratified folds cannot spread.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import StanceError
from pipeline.files import read_jsonl
from pipeline.params import SliceParams

FIELDS = ("outlet", "date", "kind", "conflict", "slice")
NEWS, OPINION, UNKNOWN = "news", "opinion", "unknown"


@dataclass(frozen=True)
class ArticleMeta:
    outlet: str = ""
    date: str = ""
    kind: str = ""
    conflict: str = ""
    slice: str = ""  # set by hand: wins over the patterns


def meta_of(record: dict[str, object], where: str) -> ArticleMeta:
    values = {name: record.get(name) or "" for name in FIELDS}
    wrong = [name for name, value in values.items() if not isinstance(value, str)]
    if wrong:
        raise StanceError(f"{where}: field {wrong[0]!r} must be a string.")
    return ArticleMeta(**values)  # type: ignore[arg-type]


def read_manifest_meta(manifest: Path) -> dict[str, ArticleMeta]:
    """A pool's `sources.jsonl`, by article id (the file name without its suffix)."""
    return {Path(str(record.get("file"))).stem: meta_of(record, f"{manifest}:{number}") for number, record in read_jsonl(manifest)}


def read_table_meta(table: Path) -> dict[str, ArticleMeta]:
    """The seed's metadata CSV (column `id` and any of the fields), by article id; none yet is no error."""
    if not table.is_file():
        return {}
    try:
        with table.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (UnicodeDecodeError, csv.Error) as err:
        raise StanceError(f"{table}: not a UTF-8 CSV table ({err}).") from None
    return {row["id"]: meta_of(row, f"{table}:{number}") for number, row in enumerate(rows, 2) if row.get("id")}


def article_slice(meta: ArticleMeta, params: SliceParams) -> str:
    """The metadata's own slice, else the first pattern its conflict matches (`other` if none), else the default slice."""
    if meta.slice:
        return meta.slice
    if not meta.conflict:
        return params.default
    return next((name for name, pattern in params.patterns.items() if re.search(pattern, meta.conflict)), params.other)


def article_genre(meta: ArticleMeta, params: SliceParams) -> str:
    if not meta.kind:
        return UNKNOWN
    return NEWS if meta.kind in params.news_kinds else OPINION
