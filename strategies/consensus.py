"""Hedge-fund consensus: hold the stocks most held by 13F filers, once their filings are public."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from hedgeclone.errors import InputError
from hedgeclone.strategies.base import Strategy
from hedgeclone.strategies.calendar import after_filing_deadline
from hedgeclone.strategies.filers import FilerFilter
from hedgeclone.strategies.steps import (
    CappedWeight,
    EqualWeight,
    HolderScore,
    MarketCapBand,
    MinHolders,
    MinPrice,
    ScoreWeight,
    Step,
    SuspectPrices,
    TopN,
)
from hedgeclone.strategies.view import MarketData

__all__ = ["HedgeFundConsensus"]


@dataclass(frozen=True)
class HedgeFundConsensus(Strategy):
    """The `top_n` stocks with the most 13F holders (or conviction, or top-10 appearances).

    Filers: all, or `ciks`, or those within AUM / position-count bounds, or the `top_filers`
    best by trailing clone return over `filer_lookback_quarters`. Decides on the first trading
    day after each quarter's 45-day filing deadline plus `lag_days` (``rebalance="deadline"``),
    or on the first session after each new filing (``"filing"``). Tickers need at least
    `min_holders` holders, a price of at least `min_price` and, if given, a market cap in
    [`min_cap`, `max_cap`]. Weights: equal, proportional to score, or capped at `max_weight`.
    With `exclude_suspect_prices` (default) a name whose close made an unrepaired split-like move
    in the last `SUSPECT_SESSIONS` sessions (the quarter before the decision) is left out: its price
    series cannot be trusted (`SuspectPrices`); without it, it is marked.

    Counting follows the 13F rules of `data.thirteenf.pointintime`: a filing counts from the
    session after its filing date; a filer whose latest report is more than
    `max_filing_age_quarters` before the last quarter end is stale; long equity only; with
    `merge_share_classes` (default) a company is one issuer (CUSIP[:6]) held once per filer,
    traded under its most-held priced ticker, so `top_n` picks are `top_n` companies.
    """

    kind = "hedge-fund-consensus"
    uses_13f = True
    SUSPECT_SESSIONS = 63  # one quarter: the window between two deadline rebalances

    top_n: int = 14
    score: Literal["holders", "conviction", "top10"] = "holders"
    min_holders: int = 1
    weighting: Literal["equal", "score", "capped"] = "equal"
    max_weight: float = 0.1
    lag_days: int = 0
    rebalance: Literal["deadline", "filing"] = "deadline"
    min_price: float = 0.0
    min_cap: float | None = None
    max_cap: float | None = None
    exclude_funds: bool = True
    ciks: tuple[int, ...] | None = None
    min_aum: float | None = None
    max_aum: float | None = None
    min_positions: int | None = None
    max_positions: int | None = None
    top_filers: int | None = None
    filer_lookback_quarters: int = 4
    merge_share_classes: bool = True
    max_filing_age_quarters: int | None = 1
    exclude_suspect_prices: bool = True

    def __post_init__(self) -> None:
        if self.weighting not in ("equal", "score", "capped"):
            raise InputError(f"weighting must be 'equal', 'score' or 'capped', got {self.weighting!r}")
        if self.rebalance not in ("deadline", "filing"):
            raise InputError(f"rebalance must be 'deadline' or 'filing', got {self.rebalance!r}")
        if self.min_holders < 0 or self.lag_days < 0:
            raise InputError("min_holders and lag_days must be >= 0")
        if self.max_filing_age_quarters is not None and self.max_filing_age_quarters < 0:
            raise InputError(f"max_filing_age_quarters must be >= 0, got {self.max_filing_age_quarters}")
        if self.weighting == "capped" and self.max_weight * self.top_n < 1:
            raise InputError(
                f"max_weight {self.max_weight:g} x top_n {self.top_n} < 1: the weights cannot sum to 1"
            )

    @property
    def name(self) -> str:
        return f"hedge-fund-consensus-{self.top_n}"

    def filer_filter(self) -> FilerFilter:
        return FilerFilter(self.ciks, self.min_aum, self.max_aum, self.min_positions, self.max_positions,
                           self.top_filers, self.filer_lookback_quarters, self.max_filing_age_quarters)

    def screen_steps(self) -> list[Step]:
        steps: list[Step] = []
        filers = self.filer_filter()
        if filers.active:
            steps.append(filers)
        # The universe: every held issuer with a priced ticker (the rest go to `unpriced`).
        steps.append(HolderScore(self.score, exclude_funds=self.exclude_funds, universe=True,
                                 merge_share_classes=self.merge_share_classes,
                                 max_age_quarters=self.max_filing_age_quarters))
        steps.append(SuspectPrices(self.SUSPECT_SESSIONS, exclude=self.exclude_suspect_prices))
        if self.min_holders > 1:
            steps.append(MinHolders(self.min_holders))
        if self.min_price > 0:
            steps.append(MinPrice(self.min_price))
        if self.min_cap is not None or self.max_cap is not None:
            steps.append(MarketCapBand(self.min_cap or 0.0, self.max_cap if self.max_cap is not None else float("inf")))
        return steps

    def pick_steps(self) -> list[Step]:
        weigh: Step = {"equal": EqualWeight(), "score": ScoreWeight()}.get(self.weighting) or CappedWeight(self.max_weight)
        return [TopN(self.top_n), weigh]

    def decision_dates(self, market: MarketData, start=None, end=None) -> pd.DatetimeIndex:
        """After each filing deadline; with ``rebalance="filing"``, the session after each filing day."""
        calendar = market.close.index
        if self.rebalance == "filing" and market.holdings is not None:
            days = pd.DatetimeIndex(market.holdings["filed"].dropna().unique()).sort_values()
            pos = calendar.searchsorted(days, side="right")
            dates = calendar[pos[pos < len(calendar)]].unique()
            lo = pd.Timestamp(start) if start is not None else calendar[0]
            hi = pd.Timestamp(end) if end is not None else calendar[-1]
            return dates[(dates >= lo) & (dates <= hi)]
        return after_filing_deadline(calendar, start, end, extra_days=self.lag_days)
