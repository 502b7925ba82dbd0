"""Percentile bootstrap over articles: an article's sentences share its topic and author, so they are resampled together.

Each cell draws from its own generator, seeded by the run's seed and the
cell's key, so a cell's interval is the same whatever other cells the run
holds. Draws come in blocks, so a cell of many articles never holds a
draws × articles matrix whole.
"""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Iterator

import numpy as np

BLOCK_ENTRIES = 2_000_000  # weights held at once: draws per block × articles


def cell_seed(seed: int, key: str) -> list[int]:
    return [seed, zlib.crc32(key.encode("utf-8"))]


def weights(articles: int, draws: int, seed: list[int]) -> Iterator[np.ndarray]:
    """Blocks of draws: each row counts how often each article was drawn, `articles` draws with replacement."""
    rng = np.random.default_rng(seed)
    block = max(1, min(draws, BLOCK_ENTRIES // articles))
    uniform = np.full(articles, 1 / articles)
    done = 0
    while done < draws:
        size = min(block, draws - done)
        yield rng.multinomial(articles, uniform, size=size)
        done += size


def bounds(values: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """The central `level` interval of each column over the draws (rows); NaN where every draw is NaN (a cell without claims)."""
    tail = (1 - level) / 2 * 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no claims in any draw
        low, high = np.nanpercentile(values, [tail, 100 - tail], axis=0)
    return low, high
