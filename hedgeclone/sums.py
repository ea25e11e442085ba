"""NumPy's pairwise summation as a numba kernel, so that a kernel's sums equal pandas' bit for bit.

The one home of the rule for every kernel that must reproduce ``Series.sum`` (the 13F score
panels, the selection kernels' weights).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["pairwise_sum_nb"]


@njit(cache=True)
def _leaf_sum(a, lo, n):
    """NumPy's pairwise sum of ``a[lo:lo + n]`` for n <= 128: eight running sums, then a tree."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r = np.empty(8)
    for j in range(8):
        r[j] = a[lo + j]
    i = 8
    while i < n - n % 8:
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def pairwise_sum_nb(a, lo, n):
    """NumPy's pairwise sum of ``a[lo:lo + n]`` (what pandas' ``Series.sum`` gives), without recursion.

    NumPy splits a block above 128 into halves rounded to 8 and adds the halves' sums; the
    frames below walk that tree in post-order. (Not recursive: numba cannot link a cached
    recursive function into another module's kernels.)
    """
    if n <= 128:
        return _leaf_sum(a, lo, n)
    f_lo = np.empty(128, dtype=np.int64)
    f_n = np.empty(128, dtype=np.int64)
    f_stage = np.empty(128, dtype=np.int64)
    vals = np.empty(128)
    top, nv = 0, 0
    f_lo[0], f_n[0], f_stage[0] = lo, n, 0
    while top >= 0:
        blo, bn, stage = f_lo[top], f_n[top], f_stage[top]
        if bn <= 128:
            vals[nv] = _leaf_sum(a, blo, bn)
            nv += 1
            top -= 1
            continue
        n2 = bn // 2
        n2 -= n2 % 8
        if stage == 0:
            f_stage[top] = 1
            top += 1
            f_lo[top], f_n[top], f_stage[top] = blo, n2, 0
        elif stage == 1:
            f_stage[top] = 2
            top += 1
            f_lo[top], f_n[top], f_stage[top] = blo + n2, bn - n2, 0
        else:
            nv -= 1
            vals[nv - 1] = vals[nv - 1] + vals[nv]
            top -= 1
    return vals[0]
