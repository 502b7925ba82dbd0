"""The `segment` stage: every corpus to `data/sentences.jsonl`. DVC runs it as `python -m pipeline.corpus.stage`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from pipeline.config import Config
from pipeline.corpus.corpora import project_corpora, segment_corpora
from pipeline.files import write_jsonl


def segment(config: Config, warn: Callable[[str], None]) -> str:
    sentences = segment_corpora(project_corpora(config.paths), config.segment, config.slices, warn)
    write_jsonl(config.paths.sentences, (s.to_record() for s in sentences))
    per_corpus = Counter(s.corpus for s in sentences)
    parts = ", ".join(f"{count} {name}" for name, count in per_corpus.items())
    articles = len({s.article for s in sentences})
    return f"Wrote {len(sentences)} sentences ({parts}) from {articles} articles to {config.paths.sentences}."


if __name__ == "__main__":
    from functools import partial

    from pipeline.stage_entry import main, warn

    main(partial(segment, warn=warn))
