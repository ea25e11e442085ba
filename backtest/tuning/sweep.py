"""`sweep(config, grid)`: every combination of a parameter grid, backtested in one batch.

What does not change across the grid is computed once (`backtest.tuning.plan`): decision dates
once per distinct strategy (for the consensus strategy they depend only on `lag_days` and
`rebalance`); the ranking of each decision date once per distinct base screen (the screen
without its filters), which every combination then cuts by its filters' bounds, top N and
weighting in numba (`strategies.select`); the kernel arrays of each distinct schedule once,
shared by every cost and lag setting.

Then all combinations run through the batch kernel (`backtest.engine.batch`) over the one
price array, in chunks, here or on a Dask cluster. Each combination's values equal those of
``hedgeclone.backtest.session.run_config`` on the same config exactly; its metrics are those of the
run directory's metrics.json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine.convert import per_asset
from hedgeclone.backtest.metric_sets import higher_is_better
from hedgeclone.backtest.metrics import daily_returns
from hedgeclone.backtest.session import load_config_market
from hedgeclone.backtest.tuning import overfit
from hedgeclone.backtest.tuning.distributed import Shared, run_chunks
from hedgeclone.backtest.tuning.grid import Grid, combinations
from hedgeclone.backtest.tuning.plan import Progress, plan
from hedgeclone.errors import InputError

__all__ = ["SweepResult", "sweep", "Progress"]


@dataclass(frozen=True)
class SweepResult:
    """One row per combination: `params` (the grid's names) and `metrics` (metrics.json keys).

    `values` holds each combination's daily portfolio value (dates x combination number), NaN
    before its first decision date; `benchmarks` the benchmark levels on the same dates.
    """

    params: pd.DataFrame
    metrics: pd.DataFrame
    values: pd.DataFrame = field(repr=False)
    benchmarks: pd.DataFrame = field(repr=False)
    strategy: str = ""
    initial: pd.Series | None = field(default=None, repr=False)  # each combination's initial cash
    caveats: tuple[str, ...] = field(default=(), repr=False)  # the market's data caveats

    def __len__(self) -> int:
        return len(self.params)

    def __repr__(self) -> str:
        names = ", ".join(self.params.columns)
        return f"SweepResult({self.strategy}: {len(self)} combinations of {names}, {len(self.values)} days)"

    def table(self) -> pd.DataFrame:
        """What results.csv holds: the parameters, then the metrics, one row per combination."""
        return pd.concat([self.params, self.metrics], axis=1)

    @cached_property
    def returns(self) -> pd.DataFrame:
        """Daily simple returns, dates x combination (`metrics.daily_returns`: each first day against its
        initial cash, as in a separate run; NaN where a combination has no value yet)."""
        initial = None if self.initial is None else self.initial.to_numpy(np.float64)
        out = daily_returns(self.values.to_numpy(np.float64).T, initial).T
        return pd.DataFrame(out, index=self.values.index, columns=self.values.columns)

    @cached_property
    def overfitting(self) -> overfit.Overfitting:
        """PBO (CSCV, 16 blocks) and the deflated Sharpe ratio of the best row, as `hedgeclone tune` reports them."""
        return overfit.overfitting(self.returns, n_blocks=16)

    def plot(self, metric: str = "sharpe", axes: tuple[str, str] | None = None):
        """The plotly heatmap of `metric` over two grid parameters (the tune report's figure)."""
        from hedgeclone.backtest.figures import heatmap_figure  # plotly loads only when a figure is drawn

        return heatmap_figure(self.table(), list(self.params.columns), metric, axes)

    def _repr_html_(self) -> str:
        from hedgeclone.backtest.report.tune import sweep_html

        return sweep_html(self, "sharpe", self.overfitting.lines(), self.caveats)

    def __rich__(self):
        from hedgeclone.backtest.report.tune import sweep_rich

        return sweep_rich(self, "sharpe", self.overfitting.lines(), self.caveats)

    def best(self, metric: str = "sharpe", n: int = 5, *, lowest: bool | None = None) -> pd.DataFrame:
        """The `n` best combinations by `metric`, best first (lowest first where lower is better,
        as `metric_sets` says, unless `lowest` is given)."""
        if metric not in self.metrics.columns:
            raise InputError(f"unknown metric {metric!r} (known: {', '.join(self.metrics.columns)})")
        if lowest is None:
            lowest = higher_is_better(metric) is False
        order = self.metrics[metric].sort_values(ascending=lowest, na_position="last", kind="stable").index
        return self.table().loc[order[:n]]


def sweep(config, grid: Grid, *, market=None, progress: Progress | None = None, scheduler=None,
          chunk_size: int = 64) -> SweepResult:
    """Backtest every combination of `grid` applied to `config`; one row per combination.

    `grid` maps parameter names (strategy fields, or fees/fixed_fees/slippage/init_cash/lag;
    ``strategy.``/``backtest.`` prefixes allowed) to value lists. `market` defaults to the
    config's (`hedgeclone.backtest.session.load_config_market`). `scheduler` (a Dask scheduler address
    or `distributed.Client`) runs the batch on a cluster; results equal the in-process ones.
    `progress(stage, done, total)` reports the stages "decisions" and "backtests".
    """
    names, combos, configs = combinations(config, grid)
    if market is None:
        market = load_config_market(config)
    batch = plan(configs, market, progress)
    shared = Shared(
        close=np.asfortranarray(market.close.to_numpy(dtype=np.float64)),
        index=market.close.index,
        benchmarks=market.benchmarks,
        delisting_returns=per_asset("delisting_returns", market.delisting_returns, market.close.columns, lower=-1.0)
        if market.delisting_returns is not None else None,
    )
    on_set = (lambda done, total: progress("backtests", done, total)) if progress is not None else None
    values, rows = run_chunks(batch, shared, chunk_size=chunk_size, scheduler=scheduler, progress=on_set)
    params = pd.DataFrame(combos, columns=names)
    metrics = pd.DataFrame(rows, index=params.index)
    frame = pd.DataFrame(values.T, index=market.close.index, columns=params.index)
    first = int(batch.start_rows.min()) if len(batch) else 0
    last = int(batch.end_rows.max()) if len(batch) else 0
    frame = frame.iloc[first:last]
    return SweepResult(params=params, metrics=metrics, values=frame,
                       benchmarks=market.benchmarks.reindex(frame.index), strategy=config.strategy.kind,
                       initial=pd.Series(batch.init_cash, index=params.index),
                       caveats=tuple(getattr(market, "caveats", ())))
