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
from typing import NamedTuple

import numba
import numpy as np
from numba import njit, prange

from hedgeclone.backtest.engine.execution import Execution
from hedgeclone.backtest.engine.kernels import simulate_nb
from hedgeclone.backtest.engine.records import BatchOutput, ExecutionArrays, ScheduleArrays, Status
from hedgeclone.errors import InputError

__all__ = ["BatchArrays", "BatchResult", "BatchSet", "batch_simulate", "batch_simulate_nb"]

# Threads take sets a few at a time rather than one fixed block each, so that a thread slowed
# by other work on the machine does not hold up the whole batch.
CHUNK = 8


@njit(cache=True, parallel=True)
def batch_simulate_nb(
    close: np.ndarray,
    start_rows: np.ndarray,
    end_rows: np.ndarray,
    set_offsets: np.ndarray,
    schedule: ScheduleArrays,
    costs: ExecutionArrays,
    init_cash: np.ndarray,
    min_size: float,
    delisting: bool,
    delisting_returns: np.ndarray,
    values: np.ndarray,
    order: np.ndarray,
) -> BatchOutput:
    """Run P backtests over the shared (T, N) `close`, one per `prange` iteration.

    Set p owns rebalances ``set_offsets[p]:set_offsets[p+1]`` of `schedule` (rows absolute in
    `close`, strictly increasing within the set, each in ``[start_rows[p], end_rows[p])``;
    `target_offsets` run over the whole batch); its costs are ``costs.fees[p]``,
    ``costs.fixed_fees[p]``, ``costs.slippage[p]`` and its cash ``init_cash[p]``. The set is
    simulated by `simulate_nb` on ``close[start_rows[p]:end_rows[p]]`` (so delistings are judged
    within that window, as `simulate` on the sliced frame judges them).

    Sets are visited in the order of the permutation `order` (see `balanced_order`), which
    only decides which thread runs which set.

    Writes ``values[p, start:end]`` (the daily portfolio value) and leaves the rest of the row
    untouched. Returns a `BatchOutput`, one entry per set: the summed |size x price| of all
    fills (delisting sales included), the summed fees paid, and `Status.bad_price` with the
    absolute row and column at fault where a set had to trade at an unusable price (its
    values are then not meaningful).
    """
    n_sets = start_rows.shape[0]
    traded = np.zeros(n_sets)
    fees_paid = np.zeros(n_sets)
    status = np.zeros(n_sets, dtype=np.int64)
    bad_row = np.full(n_sets, -1, dtype=np.int64)
    bad_col = np.full(n_sets, -1, dtype=np.int64)
    for j in prange(n_sets):
        p = order[j]
        first = set_offsets[p]
        last = set_offsets[p + 1]
        t0 = start_rows[p]
        t1 = end_rows[p]
        lo = schedule.target_offsets[first]
        hi = schedule.target_offsets[last]
        own = ScheduleArrays(
            schedule.rebalance_rows[first:last] - t0,
            schedule.target_offsets[first : last + 1] - lo,
            schedule.target_cols[lo:hi],
            schedule.target_weights[lo:hi],
            schedule.close_unlisted[first:last],
        )
        own_costs = ExecutionArrays(costs.fees[p : p + 1], costs.fixed_fees[p : p + 1], costs.slippage[p : p + 1])
        out = simulate_nb(close[t0:t1], own, own_costs, init_cash[p], min_size, delisting, delisting_returns)
        status[p] = out.status
        if out.status != Status.ok:
            bad_row[p] = out.bad_row + t0
            bad_col[p] = out.bad_col
            continue
        for t in range(t1 - t0):
            values[p, t0 + t] = out.value[t]
        traded_value = 0.0
        paid = 0.0
        orders = out.orders
        for i in range(orders.shape[0]):
            traded_value += abs(orders[i]["size"] * orders[i]["price"])
            paid += orders[i]["fees_paid"]
        traded[p] = traded_value
        fees_paid[p] = paid
    return BatchOutput(traded, fees_paid, status, bad_row, bad_col)


class BatchSet(NamedTuple):
    """One parameter set of a batch: a window of the shared prices, its schedule and its execution.

    `schedule`'s rows are absolute rows of the shared prices, each in ``[start_row, end_row)``,
    with the lag already applied (``schedule_arrays(weights, close.iloc[start_row:end_row],
    lag=execution.lag).shift(start_row)``). From `execution` the batch reads the costs (one
    number each: per-ticker costs are not supported) and the initial cash.
    """

    start_row: int
    end_row: int
    schedule: ScheduleArrays
    execution: Execution


@dataclass(frozen=True)
class BatchArrays:
    """The kernel inputs of P backtests that share one price array (see `batch_simulate_nb`).

    `schedule` holds every set's rebalances one after another (set p owns rebalances
    ``set_offsets[p]:set_offsets[p+1]``; `target_offsets` run over the whole batch); `costs`
    and `init_cash` hold one entry per set. Everything is per set, so a batch can be cut into
    chunks (`take`) and each chunk sent elsewhere with the shared prices.
    """

    start_rows: np.ndarray
    end_rows: np.ndarray
    set_offsets: np.ndarray
    schedule: ScheduleArrays
    costs: ExecutionArrays
    init_cash: np.ndarray

    def __len__(self) -> int:
        return int(self.start_rows.shape[0])

    @classmethod
    def from_sets(cls, sets: list[BatchSet]) -> BatchArrays:
        """Pack `BatchSet`s into one batch."""
        n = len(sets)
        set_offsets = np.zeros(n + 1, dtype=np.int64)
        rows_l, offsets_l, cols_l, weights_l, flags_l = [], [np.zeros(1, dtype=np.int64)], [], [], []
        n_targets = 0
        for p, s in enumerate(sets):
            if not (isinstance(s, BatchSet) and isinstance(s.schedule, ScheduleArrays)
                    and isinstance(s.execution, Execution)):
                raise InputError(f"parameter set {p}: expected a BatchSet(start_row, end_row, ScheduleArrays, "
                                 f"Execution), got {type(s).__name__}")
            if not s.execution.is_scalar:
                raise InputError(f"parameter set {p}: the batch takes one number per cost, not per-ticker costs "
                                 f"({s.execution!r})")
            sched = s.schedule
            rows = np.asarray(sched.rebalance_rows, dtype=np.int64)
            offsets = np.asarray(sched.target_offsets, dtype=np.int64)
            set_offsets[p + 1] = set_offsets[p] + len(rows)
            rows_l.append(rows)
            offsets_l.append(offsets[1:] + n_targets)
            n_targets += int(offsets[-1])
            cols_l.append(np.asarray(sched.target_cols, dtype=np.int64))
            weights_l.append(np.asarray(sched.target_weights, dtype=np.float64))
            flags_l.append(np.asarray(sched.close_unlisted, dtype=np.bool_))

        def cat(parts, dtype):
            return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)

        def per_set(name):
            return np.array([getattr(s.execution, name) for s in sets], dtype=np.float64)

        return cls(
            start_rows=np.array([s.start_row for s in sets], dtype=np.int64),
            end_rows=np.array([s.end_row for s in sets], dtype=np.int64),
            set_offsets=set_offsets,
            schedule=ScheduleArrays(
                rebalance_rows=cat(rows_l, np.int64),
                target_offsets=cat(offsets_l, np.int64),
                target_cols=cat(cols_l, np.int64),
                target_weights=cat(weights_l, np.float64),
                close_unlisted=cat(flags_l, np.bool_),
            ),
            costs=ExecutionArrays(fees=per_set("fees"), fixed_fees=per_set("fixed_fees"),
                                  slippage=per_set("slippage")),
            init_cash=per_set("init_cash"),
        )

    def set_schedule(self, p: int) -> ScheduleArrays:
        """Set `p`'s schedule on its own (rows still absolute, target offsets from 0)."""
        first, last = int(self.set_offsets[p]), int(self.set_offsets[p + 1])
        s = self.schedule
        lo, hi = int(s.target_offsets[first]), int(s.target_offsets[last])
        return ScheduleArrays(s.rebalance_rows[first:last], s.target_offsets[first : last + 1] - lo,
                              s.target_cols[lo:hi], s.target_weights[lo:hi], s.close_unlisted[first:last])

    def take(self, lo: int, hi: int) -> BatchArrays:
        """Sets ``lo:hi`` as a batch of their own (arrays re-based to start at 0)."""
        first, last = int(self.set_offsets[lo]), int(self.set_offsets[hi])
        s = self.schedule
        e0, e1 = int(s.target_offsets[first]), int(s.target_offsets[last])
        return BatchArrays(
            start_rows=self.start_rows[lo:hi],
            end_rows=self.end_rows[lo:hi],
            set_offsets=self.set_offsets[lo : hi + 1] - first,
            schedule=ScheduleArrays(s.rebalance_rows[first:last], s.target_offsets[first : last + 1] - e0,
                                    s.target_cols[e0:e1], s.target_weights[e0:e1], s.close_unlisted[first:last]),
            costs=ExecutionArrays(*(a[lo:hi] for a in self.costs)),
            init_cash=self.init_cash[lo:hi],
        )


def balanced_order(batch: BatchArrays) -> np.ndarray:
    """An order of the sets in which every contiguous share of the range costs about the same.

    `prange` hands each thread one contiguous block of iterations; a grid ordered by top N would
    give one thread all the large portfolios. Dealing the sets, most targets first, round-robin
    into as many blocks as threads balances the blocks.
    """
    cost = np.diff(batch.schedule.target_offsets[batch.set_offsets]) + (batch.end_rows - batch.start_rows) // 64
    ranked = np.argsort(-cost, kind="stable")
    n = max(1, numba.get_num_threads())
    return np.concatenate([ranked[k::n] for k in range(n)]).astype(np.int64)


class BatchResult(NamedTuple):
    """What `batch_simulate` returns: values (P, T), NaN outside each set's window; traded value and fees paid per set."""

    values: np.ndarray
    traded: np.ndarray
    fees_paid: np.ndarray


def batch_simulate(close: np.ndarray, batch: BatchArrays, *, delisting: bool = False,
                   delisting_returns: np.ndarray | None = None, min_size: float = 1e-8) -> BatchResult:
    """Run every set of `batch` over the (T, N) float64 array `close` (kept or made column-major).

    `delisting_returns` is one value or one per column (`convert.per_asset`). Raises
    `InputError` naming the set, row and column when a set must trade at a non-finite or
    non-positive price.
    """
    close = np.asfortranarray(close, dtype=np.float64)  # each name's prices contiguous: streamed, not strided
    n_rows = close.shape[0]
    if len(batch) and (batch.start_rows.min() < 0 or batch.end_rows.max() > n_rows
                       or np.any(batch.end_rows <= batch.start_rows)):
        raise InputError(f"batch windows must lie within the {n_rows} rows of close and be non-empty")
    returns_at_delisting = np.zeros(1) if delisting_returns is None else np.asarray(delisting_returns,
                                                                                    dtype=np.float64)
    values = np.full((len(batch), n_rows), np.nan)
    with numba.parallel_chunksize(CHUNK):
        out = batch_simulate_nb(
            close, batch.start_rows, batch.end_rows, batch.set_offsets, batch.schedule, batch.costs,
            batch.init_cash, float(min_size), bool(delisting), returns_at_delisting, values, balanced_order(batch),
        )
    bad = np.flatnonzero(out.status != Status.ok)
    if len(bad):
        p = int(bad[0])
        row, col = out.bad_row[p], out.bad_col[p]
        raise InputError(f"parameter set {p}: an order must trade at row {row}, column {col}, "
                         f"where the price is {close[row, col]!r} (prices must be finite and > 0)")
    return BatchResult(values, out.traded, out.fees_paid)
