"""Replay a strategy over a market: decide on each decision date, then simulate the orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from hedgeclone import backtest
from hedgeclone.data.thirteenf.index import HoldingsIndex
from hedgeclone.errors import InputError
from hedgeclone.strategies.steps import Picks
from hedgeclone.strategies.view import MarketData, PointInTimeView

__all__ = ["Strategy", "StrategyRun", "run_strategy"]


class Strategy(Protocol):
    name: str

    def decision_dates(self, market: MarketData, start=None, end=None) -> pd.DatetimeIndex: ...

    def decide(self, view: PointInTimeView) -> Picks: ...


@dataclass(frozen=True)
class StrategyRun:
    """A replayed strategy: its picks on each decision date, the schedule and the backtest."""

    strategy: Strategy
    picks: dict[pd.Timestamp, Picks] = field(repr=False)
    schedule: backtest.Schedule
    result: backtest.Result
    notes: list[str] = field(default_factory=list)


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
) -> StrategyRun:
    """Decide on each of the strategy's dates in [start, end] and simulate from the first one.

    Orders execute `lag` trading days after their decision date (default: the next close).
    Held names whose prices end are closed at their last price times 1 + their delisting
    return. `on_decision(done, total)` is called after each decision (for progress bars).
    """
    calendar = market.close.index
    lo = pd.Timestamp(start) if start is not None else calendar[0]
    hi = pd.Timestamp(end) if end is not None else calendar[-1]
    if lo > hi:
        raise InputError(f"start {lo.date()} is after end {hi.date()}")
    if hi < calendar[0] or lo > calendar[-1]:
        raise InputError(
            f"window {lo.date()}..{hi.date()} lies outside the data ({calendar[0].date()}..{calendar[-1].date()})"
        )
    dates = strategy.decision_dates(market, lo, hi)
    if not len(dates):
        raise InputError(f"{strategy.name}: no decision date between {lo.date()} and {hi.date()}")
    picks: dict[pd.Timestamp, Picks] = {}
    notes: list[str] = []
    index = HoldingsIndex(market.holdings) if market.holdings is not None else None
    for i, date in enumerate(dates):
        chosen = strategy.decide(PointInTimeView(market, date, index))
        picks[date] = chosen
        notes += [f"{date.date()}: {note}" for note in chosen.notes]
        if not len(chosen.tickers):
            notes.append(f"{date.date()}: no eligible stock; holding cash")
        if on_decision is not None:
            on_decision(i + 1, len(dates))
    schedule = backtest.Schedule.from_dict({d: p.weight.to_dict() for d, p in picks.items()})
    close = market.close.loc[dates[0] : hi]
    result = backtest.simulate(
        close, schedule, fees=fees, fixed_fees=fixed_fees, slippage=slippage, init_cash=init_cash, lag=lag,
        delisting=True, delisting_returns=delisting_returns,
    )
    return StrategyRun(strategy=strategy, picks=picks, schedule=schedule, result=result, notes=notes)
