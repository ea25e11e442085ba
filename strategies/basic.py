"""Baselines: buy-and-hold of a list, and fixed weights rebalanced on a schedule."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hedgeclone.errors import InputError
from hedgeclone.strategies.base import Strategy
from hedgeclone.strategies.calendar import Frequency, decision_dates
from hedgeclone.strategies.steps import EqualWeight, FixedWeight, Step, Tickers
from hedgeclone.strategies.view import MarketData

__all__ = ["BuyAndHold", "FixedWeights"]


@dataclass(frozen=True)
class BuyAndHold(Strategy):
    """Equal weights in `tickers`, bought once at the start and never rebalanced."""

    kind = "buy-and-hold"

    tickers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.tickers:
            raise InputError("buy-and-hold needs a non-empty tickers list")

    @property
    def name(self) -> str:
        return "buy-and-hold"

    def screen_steps(self) -> list[Step]:
        return [Tickers(self.tickers)]

    def pick_steps(self) -> list[Step]:
        return [EqualWeight()]

    def decision_dates(self, market: MarketData, start=None, end=None) -> pd.DatetimeIndex:
        return decision_dates(market.close.index, "once", start, end)


@dataclass(frozen=True)
class FixedWeights(Strategy):
    """The given `weights` (ticker -> fraction), restored at each rebalance date."""

    kind = "fixed-weights"

    weights: tuple[tuple[str, float], ...] = ()
    rebalance: Frequency = "quarterly"

    def __post_init__(self) -> None:
        if not self.weights:
            raise InputError("fixed-weights needs a non-empty weights table")
        total = sum(w for _, w in self.weights)
        if any(w < 0 for _, w in self.weights) or total > 1 + 1e-9:
            raise InputError(f"weights must be >= 0 and sum to at most 1, got a sum of {total:g}")

    @property
    def name(self) -> str:
        return "fixed-weights"

    def screen_steps(self) -> list[Step]:
        return [Tickers(tuple(t for t, _ in self.weights))]

    def pick_steps(self) -> list[Step]:
        return [FixedWeight(self.weights)]

    def decision_dates(self, market: MarketData, start=None, end=None) -> pd.DatetimeIndex:
        dates = decision_dates(market.close.index, self.rebalance, start, end)
        first = decision_dates(market.close.index, "once", start, end)
        return first.union(dates)
