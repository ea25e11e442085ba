"""``python -m benchmarks sweep``: W2, a 1,000-combination grid over W1's universe on the batch kernel.

Grid: top N in 2, 4, ..., 50 (25 values) x execution lag 0..19 trading days (20) x weighting
equal or momentum-proportional (2) = 1,000 backtests over 2,000 stocks x 2,520 days, every
63 days re-picked by trailing 63-day momentum (W1's rule), 10 bp fees. The momentum ranking
of each rebalance date is computed once and sliced per top N (what `backtest.tuning.sweep`
does for strategies). vectorbt runs a sample of combinations (dense weights, targetpercent,
cash sharing, call_seq auto); its time for the whole grid is that sample's mean time x 1,000,
labelled as extrapolated. Parity first: the sampled combinations must agree to 1e-9.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
import pandas as pd

from benchmarks.timing import machine_info, measure, now_iso, versions, write_json
from benchmarks.workloads import build_w1, synthetic_closes
from hedgeclone.backtest.engine.batch import BatchArrays, BatchSet, batch_simulate
from hedgeclone.backtest.engine.convert import ScheduleArrays
from hedgeclone.backtest.engine.execution import Execution

DESCRIPTION = "W2: 1,000 backtests (top N x lag x weighting) on the batch kernel, vs vectorbt (sampled)"
INIT_CASH = 1_000_000.0
TOP_N = tuple(range(2, 51, 2))
LAGS = tuple(range(20))
WEIGHTINGS = ("equal", "momentum")
TARGET = 5_000.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the `sweep` sub-command."""
    parser.add_argument("--json", metavar="FILE", help="also write every number to FILE as JSON")
    parser.add_argument("--repeats", type=int, default=5, metavar="N", help="timed batch runs (default 5)")
    parser.add_argument("--vbt-sample", type=int, default=2, metavar="K",
                        help="combinations run with vectorbt (default 2; each takes seconds; 0 skips)")


def w2_grid() -> list[tuple[int, int, str]]:
    """The 1,000 (top_n, lag, weighting) combinations of W2."""
    return list(itertools.product(TOP_N, LAGS, WEIGHTINGS))


def w2_ranking(every: int = 63, n_stocks: int = 2_000, n_days: int = 2_520, seed: int = 20_140_501):
    """(rebalance rows, columns ranked best first per row, momentum per row), as W1 ranks them."""
    prices = synthetic_closes(n_stocks, n_days + every, seed).to_numpy()
    rows = np.arange(0, n_days, every)
    momentum = prices[rows + every] / prices[rows] - 1.0
    return rows, np.argsort(-momentum, axis=1, kind="stable"), momentum


def w2_batch(rows, ranked, momentum, grid, n_days: int, fees: float) -> BatchArrays:
    """Kernel inputs of every combination: the ranking cut to top N, lagged, weighed."""
    execution = Execution(fees=fees, init_cash=INIT_CASH)
    sets = []
    for top_n, lag, weighting in grid:
        exec_rows = rows + lag
        keep = exec_rows < n_days
        cols = np.sort(ranked[keep, :top_n], axis=1)
        mom = np.take_along_axis(momentum[keep], cols, axis=1)
        if weighting == "equal":
            w = np.full(cols.shape, 1.0 / top_n)
        else:
            pos = np.clip(mom, 0.0, None)
            tot = pos.sum(axis=1, keepdims=True)
            w = np.where(tot > 0, pos / np.where(tot > 0, tot, 1.0), 1.0 / top_n)
        schedule = ScheduleArrays(rebalance_rows=exec_rows[keep], target_offsets=np.arange(0, cols.size + 1, top_n),
                                  target_cols=cols.ravel(), target_weights=w.ravel(),
                                  close_unlisted=np.ones(keep.sum(), bool))
        sets.append(BatchSet(0, n_days, schedule, execution))
    return BatchArrays.from_sets(sets)


def vectorbt_value(close: pd.DataFrame, batch: BatchArrays, p: int, fees: float) -> np.ndarray:
    """vectorbt's value series for combination `p` of `batch`, from the equivalent dense frame."""
    import vectorbt as vbt

    one = batch.set_schedule(p)
    dense = np.full(close.shape, np.nan)
    for k, r in enumerate(one.rebalance_rows):
        dense[r] = 0.0
        lo, hi = one.target_offsets[k], one.target_offsets[k + 1]
        dense[r, one.target_cols[lo:hi]] = one.target_weights[lo:hi]
    weights = pd.DataFrame(dense, index=close.index, columns=close.columns)
    pf = vbt.Portfolio.from_orders(close, weights, size_type="targetpercent", group_by=True, cash_sharing=True,
                                   call_seq="auto", fees=fees, init_cash=INIT_CASH, engine="numba")
    return pf.value().to_numpy()


def run(args: argparse.Namespace) -> int:
    """Run W2; 0 when parity passed (or vectorbt was skipped), 1 when it did not."""
    from rich.console import Console

    console = Console()
    w = build_w1()
    close = w.close.to_numpy()
    grid = w2_grid()
    t = time.perf_counter()
    rows, ranked, momentum = w2_ranking()
    rank_s = time.perf_counter() - t
    t = time.perf_counter()
    batch = w2_batch(rows, ranked, momentum, grid, close.shape[0], w.fees)
    plan_s = time.perf_counter() - t
    values, _, _ = batch_simulate(close, batch)  # compiles or loads the cache; untimed
    timing = measure(lambda: batch_simulate(close, batch), args.repeats, warmup=1)
    bps = len(grid) / timing.median_s
    console.print(f"W2: {len(grid):,} combinations over {close.shape[1]:,} stocks x {close.shape[0]:,} days")
    console.print(f"batch kernel: {timing.median_s * 1e3:.1f} ms median ({args.repeats} runs) = "
                  f"[bold]{bps:,.0f} backtests/s[/] (target {TARGET:,.0f}: {'met' if bps >= TARGET else 'missed'})")
    console.print(f"once per sweep: ranking {rank_s * 1e3:.0f} ms, kernel arrays for all combinations "
                  f"{plan_s * 1e3:.0f} ms")

    payload = {"workload": "W2", "combinations": len(grid), "shape": list(close.shape), "machine": machine_info(),
               "versions": versions(["numpy", "numba", "pandas", "vectorbt"]), "date": now_iso(),
               "timing": timing.as_dict(), "backtests_per_second": bps, "target_backtests_per_second": TARGET,
               "ranking_s": rank_s, "plan_s": plan_s}
    status = 0
    if args.vbt_sample > 0:
        sample = np.linspace(0, len(grid) - 1, args.vbt_sample).astype(int)
        times, diffs = [], []
        for p in sample:
            t = time.perf_counter()
            ref = vectorbt_value(w.close, batch, int(p), w.fees)
            times.append(time.perf_counter() - t)
            diffs.append(float(np.max(np.abs(values[p] - ref) / np.abs(ref))))
        parity = max(diffs) <= 1e-9
        per_run = float(np.mean(times))
        extrapolated = per_run * len(grid)
        ratio = extrapolated / timing.median_s
        console.print(f"vectorbt numba on {len(sample)} sampled combinations {[grid[i] for i in sample]}: "
                      f"max rel diff {max(diffs):.1e} ({'parity ok' if parity else 'PARITY FAILED'})")
        if parity:
            console.print(f"vectorbt: {per_run:.2f} s a backtest -> {extrapolated:,.0f} s for the grid "
                          f"(EXTRAPOLATED from {len(sample)} runs); ratio [bold]{ratio:,.0f}x[/]")
        else:
            status = 1
        payload["vectorbt"] = {"sampled": [list(grid[i]) for i in sample], "seconds_each": times,
                               "max_rel_diff": diffs, "parity": parity,
                               "extrapolated_grid_seconds": extrapolated if parity else None,
                               "ratio_extrapolated": ratio if parity else None}
    if args.json:
        write_json(args.json, payload)
    return status
