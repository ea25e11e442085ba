"""Batch kernel: many parameter sets over one shared price array, in parallel (numba `prange`).

Each parameter set p is one backtest: its own window of rows ``[start_rows[p], end_rows[p])``
of the shared `close`, its own slice of rebalances (compressed rows, like `Schedule`), its
own costs and initial cash. Each set runs `simulate_nb` itself on a view of `close`, so a
batch value equals what `backtest.simulate` gives for the same window and schedule bit for
bit. What comes back per set is only what the metrics need: the daily values (one row of a
preallocated P x T array, NaN outside the window), the traded value and the fees paid.
Scratch memory is per set and transient: no P x N array is ever built.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from numba import njit, prange

from hedgeclone.backtest.engine.kernels import simulate_nb
from hedgeclone.backtest.engine.records import Status
from hedgeclone.errors import InputError

__all__ = ["BatchArrays", "batch_simulate", "batch_simulate_nb"]

# Threads take sets a few at a time rather than one fixed block each, so that a thread slowed
# by other work on the machine does not hold up the whole batch.
CHUNK = 8


@njit(cache=True, parallel=True)
def batch_simulate_nb(
    close: np.ndarray,
    start_rows: np.ndarray,
    end_rows: np.ndarray,
    set_ptr: np.ndarray,
    reb_rows: np.ndarray,
    reb_ptr: np.ndarray,
    ent_cols: np.ndarray,
    ent_w: np.ndarray,
    close_unlisted: np.ndarray,
    fees: np.ndarray,
    fixed_fees: np.ndarray,
    slippage: np.ndarray,
    init_cash: np.ndarray,
    min_size: float,
    delist: bool,
    delist_ret: np.ndarray,
    values: np.ndarray,
    order: np.ndarray,
):
    """Run P backtests over the shared (T, N) `close`, one per `prange` iteration.

    Set p owns rebalances ``set_ptr[p]:set_ptr[p+1]`` of `reb_rows` (absolute rows of `close`,
    strictly increasing within the set, each in ``[start_rows[p], end_rows[p])``), whose targets
    are ``ent_cols/ent_w[reb_ptr[k]:reb_ptr[k+1]]`` as in `simulate_nb`; its costs are
    ``fees[p]``, ``fixed_fees[p]``, ``slippage[p]`` and its cash ``init_cash[p]``. The set is
    simulated by `simulate_nb` on ``close[start_rows[p]:end_rows[p]]`` (so delistings are judged
    within that window, as `simulate` on the sliced frame judges them).

    Sets are visited in the order of the permutation `order` (see `balanced_order`), which
    only decides which thread runs which set.

    Writes ``values[p, start:end]`` (the daily portfolio value) and leaves the rest of the row
    untouched. Returns (traded, fees_paid, status, bad_row, bad_col), one entry per set:
    the summed |size x price| of all fills (delisting sales included), the summed fees, and
    `Status.bad_price` with the absolute row and column at fault where a set had to trade at
    an unusable price (its values are then not meaningful).
    """
    n_sets = start_rows.shape[0]
    traded = np.zeros(n_sets)
    paid = np.zeros(n_sets)
    status = np.zeros(n_sets, dtype=np.int64)
    bad_row = np.full(n_sets, -1, dtype=np.int64)
    bad_col = np.full(n_sets, -1, dtype=np.int64)
    for j in prange(n_sets):
        p = order[j]
        a = set_ptr[p]
        b = set_ptr[p + 1]
        t0 = start_rows[p]
        t1 = end_rows[p]
        lo = reb_ptr[a]
        hi = reb_ptr[b]
        ptr = reb_ptr[a : b + 1] - lo
        rows = reb_rows[a:b] - t0
        value, _cash, _fees, orders, st, br, bc = simulate_nb(
            close[t0:t1], rows, ptr, ent_cols[lo:hi], ent_w[lo:hi], close_unlisted[a:b],
            fees[p : p + 1], fixed_fees[p : p + 1], slippage[p : p + 1], init_cash[p], min_size,
            delist, delist_ret,
        )
        status[p] = st
        if st != Status.ok:
            bad_row[p] = br + t0
            bad_col[p] = bc
            continue
        for t in range(t1 - t0):
            values[p, t0 + t] = value[t]
        tv = 0.0
        fp = 0.0
        for i in range(orders.shape[0]):
            tv += abs(orders[i]["size"] * orders[i]["price"])
            fp += orders[i]["fees"]
        traded[p] = tv
        paid[p] = fp
    return traded, paid, status, bad_row, bad_col


@dataclass(frozen=True)
class BatchArrays:
    """The kernel inputs of P backtests that share one price array (see `batch_simulate_nb`).

    Everything but `close` and `delist_ret` is per set, so a batch can be cut into chunks
    (`take`) and each chunk sent elsewhere with the shared arrays.
    """

    start_rows: np.ndarray
    end_rows: np.ndarray
    set_ptr: np.ndarray
    reb_rows: np.ndarray
    reb_ptr: np.ndarray
    ent_cols: np.ndarray
    ent_w: np.ndarray
    close_unlisted: np.ndarray
    fees: np.ndarray
    fixed_fees: np.ndarray
    slippage: np.ndarray
    init_cash: np.ndarray

    def __len__(self) -> int:
        return int(self.start_rows.shape[0])

    @classmethod
    def from_sets(cls, sets: list[tuple]) -> BatchArrays:
        """Pack per-set tuples ``(start, end, rows, offsets, cols, weights, flags, fees, fixed_fees,
        slippage, init_cash)`` (rows absolute, offsets from 0) into one batch."""
        n = len(sets)
        set_ptr = np.zeros(n + 1, dtype=np.int64)
        rows_l, ptr_l, cols_l, w_l, flag_l = [], [np.zeros(1, dtype=np.int64)], [], [], []
        ent = 0
        for p, s in enumerate(sets):
            rows, offsets = np.asarray(s[2], dtype=np.int64), np.asarray(s[3], dtype=np.int64)
            set_ptr[p + 1] = set_ptr[p] + len(rows)
            rows_l.append(rows)
            ptr_l.append(offsets[1:] + ent)
            ent += int(offsets[-1])
            cols_l.append(np.asarray(s[4], dtype=np.int64))
            w_l.append(np.asarray(s[5], dtype=np.float64))
            flag_l.append(np.asarray(s[6], dtype=np.bool_))

        def cat(parts, dtype):
            return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)

        return cls(
            start_rows=np.array([s[0] for s in sets], dtype=np.int64),
            end_rows=np.array([s[1] for s in sets], dtype=np.int64),
            set_ptr=set_ptr,
            reb_rows=cat(rows_l, np.int64),
            reb_ptr=cat(ptr_l, np.int64),
            ent_cols=cat(cols_l, np.int64),
            ent_w=cat(w_l, np.float64),
            close_unlisted=cat(flag_l, np.bool_),
            fees=np.array([s[7] for s in sets], dtype=np.float64),
            fixed_fees=np.array([s[8] for s in sets], dtype=np.float64),
            slippage=np.array([s[9] for s in sets], dtype=np.float64),
            init_cash=np.array([s[10] for s in sets], dtype=np.float64),
        )

    def take(self, lo: int, hi: int) -> BatchArrays:
        """Sets ``lo:hi`` as a batch of their own (arrays re-based to start at 0)."""
        a, b = int(self.set_ptr[lo]), int(self.set_ptr[hi])
        e0, e1 = int(self.reb_ptr[a]), int(self.reb_ptr[b])
        return BatchArrays(
            start_rows=self.start_rows[lo:hi], end_rows=self.end_rows[lo:hi],
            set_ptr=self.set_ptr[lo : hi + 1] - a, reb_rows=self.reb_rows[a:b],
            reb_ptr=self.reb_ptr[a : b + 1] - e0, ent_cols=self.ent_cols[e0:e1], ent_w=self.ent_w[e0:e1],
            close_unlisted=self.close_unlisted[a:b], fees=self.fees[lo:hi], fixed_fees=self.fixed_fees[lo:hi],
            slippage=self.slippage[lo:hi], init_cash=self.init_cash[lo:hi],
        )


def balanced_order(batch: BatchArrays) -> np.ndarray:
    """An order of the sets in which every contiguous share of the range costs about the same.

    `prange` hands each thread one contiguous block of iterations; a grid ordered by top N would
    give one thread all the large portfolios. Dealing the sets, most entries first, round-robin
    into as many blocks as threads balances the blocks.
    """
    import numba

    cost = np.diff(batch.reb_ptr[batch.set_ptr]) + (batch.end_rows - batch.start_rows) // 64
    ranked = np.argsort(-cost, kind="stable")
    n = max(1, numba.get_num_threads())
    return np.concatenate([ranked[k::n] for k in range(n)]).astype(np.int64)


def batch_simulate(close: np.ndarray, batch: BatchArrays, *, delisting: bool = False,
                   delisting_returns: np.ndarray | None = None,
                   min_size: float = 1e-8) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run every set of `batch` over the (T, N) float64 array `close` (kept or made column-major).

    Returns (values, traded, fees): values is (P, T), NaN outside each set's window; traded
    and fees are per set. Raises `InputError` naming the set, row and column when a set must
    trade at a non-finite or non-positive price.
    """
    close = np.asfortranarray(close, dtype=np.float64)  # each name's prices contiguous: streamed, not strided
    n_rows = close.shape[0]
    if len(batch) and (batch.start_rows.min() < 0 or batch.end_rows.max() > n_rows
                       or np.any(batch.end_rows <= batch.start_rows)):
        raise InputError(f"batch windows must lie within the {n_rows} rows of close and be non-empty")
    dr = np.zeros(1) if delisting_returns is None else np.asarray(delisting_returns, dtype=np.float64)
    values = np.full((len(batch), n_rows), np.nan)
    with numba.parallel_chunksize(CHUNK):
        traded, paid, status, bad_row, bad_col = batch_simulate_nb(
            close, batch.start_rows, batch.end_rows, batch.set_ptr, batch.reb_rows, batch.reb_ptr,
            batch.ent_cols, batch.ent_w, batch.close_unlisted, batch.fees, batch.fixed_fees, batch.slippage,
            batch.init_cash, float(min_size), bool(delisting), dr, values, balanced_order(batch),
        )
    bad = np.flatnonzero(status != Status.ok)
    if len(bad):
        p = int(bad[0])
        raise InputError(f"parameter set {p}: an order must trade at row {bad_row[p]}, column {bad_col[p]}, "
                         f"where the price is {close[bad_row[p], bad_col[p]]!r} (prices must be finite and > 0)")
    return values, traded, paid
