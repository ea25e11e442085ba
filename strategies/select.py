"""Selection and weighting kernels: top N of ranked candidates under eligibility bounds, then weights.

The rules are those of the steps (`strategies.steps`): `TopN` keeps the first `n` candidates
in rank order (score desc, then the tie columns, then the ticker label asc, as `steps._order`
sorts them); `EqualWeight` gives 1/k each; `ScoreWeight` weighs by score clipped at 0 (NaN
scores give NaN weights and count as 0 in the total; an all-zero total gives zero weights);
`CappedWeight` caps score weights and hands the excess to the names below the cap. The
kernels take the order already folded in (candidates listed best first), so they only cut and
weigh; a property test holds them equal to the steps on random inputs, and the weighting steps
call `weights_nb` themselves.

Eligibility is per candidate and field (13F holders, raw price, market cap, dollar volume,
...): a candidate is eligible when every active field lies in its [low, high] bounds (NaN
fails), which is what `MinHolders`, `HolderCount`, `MinPrice`, `MarketCapBand` and
`MinDollarVolume` keep. `schedule_nb` applies all of it to many decision dates at once and
emits the compressed rows the engine's kernels read (`ScheduleArrays`).
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from hedgeclone.sums import pairwise_sum_nb

__all__ = ["Weighting", "WEIGHTING", "top_n_nb", "eligible_nb", "weights_nb", "schedule_nb"]

_CAP_SLACK = 1e-15  # `CappedWeight`'s tolerance before a weight counts as over the cap


class Weighting(NamedTuple):
    """Weighting codes the kernels read."""

    equal: int = 0
    score: int = 1
    capped: int = 2


WEIGHTING = Weighting()


@nb.njit(cache=True)
def eligible_nb(fields, low, high, active):
    """Per candidate (row of `fields`, candidates x F), whether each active field is in [low, high].

    NaN fails every bound, as the filter steps' comparisons do.
    """
    n, f = fields.shape
    out = np.ones(n, dtype=np.bool_)
    for j in range(f):
        if not active[j]:
            continue
        lo, hi = low[j], high[j]
        for i in range(n):
            v = fields[i, j]
            if not (v >= lo and v <= hi):
                out[i] = False
    return out


@nb.njit(cache=True)
def top_n_nb(eligible, n):
    """Positions of the first `n` eligible candidates (candidates listed best first)."""
    out = np.empty(min(n, len(eligible)), dtype=np.int64)
    k = 0
    for i in range(len(eligible)):
        if k >= n:
            break
        if eligible[i]:
            out[k] = i
            k += 1
    return out[:k]


@nb.njit(cache=True)
def _score_weights(score):
    k = len(score)
    clipped = np.empty(k)
    for i in range(k):
        s = score[i]
        clipped[i] = 0.0 if s < 0.0 else s
    dense = np.where(np.isnan(clipped), 0.0, clipped)
    total = pairwise_sum_nb(dense, 0, k)
    out = np.zeros(k)
    if total > 0:
        for i in range(k):
            out[i] = clipped[i] / total
    return out


@nb.njit(cache=True)
def _sum_where(w, mask):
    picked = np.empty(len(w))
    m = 0
    for i in range(len(w)):
        if mask[i]:
            picked[m] = w[i]
            m += 1
    return pairwise_sum_nb(picked, 0, m)


@nb.njit(cache=True)
def _capped_weights(score, cap):
    w = _score_weights(score)
    k = len(w)
    for _ in range(k):
        over = w > cap + _CAP_SLACK
        if not over.any():
            break
        excess_each = np.empty(k)
        for i in range(k):
            excess_each[i] = w[i] - cap
        excess = _sum_where(excess_each, over)
        for i in range(k):
            if over[i]:
                w[i] = cap
        free = ~over & (w < cap)
        if not free.any():
            break
        free_total = _sum_where(w, free)
        if free_total <= 0:
            break
        for i in range(k):
            if free[i]:
                w[i] += excess * w[i] / free_total
    return w


@nb.njit(cache=True)
def weights_nb(score, weighting, cap):
    """Weights of the selected candidates: equal (1/k), by score, or by score capped at `cap`."""
    k = len(score)
    if weighting == 0:
        return np.full(k, 1.0 / k if k else 0.0)
    if weighting == 1:
        return _score_weights(score)
    return _capped_weights(score, cap)


@nb.njit(cache=True)
def schedule_nb(cand_ptr, cand_col, cand_score, cand_fields, date_of, exec_rows, n, low, high, active,
                weighting, cap):
    """The schedule of one parameter set, as (rebalance rows, offsets, columns, weights).

    Candidates of ranked date d are ``cand_ptr[d]:cand_ptr[d + 1]`` (best first) with their
    price-panel column, score and fields; rebalance k decides on ranked date ``date_of[k]``
    and executes at row ``exec_rows[k]`` (a negative row: dropped, past the window). Each
    rebalance holds the top `n` eligible candidates weighed by `weighting`, columns ascending.
    """
    k_max = len(date_of)
    total = 0
    for k in range(k_max):
        if exec_rows[k] >= 0:
            total += min(n, cand_ptr[date_of[k] + 1] - cand_ptr[date_of[k]])
    cols = np.empty(total, dtype=np.int64)
    wts = np.empty(total, dtype=np.float64)
    offsets = np.zeros(k_max + 1, dtype=np.int64)
    rows = np.empty(k_max, dtype=np.int64)
    m = 0
    e = 0
    for k in range(k_max):
        if exec_rows[k] < 0:
            continue
        lo, hi = cand_ptr[date_of[k]], cand_ptr[date_of[k] + 1]
        ok = eligible_nb(cand_fields[lo:hi], low, high, active)
        chosen = top_n_nb(ok, n)
        w = weights_nb(cand_score[lo:hi][chosen], weighting, cap)
        c = cand_col[lo:hi][chosen]
        order = np.argsort(c, kind="mergesort")
        for j in range(len(order)):
            cols[e] = c[order[j]]
            wts[e] = w[order[j]]
            e += 1
        rows[m] = exec_rows[k]
        m += 1
        offsets[m] = e
    return rows[:m], offsets[: m + 1], cols[:e], wts[:e]
