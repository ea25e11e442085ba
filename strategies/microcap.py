"""Micro-cap screen: small companies ranked by momentum, held by at least k hedge funds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from hedgeclone.errors import InputError
from hedgeclone.strategies.base import Strategy
from hedgeclone.strategies.calendar import Frequency, decision_dates
from hedgeclone.strategies.steps import (
    _SESSIONS,
    EqualWeight,
    HolderCount,
    MarketCapBand,
    MinDaysTraded,
    MinDollarVolume,
    MinPrice,
    Momentum,
    ScoreWeight,
    Step,
    SuspectPrices,
    TopN,
    Tradable,
)
from hedgeclone.strategies.view import MarketData

__all__ = ["MicrocapScreen"]


@dataclass(frozen=True)
class MicrocapScreen(Strategy):
    """Market cap in [`min_cap`, `max_cap`] on the decision date, ranked by momentum.

    Momentum is year to date or trailing 3/6/12 months (`rank_by`); a name needs at least
    `min_holders` 13F holders in the filings known on the date (0 turns the filter off and lets
    the screen run on a market without 13F holdings), a raw price of at least `min_price`, and
    liquidity over the last `liquidity_days` sessions up to the decision close: a median daily
    dollar volume of at least `min_dollar_volume` and volume on at least the share
    `min_days_traded` of those sessions (where the market has volumes, both are screen columns).
    With `exclude_suspect_prices` (default) a name whose close made an unrepaired split-like move
    within the momentum window is left out (`SuspectPrices`); without it, it is marked.
    Holds the `top_n` best, rebalanced after each 13F deadline (``"deadline"``), at each
    month/quarter/year end, or bought ``"once"``.

    Holders are counted under the 13F rules of `data.thirteenf.pointintime` (distinct filers
    of the ticker's issuer with `merge_share_classes`; stale filers, older than
    `max_filing_age_quarters`, left out).
    """

    kind = "microcap-screen"

    top_n: int = 20
    min_cap: float = 50e6
    max_cap: float = 300e6
    rank_by: Literal["ytd", "3m", "6m", "12m"] = "ytd"
    min_holders: int = 1
    min_price: float = 1.0
    min_dollar_volume: float = 0.0
    min_days_traded: float = 0.0
    liquidity_days: int = 20
    exclude_suspect_prices: bool = True
    rebalance: Frequency = "quarterly"
    weighting: Literal["equal", "score"] = "equal"
    merge_share_classes: bool = True
    max_filing_age_quarters: int | None = 1

    def __post_init__(self) -> None:
        if not 0 <= self.min_cap < self.max_cap:
            raise InputError(f"min_cap ({self.min_cap:g}) must be >= 0 and below max_cap ({self.max_cap:g})")
        if self.rebalance not in ("deadline", "monthly", "quarterly", "annual", "once"):
            raise InputError(f"rebalance must be deadline, monthly, quarterly, annual or once, got {self.rebalance!r}")
        if self.weighting not in ("equal", "score"):
            raise InputError(f"weighting must be 'equal' or 'score', got {self.weighting!r}")
        Momentum(self.rank_by)  # validates rank_by
        MinDaysTraded(self.min_days_traded)  # validates the share
        if self.liquidity_days < 1:
            raise InputError(f"liquidity_days must be >= 1, got {self.liquidity_days}")
        if self.max_filing_age_quarters is not None and self.max_filing_age_quarters < 0:
            raise InputError(f"max_filing_age_quarters must be >= 0, got {self.max_filing_age_quarters}")

    @property
    def name(self) -> str:
        return f"microcap-screen-{self.top_n}"

    @property
    def uses_13f(self) -> bool:
        return self.min_holders > 0

    def screen_steps(self) -> list[Step]:
        steps: list[Step] = [Tradable(), MarketCapBand(self.min_cap, self.max_cap)]
        if self.min_price > 0:
            steps.append(MinPrice(self.min_price))
        steps.append(MinDollarVolume(self.min_dollar_volume, self.liquidity_days))
        steps.append(MinDaysTraded(self.min_days_traded, self.liquidity_days))
        steps.append(HolderCount(self.min_holders, self.merge_share_classes, self.max_filing_age_quarters))
        steps.append(SuspectPrices(self.momentum_sessions(), exclude=self.exclude_suspect_prices))
        steps.append(Momentum(self.rank_by))
        return steps

    def momentum_sessions(self) -> int | str:
        """The look-back window of the ranking: ``"ytd"`` or its number of sessions."""
        return _SESSIONS.get(self.rank_by, "ytd")

    def pick_steps(self) -> list[Step]:
        return [TopN(self.top_n), EqualWeight() if self.weighting == "equal" else ScoreWeight()]

    def decision_dates(self, market: MarketData, start=None, end=None) -> pd.DatetimeIndex:
        return decision_dates(market.close.index, self.rebalance, start, end)
