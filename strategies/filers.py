"""Which 13F filers a consensus listens to: a CIK list, size bounds, or the best trailing cloners."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from hedgeclone.data.thirteenf.pointintime import DEFAULT_MAX_AGE_QUARTERS
from hedgeclone.errors import InputError
from hedgeclone.strategies.steps import Picks
from hedgeclone.strategies.view import PointInTimeView

__all__ = ["FilerFilter", "clone_returns"]


def clone_returns(view: PointInTimeView, quarters: int,
                  max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS) -> pd.Series:
    """Each filer's trailing return from copying its holdings, known on the view date.

    Over the last `quarters` quarter-long intervals ending on the view date, each filer's
    value-weighted long-equity positions counted at an interval's start (the 13F counting
    rules: filed before that day, not stale) are held to its end (prices known by the view
    date only); the result compounds the interval returns. Filers with no holdings counted
    at some interval start earn 0 over it.
    """
    close = view.close()
    ends = [view.date - pd.DateOffset(months=3 * k) for k in range(quarters, -1, -1)]
    rows = close.index.searchsorted(pd.DatetimeIndex(ends), side="right") - 1
    growth: pd.Series | None = None
    for lo, hi in zip(rows[:-1], rows[1:], strict=True):
        if lo < 0 or hi <= lo:
            continue
        pos = view.positions_at(close.index[lo], max_age_quarters=max_age_quarters)
        if pos.empty:
            continue
        ret = (close.iloc[hi] / close.iloc[lo] - 1.0).reindex(pos["ticker"]).to_numpy()
        pos = pos.assign(ret=ret).dropna(subset=["ret"])
        weight = pos["value_usd"] / pos.groupby("cik")["value_usd"].transform("sum")
        step = (weight * pos["ret"]).groupby(pos["cik"]).sum() + 1.0
        growth = step if growth is None else growth.mul(step, fill_value=1.0).combine_first(step)
    return (growth - 1.0) if growth is not None else pd.Series(dtype=float)


@dataclass(frozen=True)
class FilerFilter:
    """Step: restrict the filers whose holdings count, by CIK, 13F size, positions, or skill.

    `ciks` keeps only those filers; `min_aum`/`max_aum` bound a filer's total long-equity 13F
    value (dollars) and `min_positions`/`max_positions` its number of issuers held, both as
    counted on the date (stale filers, older than `max_age_quarters`, are out); `top_filers`
    keeps the M filers with the best trailing clone return over `lookback_quarters` (see
    `clone_returns`). Criteria combine.

    Requires: nothing. Sets: ``filers``.
    """

    ciks: tuple[int, ...] | None = None
    min_aum: float | None = None
    max_aum: float | None = None
    min_positions: int | None = None
    max_positions: int | None = None
    top_filers: int | None = None
    lookback_quarters: int = 4
    max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS

    def __post_init__(self) -> None:
        if self.top_filers is not None and self.top_filers < 1:
            raise InputError(f"top_filers must be at least 1, got {self.top_filers}")
        if self.lookback_quarters < 1:
            raise InputError(f"filer_lookback_quarters must be at least 1, got {self.lookback_quarters}")

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.ciks, self.min_aum, self.max_aum, self.min_positions,
                                           self.max_positions, self.top_filers))

    def __call__(self, view: PointInTimeView, picks: Picks) -> Picks:
        pos = view.positions_at(view.date, max_age_quarters=self.max_age_quarters)
        size = pos.groupby("cik").agg(aum=("value_usd", "sum"), positions=("issuer", "nunique"))
        keep = pd.Series(True, index=size.index)
        if self.ciks is not None:
            keep &= size.index.isin(list(self.ciks))
        for col, bound, above in (("aum", self.min_aum, True), ("aum", self.max_aum, False),
                                  ("positions", self.min_positions, True), ("positions", self.max_positions, False)):
            if bound is not None:
                keep &= (size[col] >= bound) if above else (size[col] <= bound)
        ciks = size.index[keep.to_numpy()]
        if self.top_filers is not None:
            skill = clone_returns(view, self.lookback_quarters, self.max_age_quarters).reindex(ciks).dropna()
            order = skill.sort_values(ascending=False, kind="stable")
            ciks = pd.Index(order.index[: self.top_filers])
        return replace(picks, filers=tuple(int(c) for c in np.sort(ciks.to_numpy())))
