"""`StackStrategy`: a strategy is its steps (screen, then pick) and its decision dates."""

from __future__ import annotations

import pandas as pd

from hedgeclone.strategies.steps import Picks, Rank, Step
from hedgeclone.strategies.view import MarketData, PointInTimeView

__all__ = ["StackStrategy"]


class StackStrategy:
    """Mixin for strategies made of steps.

    `screen_steps` take the universe through filters to scores; `pick_steps` select and
    weigh. `rank` gives every eligible name in order (what ``hedgeclone screen`` prints);
    `decide` gives the weighted picks the backtest holds.
    """

    kind: str = ""
    uses_13f: bool = False  # whether decisions read 13F holdings

    @property
    def name(self) -> str:
        return self.kind

    def screen_steps(self) -> list[Step]:
        raise NotImplementedError

    def pick_steps(self) -> list[Step]:
        raise NotImplementedError

    def decision_dates(self, market: MarketData, start=None, end=None) -> pd.DatetimeIndex:
        raise NotImplementedError

    def _run(self, view: PointInTimeView, steps: list[Step]) -> Picks:
        picks = Picks(tickers=pd.Index([]))
        for step in steps:
            picks = step(view, picks)
        return picks

    def rank(self, view: PointInTimeView) -> Picks:
        """Every eligible name on the view date, best score first."""
        return self._run(view, [*self.screen_steps(), Rank()])

    def decide(self, view: PointInTimeView) -> Picks:
        """The weighted picks on the view date."""
        return self._run(view, [*self.screen_steps(), *self.pick_steps()])
