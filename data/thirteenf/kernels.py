"""Numba kernels of the 13F store path, in their own module so that reading holdings loads no numba."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["top10_nb"]


@njit(cache=True)
def top10_nb(starts: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Flags of each segment's 10 largest values, ties going to the earlier element.

    Segment k is ``v[starts[k]:starts[k + 1]]``; within a filer the positions are in CUSIP
    order, so this is rank <= 10 by (value desc, CUSIP asc). O(n x 10), no sort.
    """
    out = np.zeros(len(v), dtype=np.bool_)
    best = np.empty(10, dtype=np.int64)
    for k in range(len(starts) - 1):
        lo, hi = starts[k], starts[k + 1]
        if hi - lo <= 10:
            out[lo:hi] = True
            continue
        m = 0  # best[:m] holds indices ordered by value desc (earlier first on ties)
        for i in range(lo, hi):
            if m == 10 and not v[i] > v[best[9]]:
                continue
            j = m if m < 10 else 9
            while j > 0 and v[i] > v[best[j - 1]]:
                if j < 10:
                    best[j] = best[j - 1]
                j -= 1
            best[j] = i
            if m < 10:
                m += 1
        for j in range(m):
            out[best[j]] = True
    return out
