"""Membership tests on labels (tickers, names) that stay fast under pandas' Arrow-backed strings.

pandas 3 stores strings as Arrow arrays, and its ``isin`` on them compares value by value in
Python (about 50 ms for 1,700 tickers against 8,000); a hash lookup on object arrays takes 1 ms.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["isin"]


def isin(values: Iterable, among: Iterable) -> np.ndarray:
    """Boolean array: whether each of `values` is one of `among` (missing values match missing ones)."""
    left = pd.Index(np.asarray(values, dtype=object), dtype=object)
    right = np.asarray(pd.Index(among), dtype=object)
    return np.asarray(left.isin(right), dtype=bool)
