"""Hedge-fund consensus: hold the stocks most held by 13F filers, once their filings are public."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from backtest.errors import InputError
from strategies.calendar import after_filing_deadline
from strategies.steps import EqualWeight, HolderScore, MinHolders, Picks, ScoreWeight, Step, TopN, Tradable
from strategies.view import PointInTimeView

__all__ = ["HedgeFundConsensus"]


@dataclass(frozen=True)
class HedgeFundConsensus:
    """The `top_n` stocks with the most 13F holders (or conviction, or top-10 appearances).

    Decides on the first trading day after each quarter's 45-day filing deadline plus
    `lag_days`, from the filings public by then; tickers need at least `min_holders`.
    """

    top_n: int = 14
    score: Literal["holders", "conviction", "top10"] = "holders"
    min_holders: int = 1
    weighting: Literal["equal", "score"] = "equal"
    lag_days: int = 0

    def __post_init__(self) -> None:
        if self.weighting not in ("equal", "score"):
            raise InputError(f"weighting must be 'equal' or 'score', got {self.weighting!r}")
        if self.min_holders < 0:
            raise InputError(f"min_holders must be >= 0, got {self.min_holders}")

    @property
    def name(self) -> str:
        return f"hedge-fund-consensus-{self.top_n}"

    def steps(self) -> list[Step]:
        """The stack run on each decision date."""
        weigh: Step = EqualWeight() if self.weighting == "equal" else ScoreWeight()
        steps: list[Step] = [Tradable(), HolderScore(self.score)]
        if self.min_holders > 1:
            steps.append(MinHolders(self.min_holders))
        return [*steps, TopN(self.top_n), weigh]

    def decision_dates(self, calendar: pd.DatetimeIndex, start=None, end=None) -> pd.DatetimeIndex:
        return after_filing_deadline(calendar, start, end, extra_days=self.lag_days)

    def decide(self, view: PointInTimeView) -> Picks:
        picks = Picks(tickers=pd.Index([]))
        for step in self.steps():
            picks = step(view, picks)
        return picks
