"""Deterministic synthetic benchmark workloads (DESIGN.md, "Benchmark workloads").

W1, one backtest: 2,000 stocks x 2,520 trading days of geometric-random-walk closes; every
63 trading days the 14 names with the best trailing 63-day momentum are bought in equal
weight (names that drop out are sold); 10 bp fees. The same targets are given three ways,
one per engine's native input, and all three mean the same orders:

- `weights`: the dense dates x tickers frame vectorbt reads, NaN on rows without a rebalance
  and, on a rebalance row, 1/14 for the picks and 0 for every other ticker;
- `schedule`: the sparse `hc.Schedule` (picks only; held names not named are sold);
- `targets`: only the rebalance rows, NaN except for the picks, the frame bt's `WeighTarget`
  reads (its `Rebalance` closes held names not named).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hedgeclone import Schedule

__all__ = ["W1", "build_w1"]


@dataclass(frozen=True)
class W1:
    """The W1 workload: prices, the same rebalance targets in three forms, and its costs."""

    close: pd.DataFrame
    weights: pd.DataFrame
    schedule: Schedule
    targets: pd.DataFrame
    fees: float
    seed: int

    @property
    def shape(self) -> tuple[int, int]:
        """(trading days, stocks) of `close`."""
        return self.close.shape

    def describe(self) -> str:
        """One line naming the workload's size, rebalances and costs."""
        days, stocks = self.shape
        picks = int(np.diff(self.schedule.offsets).max()) if len(self.schedule) else 0
        return (
            f"W1: {stocks:,} stocks x {days:,} days, {picks} equal-weight names re-picked on "
            f"{len(self.schedule)} dates, fees {self.fees * 1e4:g} bp, seed {self.seed}"
        )


def synthetic_closes(n_stocks: int, n_days: int, seed: int, start: str = "2010-01-04") -> pd.DataFrame:
    """Geometric random walks, one per stock, on a business-day calendar; the same for the same seed.

    Every stock trades every day (no NaN): per-stock drift ~ N(3e-4, 5e-4) and volatility
    ~ U(1%, 4%) a day, starting prices ~ U(5, 200). Columns are "S0000", "S0001", ...
    """
    rng = np.random.default_rng(seed)
    drift = rng.normal(3e-4, 5e-4, n_stocks)
    vol = rng.uniform(0.01, 0.04, n_stocks)
    start_price = rng.uniform(5.0, 200.0, n_stocks)
    log_ret = drift + vol * rng.standard_normal((n_days, n_stocks))
    prices = start_price * np.exp(np.cumsum(log_ret, axis=0))
    index = pd.bdate_range(start, periods=n_days, name="date")
    columns = pd.Index([f"S{i:04d}" for i in range(n_stocks)], name="ticker")
    return pd.DataFrame(np.ascontiguousarray(prices), index=index, columns=columns)


def build_w1(
    n_stocks: int = 2_000,
    n_days: int = 2_520,
    n_picks: int = 14,
    every: int = 63,
    fees: float = 0.001,
    seed: int = 20_140_501,
) -> W1:
    """Build W1 (defaults) or a resized variant of it; deterministic in its arguments.

    Prices are simulated for `every` extra warm-up days that are then dropped, so the first
    rebalance (row 0) already has a trailing momentum; rebalances fall on rows 0, `every`,
    2 * `every`, ... Momentum is ``close[t] / close[t - every] - 1``; ties go to the lower
    column number.
    """
    if not 0 < n_picks <= n_stocks:
        raise ValueError(f"n_picks must be in 1..n_stocks ({n_stocks}), got {n_picks}")
    full = synthetic_closes(n_stocks, n_days + every, seed)
    prices = full.to_numpy()
    close = pd.DataFrame(np.ascontiguousarray(prices[every:]), index=full.index[every:], columns=full.columns)
    rows = np.arange(0, n_days, every)
    momentum = prices[rows + every] / prices[rows] - 1.0
    picks = np.argsort(-momentum, axis=1, kind="stable")[:, :n_picks]
    weight = 1.0 / n_picks

    dense = np.full(close.shape, np.nan)
    dense[rows] = 0.0
    dense[rows[:, None], picks] = weight
    weights = pd.DataFrame(dense, index=close.index, columns=close.columns)

    dates = close.index[rows]
    pick_dates = np.repeat(dates, n_picks)
    pick_tickers = close.columns.to_numpy()[picks.ravel()]
    schedule = Schedule.from_long(pick_dates, pick_tickers, np.full(pick_tickers.shape, weight))

    sparse = np.full((len(rows), n_stocks), np.nan)
    sparse[np.arange(len(rows))[:, None], picks] = weight
    targets = pd.DataFrame(sparse, index=dates, columns=close.columns)
    return W1(close=close, weights=weights, schedule=schedule, targets=targets, fees=fees, seed=seed)
