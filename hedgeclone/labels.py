"""Membership tests on labels (tickers, names) that stay fast under pandas' Arrow-backed strings.

pandas 3 stores strings as Arrow arrays, and its ``isin`` on them compares value by value in
Python (about 50 ms for 1,700 tickers against 8,000); a hash lookup on object arrays takes 1 ms.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["Subset", "isin"]


class Subset(NamedTuple):
    """The labels ``universe[mask]`` given as a mask over a fixed `universe` (unique labels, e.g. a
    price frame's columns): a caller that meets the same universe on every date maps its own labels
    to it once (`positions`), then tests membership by indexing the mask instead of hashing strings."""

    universe: pd.Index
    mask: np.ndarray  # bool, one per label of `universe`

    def labels(self) -> pd.Index:
        """The labels themselves."""
        return self.universe[self.mask]

    def positions(self, labels: Iterable) -> np.ndarray:
        """Position of each of `labels` in `universe`, -1 where it is not there."""
        return self.universe.get_indexer(pd.Index(np.asarray(labels, dtype=object), dtype=object))

    def holds(self, positions: np.ndarray) -> np.ndarray:
        """Whether the labels at `positions` (from `positions`, -1 for none) are in the subset."""
        return (positions >= 0) & self.mask[np.maximum(positions, 0)]


def isin(values: Iterable, among: Iterable | Subset) -> np.ndarray:
    """Boolean array: whether each of `values` is one of `among` (missing values match missing ones)."""
    if isinstance(among, Subset):
        among = among.labels()
    left = pd.Index(np.asarray(values, dtype=object), dtype=object)
    right = np.asarray(pd.Index(among), dtype=object)
    return np.asarray(left.isin(right), dtype=bool)
