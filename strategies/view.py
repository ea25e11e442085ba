"""The point-in-time view: on a decision date it exposes only what was known by then.

Every accessor cuts its data at the view's date: prices up to and including that close,
13F filings filed before it (a filing is known from the session after its filing date, under
the counting rules of `data.thirteenf.pointintime`), shares outstanding known from on or
before it. A
strategy sees the market only through a view, so look-ahead is impossible by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

import numpy as np
import pandas as pd

from hedgeclone.data.thirteenf.index import HoldingsIndex, IssuerTable
from hedgeclone.data.thirteenf.pointintime import DEFAULT_MAX_AGE_QUARTERS
from hedgeclone.errors import DataError

__all__ = ["MarketData", "PointInTimeView"]


class MarketData(Protocol):
    """What a strategy may read: any object with these frames (the demo market is one)."""

    close: pd.DataFrame  # total-return close, calendar x tickers
    raw_close: pd.DataFrame | None
    volume: pd.DataFrame | None
    shares: pd.DataFrame | None  # long: ticker, known_from, shares
    holdings: pd.DataFrame | None  # long 13F HOLDINGS schema


@dataclass(frozen=True)
class PointInTimeView:
    """`market` as known at the close of `date`.

    `index` is the market's 13F holdings indexed once for many dates (`HoldingsIndex`); the
    runner passes it so that each decision date costs milliseconds. Without it, the view
    indexes the market's holdings on first use.
    """

    market: MarketData = field(repr=False)
    date: pd.Timestamp
    index: HoldingsIndex | None = field(default=None, repr=False)

    @cached_property
    def _row(self) -> int:
        # Last row of the calendar on or before the view date.
        return int(self.market.close.index.searchsorted(self.date, side="right")) - 1

    def close(self, lookback: int | None = None) -> pd.DataFrame:
        """Adjusted closes up to and including the view date (the last `lookback` rows)."""
        lo = 0 if lookback is None else max(0, self._row + 1 - lookback)
        return self.market.close.iloc[lo : self._row + 1]

    def last_close(self) -> pd.Series:
        """Adjusted close on the view date (NaN for tickers not trading that day)."""
        return self.market.close.iloc[self._row] if self._row >= 0 else pd.Series(dtype=float)

    def last_raw_close(self) -> pd.Series:
        """Raw (unadjusted) close on the view date; the adjusted close where raw is unknown."""
        raw = self.market.raw_close
        if raw is None:
            return self.last_close()
        return raw.iloc[self._row].fillna(self.last_close()) if self._row >= 0 else pd.Series(dtype=float)

    def dollar_volume(self, days: int) -> pd.Series:
        """Median daily traded value (raw close x volume) over the last `days` sessions."""
        if self.market.volume is None:
            raise DataError("this market has no volumes")
        lo = max(0, self._row + 1 - days)
        raw = self.market.raw_close if self.market.raw_close is not None else self.market.close
        return (raw.iloc[lo : self._row + 1] * self.market.volume.iloc[lo : self._row + 1]).median()

    def tradable(self) -> pd.Index:
        """Tickers with a price on the view date."""
        last = self.last_close()
        return last.index[last.notna().to_numpy()]

    def holdings(self, ciks=None, include_options: bool = False,
                 max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS) -> pd.DataFrame:
        """The 13F HOLDINGS rows of the filings that count on the view date (PUT/CALL only if asked)."""
        rows = self._index.holdings_as_of(self.date, ciks=ciks, max_age_quarters=max_age_quarters)
        return rows if include_options else rows[rows["put_call"].isna()]

    def positions_at(self, date: pd.Timestamp, ciks=None,
                     max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS) -> pd.DataFrame:
        """Long-equity positions per filer and CUSIP that count on `date` (on or before the view date)."""
        if pd.Timestamp(date) > self.date:
            raise DataError(f"look-ahead: positions at {pd.Timestamp(date).date()} asked on {self.date.date()}")
        return self._index.positions_as_of(date, ciks=ciks, max_age_quarters=max_age_quarters)

    def issuers(self, ciks=None, max_age_quarters: int | None = DEFAULT_MAX_AGE_QUARTERS,
                merge_share_classes: bool = True) -> IssuerTable:
        """13F holders, conviction and top-10 counts per issuer on the view date (`IssuerTable`)."""
        return self._index.issuers_as_of(self.date, ciks=ciks, max_age_quarters=max_age_quarters,
                                         merge_share_classes=merge_share_classes)

    @cached_property
    def _index(self) -> HoldingsIndex:
        if self.index is not None:
            return self.index
        if self.market.holdings is None:
            raise DataError("this market has no 13F holdings")
        return HoldingsIndex(self.market.holdings)

    def market_cap(self) -> pd.Series:
        """Raw close on the view date x the latest shares outstanding known by then.

        Where the data has no raw close (adjusted-only price files), the adjusted close
        stands in for it: exact for names without dividends or splits since, close otherwise.
        """
        if self.market.shares is None:
            raise DataError("this market has no shares outstanding; import them with `hedgeclone data shares import`")
        shares = self.market.shares
        known = shares[shares["known_from"] <= self.date].sort_values("known_from", kind="stable")
        latest = known.drop_duplicates("ticker", keep="last").set_index("ticker")["shares"]
        raw = self.last_raw_close()
        return (raw * latest.reindex(raw.index)).astype(np.float64)
