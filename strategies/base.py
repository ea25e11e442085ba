"""`Strategy`: the one strategy type. A strategy is its steps (screen, then pick) and its decision dates."""

from __future__ import annotations

import pandas as pd

from hedgeclone.strategies.steps import Picks, Rank, Step
from hedgeclone.strategies.view import MarketData, PointInTimeView

__all__ = ["Strategy"]


class Strategy:
    """Base of every strategy: a stack of steps and the dates on which it decides.

    Subclasses are frozen dataclasses (their fields are the TOML keys) that set `kind` and
    implement the three methods below. `screen_steps` take the universe through filters to
    scores; `pick_steps` select and weigh. `rank` gives every eligible name in order (what
    ``hedgeclone screen`` prints); `decide` gives the weighted picks the backtest holds.
    A strategy only decides: replaying it into a backtest is `hedgeclone.backtest.replay`.
    """

    kind: str = ""
    uses_13f: bool = False  # whether decisions read 13F holdings

    @property
    def name(self) -> str:
        """The name runs and reports show (the `kind` unless a subclass says more)."""
        return self.kind

    def screen_steps(self) -> list[Step]:
        """Steps from the empty universe to scored, eligible names (before `Rank`)."""
        raise NotImplementedError

    def pick_steps(self) -> list[Step]:
        """Steps from the screened names to the weighted picks (select, then weigh)."""
        raise NotImplementedError

    def decision_dates(self, market: MarketData, start=None, end=None) -> pd.DatetimeIndex:
        """The sessions of `market` in [start, end] on which the strategy decides."""
        raise NotImplementedError

    def run_steps(self, view: PointInTimeView, steps: list[Step]) -> Picks:
        """`steps` applied in order to the empty candidate set on the view date."""
        picks = Picks(tickers=pd.Index([]))
        for step in steps:
            picks = step(view, picks)
        return picks

    def rank(self, view: PointInTimeView) -> Picks:
        """Every eligible name on the view date, best score first."""
        return self.run_steps(view, [*self.screen_steps(), Rank()])

    def decide(self, view: PointInTimeView) -> Picks:
        """The weighted picks on the view date."""
        return self.run_steps(view, [*self.screen_steps(), *self.pick_steps()])
