"""The bootstrap over articles: intervals that cover the true share about 95% of the time, reproducibly.

Simulated archives: each article has its own stance mix (drawn around the
population's), so its sentences are not independent, which is why whole
articles are resampled. 300 cells of 40 articles, four labels each: 1,200
intervals, so the observed coverage of a true 95% is within about 2.5 points
of it (two standard errors, more since labels of one cell are correlated);
the test allows 0.90 to 0.98.
"""

from __future__ import annotations

import numpy as np

from pipeline.trends.bootstrap import bounds, cell_seed, weights
from pipeline.trends.estimators import estimate

POPULATION = np.array([0.25, 0.15, 0.05, 0.55])


def archive(rng: np.random.Generator, articles: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentences per article and label counts per article (a classifier that is always right, so cc estimates the gold shares)."""
    sentences = rng.integers(5, 30, size=articles)
    mixes = rng.dirichlet(8 * POPULATION, size=articles)
    counts = np.array([rng.multinomial(n, mix) for n, mix in zip(sentences, mixes, strict=True)], float)
    return sentences.astype(float), counts


def interval(sentences: np.ndarray, counts: np.ndarray, seed: list[int], draws: int) -> tuple[np.ndarray, np.ndarray]:
    drawn = [estimate("cc", block @ sentences, block @ counts, block @ counts, None) for block in weights(len(sentences), draws, seed)]
    return bounds(np.concatenate(drawn), 0.95)


def test_the_95_percent_interval_covers_the_population_share_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(7)
    covered = []
    for cell in range(300):
        sentences, counts = archive(rng, 40)
        low, high = interval(sentences, counts, cell_seed(1, str(cell)), 400)
        covered.extend((low <= POPULATION) & (POPULATION <= high))
    assert 0.90 <= np.mean(covered) <= 0.98


def test_a_cell_draws_the_same_interval_every_time_and_blocks_do_not_change_it() -> None:
    rng = np.random.default_rng(8)
    sentences, counts = archive(rng, 500)
    first = interval(sentences, counts, cell_seed(13, "2014\0Dawn"), 1000)
    again = interval(sentences, counts, cell_seed(13, "2014\0Dawn"), 1000)
    other = interval(sentences, counts, cell_seed(13, "2015\0Dawn"), 1000)
    assert all((a == b).all() for a, b in zip(first, again, strict=True))
    assert not all((a == b).all() for a, b in zip(first, other, strict=True))
    blocks = list(weights(5000, 1000, [1, 2]))
    assert len(blocks) > 1 and sum(len(b) for b in blocks) == 1000 and all((b.sum(axis=1) == 5000).all() for b in blocks)
