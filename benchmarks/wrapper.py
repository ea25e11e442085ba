"""Where hedgeclone's time goes on W1: the numba kernel alone versus the pandas-facing wrapper.

This reaches into private helpers of `backtest.engine.simulate` (`_schedule_arrays`,
`_per_asset`) to time each stage of `simulate` on its own. If they change, `breakdown`
reports the error instead of failing the benchmark.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

import backtest
from backtest.engine import kernels
from backtest.engine.schedule import Schedule
from benchmarks.peers import INIT_CASH
from benchmarks.timing import measure
from benchmarks.workloads import W1

__all__ = ["breakdown"]


def _stages(w: W1, schedule: Schedule, repeats: int) -> dict[str, float]:
    """Median seconds of each stage of `simulate` for an already-built `schedule`."""
    from backtest.engine.simulate import _per_asset, _schedule_arrays

    close = w.close
    rows, offsets, cols, weights = _schedule_arrays(schedule, close, 0, False)
    prices = close.to_numpy(dtype=np.float64)
    fees = _per_asset("fees", w.fees, close.columns)
    zero = np.zeros(1)

    def kernel() -> object:
        return kernels.simulate_nb(prices, rows, offsets, cols, weights, schedule.close_unlisted,
                                   fees, zero, zero, INIT_CASH, 1e-8, False, zero)

    def wrap() -> object:
        return backtest.Result(close=close, value=value, cash=cash, fees=paid, orders=orders,
                               init_cash=INIT_CASH).value

    value, cash, paid, orders, *_ = kernel()
    return {
        "kernel_s": measure(kernel, repeats, warmup=1).median_s,
        "schedule_arrays_s": measure(lambda: _schedule_arrays(schedule, close, 0, False), repeats).median_s,
        "per_asset_params_s": measure(lambda: _per_asset("fees", w.fees, close.columns), repeats).median_s,
        "result_value_s": measure(wrap, repeats).median_s,
        "kernel_entries": int(len(cols)),
    }


@njit(cache=True)
def _rebalance_rows_nb(values_t: np.ndarray) -> np.ndarray:
    """Whether each row of a dense weights frame has a non-NaN cell, read from its (tickers x dates) transpose.

    pandas stores a float frame ticker by ticker, so the transpose is the contiguous walk.
    """
    n_cols, n_rows = values_t.shape
    out = np.zeros(n_rows, dtype=np.bool_)
    for c in range(n_cols):
        for t in range(n_rows):
            if not np.isnan(values_t[c, t]):
                out[t] = True
    return out


def dense_arrays_sketch(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kernel arrays (rows, offsets, cols, weights) straight from a dense frame's values.

    A sketch of a faster dense path for `simulate`, not hedgeclone code: it finds the
    rebalance rows first with one contiguous pass (numba) and keeps column positions, never
    going through ticker labels.
    Validation (finite, >= 0, sums <= 1) is left out; on W1 it would add well under 1 ms.
    """
    rows = np.flatnonzero(_rebalance_rows_nb(values.T))
    sub = values[rows]
    r, c = np.nonzero(~np.isnan(sub))
    offsets = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=len(rows)))]).astype(np.int64)
    return rows.astype(np.int64), offsets, c.astype(np.int64), sub[r, c]


def _sketch(w: W1, repeats: int) -> dict[str, float]:
    """Time `dense_arrays_sketch` alone and with the kernel and `.value`; check it reproduces `simulate`."""
    from backtest.engine.simulate import _per_asset

    close = w.close
    fees = _per_asset("fees", w.fees, close.columns)
    zero = np.zeros(1)

    def full() -> np.ndarray:
        prices = close.to_numpy(dtype=np.float64)
        arrays = dense_arrays_sketch(w.weights.to_numpy(dtype=np.float64))
        value, cash, paid, orders, *_ = kernels.simulate_nb(prices, *arrays, False, fees, zero, zero,
                                                            INIT_CASH, 1e-8, False, zero)
        return backtest.Result(close=close, value=value, cash=cash, fees=paid, orders=orders,
                               init_cash=INIT_CASH).value

    expected = backtest.simulate(close, w.weights, fees=w.fees, init_cash=INIT_CASH).value.to_numpy()
    same = bool(np.array_equal(full().to_numpy(), expected))
    return {
        "sketch_arrays_s": measure(lambda: dense_arrays_sketch(w.weights.to_numpy(dtype=np.float64)),
                                   repeats, warmup=1).median_s,
        "sketch_total_s": measure(full, repeats, warmup=1).median_s,
        "sketch_matches_simulate": same,
    }


def breakdown(w: W1, repeats: int) -> dict[str, Any]:
    """Median seconds of each stage of `simulate` on W1, for the Schedule and the dense input.

    For each input: ``total_s`` (``simulate(...).value``), ``kernel_s`` (`simulate_nb` on
    prepared arrays), ``wrapper_s`` (total minus kernel) and the stages that make it up;
    the dense input adds ``from_frame_s`` (dense frame to Schedule) and
    ``find_rebalance_rows_s``, the cost of just locating the non-NaN rows of the frame, a
    floor for any dense-input path, and the ``sketch_*`` timings of `dense_arrays_sketch`.
    """
    try:
        out: dict[str, Any] = {}
        for name, weights in (("schedule", w.schedule), ("dense", w.weights)):
            total = measure(lambda weights=weights: backtest.simulate(
                w.close, weights, fees=w.fees, init_cash=INIT_CASH).value, repeats, warmup=1).median_s
            schedule = Schedule.from_frame(weights) if name == "dense" else weights
            stages = _stages(w, schedule, repeats)
            entry = {"total_s": total, **stages, "wrapper_s": total - stages["kernel_s"]}
            if name == "dense":
                entry["from_frame_s"] = measure(lambda: Schedule.from_frame(w.weights), repeats).median_s
                values = w.weights.to_numpy(dtype=np.float64)
                entry["find_rebalance_rows_s"] = measure(
                    lambda values=values: np.flatnonzero(~np.isnan(values).all(axis=1)), repeats
                ).median_s
                entry.update(_sketch(w, repeats))
            out[name] = entry
        return out
    except Exception as exc:  # private helpers moved: report, do not fail the benchmark
        return {"error": f"{type(exc).__name__}: {exc}"}
