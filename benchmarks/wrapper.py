"""Where hedgeclone's time goes on W1: the numba kernel alone versus the pandas-facing wrapper.

Each stage of `simulate` is timed on its own through the engine's public conversion
(`backtest.engine.convert`), its `Execution` and its kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import hedgeclone as hc
from benchmarks.peers import INIT_CASH
from benchmarks.timing import measure
from benchmarks.workloads import W1
from hedgeclone.backtest.engine import kernels
from hedgeclone.backtest.engine.convert import schedule_arrays
from hedgeclone.backtest.engine.execution import Execution
from hedgeclone.backtest.engine.schedule import Schedule

__all__ = ["breakdown"]


def _stages(w: W1, schedule: Schedule, repeats: int) -> dict[str, float]:
    """Median seconds of each stage of `simulate` for an already-built `schedule`."""
    close = w.close
    execution = Execution(fees=w.fees, init_cash=INIT_CASH)
    arrays = schedule_arrays(schedule, close)
    prices = close.to_numpy(dtype=np.float64)
    costs = execution.per_asset(close.columns)
    no_delisting_returns = np.zeros(1)

    def kernel() -> object:
        return kernels.simulate_nb(prices, arrays, costs, execution.init_cash, 1e-8, False, no_delisting_returns)

    def wrap() -> object:
        return hc.Result(close=close, output=output, execution=execution).value

    output = kernel()
    return {
        "kernel_s": measure(kernel, repeats, warmup=1).median_s,
        "schedule_arrays_s": measure(lambda: schedule_arrays(schedule, close), repeats).median_s,
        "per_asset_params_s": measure(lambda: execution.per_asset(close.columns), repeats).median_s,
        "result_value_s": measure(wrap, repeats).median_s,
        "kernel_entries": int(len(arrays.target_cols)),
    }


def breakdown(w: W1, repeats: int) -> dict[str, Any]:
    """Median seconds of each stage of `simulate` on W1, for the Schedule and the dense input.

    For each input: ``total_s`` (``simulate(...).value``), ``kernel_s`` (`simulate_nb` on
    prepared arrays), ``wrapper_s`` (total minus kernel) and the stages that make it up;
    the dense input adds ``from_frame_s`` (dense frame to Schedule) and
    ``find_rebalance_rows_s``, the cost of just locating the non-NaN rows of the frame, a
    floor for any dense-input path.
    """
    try:
        out: dict[str, Any] = {}
        for name, weights in (("schedule", w.schedule), ("dense", w.weights)):
            total = measure(lambda weights=weights: hc.simulate(
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
            out[name] = entry
        return out
    except Exception as exc:  # a stage broke: report it, do not fail the whole benchmark
        return {"error": f"{type(exc).__name__}: {exc}"}
