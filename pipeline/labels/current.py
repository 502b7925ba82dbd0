"""The labels as they stand now: the sentences `stance segment` would write, and every label record checked against them.

The commands that read or add labels (`stance labels check`, `export`, `import`) start here, so labels of an
article `stance label` just added pass before `dvc repro` has rewritten the sentences file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pipeline.config import Config
from pipeline.corpus.corpora import current_sentences, in_place_corpora
from pipeline.corpus.segment import Sentence
from pipeline.errors import StanceError
from pipeline.labels.records import LabelRecord, check_labels, existing_label_files

Warn = Callable[[str], None]


def corpus_sentences(config: Config, warn: Warn) -> list[Sentence]:
    """The sentences `stance segment` would write now (`pipeline.corpus.corpora.current_sentences`); a warning says
    when the sentences file is stale and what rewrites it."""
    sentences, stale = current_sentences(config.paths, config.segment, config.slices, warn)
    if stale:
        warn(f"{stale} The labels were checked against the articles as they are now.")
    return sentences


def checked_labels(config: Config, extra: Sequence[Path], warn: Warn) -> tuple[list[Sentence], list[LabelRecord]]:
    """The current sentences and every label record, those of `extra` files included; a label problem stops the command."""
    sentences = corpus_sentences(config, warn)
    files = existing_label_files(config.paths)
    files += [path for path in extra if path.exists() and path not in files]
    report = check_labels(files, sentences, config.labels, in_place_corpora(config.paths))
    if report.problems:
        more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
        raise StanceError(f"{report.problems[0]}{more} Fix the labels first (`stance labels check`).")
    return sentences, report.records
