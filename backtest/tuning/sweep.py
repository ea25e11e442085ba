"""`sweep(config, grid)`: every combination of a parameter grid, backtested in one batch.

What does not change across the grid is computed once:

- decision dates once per distinct strategy (for the consensus strategy they depend only on
  `lag_days` and `rebalance`);
- the full ranking of each decision date once per distinct *screen* (the strategy's
  `screen_steps()`, which leave out top N and weighting), then cut to each top N and weighed
  by the strategy's own `pick_steps()`: for a strategy whose pick steps start with `TopN`
  this gives exactly what `decide` gives, because ranking an already ranked list changes
  nothing;
- the kernel arrays of each distinct schedule once, shared by every cost and lag setting.

Then all combinations run through the batch kernel (`backtest.engine.batch`) over the one
price array, in chunks, here or on a Dask cluster. Each combination's values equal those of
``hedgeclone.backtest.session.run_config`` on the same config exactly; its metrics are those of the
run directory's metrics.json.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from hedgeclone.backtest.engine.batch import BatchArrays, BatchSet
from hedgeclone.backtest.engine.convert import ScheduleArrays, per_asset, schedule_arrays
from hedgeclone.backtest.engine.execution import Execution
from hedgeclone.backtest.engine.schedule import Schedule
from hedgeclone.backtest.metric_sets import higher_is_better
from hedgeclone.backtest.metrics import daily_returns
from hedgeclone.backtest.session import load_config_market, require_holdings, run_start
from hedgeclone.backtest.tuning import overfit
from hedgeclone.backtest.tuning.distributed import Shared, run_chunks
from hedgeclone.backtest.tuning.grid import Grid, combinations
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.errors import InputError
from hedgeclone.strategies.calendar import window
from hedgeclone.strategies.steps import TopN
from hedgeclone.strategies.view import PointInTimeView

__all__ = ["SweepResult", "sweep", "Progress"]

Progress = Callable[[str, int, int], None]  # (stage, done, total)


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


class _Planner:
    """Decisions and schedules for many configs over one market, each computed once."""

    def __init__(self, market, progress: Progress | None) -> None:
        self.market = market
        self.index = HoldingsIndex(market.holdings) if market.holdings is not None else None
        self.progress = progress
        self._dates: dict = {}
        self._ranked: dict = {}
        self._picks: dict = {}
        self._arrays: dict = {}

    def dates(self, strategy, lo, hi) -> pd.DatetimeIndex:
        key = (strategy, lo, hi)
        if key not in self._dates:
            self._dates[key] = strategy.decision_dates(self.market, lo, hi)
        return self._dates[key]

    def _view(self, date):
        return PointInTimeView(self.market, date, self.index)

    def picks(self, strategy, date):
        """The strategy's weighted picks on `date`, equal to ``strategy.decide(view)``."""
        pick_steps = strategy.pick_steps() if hasattr(strategy, "pick_steps") else None
        if not pick_steps or not isinstance(pick_steps[0], TopN) or not hasattr(strategy, "screen_steps"):
            key = (strategy, date)
            if key not in self._picks:
                self._picks[key] = strategy.decide(self._view(date))
            return self._picks[key]
        screen = (type(strategy), tuple(strategy.screen_steps()))
        key = (screen, tuple(pick_steps), date)
        if key not in self._picks:
            rkey = (screen, date)
            if rkey not in self._ranked:
                self._ranked[rkey] = strategy.rank(self._view(date))
            ranked = self._ranked[rkey]
            chosen = ranked.keep(ranked.tickers[: pick_steps[0].n])
            view = self._view(date)
            for step in pick_steps:
                chosen = step(view, chosen)
            self._picks[key] = chosen
        return self._picks[key]

    def arrays(self, strategy, lo, hi, lag: int) -> tuple[int, int, ScheduleArrays]:
        """(start row, end row, kernel arrays with absolute rows) of the strategy's schedule."""
        key = (strategy, lo, hi, lag)
        if key in self._arrays:
            return self._arrays[key]
        dates = self.dates(strategy, lo, hi)
        if not len(dates):
            raise InputError(f"{strategy.name}: no decision date between {lo.date()} and {hi.date()}")
        schedule = Schedule.from_dict({d: self.picks(strategy, d).weight.to_dict() for d in dates})
        calendar = self.market.close.index
        t0 = int(calendar.searchsorted(dates[0], side="left"))
        t1 = int(calendar.searchsorted(hi, side="right"))
        out = (t0, t1, schedule_arrays(schedule, self.market.close.iloc[t0:t1], lag=lag).shift(t0))
        self._arrays[key] = out
        return out


def _window(config, market) -> tuple[pd.Timestamp, pd.Timestamp]:
    return window(market.close.index, run_start(config, market), config.backtest.end)


def plan(configs: list, market, progress: Progress | None = None) -> BatchArrays:
    """The batch of kernel inputs for `configs` (one set per config) over `market`."""
    planner = _Planner(market, progress)
    sets = []
    for i, cfg in enumerate(configs):
        require_holdings(cfg, market)
        lo, hi = _window(cfg, market)
        b = cfg.backtest
        execution = Execution(fees=b.fees, fixed_fees=b.fixed_fees, slippage=b.slippage, init_cash=b.init_cash,
                              lag=b.lag)
        t0, t1, arrays = planner.arrays(cfg.strategy, lo, hi, execution.lag)
        sets.append(BatchSet(t0, t1, arrays, execution))
        if progress is not None:
            progress("decisions", i + 1, len(configs))
    return BatchArrays.from_sets(sets)


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
