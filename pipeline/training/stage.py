"""The `train@KIND` stage: cross-validate one model kind, fit it on every label, save it and its out-of-fold predictions.

DVC runs it as `python -m pipeline.training.stage KIND`.
"""

from __future__ import annotations

from pipeline.config import Config
from pipeline.corpus.corpora import in_place_corpora, project_corpora
from pipeline.evaluation.predictions import curve_file, cv_file
from pipeline.files import write_json, write_jsonl
from pipeline.labels.dataset import Dataset
from pipeline.labels.descriptions import read_descriptions
from pipeline.labels.records import training_rows
from pipeline.models.card import corpus_summaries
from pipeline.models.folder import save_model
from pipeline.models.registry import kind_of
from pipeline.models.top_layers import release_caches
from pipeline.params import Paths
from pipeline.training.crossval import with_articles
from pipeline.training.train import train as train_kind


def article_outlets(paths: Paths) -> dict[str, str]:
    """Each article's outlet by its corpus's metadata: the README card names the corpora by their sources."""
    return {article: meta.outlet for corpus in project_corpora(paths) for article, meta in corpus.metadata().items()}


def train(config: Config, kind: str) -> str:
    kind_of(kind)
    paths = config.paths
    rows = training_rows(paths, config.labels)
    descriptions = read_descriptions(paths.descriptions, config.labels)
    corpora = corpus_summaries(rows, article_outlets(paths), in_place_corpora(paths), config.labels)
    result = train_kind(
        kind, Dataset.from_labeled(rows), config.labels, config.segment, config.kind_params(kind), config.train, config.evaluate, descriptions, corpora
    )
    release_caches()
    save_model(result.model, result.card, paths.models / kind)
    write_jsonl(cv_file(paths.reports, kind), (p.to_json() for p in with_articles(result.predictions, rows)))
    write_json(curve_file(paths.reports, kind), result.curve)
    cv = result.card.cv
    return (
        f"{kind}: {len(rows)} labeled sentences; {cv['scheme']} CV macro-F1 {cv['macro_f1']:.3f} "
        f"(fold std {cv['fold_macro_f1_std']:.3f}); model in {paths.models / kind}."
    )


if __name__ == "__main__":
    from pipeline.stage_entry import main

    main(train, arguments=["kind"])
