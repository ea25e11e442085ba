"""Replay a strategy over a market: decide on each decision date, then simulate the orders."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from hedgeclone.backtest.engine import Execution, Result, Schedule, simulate
from hedgeclone.backtest.engine.liquidity import Liquidity
from hedgeclone.backtest.metric_sets import format_metric
from hedgeclone.backtest.run import (
    RunData,
    build_run,
    close_notes,
    holdings_from_picks,
    label_closes,
    run_metrics,
)
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.errors import InputError
from hedgeclone.strategies.base import Strategy
from hedgeclone.strategies.calendar import window
from hedgeclone.strategies.steps import Picks
from hedgeclone.strategies.view import MarketData, PointInTimeView

__all__ = ["StrategyRun", "run", "run_strategy", "decide_all", "simulate_picks"]


@dataclass(frozen=True)
class StrategyRun:
    """A replayed strategy: its picks on each decision date, the schedule and the backtest.

    `benchmarks` (daily levels) and `caveats` come from the market it ran on, so that the run
    can report itself (`report`) and become a run directory (`to_run_data`).
    """

    strategy: Strategy
    picks: dict[pd.Timestamp, Picks] = field(repr=False)
    schedule: Schedule = field(repr=False)
    result: Result
    notes: list[str] = field(default_factory=list, repr=False)
    benchmarks: pd.DataFrame | None = field(default=None, repr=False)
    caveats: tuple[str, ...] = field(default=(), repr=False)
    names: pd.Series | None = field(default=None, repr=False)  # ticker -> company name
    ends: pd.DataFrame | None = field(default=None, repr=False)  # why the market's series stop (`Market.ends`)

    def __repr__(self) -> str:
        index = self.result.index
        span = f"{index[0].date()}..{index[-1].date()}" if len(index) else "no days"
        total = self.result.value.iloc[-1] / self.result.init_cash - 1 if len(index) else float("nan")
        return (f"StrategyRun({self.strategy.name}: {span}, {len(self.picks)} decisions, "
                f"{len(self.result.orders)} fills, total return {format_metric('total_return', total)})")

    def stats(self) -> dict[str, float]:
        """The strategy's metrics; equal to ``metrics.json["strategy"]`` of its run directory."""
        return self.result.stats()

    def to_run_data(self, config: dict | None = None, fingerprint: str | None = None) -> RunData:
        """The run as a run directory holds it: values with the benchmarks, holdings, trades, notes."""
        if config is None and fingerprint is None:
            return self._run_data
        return self._build_run(config, fingerprint)

    def _build_run(self, config: dict | None, fingerprint: str | None) -> RunData:
        return build_run(self.strategy.name, self.result, benchmarks=self.benchmarks, config=config,
                         caveats=self.caveats, notes=self.notes, holdings=holdings_from_picks(self.picks, self.names),
                         fingerprint=fingerprint, ends=self.ends)

    @cached_property
    def _run_data(self) -> RunData:
        # Built once: displays, figures and reports of the same run all read it.
        return self._build_run(None, None)

    def report(self, path: str | os.PathLike[str] = "report.html", *, show: bool | None = None) -> Path:
        """Write the self-contained HTML report of this run to `path` and open it in the browser when one
        is available (`show`: see `hedgeclone.report`); returns the path."""
        from hedgeclone.backtest.report import report  # plotly loads only when a report is written

        return report(self, path, show=show)

    def plot(self, kind: str = "equity"):
        """The report's plotly figure `kind`: equity (log scale, against the benchmarks), drawdowns,
        rolling_excess, yearly, holdings or costs (`hedgeclone.backtest.figures.KINDS`)."""
        from hedgeclone.backtest.report import run_figure  # plotly loads only when a figure is drawn

        return run_figure(self._run_data, kind)

    def _repr_html_(self) -> str:
        from hedgeclone.backtest.report.display import run_html
        return run_html(self._run_data, run_metrics(self._run_data))

    def __rich__(self):
        from hedgeclone.backtest.report.display import run_rich
        return run_rich(self._run_data, run_metrics(self._run_data))


def decide_all(strategy: Strategy, market: MarketData, dates: pd.DatetimeIndex,
               on_decision: Callable[[int, int], None] | None = None) -> tuple[dict[pd.Timestamp, Picks], list[str]]:
    """The strategy's picks on each of `dates` (seen through point-in-time views), and its notes."""
    picks: dict[pd.Timestamp, Picks] = {}
    notes: list[str] = []
    index = HoldingsIndex(market.holdings).prepare(dates) if market.holdings is not None else None
    for i, date in enumerate(dates):
        chosen = strategy.decide(PointInTimeView(market, date, index))
        picks[date] = chosen
        notes += [f"{date.date()}: {note}" for note in chosen.notes]
        if not len(chosen.tickers):
            notes.append(f"{date.date()}: no eligible stock; holding cash")
        if on_decision is not None:
            on_decision(i + 1, len(dates))
    return picks, notes


def run_strategy(
    strategy: Strategy,
    market: MarketData,
    *,
    start=None,
    end=None,
    fees: float = 0.0,
    fixed_fees: float = 0.0,
    slippage: float = 0.0,
    init_cash: float = 1.0,
    lag: int = 1,
    delisting_returns: pd.Series | None = None,
    on_decision: Callable[[int, int], None] | None = None,
    execution: Execution | None = None,
) -> StrategyRun:
    """Decide on each of the strategy's dates in [start, end] and simulate from the first one.

    Orders execute `lag` trading days after their decision date (default: the next close).
    `execution` replaces the cost keywords and `lag` with one `Execution` (its execution models
    read the market's volume and open prices, whole histories, through `Liquidity.of(market)`).
    Held names whose prices end are closed at their last price times 1 + their delisting
    return (the market's `delisting_returns` unless given); the notes count the positions closed
    at delistings apart from those closed because their data ended (the market's `ends`).
    `on_decision(done, total)` is called after each decision (for progress bars).
    """
    lo, hi = window(market.close.index, start, end)
    dates = strategy.decision_dates(market, lo, hi)
    if not len(dates):
        raise InputError(f"{strategy.name}: no decision date between {lo.date()} and {hi.date()}")
    picks, notes = decide_all(strategy, market, dates, on_decision)
    if execution is not None and (fees, fixed_fees, slippage, init_cash, lag) != (0.0, 0.0, 0.0, 1.0, 1):
        raise InputError("pass the costs, cash and lag inside execution=Execution(...), not beside it")
    if execution is None:
        execution = Execution(fees=fees, fixed_fees=fixed_fees, slippage=slippage, init_cash=init_cash, lag=lag)
    return simulate_picks(strategy, market, picks, notes, hi, execution, delisting_returns)


def simulate_picks(strategy: Strategy, market: MarketData, picks: dict[pd.Timestamp, Picks], notes: list[str],
                   end: pd.Timestamp, execution: Execution,
                   delisting_returns: pd.Series | None = None) -> StrategyRun:
    """The backtest of decisions already made (`decide_all`), from the first decision date to `end`, with `execution`.

    `capacity` simulates one set of decisions at several sizes through it.
    """
    dates = pd.DatetimeIndex(sorted(picks))
    hi, lag = end, execution.lag
    notes = list(notes)
    schedule = Schedule.from_dict({d: p.weight.to_dict() for d, p in picks.items()})
    if delisting_returns is None:
        delisting_returns = getattr(market, "delisting_returns", None)
    result = simulate(
        market.close.loc[dates[0] : hi], schedule, execution=execution, delisting=True,
        delisting_returns=delisting_returns, liquidity=Liquidity.of(market) if execution.models else None,
    )
    if not len(result.orders):
        notes.append(f"the backtest made no trade and held cash throughout: {_why_no_trade(picks, dates, hi, lag, market)}")
    ends = getattr(market, "ends", None)
    notes += close_notes(label_closes(result.trades, ends), ends)
    return StrategyRun(strategy=strategy, picks=picks, schedule=schedule, result=result, notes=notes,
                       benchmarks=getattr(market, "benchmarks", None), caveats=tuple(getattr(market, "caveats", ())),
                       names=getattr(market, "issuers", None), ends=ends)


def _why_no_trade(picks: dict[pd.Timestamp, Picks], dates: pd.DatetimeIndex, end: pd.Timestamp, lag: int,
                  market: MarketData) -> str:
    if not any(len(p.tickers) for p in picks.values()):
        return "no decision date found an eligible stock"
    calendar = market.close.index
    last = int(calendar.searchsorted(end, side="right")) - 1
    if int(calendar.searchsorted(dates[0])) + lag > last:
        return f"every order would fill {lag} sessions after its decision, after the window ends ({end.date()})"
    return "the picks had no price on the days their orders would fill"


run = run_strategy  # the facade's `hedgeclone.run(strategy, market, ...)`
